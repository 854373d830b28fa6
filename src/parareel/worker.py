"""The worker's side of a render: turn one ChunkJob into a segment in storage.

Every engine (local processes, Ray tasks, Lambda invocations) runs `render_chunk`
on the same job; only the transport differs.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from parareel.contract import ChunkJob, ChunkResult
from parareel.draw.frames import render_frames
from parareel.load import load_project
from parareel.media.encode import VideoWriter
from parareel.media.join import reorder_delay
from parareel.scene.project import Project
from parareel.storage import local_path, locate, sha256

PROGRESS_EVERY = 5  # frames between progress reports


def render_chunk(job: ChunkJob, project: Project | None = None,
                 on_frames: Callable[[int], None] | None = None,
                 threads: int = 0) -> ChunkResult:
    """Render the job's frames and write its segment to `job.segment`.

    `on_frames(n)` is told every few frames how many more are done; `threads` caps
    the encoder's threads (0: x264 decides).
    """
    started = time.perf_counter()
    project = project or load_project(job.project)
    target = local_path(job.segment)
    with tempfile.TemporaryDirectory(prefix="parareel-chunk-") as work:
        path = target or Path(work) / "segment.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        _encode(job, project, path, on_frames, threads)
        size, digest = path.stat().st_size, sha256(path)
        delay = reorder_delay(path, project.fps)
        if target is None:
            storage, key = locate(job.segment)
            storage.put_file(path, key)
    return ChunkResult(job.chunk.index, job.chunk.frames, size,
                       time.perf_counter() - started, job.segment, digest, delay)


def _encode(job: ChunkJob, project: Project, path: Path,
            on_frames: Callable[[int], None] | None, threads: int) -> None:
    chunk, pending = job.chunk, 0
    with VideoWriter(path, project.width, project.height, project.fps, job.encoding,
                     faststart=False, threads=threads) as writer:
        for pixels in render_frames(project, chunk.start, chunk.end, job.variables):
            writer.write(pixels)
            pending += 1
            if on_frames and pending == PROGRESS_EVERY:
                on_frames(pending)
                pending = 0
    if on_frames and pending:
        on_frames(pending)
