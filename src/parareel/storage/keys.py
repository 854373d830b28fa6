"""The keys of a render's files in a bucket or folder: the only place that knows them.

    renders/{renderId}/   progress.json, plan.json, result.json, cancel, out.mp4,
                          chunks/ (segments, frame counts), assets/ (pinned copies)
    jobs/{jobId}.json     which render owns a caller's jobId
    cache/blocks/         encoded blocks, by key, that renders reuse (parareel.blocks)

A render that has ended keeps only its progress, result and video (RenderKeys.leftovers).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


def new_render_id() -> str:
    return uuid.uuid4().hex[:16]


RENDERS = "renders/"  # every render's prefix lives under it (lifecycle rules, IAM policies)
# jobs/{jobId}.json: which render owns a caller's jobId (a prefix of its own: no render
# id can name it; it expires like the renders)
JOBS = "jobs/"
# cache/blocks/{key}.{ext} and .json: encoded blocks every render of the deployment reuses
CACHE = "cache/blocks/"
EXPIRING = (RENDERS, JOBS, CACHE)  # what the bucket's lifecycle rules delete in time


def job_key(job_id: str) -> str:
    return f"{JOBS}{job_id}.json"


@dataclass(frozen=True)
class RenderKeys:
    """The keys of one render's files.

    `RenderKeys.of(render_id)` names them in a bucket (renders/{renderId}/...);
    `RenderKeys()` inside a folder of the render's own (a local render's workspace).
    """

    prefix: str = ""

    @classmethod
    def of(cls, render_id: str) -> RenderKeys:
        return cls(f"{RENDERS}{render_id}/")

    output = property(lambda self: f"{self.prefix}out.mp4")
    progress = property(lambda self: f"{self.prefix}progress.json")
    # the chunks a running render accepts, and what they must render
    plan = property(lambda self: f"{self.prefix}plan.json")
    # the main's answer, for clients that started it asynchronously
    result = property(lambda self: f"{self.prefix}result.json")
    cancel = property(lambda self: f"{self.prefix}cancel")  # present: asked to stop
    chunks = property(lambda self: f"{self.prefix}chunks/")
    # assets/{sha256}: the remote assets as the render pinned them
    assets = property(lambda self: f"{self.prefix}assets/")

    @property
    def leftovers(self) -> tuple[str, ...]:
        """What goes once the render has ended, in this order (the plan first: a chunk
        that finds no plan throws its segment away)."""
        return self.plan, self.cancel, self.chunks, self.assets

    def chunk(self, index: int, extension: str = "mp4") -> str:
        """Chunk `index`'s segment, named by its real extension (its output's container)."""
        return f"{self.chunks}chunk-{index:05d}.{extension}"

    def asset(self, sha256: str) -> str:
        return f"{self.assets}{sha256}"

    def frames(self, index: int, count: int, memory: int = 0) -> str:
        """An empty object saying chunk `index` has drawn `count` frames, using `memory`
        MB at most: the main lists these (one request for every chunk) instead of reading
        a file per chunk."""
        return f"{self.chunks}frames-{index:05d}-{count:07d}-{memory:06d}"

    @property
    def frames_drawn(self) -> str:
        return f"{self.chunks}frames-"


def render_folder(segment: str) -> str:
    """The URL of the folder a render writes in, from one of its segments' URLs."""
    return segment.rsplit("/chunks/", 1)[0]


def parse_frames_key(key: str) -> tuple[int, int, int] | None:
    """(chunk index, frames drawn, peak memory in MB) from RenderKeys.frames."""
    parts = key.rsplit("/", 1)[-1].split("-")
    if len(parts) != 4 or parts[0] != "frames" or not all(p.isdigit() for p in parts[1:]):
        return None
    return int(parts[1]), int(parts[2]), int(parts[3])
