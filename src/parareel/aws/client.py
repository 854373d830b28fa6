"""The client side: start a render on Lambda, follow its progress, fetch the result."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parareel.contract import PROGRESS, FullRender, Progress, new_render_id, render_prefix
from parareel.errors import ParareelError, RenderError
from parareel.progress import FrameProgress

POLL_SECONDS = 0.5


def _bucket(bucket: str | None) -> str:
    bucket = bucket or os.environ.get("PARAREEL_BUCKET")
    if not bucket:
        raise ParareelError("no bucket: pass --bucket or set PARAREEL_BUCKET")
    return bucket


def job_progress(job_id: str, bucket: str | None = None) -> Progress | None:
    """The progress of the render that owns `job_id`, or None if none has started."""
    from parareel.aws.jobs import owner
    from parareel.storage.s3 import S3Storage

    storage = S3Storage(_bucket(bucket))
    claim = owner(storage, job_id)
    if claim is None:
        return None
    data = storage.get_bytes(f"{render_prefix(claim.render_id)}/{PROGRESS}")
    return Progress.from_json(json.loads(data)) if data else None


def render_on_lambda(function: str, *, variables: Mapping[str, Any] | None = None,
                     workers: int = 10, job_id: str | None = None,
                     chunk_frames: int | None = None, replace: bool = False,
                     bucket: str | None = None,
                     download: str | os.PathLike | None = None,
                     progress: bool = False) -> dict[str, Any]:
    """Invoke `function` with a fullRender event and return its response.

    With `progress`, a bar follows the render's progress.json; with `download`,
    the video is saved there. Raises RenderError if the render failed.
    """
    from parareel.engines.aws_lambda import lambda_client

    job_id = job_id or new_render_id()
    event = FullRender(job_id, workers, dict(variables or {}), chunk_frames,
                       replace=replace).to_event()
    answer: dict[str, Any] = {}

    def call() -> None:
        try:
            response = lambda_client().invoke(FunctionName=function, Payload=json.dumps(event))
            answer["body"] = json.loads(response["Payload"].read() or b"null")
            answer["function_error"] = response.get("FunctionError")
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            answer["exception"] = exc

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    if progress:
        _follow(caller, job_id, bucket)
    caller.join()
    if "exception" in answer:
        raise RenderError(f"invoking {function!r} failed: {answer['exception']}") \
            from answer["exception"]
    body = answer["body"]
    if answer["function_error"] or not isinstance(body, dict) or body.get("status") != "done":
        message = body.get("errorMessage", body) if isinstance(body, dict) else body
        raise RenderError(f"render {job_id} failed: {message}")
    if download:
        _download(body["url"], Path(download))
    return body


def _follow(caller: threading.Thread, job_id: str, bucket: str | None) -> None:
    state = None
    while caller.is_alive() and state is None:
        time.sleep(POLL_SECONDS)
        state = _quiet_progress(job_id, bucket)
    if state is None or not state.frames_total:
        return
    with FrameProgress(state.frames_total, f"lambda {job_id}") as advance:
        shown = 0
        while True:
            done = state.frames_done
            advance(done - shown)
            shown = done
            if not caller.is_alive():
                break
            time.sleep(POLL_SECONDS)
            state = _quiet_progress(job_id, bucket) or state


def _quiet_progress(job_id: str, bucket: str | None) -> Progress | None:
    try:
        return job_progress(job_id, bucket)
    except (ParareelError, ValueError, KeyError):
        return None  # not written yet, or caught mid-write


def _download(url: str, path: Path) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with urllib.request.urlopen(url) as response, open(partial, "wb") as out:
        while block := response.read(1 << 20):
            out.write(block)
    os.replace(partial, path)
