"""A caller's jobId belongs to one render at a time, claimed atomically in the bucket.

jobs/{jobId}.json names the render that owns the jobId and how it ended. It is
written with S3's conditional puts only (create if absent, replace if unchanged),
so two fullRenders with the same jobId can never both start, on AWS or SeaweedFS.
"""

from __future__ import annotations

import dataclasses
import json
import time

from parareel.contract import Claim, EventError
from parareel.storage.keys import job_key
from parareel.storage.s3 import S3Storage

SLACK = 60  # seconds a claim outlives its render's deadline before it counts as dead


class JobRunning(EventError):
    """Another render owns this jobId and is still running."""


class JobExists(EventError):
    """This jobId was rendered already, and the event does not say to replace it."""


def claim(bucket: S3Storage, job_id: str, render_id: str, seconds: float,
          replace: bool = False) -> tuple[Claim, Claim | None]:
    """Claim `job_id` for `render_id`, which must end within `seconds`.

    Returns the claim and the finished one it replaced (None for a new jobId).
    Raises JobRunning or JobExists, having changed nothing.
    """
    now = time.time()
    mine = Claim(job_id, render_id, "running", now + seconds + SLACK)
    key, body = job_key(job_id), _encode(mine)
    if bucket.create(key, body):
        return mine, None
    found = bucket.read_tagged(key)
    if found is None:  # removed meanwhile
        if bucket.create(key, body):
            return mine, None
        raise JobRunning(f"job {job_id!r} was claimed by another render just now")
    old = Claim.from_json(json.loads(found[0]))
    if old.running(now):
        raise JobRunning(f"job {job_id!r} is rendering (render {old.render_id}): wait for it "
                         "to end, or use another jobId")
    if not replace:
        raise JobExists(f"job {job_id!r} was rendered already (render {old.render_id}, "
                        f"{old.state}): send \"replace\": true to render it again, or use "
                        "another jobId")
    if not bucket.replace_if(key, body, found[1]):
        raise JobRunning(f"job {job_id!r} was claimed by another render just now")
    return mine, old


def settle(bucket: S3Storage, mine: Claim, state: str, url: str | None = None) -> None:
    """Record how the render ended, if the jobId is still its own."""
    key = job_key(mine.job_id)
    found = bucket.read_tagged(key)
    if found and Claim.from_json(json.loads(found[0])).render_id == mine.render_id:
        bucket.replace_if(key, _encode(dataclasses.replace(mine, state=state, url=url)),
                          found[1])


def owner(bucket: S3Storage, job_id: str) -> Claim | None:
    """The claim on `job_id`, or None if no render has claimed it."""
    data = bucket.get_bytes(job_key(job_id))
    return Claim.from_json(json.loads(data)) if data else None


def _encode(claim_: Claim) -> bytes:
    return json.dumps(claim_.to_json()).encode()
