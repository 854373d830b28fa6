"""The Lambda handler: `parareel.aws.handler.handler`, a thin entry point into the pipeline.

One function does both jobs of the seed: a `fullRender` event runs the pipeline
with the Lambda engine, which invokes this same function once per chunk with
`partialRender`; the joined video goes to the bucket and a URL comes back. A
`partialRender` event renders one segment into the bucket. Endpoints come from
boto3's standard settings, so the same code runs on AWS and against `parareel dev`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from parareel.assets import applied
from parareel.aws.settings import Settings
from parareel.contract import (
    ChunkJob,
    EventError,
    Failure,
    FullRender,
    Plan,
    Progress,
    Report,
    parse_event,
)
from parareel.engines.drawn import FRAMES_EVERY, teller
from parareel.errors import Cancelled, ChunkFailed, ParareelError, ParareelWarning, Timeout
from parareel.storage.keys import RenderKeys, new_render_id
from parareel.version import __version__

RESERVE = 0.15  # of the main's time, kept for joining, storing and cleaning up
MIN_RESERVE = 5.0  # seconds
FINISH = 0.03  # of the main's time, kept for writing how the render ended and the webhook
MIN_FINISH = 2.0  # seconds


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    try:
        settings = Settings.from_env()
    except ParareelError as exc:
        return {"status": "error", "errorType": "Configuration", "errorMessage": str(exc)}
    try:
        request = parse_event(event, settings.max_workers)
        faults = request.fault if isinstance(request, ChunkJob) else request.faults
        if faults and not settings.faults_enabled:
            raise EventError("testFaults and testFault are for tests: only a function with "
                             "PARAREEL_TEST_FAULTS=1 takes them")
        if isinstance(request, ChunkJob):
            _check_chunk(request, settings)
        elif request.webhook:
            from parareel.aws import webhooks

            webhooks.check(request.webhook.url, settings.assets)
    except EventError as exc:
        return {"status": "error", "errorType": "InvalidEvent", "errorMessage": str(exc)}
    with applied(settings.assets):  # callers name assets too: the policy decides
        if isinstance(request, FullRender):
            return full_render(request, settings, _seconds_left(context))
        return partial_render(request, settings)


def _seconds_left(context: Any) -> float:
    """The invocation's remaining time (Lambda's context), or Lambda's longest."""
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        return context.get_remaining_time_in_millis() / 1000
    return 900.0


def _check_chunk(job: ChunkJob, settings: Settings) -> None:
    """A chunk is taken only for an open render of this function, only if it is one of
    that render's planned chunks, into its own key: a forged event changes nothing."""
    from parareel.storage.s3 import S3Storage

    if job.project != settings.project:
        raise EventError(f"this function renders {settings.project!r}, not {job.project!r}")
    keys = RenderKeys.of(job.render_id)
    piece = job.encoding.container.piece.name
    expected = f"s3://{settings.bucket}/{keys.chunk(job.chunk.index, piece)}"
    if job.segment != expected:
        raise EventError(f"segment must be {expected}")
    why = _closed(S3Storage(settings.bucket), keys, job)
    if why is not None:
        raise EventError(f"not a chunk of render {job.render_id!r}: {why}")


def _closed(bucket, keys: RenderKeys, job: ChunkJob) -> str | None:
    """Why the render takes `job` no more (no plan, cancelled, past its time, not its
    chunk), or None while it does."""
    plan = bucket.get_bytes(keys.plan)
    if plan is None:
        return "no such render is running in this bucket"
    if bucket.get_bytes(keys.cancel) is not None:
        return "the render was cancelled"
    return Plan.from_json(json.loads(plan)).admits(job, time.time())


def partial_render(job: ChunkJob, settings: Settings) -> dict[str, Any]:
    """Render one chunk and upload its segment; raises (a function error) on failure."""
    from parareel.load import load_project
    from parareel.storage.s3 import S3Storage
    from parareel.worker import render_chunk

    if job.fault and settings.faults_enabled:
        _inject(job, settings)
    bucket, keys = S3Storage(settings.bucket), RenderKeys.of(job.render_id)
    result = render_chunk(job, load_project(settings.project), teller(bucket, keys, job))
    plan = bucket.get_bytes(keys.plan)
    if plan is None or Plan.from_json(json.loads(plan)).state == "ended" or \
            bucket.get_bytes(keys.cancel) is not None:
        # the render ended (cancelled, failed, joined) while this chunk ran: its main
        # deletes the plan before the chunks, so one of us deletes this segment
        bucket.delete_prefix(keys.chunk(job.chunk.index, job.encoding.container.piece.name))
        return {"status": "error", "errorType": "Cancelled",
                "errorMessage": f"render {job.render_id!r} ended while chunk "
                                f"{job.chunk.index} was rendering"}
    return result.to_json()


class ProgressFile:
    """renders/{renderId}/progress.json, written by the orchestrator alone (one writer)."""

    def __init__(self, storage, key: str, progress: Progress) -> None:
        self.storage, self.key, self.progress = storage, key, progress
        self._lock = threading.Lock()
        self._final = False  # the end is written: a render abandoned at its deadline is mute
        self._written, self._pending = 0.0, False

    def update(self, report: Report | None = None, **changes: Any) -> None:
        """Apply the report and changes. Anything but frames is written at once; frames at
        most every FRAMES_EVERY seconds (any later report, an empty one too, writes those
        that were held back once that time has passed)."""
        with self._lock:
            if self._final:
                return
            if report is not None:
                self.progress.apply(report)
                self._pending |= bool(report.frames)
            for name, value in changes.items():
                setattr(self.progress, name, value)
            news = changes or (report is not None and (report.done or report.retry
                                                       or report.phase))
            if not news and (not self._pending
                             or time.monotonic() - self._written < FRAMES_EVERY):
                return
            self._written, self._pending = time.monotonic(), False
            self._write()

    def end(self, phase: str, url: str | None) -> None:
        """Write how the render ended; nothing is written after this."""
        with self._lock:
            self._final = True
            self.progress.phase, self.progress.url = phase, url
            self._write()

    def _write(self) -> None:
        self.progress.updated_at = time.time()
        self.storage.put_bytes(self.key, json.dumps(self.progress.to_json()).encode())


def full_render(request: FullRender, settings: Settings,
                seconds_left: float = 900.0) -> dict[str, Any]:
    """Claim the jobId, render, and answer; the answer is also stored as result.json for
    a client that invoked asynchronously."""
    from parareel.aws import jobs
    from parareel.storage.s3 import S3Storage

    # chunks must be done by then: what is left is for joining, storing and cleaning up
    started = time.monotonic()
    deadline = started + seconds_left - max(MIN_RESERVE, RESERVE * seconds_left)
    # everything must be done by then: what is left is for writing how it ended
    cutoff = started + seconds_left - max(MIN_FINISH, FINISH * seconds_left)
    render_id = new_render_id()  # the caller's jobId names the job; this, its files
    bucket = S3Storage(settings.bucket)
    try:
        mine, replaced = jobs.claim(bucket, request.job_id, render_id, seconds_left,
                                    replace=request.replace)
    except ParareelError as exc:  # the jobId is taken, or the bucket cannot be used
        return {"status": "error", "jobId": request.job_id, "errorType": type(exc).__name__,
                "errorMessage": str(exc)}
    keys = RenderKeys.of(render_id)
    progress = ProgressFile(bucket, keys.progress, Progress(request.job_id, render_id))
    over = threading.Event()  # the watchdog ended the render: whatever still runs stops
    try:
        with warnings.catch_warnings(record=True) as caught:  # they reach the caller too
            warnings.simplefilter("always", ParareelWarning)
            try:
                with applied(dataclasses.replace(settings.assets, deadline=cutoff)):
                    answer = _within(cutoff, over, lambda: _render(
                        request, settings, bucket, keys, progress, deadline, over))
            finally:
                for warning in caught:
                    if issubclass(warning.category, ParareelWarning):
                        progress.progress.warnings.append(str(warning.message))
                        print(f"parareel: warning: {warning.message}")
        answer["warnings"] = progress.progress.warnings
        state = "done"
    except Exception as exc:  # noqa: BLE001 - whatever it was, the job ends, and says why
        state = "cancelled" if isinstance(exc, Cancelled) else "failed"
        kind = exc.kind if isinstance(exc, ChunkFailed) else type(exc).__name__
        progress.progress.errors.append(str(exc))
        chunk = (exc.index, exc.attempts) if isinstance(exc, ChunkFailed) else (None, None)
        progress.progress.failure = Failure(kind, str(exc), *chunk,
                                            bool(getattr(exc, "retryable", False)))
        answer = {"status": "error" if state == "failed" else state, "jobId": request.job_id,
                  "renderId": render_id, "errorType": kind, "errorMessage": str(exc)}
    with contextlib.suppress(ParareelError):  # the storage itself may be what failed
        for leftover in keys.leftovers:  # only progress, result (and the video) remain
            bucket.delete_prefix(leftover)
        progress.end(state, answer.get("url"))
        bucket.put_bytes(keys.result, json.dumps(answer).encode())
        jobs.settle(bucket, mine, state, answer.get("url"))
        if replaced and state == "done":  # the new video is complete: the old one goes
            bucket.delete_prefix(RenderKeys.of(replaced.render_id).prefix)
    if request.webhook:
        from parareel.aws.webhooks import deliver

        end = started + seconds_left - 1  # before we are cut off
        if not deliver(request.webhook.url, request.webhook.secret, answer, give_up_at=end,
                       policy=settings.assets):
            print(f"parareel: webhook {request.webhook.url} did not take the answer")
    return answer


def _within(cutoff: float, over: threading.Event, work: Callable[[], Any]) -> Any:
    """`work()`, in a thread of its own, or Timeout once `cutoff` (monotonic) has passed:
    one deadline over the survey, fetches, chunks, join and upload. An abandoned thread
    sees `over` set (the render counts as cancelled) and its progress is mute."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="parareel-render", daemon=True)
    thread.start()
    thread.join(max(0.0, cutoff - time.monotonic()))
    if thread.is_alive():
        over.set()
        raise Timeout("the render did not end within the function's time (survey, fetches, "
                      "chunks, join and upload): raise the function's timeout, or make the "
                      "video shorter")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _render(request: FullRender, settings: Settings, bucket, keys: RenderKeys,
            progress: ProgressFile, deadline: float, over: threading.Event) -> dict[str, Any]:
    from parareel.aws import budget
    from parareel.aws.cost import cost_of
    from parareel.engines.aws_lambda import LambdaEngine
    from parareel.load import load_project
    from parareel.pipeline import execute, prepare
    from parareel.plan import plan
    from parareel.storage.blocks import BucketCache

    started = time.perf_counter()
    # a chunk must finish in half the time left, so that a retry still fits
    chunk_seconds = (deadline - time.monotonic()) / 2
    project = load_project(settings.project)
    longest = budget.frames_within(project, request.encoding, settings.memory_mb,
                                   chunk_seconds)
    prepared = prepare(settings.project, request.variables, workers=request.workers,
                       chunk_frames=request.chunk_frames, encoding=request.encoding,
                       max_chunks=settings.max_workers, max_chunk_frames=longest,
                       cache=BucketCache(bucket) if request.cache else None)
    if prepared.cache is None and max(c.frames for c in plan(
            prepared.frames, request.workers, request.chunk_frames)) > longest:
        note = (f"chunks of up to {max(c.frames for c in prepared.chunks)} frames so that "
                f"each fits in {chunk_seconds:.0f} s (half the main's time left)")
        if len(prepared.chunks) * longest < prepared.frames:  # capped by max_workers
            note += ("; even so a chunk may not finish in time: raise the function's "
                     "timeout or memory, or PARAREEL_MAX_WORKERS")
        progress.progress.warnings.append(note)
        print(f"parareel: {note}")
    budget.check_disk(prepared)
    progress.update(chunks_total=len(prepared.chunks), frames_total=prepared.frames)

    def cancelled() -> bool:
        return over.is_set() or bucket.get_bytes(keys.cancel) is not None

    engine = LambdaEngine(settings.function, settings.bucket, retries=settings.retries,
                          max_in_flight=settings.max_in_flight, faults=request.faults,
                          deadline=deadline, cancelled=cancelled)
    render_id = progress.progress.render_id
    result = execute(prepared, engine, f"s3://{settings.bucket}/{keys.output}",
                     render_id=render_id, on_report=progress.update, cancelled=cancelled)
    url = (bucket.link(keys.output, request.expires_in) if request.presign
           else bucket.public_url(keys.output))
    total = _since(started)
    cost = cost_of([total] + [r.seconds for r in result.chunks], settings.memory_mb,
                   settings.arch)
    return {
        "status": "done", "jobId": request.job_id, "renderId": render_id, "url": url,
        "version": __version__, "key": keys.output,
        "frames": result.frames, "duration": result.duration,
        "timings": {**result.timings, "total": total},
        "chunks": [{"index": r.index, "frames": r.frames, "bytes": r.bytes,
                    "seconds": round(r.seconds, 3), "memory": r.memory}
                   for r in result.chunks],
        "cost": cost.to_json(),
    }


HANG_SECONDS = 20  # longer than any test's time budget (16 s), short enough to free the slot


def _inject(job: ChunkJob, settings: Settings) -> None:
    """Test-only faults, honoured when the function has PARAREEL_TEST_FAULTS=1."""
    from parareel.storage.s3 import S3Storage

    storage = S3Storage(settings.bucket)
    marker = f"{RenderKeys.of(job.render_id).chunks}fault-{job.chunk.index:05d}"
    if job.fault == "crash" or (job.fault == "crashOnce" and storage.get_bytes(marker) is None):
        storage.put_bytes(marker, b"crashed")
        os._exit(3)  # like a worker killed mid-flight
    if job.fault == "hang" or (job.fault == "hangOnce" and storage.get_bytes(marker) is None):
        storage.put_bytes(marker, b"hung")
        time.sleep(HANG_SECONDS)


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 3)
