"""A chunk job: everything a worker needs to render one segment, as plain data.

Every backend (in-process, local processes, AWS Lambda) runs `run_chunk` on the
same spec; only the transport differs (on Lambda it travels as a partialRender event).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parareel.draw.frames import render_frames
from parareel.load import load_project
from parareel.media.encode import Encoding, VideoWriter
from parareel.plan import Chunk
from parareel.scene.project import Project

PROGRESS_EVERY = 5  # frames between progress reports


@dataclass(frozen=True)
class ChunkJob:
    project: str  # a reference load_project understands
    chunk: Chunk
    output: str  # path of the segment file to write
    variables: dict[str, Any] = field(default_factory=dict)
    encoding: Encoding = Encoding()


@dataclass(frozen=True)
class ChunkResult:
    index: int
    frames: int
    seconds: float  # wall time spent rendering and encoding
    bytes: int
    output: str


def run_chunk(job: ChunkJob, project: Project | None = None,
              on_frames: Callable[[int], None] | None = None, threads: int = 0) -> ChunkResult:
    """Render the job's frames into its segment file.

    `on_frames(n)` is told every few frames how many more are done; `threads` caps
    the encoder's threads (0: x264 decides).
    """
    started = time.perf_counter()
    project = project or load_project(job.project)
    chunk = job.chunk
    pending = 0
    with VideoWriter(job.output, project.width, project.height, project.fps, job.encoding,
                     faststart=False, threads=threads) as writer:
        for pixels in render_frames(project, chunk.start, chunk.end, job.variables):
            writer.write(pixels)
            pending += 1
            if on_frames and pending == PROGRESS_EVERY:
                on_frames(pending)
                pending = 0
    if on_frames and pending:
        on_frames(pending)
    size = writer.path.stat().st_size
    return ChunkResult(chunk.index, chunk.frames, time.perf_counter() - started, size, job.output)
