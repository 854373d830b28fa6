"""fullRender: plan, invoke one partialRender per chunk, join, upload, return a URL."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import Any

from parareel import __version__
from parareel.aws.cost import cost_of
from parareel.aws.events import FullRender
from parareel.aws.settings import Settings
from parareel.errors import ParareelError

# Errors a retry cannot fix: the scene or its inputs are wrong.
PERMANENT = {"SceneError", "VariableError", "ProjectError", "AssetError", "ColorError",
             "InvalidEvent", "EventError"}
BACKOFF = 0.5  # seconds before the first retry; doubles each time
THROTTLE_LIMIT = 60  # waits for a free execution environment before giving up


class ChunkFailed(ParareelError):
    def __init__(self, index: int, kind: str, message: str, attempts: int) -> None:
        self.index, self.kind, self.attempts = index, kind, attempts
        super().__init__(f"chunk {index} failed ({kind}) after {attempts} attempt(s): {message}")


class Progress:
    """renders/{jobId}/progress.json, written by the orchestrator alone (one writer)."""

    def __init__(self, storage, job_id: str, chunks: int, frames: int) -> None:
        self.storage, self._lock = storage, threading.Lock()
        self.state: dict[str, Any] = {
            "jobId": job_id, "phase": "rendering", "chunks": {"total": chunks, "done": 0},
            "frames": {"total": frames, "done": 0}, "retries": 0, "errors": [],
            "startedAt": time.time(), "updatedAt": time.time(),
        }
        self.write()

    def update(self, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                self.state[key] = value
            self.write()

    def chunk_done(self, frames: int) -> None:
        with self._lock:
            self.state["chunks"]["done"] += 1
            self.state["frames"]["done"] += frames
            self.write()

    def note(self, kind: str, message: str) -> None:
        with self._lock:
            if kind == "retry":
                self.state["retries"] += 1
            else:
                self.state["errors"].append(message)
            self.write()

    def write(self) -> None:
        self.state["updatedAt"] = time.time()
        self.storage.put_bytes("progress.json", json.dumps(self.state).encode())


def lambda_client(read_timeout: int = 900):
    import boto3
    from botocore.config import Config

    # Retries are ours (with backoff and the permanent/transient split), not botocore's.
    return boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"},
                                                read_timeout=read_timeout, connect_timeout=10,
                                                max_pool_connections=128))


def invoke_chunk(client, function: str, payload: dict, retries: int, progress: Progress,
                 stop: threading.Event) -> dict:
    """Invoke partialRender; retry crashes, timeouts and 5xx up to `retries` times.

    Throttling (429) is not a failure: it is retried with capped backoff, apart
    from the retry budget, until THROTTLE_LIMIT waits.
    """
    index = payload["chunk"]["index"]
    attempt = throttled = 0
    while True:
        if stop.is_set():
            raise ChunkFailed(index, "Cancelled", "another chunk failed", attempt)
        try:
            response = client.invoke(FunctionName=function, InvocationType="RequestResponse",
                                     Payload=json.dumps({**payload, "attempt": attempt}))
        except client.exceptions.TooManyRequestsException as exc:
            throttled += 1
            if throttled > THROTTLE_LIMIT:
                raise ChunkFailed(index, "TooManyRequestsException", str(exc), attempt) from None
            time.sleep(min(5.0, BACKOFF * 1.5**throttled) * (0.5 + random.random()))
            continue
        except Exception as exc:  # noqa: BLE001 - 5xx and connection errors: transient
            kind, message = type(exc).__name__, str(exc)
        else:
            body = json.loads(response["Payload"].read() or b"null")
            if not response.get("FunctionError"):
                return body
            kind = body.get("errorType", "Unhandled") if isinstance(body, dict) else "Unhandled"
            message = body.get("errorMessage", "") if isinstance(body, dict) else str(body)
            if kind in PERMANENT:
                raise ChunkFailed(index, kind, message, attempt + 1)
        attempt += 1
        if attempt > retries:
            raise ChunkFailed(index, kind, message, attempt)
        progress.note("retry", f"chunk {index}: {kind}")
        time.sleep(BACKOFF * 2 ** (attempt - 1) * (0.5 + random.random()))


def full_render(request: FullRender, settings: Settings) -> dict[str, Any]:
    from parareel.load import load_project
    from parareel.media.audio import render_audio
    from parareel.media.join import join_segments
    from parareel.plan import plan
    from parareel.storage.s3 import S3Storage

    started = time.perf_counter()
    timings: dict[str, float] = {}
    storage = S3Storage(settings.bucket, f"renders/{request.job_id}")
    project = load_project(settings.project)
    try:
        survey = project.survey(request.variables)
    except ParareelError as exc:
        return _failed(storage, request.job_id, type(exc).__name__, str(exc))
    chunks = plan(survey.frames, request.workers, request.chunk_frames)
    progress = Progress(storage, request.job_id, len(chunks), survey.frames)
    timings["plan"] = _since(started)
    work = Path(tempfile.mkdtemp(prefix="parareel-job-"))
    stop = threading.Event()
    client = lambda_client()
    try:
        payloads = [{"jobId": request.job_id, "jobType": "partialRender",
                     "variables": request.variables, "encoding": request.encoding.to_json(),
                     "chunk": {"index": c.index, "start": c.start, "end": c.end},
                     **({"testFault": request.faults[c.index]} if c.index in request.faults
                        else {})} for c in chunks]
        clock = time.perf_counter()
        with ThreadPoolExecutor(max(1, min(settings.max_in_flight, len(chunks)))) as pool:
            futures = [pool.submit(invoke_chunk, client, settings.function, p, settings.retries,
                                   progress, stop) for p in payloads]
            for future in futures:
                future.add_done_callback(partial(_count_done, progress))
            try:  # the audio is mixed here while the chunks render elsewhere
                audio = render_audio(survey.cues, survey.frames, project.fps, work / "audio.m4a")
                timings["audio"] = _since(clock)
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                failed = [f for f in done if f.exception() is not None]
                if failed:
                    raise failed[0].exception()
            except BaseException:
                stop.set()  # invocations not yet started are not started
                raise
            results = [f.result() for f in futures]
        timings["render"] = _since(clock)

        clock = time.perf_counter()
        segments = [work / f"chunk-{r['index']:05d}.mp4" for r in results]
        progress.update(phase="joining")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r, s: storage.get_file(r["key"], s), results, segments))
        output = join_segments(segments, work / "out.mp4", project.fps, audio)
        storage.put_file(output, "out.mp4")
        storage.delete_prefix("chunks/")
        url = (storage.link("out.mp4", request.expires_in) if request.presign
               else storage.public_url("out.mp4"))
        timings["merge"] = _since(clock)
    except ChunkFailed as exc:
        return _failed(storage, request.job_id, exc.kind, str(exc), progress)
    except ParareelError as exc:
        return _failed(storage, request.job_id, type(exc).__name__, str(exc), progress)
    finally:
        stop.set()
        shutil.rmtree(work, ignore_errors=True)
    total = _since(started)
    cost = cost_of([total] + [r["seconds"] for r in results], settings.memory_mb, settings.arch)
    progress.update(phase="done", url=url)
    return {
        "status": "done", "jobId": request.job_id, "url": url, "version": __version__,
        "key": f"renders/{request.job_id}/out.mp4", "frames": survey.frames,
        "duration": survey.frames / project.fps, "timings": {**timings, "total": total},
        "chunks": [{k: r[k] for k in ("index", "frames", "bytes", "seconds")} for r in results],
        "cost": cost.to_json(),
    }


def _count_done(progress: Progress, future) -> None:
    if future.exception() is None:
        progress.chunk_done(future.result()["frames"])


def _failed(storage, job_id: str, kind: str, message: str, progress: Progress | None = None):
    if progress is None:
        progress = Progress(storage, job_id, 0, 0)
    progress.note("error", message)
    progress.update(phase="failed")
    storage.delete_prefix("chunks/")
    return {"status": "error", "jobId": job_id, "errorType": kind, "errorMessage": message}


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 3)
