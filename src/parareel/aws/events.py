"""The Lambda event contract, validated before any work starts.

fullRender (the seed's event works unchanged):
    {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
     "variables": {"message": "Hello from Revideo!"}}
    optional: "chunkFrames", "crf", "preset", "presign" (default true), "expiresIn" (s)
partialRender (sent by fullRender to the same function, one per chunk):
    {"jobId": ..., "jobType": "partialRender", "variables": {...},
     "chunk": {"index": 0, "start": 0, "end": 90}, "encoding": {...}, "attempt": 0}
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from parareel.errors import ParareelError, VariableError
from parareel.media.encode import Encoding
from parareel.plan import Chunk
from parareel.scene.variables import check_variables

JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
           "veryslow")
FAULTS = ("crashOnce", "crash", "hang")


class EventError(ParareelError):
    """The event is not one this function accepts; nothing was started."""


@dataclass(frozen=True)
class FullRender:
    job_id: str
    workers: int
    variables: dict[str, Any]
    chunk_frames: int | None = None
    encoding: Encoding = Encoding()
    presign: bool = True
    expires_in: int = 7 * 24 * 3600
    faults: dict[int, str] = field(default_factory=dict)  # test-only: chunk index -> fault


@dataclass(frozen=True)
class PartialRender:
    job_id: str
    chunk: Chunk
    variables: dict[str, Any]
    encoding: Encoding = Encoding()
    attempt: int = 0
    fault: str | None = None


def parse_event(event: Any, max_workers: int = 200) -> FullRender | PartialRender:
    """Check an event; raise EventError saying what is wrong."""
    if not isinstance(event, dict):
        raise EventError(f"the event must be a JSON object, not {type(event).__name__}")
    kind = event.get("jobType")
    job_id = event.get("jobId", uuid.uuid4().hex[:16] if kind == "fullRender" else None)
    if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id):
        raise EventError(f"jobId must be 1-64 letters, digits, '-' or '_' (got {job_id!r})")
    try:
        variables = check_variables(event.get("variables"))  # missing or null: none
    except VariableError as exc:
        raise EventError(str(exc)) from None
    if kind == "fullRender":
        workers = _integer(event, "numWorkers", 1, max_workers, default=1)
        chunk_frames = event.get("chunkFrames")
        if chunk_frames is not None:
            chunk_frames = _integer(event, "chunkFrames", 1, 10**7)
        faults = event.get("testFaults") or {}
        if not isinstance(faults, dict) or not all(
                str(k).isdigit() and v in FAULTS for k, v in faults.items()):
            raise EventError(f"testFaults maps chunk numbers to one of {FAULTS}")
        presign = event.get("presign", True)
        if not isinstance(presign, bool):
            raise EventError("presign must be true or false")
        return FullRender(job_id, workers, variables, chunk_frames, _encoding(event), presign,
                          _integer(event, "expiresIn", 1, 7 * 24 * 3600, default=7 * 24 * 3600),
                          {int(k): v for k, v in faults.items()})
    if kind == "partialRender":
        chunk = event.get("chunk")
        if not isinstance(chunk, dict):
            raise EventError("partialRender needs chunk: {index, start, end}")
        index = _integer(chunk, "index", 0, 10**6)
        start = _integer(chunk, "start", 0, 10**9)
        end = _integer(chunk, "end", start + 1, 10**9)
        encoding = event.get("encoding") or {}
        if not isinstance(encoding, dict):
            raise EventError("encoding must be an object")
        fault = event.get("testFault")
        if fault is not None and fault not in FAULTS:
            raise EventError(f"testFault must be one of {FAULTS}")
        return PartialRender(job_id, Chunk(index, start, end), variables, _encoding(encoding),
                             _integer(event, "attempt", 0, 100, default=0), fault)
    raise EventError(f"jobType must be 'fullRender' or 'partialRender' (got {kind!r})")


def _integer(data: dict, name: str, low: int, high: int, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EventError(f"{name} must be a whole number from {low} to {high} (got {value!r})")
    return value


def _encoding(data: dict) -> Encoding:
    crf = _integer(data, "crf", 0, 51, default=Encoding.crf)
    preset = data.get("preset", Encoding.preset)
    if preset not in PRESETS:
        raise EventError(f"preset must be one of {', '.join(PRESETS)} (got {preset!r})")
    qp = data.get("qp")
    if qp is not None:
        qp = _integer(data, "qp", 0, 51)
    return Encoding(crf=crf, preset=preset, qp=qp)
