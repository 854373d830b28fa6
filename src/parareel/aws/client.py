"""The client side: start a render on Lambda, follow its progress, fetch the result."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parareel.contract import (
    WEEK,
    FullRender,
    Progress,
    Webhook,
)
from parareel.errors import ParareelError, RenderError
from parareel.media.formats import Encoding
from parareel.progress import FrameProgress
from parareel.storage.files import refuse_link
from parareel.storage.keys import RenderKeys, new_render_id

POLL_SECONDS = 0.5
START_TIMEOUT = 120.0  # seconds for an asynchronous invocation to claim its jobId


def _bucket(bucket: str | None) -> str:
    bucket = bucket or os.environ.get("PARAREEL_BUCKET")
    if not bucket:
        raise ParareelError("no bucket: pass --bucket or set PARAREEL_BUCKET")
    return bucket


def job_progress(job_id: str, bucket: str | None = None) -> Progress | None:
    """The progress of the render that owns `job_id`, or None if none has started."""
    from parareel.aws.jobs import owner

    storage = _storage(bucket)
    claim = owner(storage, job_id)
    if claim is None:
        return None
    data = storage.get_bytes(RenderKeys.of(claim.render_id).progress)
    return Progress.from_json(json.loads(data)) if data else None


def start_render(function: str, *, variables: Mapping[str, Any] | None = None,
                 workers: int = 10, job_id: str | None = None,
                 chunk_frames: int | None = None, replace: bool = False,
                 bucket: str | None = None, webhook: Webhook | None = None,
                 encoding: Encoding | None = None, cache: bool = False) -> Started:
    """Start a fullRender asynchronously (no connection is held while it renders).

    Checks the jobId first, so that a job that is running, or finished without
    `replace`, is refused here rather than lost in an asynchronous invocation. With
    `cache`, blocks of earlier renders of the deployment are reused and this one's kept.
    """
    from parareel.aws.jobs import owner
    from parareel.engines.aws_lambda import lambda_client

    job_id = job_id or new_render_id()
    event = FullRender(job_id, workers, dict(variables or {}), chunk_frames,
                       encoding or Encoding(), replace=replace, webhook=webhook,
                       cache=cache).to_event()
    before = owner(_storage(bucket), job_id)
    if before and before.running(time.time()):
        raise RenderError(f"job {job_id!r} is rendering (render {before.render_id}): follow "
                          f"it with `parareel lambda progress {job_id} --follow`")
    if before and not replace:
        raise RenderError(f"job {job_id!r} was rendered already (render {before.render_id}, "
                          f"{before.state}): pass replace=True (--replace) to render it again")
    try:
        lambda_client().invoke(FunctionName=function, InvocationType="Event",
                               Payload=json.dumps(event))
    except Exception as exc:  # noqa: BLE001 - boto3's errors, said plainly
        raise RenderError(f"invoking {function!r} failed: {exc}") from exc
    return Started(job_id, before.render_id if before else None)


@dataclass(frozen=True)
class Started:
    job_id: str
    replaces: str | None = None  # the render id of the finished job being replaced


def follow(started: Started | str, bucket: str | None = None, *, progress: bool = True,
           start_timeout: float = START_TIMEOUT) -> dict[str, Any]:
    """Wait for the job's render to end (with a bar) and return the main's answer.

    Works from any client, any time: a restarted client follows the same job.
    Raises RenderError if the render failed or was cancelled.
    """
    from parareel.aws.jobs import owner

    started = Started(started) if isinstance(started, str) else started
    storage, job_id = _storage(bucket), started.job_id
    waited = 0.0
    while (claim := owner(storage, job_id)) is None or claim.render_id == started.replaces:
        if waited > start_timeout:
            raise RenderError(f"job {job_id!r} did not start within {start_timeout:.0f}s: "
                              "check the function's logs (a refused event writes nothing)")
        time.sleep(POLL_SECONDS)
        waited += POLL_SECONDS
    keys = RenderKeys.of(claim.render_id)
    bar = _Bar(job_id) if progress else None
    try:
        while (data := storage.get_bytes(keys.result)) is None:
            if bar and (state := _quiet(storage, keys.progress)):
                bar.show(state)
            claim = owner(storage, job_id) or claim
            if not claim.running(time.time()) and claim.state == "running":
                raise RenderError(f"job {job_id!r} stopped answering (its main invocation "
                                  "ended without a result): check the function's logs")
            time.sleep(POLL_SECONDS)
    finally:
        if bar:
            bar.close()
    answer = json.loads(data)
    if answer.get("status") != "done":
        raise RenderError(f"render {job_id} {answer.get('status', 'failed')}: "
                          f"{answer.get('errorMessage', answer)}")
    return answer


def render_on_lambda(function: str, *, variables: Mapping[str, Any] | None = None,
                     workers: int = 10, job_id: str | None = None,
                     chunk_frames: int | None = None, replace: bool = False,
                     bucket: str | None = None,
                     download: str | os.PathLike | None = None,
                     progress: bool = False, encoding: Encoding | None = None,
                     cache: bool = False) -> dict[str, Any]:
    """Start a render on `function`, follow it to the end and return the main's answer.

    With `progress`, a bar follows the render's progress.json; with `download`,
    the video is saved there. Raises RenderError if the render failed.
    """
    if download:  # before any work: a render whose video cannot be saved is not started
        refuse_link(Path(download), str(download))
    started = start_render(function, variables=variables, workers=workers, job_id=job_id,
                           chunk_frames=chunk_frames, replace=replace, bucket=bucket,
                           encoding=encoding, cache=cache)
    body = follow(started, bucket, progress=progress)
    if download:
        _download(body["url"], Path(download))
    return body


def render_batch_on_lambda(function: str, lines: Sequence[Mapping[str, Any]], *,
                           workers: int = 10, job_id: str | None = None, at_once: int = 2,
                           bucket: str | None = None, encoding: Encoding | None = None,
                           download: str | None = None,
                           on_video: Callable[[int, dict[str, Any]], None] | None = None
                           ) -> list[dict[str, Any]]:
    """Render one video per line of variables on `function`: one fullRender each
    (jobId {job_id}-{line}), with the block cache, the first alone (the blocks every
    video shares are drawn by it), then `at_once` at a time. With `download`, a name
    filled in from the line's fields ({line}: its number), each video is saved there.
    Raises RenderError naming the line of the first video that fails."""
    from parareel.batch import output_names

    prefix = job_id or new_render_id()
    names = [None] * len(lines) if download is None else output_names(download, lines)

    def one(number: int) -> dict[str, Any]:
        try:
            body = render_on_lambda(function, variables=lines[number - 1], workers=workers,
                                    job_id=f"{prefix}-{number}", bucket=bucket,
                                    encoding=encoding, cache=True,
                                    download=names[number - 1])
        except ParareelError as exc:
            raise RenderError(f"batch line {number}: {exc}") from None
        if on_video is not None:
            on_video(number, body)
        return body

    first = [one(1)]
    with ThreadPoolExecutor(max(1, at_once)) as videos:
        return first + list(videos.map(one, range(2, len(lines) + 1)))


def cancel_render(job_id: str, bucket: str | None = None) -> str:
    """Ask the job's running render to stop; returns its render id."""
    from parareel.aws.jobs import owner

    storage = _storage(bucket)
    claim = owner(storage, job_id)
    if claim is None or not claim.running(time.time()):
        state = "never started" if claim is None else claim.state
        raise RenderError(f"job {job_id!r} is not rendering ({state}): nothing to cancel")
    storage.put_bytes(RenderKeys.of(claim.render_id).cancel, b"cancel")
    return claim.render_id


def video_url(job_id: str, bucket: str | None = None, expires: int = WEEK) -> str:
    """A URL of the job's video presigned with this client's credentials.

    The main's URL is signed with the function role's temporary credentials, and stops
    working when they expire (hours), whatever `expiresIn` said; one signed here lives
    as long as asked (at most 7 days) if this client's credentials are long-lived.
    """
    from parareel.aws.jobs import owner

    storage = _storage(bucket)
    claim = owner(storage, job_id)
    if claim is None or claim.state != "done":
        raise RenderError(f"job {job_id!r} has no video "
                          f"({'never started' if claim is None else claim.state})")
    return storage.link(RenderKeys.of(claim.render_id).output, expires)


class _Bar:
    """A progress bar that appears once the render knows its frame count."""

    def __init__(self, job_id: str) -> None:
        self.job_id, self.shown, self._bar, self._advance = job_id, 0, None, None

    def show(self, state: Progress) -> None:
        if self._bar is None and state.frames_total:
            self._bar = FrameProgress(state.frames_total, f"lambda {self.job_id}")
            self._advance = self._bar.__enter__()
        if self._advance:
            self._advance(state.frames_done - self.shown)
            self.shown = state.frames_done

    def close(self) -> None:
        if self._bar:
            self._bar.__exit__(None, None, None)


def _storage(bucket: str | None):
    from parareel.storage.s3 import S3Storage

    return S3Storage(_bucket(bucket))


def _quiet(storage, key: str) -> Progress | None:
    try:
        data = storage.get_bytes(key)
        return Progress.from_json(json.loads(data)) if data else None
    except (ParareelError, ValueError, KeyError):
        return None  # caught mid-write, or S3 briefly away: the next look will do


def _download(url: str, path: Path) -> None:
    """Save the video at `path` whole, or leave what was there (a link is replaced, its
    target untouched)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        received = 0
        with urllib.request.urlopen(url) as response, open(partial, "wb") as out:
            length = response.headers.get("Content-Length")
            while block := response.read(1 << 20):
                out.write(block)
                received += len(block)
        if length is not None and received != int(length):
            raise ParareelError(f"the download of {url.split('?')[0]} was cut short "
                                f"({received:,} of {int(length):,} bytes); the video is "
                                "still in the bucket: `parareel lambda url JOBID` to fetch it")
        os.replace(partial, path)
    except OSError as exc:  # URLError too: the network, or the folder
        raise ParareelError(f"cannot save {url.split('?')[0]} as {str(path)!r}: "
                            f"{getattr(exc, 'reason', None) or exc.strerror or exc}; the "
                            "video is still in the bucket: `parareel lambda url JOBID` to "
                            "fetch it") from None
    finally:
        partial.unlink(missing_ok=True)
