"""The contract between the pipeline, its engines and the Lambda function.

Everything that crosses a process or a wire is one of these types, built and
parsed here alone: a chunk job (`ChunkJob.to_event` / `ChunkJob.from_event`, the
partialRender event), its result, a fullRender request, a jobId's claim, a render's
plan and progress (where they are stored: storage/keys.py). Parsing validates: a bad
event raises EventError saying what is wrong, before any work starts.

fullRender (the seed's event works unchanged):
    {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
     "variables": {"message": "Hello from Revideo!"}}
    optional: "chunkFrames", the encoding ("codec", "quality", "crf", "preset",
    "lossless", "bitrate", "gop", "pixelFormat", "scale"), "presign" (default true),
    "expiresIn" (s),
    "webhook": {"url", "secret"} (told how the render ended; see aws/webhooks.py),
    "replace" (true: render a finished jobId again; its old video goes once the new is done)
    Each fullRender gets its own renderId: its files live under renders/{renderId}/.
partialRender (sent by the pipeline's Lambda engine, one per chunk):
    {"jobType": "partialRender", "jobId": ..., "project": ..., "variables": {...},
     "chunk": {"index": 0, "start": 0, "end": 90}, "segment": "s3://.../chunk-00000.mp4",
     "encoding": {...}, "attempt": 0, "assets": {url: its pinned copy}}
    (jobId here is the renderId)
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from parareel.errors import ParareelError
from parareel.event_fields import EventError, integer, known, variables_of
from parareel.media.formats import Encoding
from parareel.plan import Chunk
from parareel.storage.keys import new_render_id

RENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# test-only, honoured with PARAREEL_TEST_FAULTS=1
FAULTS = ("crashOnce", "crash", "hangOnce", "hang")
WEEK = 7 * 24 * 3600


# -- chunk jobs and their results ------------------------------------------------------

@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker needs to render one segment, as plain data."""

    render_id: str
    project: str  # a reference load_project understands: path.py or module:attr
    chunk: Chunk
    segment: str  # the storage URL the segment is written to (file://... or s3://...)
    variables: dict[str, Any] = field(default_factory=dict)
    encoding: Encoding = Encoding()
    attempt: int = 0
    fault: str | None = None  # test-only
    # remote assets as the render pinned them: URL -> the render's copy, .../assets/{sha256}
    assets: dict[str, str] = field(default_factory=dict)
    key: str | None = None  # the block's key, when its bucket keeps blocks (cache/blocks/)

    def to_event(self) -> dict[str, Any]:
        event = {"jobType": "partialRender", "jobId": self.render_id, "project": self.project,
                 "chunk": {"index": self.chunk.index, "start": self.chunk.start,
                           "end": self.chunk.end},
                 "segment": self.segment, "variables": self.variables,
                 "encoding": self.encoding.to_json(), "attempt": self.attempt}
        if self.assets:
            event["assets"] = self.assets
        if self.key:
            event["key"] = self.key
        if self.fault:
            event["testFault"] = self.fault
        return event

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> ChunkJob:
        known(event, PARTIAL_FIELDS, "partialRender")
        render_id = _render_id(event.get("jobId"))
        chunk = event.get("chunk")
        if not isinstance(chunk, dict):
            raise EventError("partialRender needs chunk: {index, start, end}")
        known(chunk, ("index", "start", "end"), "chunk")
        start = integer(chunk, "start", 0, 10**9)
        chunk_ = Chunk(integer(chunk, "index", 0, 10**6), start,
                       integer(chunk, "end", start + 1, 10**9))
        project, segment = event.get("project"), event.get("segment")
        if not isinstance(project, str) or not project:
            raise EventError("partialRender needs project: the reference of the project")
        if not isinstance(segment, str) or not segment.startswith(("s3://", "file://")):
            raise EventError("partialRender needs segment: an s3:// or file:// URL")
        encoding = event.get("encoding") or {}
        if not isinstance(encoding, dict):
            raise EventError("encoding must be an object")
        fault = event.get("testFault")
        if fault is not None and fault not in FAULTS:
            raise EventError(f"testFault must be one of {FAULTS}")
        try:
            settings = Encoding.from_json(encoding)
        except ParareelError as exc:
            raise EventError(f"encoding: {exc}") from None
        key = event.get("key")
        if key is not None and not (isinstance(key, str) and BLOCK_KEY.fullmatch(key)):
            raise EventError("key must be a block's key: 32 hexadecimal digits")
        return cls(render_id, project, chunk_, segment, variables_of(event), settings,
                   integer(event, "attempt", 0, 100, default=0), fault, _pins(event), key)


@dataclass(frozen=True)
class ChunkResult:
    index: int
    frames: int
    bytes: int
    seconds: float  # wall time on the worker
    segment: str  # the storage URL it was written to
    sha256: str  # of the segment as written: the join takes that file and no other
    delay: int = 0  # frames its decode times run ahead (the join needs it before reading)
    memory: int = 0  # the worker's peak memory, MB

    def to_json(self) -> dict[str, Any]:
        return {"status": "done", "index": self.index, "frames": self.frames,
                "bytes": self.bytes, "seconds": round(self.seconds, 3), "segment": self.segment,
                "sha256": self.sha256, "delay": self.delay, "memory": self.memory}

    @classmethod
    def from_json(cls, data: Any) -> ChunkResult:
        if not isinstance(data, dict) or data.get("status") != "done":
            kind = data.get("errorType", "Unhandled") if isinstance(data, dict) else "Unhandled"
            raise ValueError(f"not a chunk result ({kind})")
        return cls(int(data["index"]), int(data["frames"]), int(data["bytes"]),
                   float(data["seconds"]), str(data["segment"]), str(data["sha256"]),
                   int(data["delay"]), int(data.get("memory", 0)))


@dataclass(frozen=True)
class Report:
    """What a render tells its listeners: frames done, a chunk done, a retry, a new phase."""

    frames: int = 0
    done: ChunkResult | None = None
    retry: str | None = None  # why a chunk is being tried again
    phase: str | None = None  # "joining" once every chunk is done
    reused: int = 0  # blocks taken from the cache, not rendered


# -- the fullRender request ------------------------------------------------------------

@dataclass(frozen=True)
class Webhook:
    """Where the main POSTs how the render ended, signed with `secret` (aws/webhooks.py)."""

    url: str
    secret: str


@dataclass(frozen=True)
class FullRender:
    job_id: str
    workers: int
    variables: dict[str, Any]
    chunk_frames: int | None = None
    encoding: Encoding = Encoding()
    presign: bool = True
    expires_in: int = WEEK
    faults: dict[int, str] = field(default_factory=dict)  # test-only: chunk index -> fault
    replace: bool = False  # render a finished jobId again
    webhook: Webhook | None = None
    cache: bool = False  # reuse and keep blocks in the bucket's cache/blocks/

    def to_event(self) -> dict[str, Any]:
        event: dict[str, Any] = {"jobType": "fullRender", "jobId": self.job_id,
                                 "numWorkers": self.workers, "variables": self.variables,
                                 **_settings_of(self.encoding),
                                 "presign": self.presign, "expiresIn": self.expires_in}
        if self.chunk_frames:
            event["chunkFrames"] = self.chunk_frames
        if self.faults:
            event["testFaults"] = {str(k): v for k, v in self.faults.items()}
        if self.replace:
            event["replace"] = True
        if self.cache:
            event["cache"] = True
        if self.webhook:
            event["webhook"] = {"url": self.webhook.url, "secret": self.webhook.secret}
        return event

    @classmethod
    def from_event(cls, event: dict[str, Any], max_workers: int = 200) -> FullRender:
        known(event, FULL_FIELDS, "fullRender")
        job_id = _render_id(event.get("jobId", new_render_id()))
        workers = integer(event, "numWorkers", 1, max_workers, default=1)
        chunk_frames = event.get("chunkFrames")
        if chunk_frames is not None:
            chunk_frames = integer(event, "chunkFrames", 1, 10**7)
        faults = event.get("testFaults") or {}
        if not isinstance(faults, dict) or not all(
                str(k).isdigit() and v in FAULTS for k, v in faults.items()):
            raise EventError(f"testFaults maps chunk numbers to one of {FAULTS}")
        presign, replace = event.get("presign", True), event.get("replace", False)
        cache = event.get("cache", False)
        if not all(isinstance(flag, bool) for flag in (presign, replace, cache)):
            raise EventError("presign, replace and cache must be true or false")
        if cache and chunk_frames is not None:
            raise EventError("a cached render is made of the video's blocks: give cache or "
                             "chunkFrames, not both")
        return cls(job_id, workers, variables_of(event), chunk_frames, _encoding(event), presign,
                   integer(event, "expiresIn", 1, WEEK, default=WEEK),
                   {int(k): v for k, v in faults.items()}, replace, _webhook(event), cache)


def parse_event(event: Any, max_workers: int = 200) -> FullRender | ChunkJob:
    """Check an event; raise EventError saying what is wrong."""
    if not isinstance(event, dict):
        raise EventError(f"the event must be a JSON object, not {type(event).__name__}")
    kind = event.get("jobType")
    if kind == "fullRender":
        return FullRender.from_event(event, max_workers)
    if kind == "partialRender":
        return ChunkJob.from_event(event)
    raise EventError(f"jobType must be 'fullRender' or 'partialRender' (got {kind!r})")


# -- who owns a jobId, and what a render accepts ---------------------------------------

@dataclass(frozen=True)
class Claim:
    """The render that owns a jobId (jobs/{jobId}.json), put conditionally only."""

    job_id: str
    render_id: str
    state: str  # running, done, failed, cancelled
    expires_at: float  # a claim still "running" after this is a render that died
    url: str | None = None

    def running(self, now: float) -> bool:
        return self.state == "running" and now < self.expires_at

    def to_json(self) -> dict[str, Any]:
        return {"jobId": self.job_id, "renderId": self.render_id, "state": self.state,
                "expiresAt": self.expires_at, "url": self.url}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Claim:
        return cls(data["jobId"], data["renderId"], data["state"], data["expiresAt"],
                   data.get("url"))


@dataclass(frozen=True)
class Plan:
    """renders/{renderId}/plan.json: while the render is open, a chunk event is taken
    only if it is one of these chunks, of this project, variables and encoding."""

    project: str
    variables: dict[str, Any]
    encoding: Encoding
    chunks: tuple[Chunk, ...]
    state: str = "open"  # open (takes its chunks), complete (all in: joining), or ended
    assets: dict[str, str] = field(default_factory=dict)  # as its chunks must use them
    ends_at: float | None = None  # wall time after which the render takes nothing (its main died)
    keys: dict[int, str] = field(default_factory=dict)  # chunk index -> its block's key

    @classmethod
    def of(cls, jobs: Sequence[ChunkJob], ends_at: float | None = None) -> Plan:
        first = jobs[0]
        return cls(first.project, first.variables, first.encoding, tuple(j.chunk for j in jobs),
                   assets=first.assets, ends_at=ends_at,
                   keys={j.chunk.index: j.key for j in jobs if j.key})

    def admits(self, job: ChunkJob, now: float) -> str | None:
        """Why `job` is not a chunk of this render at `now`, or None if it is."""
        if self.state != "open":
            return "the render takes no more chunks"
        if self.ends_at is not None and now > self.ends_at:
            return "the render's time is over"
        if job.chunk not in self.chunks:
            return f"chunk {job.chunk.index} ({job.chunk.start}:{job.chunk.end}) is not in its plan"
        if (job.project, job.variables, job.encoding, job.assets) != (
                self.project, self.variables, self.encoding, self.assets):
            return "the event's project, variables, encoding or assets are not the render's"
        if job.key != self.keys.get(job.chunk.index):
            return f"chunk {job.chunk.index}'s block key is not the render's"
        return None

    def to_json(self) -> dict[str, Any]:
        return {"project": self.project, "variables": self.variables,
                "encoding": self.encoding.to_json(),
                "chunks": [[c.index, c.start, c.end] for c in self.chunks], "state": self.state,
                "assets": self.assets, "endsAt": self.ends_at,
                "keys": {str(index): key for index, key in self.keys.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(data["project"], data["variables"], Encoding.from_json(data["encoding"]),
                   tuple(Chunk(*c) for c in data["chunks"]), data["state"],
                   data.get("assets", {}), data.get("endsAt"),
                   {int(index): key for index, key in data.get("keys", {}).items()})


# -- progress ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Failure:
    """Why a render failed: the error's name and message, the chunk and its attempts
    (None when no chunk was at fault), and whether trying again could help."""

    reason: str
    message: str
    chunk: int | None = None
    attempts: int | None = None
    retryable: bool = False


@dataclass
class Progress:
    """A render's progress, as written to progress.json and read back by clients."""

    job_id: str
    render_id: str = ""
    phase: str = "rendering"  # rendering, joining, then done, failed or cancelled
    chunks_total: int = 0
    chunks_done: int = 0
    frames_total: int = 0
    frames_done: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the plan was changed, and why
    url: str | None = None
    failure: Failure | None = None  # why it failed, if it did
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def apply(self, report: Report) -> None:
        self.frames_done += report.frames
        self.chunks_done += report.done is not None
        self.retries += report.retry is not None
        self.phase = report.phase or self.phase

    def to_json(self) -> dict[str, Any]:
        data = {"jobId": self.job_id, "renderId": self.render_id, "phase": self.phase,
                "chunks": {"total": self.chunks_total, "done": self.chunks_done},
                "frames": {"total": self.frames_total, "done": self.frames_done},
                "retries": self.retries, "errors": self.errors, "warnings": self.warnings,
                "startedAt": self.started_at, "updatedAt": self.updated_at}
        if self.url:
            data["url"] = self.url
        if self.failure:
            data["failure"] = asdict(self.failure)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Progress:
        return cls(data["jobId"], data["renderId"], data["phase"],
                   chunks_total=data["chunks"]["total"], chunks_done=data["chunks"]["done"],
                   frames_total=data["frames"]["total"], frames_done=data["frames"]["done"],
                   retries=data["retries"], errors=list(data["errors"]),
                   warnings=list(data.get("warnings", [])), url=data.get("url"),
                   failure=Failure(**data["failure"]) if data.get("failure") else None,
                   started_at=data["startedAt"],
                   updated_at=data["updatedAt"])


# -- validation helpers --------------------------------------------------------------------

def _render_id(value: Any) -> str:
    if not isinstance(value, str) or not RENDER_ID.fullmatch(value):
        raise EventError(f"jobId must be 1-64 letters, digits, '-' or '_' (got {value!r})")
    return value


def _webhook(event: dict[str, Any]) -> Webhook | None:
    data = event.get("webhook")
    if data is None:
        return None
    if isinstance(data, dict):
        known(data, ("url", "secret"), "webhook")
    if not isinstance(data, dict) or not isinstance(data.get("url"), str) or \
            not data["url"].startswith(("https://", "http://")) or \
            not isinstance(data.get("secret"), str) or not data["secret"]:
        raise EventError("webhook must be {\"url\": an http(s) URL, \"secret\": a non-empty "
                         "string}")
    return Webhook(data["url"], data["secret"])


# a fullRender's encoding settings: the event's keys and Encoding's fields (the
# function writes MP4: its codec is h264, h265 or av1)
EVENT_SETTINGS = {"codec": "codec", "quality": "quality", "crf": "crf", "preset": "preset",
                  "lossless": "lossless", "bitrate": "bitrate", "gop": "gop",
                  "pixelFormat": "pix_fmt", "scale": "scale"}


FULL_FIELDS = ("jobType", "jobId", "numWorkers", "variables", "chunkFrames", "presign",
               "expiresIn", "replace", "webhook", "cache", "testFaults", *EVENT_SETTINGS)
PARTIAL_FIELDS = ("jobType", "jobId", "project", "chunk", "segment", "variables", "encoding",
                  "attempt", "testFault", "assets", "key")
PINNED = re.compile(r"(s3|file)://.+/assets/[0-9a-f]{64}")
BLOCK_KEY = re.compile(r"[0-9a-f]{32}")


def _pins(event: dict[str, Any]) -> dict[str, str]:
    pins = event.get("assets", {})
    if not isinstance(pins, dict) or not all(
            isinstance(url, str) and isinstance(copy, str) and PINNED.fullmatch(copy)
            for url, copy in pins.items()):
        raise EventError("assets maps each asset URL to the render's copy, .../assets/{sha256}")
    return pins


def _settings_of(encoding: Encoding) -> dict[str, Any]:
    return {key: getattr(encoding, name) for key, name in EVENT_SETTINGS.items()
            if getattr(encoding, name) != getattr(Encoding, name)}


def _encoding(data: dict) -> Encoding:
    try:
        return Encoding(**{name: data[key] for key, name in EVENT_SETTINGS.items()
                           if data.get(key) is not None})
    except (ParareelError, TypeError) as exc:
        raise EventError(str(exc)) from None
