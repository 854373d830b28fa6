"""The Lambda engine: each chunk is a partialRender invocation of a Lambda function.

The function's own fullRender uses it to fan out over itself; a client can use it
too (`parareel.render(..., engine=LambdaEngine(...))`) when the function's image
holds the same project. Segments go to the function's bucket under the render's
prefix. Crashes, timeouts and 5xx are retried with backoff; throttling (429)
waits for capacity without using the retry budget; an error whose class says a
retry cannot help stops every chunk not yet started.

A chunk that finds no capacity is rendered here, one at a time, by the caller
itself: renders whose main invocations hold every slot of the function's
concurrency still finish (at concurrency 1, the main renders every chunk).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from botocore.exceptions import ReadTimeoutError

from parareel import assets
from parareel.contract import ChunkJob, ChunkResult, Plan, Report
from parareel.engines.base import OnReport
from parareel.engines.drawn import FramesDrawn
from parareel.errors import Cancelled, ChunkFailed, ProjectError, retryable
from parareel.load import MEMORY
from parareel.scene.project import Project
from parareel.storage.keys import RenderKeys
from parareel.storage.s3 import S3Storage
from parareel.storage.scratch import Workspace

BACKOFF = 0.5  # seconds before the first retry; doubles each time
THROTTLE_LIMIT = 60  # waits for a free execution environment before giving up
CANCEL_POLL = 1.0  # seconds between looks at whether the render was cancelled
HERE_POLL = 0.1  # seconds between looks at a chunk rendered here
HERE_STOP = 5.0  # seconds a stopped render waits for that chunk's process to be killed
_CLIENTS = threading.Lock()


def lambda_client(read_timeout: int = 900):
    import boto3
    from botocore.config import Config

    # Retries are ours (with backoff and the retryable split), not botocore's: its
    # "max_attempts" counts retries, so max_attempts=1 hid one retry of every timeout.
    return boto3.client("lambda", config=Config(retries={"total_max_attempts": 1},
                                                read_timeout=read_timeout, connect_timeout=10,
                                                max_pool_connections=128))


class LambdaEngine:
    name = "lambda"

    def __init__(self, function: str, bucket: str, *, retries: int = 3,
                 max_in_flight: int = 100, faults: dict[int, str] | None = None,
                 render_here: bool = True, deadline: float | None = None,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.function, self.bucket = function, bucket
        self.retries, self.max_in_flight = retries, max_in_flight
        self.faults = faults or {}  # test-only: chunk index -> fault
        self.render_here = render_here  # throttled chunks are rendered by the caller
        self.deadline = deadline  # time.monotonic() by which every chunk must be done
        self.cancelled = cancelled  # asked now and then: True stops the render at once
        self._here = threading.Lock()  # one chunk at a time in this process
        self._stop = threading.Event()
        self._drawn = FramesDrawn([])
        self._client = None
        self._clients: dict[int, object] = {}  # by read timeout, with a deadline

    def start(self, project: Project, workers: int) -> None:
        if project.ref is None or project.ref.startswith(MEMORY):
            raise ProjectError("a project made in code cannot be rendered on Lambda: the "
                               "function renders the project in its image, named by path or "
                               "module:attr")
        self._stop.clear()
        self._client = lambda_client()

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        return f"s3://{self.bucket}/{RenderKeys.of(render_id).prefix.rstrip('/')}"

    def run(self, jobs: Sequence[ChunkJob], report: OnReport) -> list[ChunkResult]:
        if self.cancelled and self.cancelled():  # before any chunk could be taken
            raise Cancelled("the render was cancelled before its chunks started")
        # the function takes these chunks, and no other, while the plan is open (and
        # never after the deadline: a main that died leaves an open plan behind)
        storage, keys = S3Storage(self.bucket), RenderKeys.of(jobs[0].render_id)
        ends_at = (None if self.deadline is None
                   else time.time() + self.deadline - time.monotonic())
        plan = Plan.of(jobs, ends_at)
        storage.put_bytes(keys.plan, json.dumps(plan.to_json()).encode())
        jobs = [replace(j, fault=self.faults.get(j.chunk.index)) for j in jobs]
        pool = ThreadPoolExecutor(max(1, min(self.max_in_flight, len(jobs))))
        self._drawn = FramesDrawn(jobs)
        try:
            futures = [pool.submit(self._invoke, job, report) for job in jobs]
            while True:
                done, pending = wait(futures, timeout=CANCEL_POLL, return_when=FIRST_EXCEPTION)
                report(self._drawn.poll(storage, keys))
                failed = [f for f in done if f.exception() is not None]
                if failed:
                    self._stop.set()  # invocations not yet started are not started
                    raise failed[0].exception()
                if not pending:
                    return [f.result() for f in futures]
                if self.cancelled and self.cancelled():
                    self._stop.set()
                    raise Cancelled("the render was cancelled: unstarted chunks were not "
                                    "started, running ones abandoned")
        finally:
            # from now on the function refuses this render's chunks; if it ended, running
            # invocations are not waited for, and throw their segments away when done
            state = "ended" if self._stop.is_set() else "complete"
            storage.put_bytes(keys.plan, json.dumps(replace(plan, state=state).to_json()).encode())
            pool.shutdown(wait=not self._stop.is_set(), cancel_futures=True)
            if self._here.acquire(timeout=HERE_STOP):  # a chunk rendered here is killed
                self._here.release()                    # before the render answers

    def stop(self) -> None:
        self._stop.set()

    def _invoke(self, job: ChunkJob, report: OnReport) -> ChunkResult:
        index, attempt, throttled = job.chunk.index, 0, 0
        while True:
            if self._stop.is_set():
                raise ChunkFailed(index, "Cancelled", "the render stopped", attempt)
            client = self._client_for(index, attempt)
            event = replace(job, attempt=attempt).to_event()
            try:
                response = client.invoke(FunctionName=self.function,
                                         InvocationType="RequestResponse",
                                         Payload=json.dumps(event))
                answer = (json.loads(response["Payload"].read() or b"null"),
                          bool(response.get("FunctionError")))
            except client.exceptions.TooManyRequestsException as exc:
                # no capacity: the chunk is rendered here meanwhile, one at a time
                here = self._render_here(event) if self.render_here else None
                if here is None:
                    throttled += not self.render_here
                    if throttled > THROTTLE_LIMIT:
                        raise ChunkFailed(index, "TooManyRequestsException", str(exc),
                                          attempt) from None
                    time.sleep(min(5.0, BACKOFF * 1.5**throttled) * (0.5 + random.random()))
                    continue
                answer = (here, True)  # answered as the function would have
            except ReadTimeoutError:
                answer = ({"errorType": "Timeout",
                           "errorMessage": "the chunk did not answer within its time"}, True)
            except Exception as exc:  # noqa: BLE001 - 5xx and connection errors: transient
                answer = ({"errorType": type(exc).__name__, "errorMessage": str(exc)}, True)
            body, function_error = answer
            kind, message = _error_of(body)
            if not kind:
                result = ChunkResult.from_json(body)
                report(Report(frames=self._drawn.drew(index, result.frames), done=result))
                return result
            if kind == "Cancelled":  # the chunk found the render over when it ended
                raise Cancelled(f"the render ended while chunk {index} rendered: {message}")
            if kind == "Runtime.OutOfMemory" or (kind == "Runtime.ExitError"
                                                 and "signal: killed" in message):
                used = self._drawn.memory.get(index)
                raise ChunkFailed(index, "OutOfMemory", (
                    f"chunk {index} ran out of the function's memory"
                    + (f" ({used} MB when last heard from)" if used else "")
                    + ": retrying would too; deploy with more (parareel lambda deploy "
                    "--memory), or render smaller chunks (more workers)"), attempt + 1)
            # the handler itself answered with an error: it has decided, do not retry
            if not function_error or not retryable(kind):
                raise ChunkFailed(index, kind, message, attempt + 1)
            attempt += 1
            if attempt > self.retries:
                raise ChunkFailed(index, kind, message, attempt)
            report(Report(retry=f"chunk {index}: {kind}"))
            time.sleep(BACKOFF * 2 ** (attempt - 1) * (0.5 + random.random()))


    def _client_for(self, index: int, attempt: int):
        """The client for an attempt: without a deadline, the engine's own; with one, a
        client that stops waiting in time for a retry (half of the time left while
        retries remain) and for the render to end before the deadline."""
        if self.deadline is None:
            return self._client
        left = self.deadline - time.monotonic()
        if left <= 1:
            raise ChunkFailed(index, "Timeout", "the render ran out of time: its chunks did not "
                              "finish before the main invocation's deadline", attempt)
        wait_s = int(left / 2 if attempt < self.retries else left)
        # one client per 5-second step (4.6 ms to make one): chunks started together share it
        step = max(1, wait_s if wait_s < 10 else wait_s // 5 * 5)
        with _CLIENTS:  # boto3's default session is not safe to use from several threads
            if step not in self._clients:
                self._clients[step] = lambda_client(read_timeout=step)
            return self._clients[step]

    def _render_here(self, event: dict) -> object | None:
        """Render a throttled chunk in a child process of this one (aws/here.py): its
        answer, as an invocation's, or None when another chunk is being rendered here.
        The child is killed, leaving nothing, when the render stops or its deadline
        passes; a crash is answered as Lambda answers one (an attempt to retry)."""
        if not self._here.acquire(blocking=False):
            return None
        index, attempts = event["chunk"]["index"], event["attempt"] + 1  # this one too
        try:
            with Workspace("parareel-here-") as work:
                answer = work / "answer.json"
                child = subprocess.Popen([sys.executable, "-m", "parareel.aws.here",
                                          str(answer)], stdin=subprocess.PIPE)
                try:
                    with child.stdin:
                        child.stdin.write(json.dumps({
                            "event": event, "policy": assets.current().to_json()}).encode())
                    while child.poll() is None:
                        if self._stop.is_set():
                            raise ChunkFailed(index, "Cancelled", "the render stopped",
                                              attempts)
                        if self.deadline is not None and time.monotonic() > self.deadline:
                            raise ChunkFailed(index, "Timeout", "the render ran out of time "
                                              "while the main rendered this chunk itself",
                                              attempts)
                        time.sleep(HERE_POLL)
                finally:
                    if child.poll() is None:
                        child.kill()
                        child.wait()
                if not answer.is_file():
                    return {"errorType": "Runtime.ExitError", "errorMessage":
                            f"chunk {index} crashed while the main rendered it itself "
                            f"(exit code {child.returncode})"}
                return json.loads(answer.read_text())
        finally:
            self._here.release()


def _error_of(body) -> tuple[str, str]:
    """(errorType, errorMessage) of an error answer; ("", "") for a chunk result."""
    if isinstance(body, dict) and body.get("status") == "done":
        return "", ""
    if isinstance(body, dict):
        return str(body.get("errorType", "Unhandled")), str(body.get("errorMessage", body))
    return "Unhandled", str(body)
