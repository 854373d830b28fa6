"""The worker's side of a render: turn one ChunkJob into a segment in storage.

Every engine (local processes, Ray tasks, Lambda invocations) runs `render_chunk`
on the same job; only the transport differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from parareel import assets
from parareel.contract import ChunkJob, ChunkResult
from parareel.draw.frames import Playhead, output_size
from parareel.engines.drawn import peak_memory
from parareel.errors import raise_if_disk_full
from parareel.load import load_project
from parareel.media.encode import VideoWriter
from parareel.media.join import reorder_delay
from parareel.media.sequence import FrameFiles
from parareel.scene.project import Project
from parareel.storage import local_path, locate, open_storage, sha256
from parareel.storage.blocks import BucketCache
from parareel.storage.s3 import S3Storage
from parareel.storage.scratch import Workspace, outside

PROGRESS_EVERY = 5  # frames between progress reports


def render_chunk(job: ChunkJob, project: Project | None = None,
                 on_frames: Callable[[int], None] | None = None,
                 threads: int = 0) -> ChunkResult:
    """Render the job's frames and write its segment to `job.segment`.

    `on_frames(n)` is told every few frames how many more are done; `threads` caps
    the encoder's threads (0: the encoder decides). An image sequence's chunk writes
    its frames straight to the output (`job.segment` is then a file name pattern).
    """
    if job.key is not None and (kept := _kept_block(job)) is not None:
        if on_frames:
            on_frames(kept.frames)
        return kept
    try:
        with assets.pinned(job.assets):
            return _render(job, project or load_project(job.project), on_frames, threads)
    except Exception as exc:
        written = local_path(job.segment)
        raise_if_disk_full(exc, outside(written) if written else tempfile.gettempdir())
        raise


def _kept_block(job: ChunkJob) -> ChunkResult | None:
    """The job's block as its bucket keeps it (cache/blocks/{key}), put where the job's
    segment goes: None if the bucket has no sound copy."""
    started = time.perf_counter()
    storage, name = locate(job.segment)
    if not isinstance(storage, S3Storage):
        return None
    with Workspace("parareel-kept-") as work:
        path = work / "segment"
        block = BucketCache(S3Storage(storage.bucket)).take(
            job.key, job.encoding.container.piece.name, path)
        if block is None or block.frames != job.chunk.frames:
            return None
        storage.put_file(path, name)
    return ChunkResult(job.chunk.index, block.frames, block.bytes,
                       time.perf_counter() - started, job.segment, block.sha256, block.delay,
                       peak_memory())


def _render(job: ChunkJob, project: Project, on_frames: Callable[[int], None] | None,
            threads: int) -> ChunkResult:
    started = time.perf_counter()
    if job.encoding.format == "frames":
        size, digest = _write_frames(job, project, on_frames)
        return ChunkResult(job.chunk.index, job.chunk.frames, size,
                           time.perf_counter() - started, job.segment, digest, 0, peak_memory())
    target = local_path(job.segment)
    with _scratch(target is None) as work:
        path = target or Path(work) / "segment"
        path.parent.mkdir(parents=True, exist_ok=True)
        if job.encoding.threads is not None:
            threads = job.encoding.threads
        with VideoWriter(path, *output_size(project, job.encoding.scale), project.fps,
                         job.encoding, faststart=False, threads=threads, bgra=True) as writer:
            _draw_into(writer, job, project, on_frames)
        size, digest = path.stat().st_size, sha256(path)
        delay = reorder_delay(path, project.fps)
        if target is None:
            storage, key = locate(job.segment)
            storage.put_file(path, key)
    return ChunkResult(job.chunk.index, job.chunk.frames, size,
                       time.perf_counter() - started, job.segment, digest, delay, peak_memory())


def _write_frames(job: ChunkJob, project: Project,
                  on_frames: Callable[[int], None] | None) -> tuple[int, str]:
    """Write the chunk's PNG files where the pattern says; (bytes, digest of the files)."""
    folder_url, _, pattern = job.segment.rpartition("/")
    folder = local_path(folder_url)
    with _scratch(folder is None) as work:
        with FrameFiles(folder or work, pattern, job.chunk.start, job.encoding.alpha) as files:
            _draw_into(files, job, project, on_frames)
        written = files.close()
        digest = hashlib.sha256("".join(sha256(path) for path in written).encode()).hexdigest()
        size = sum(path.stat().st_size for path in written)
        if folder is None:
            storage = open_storage(folder_url)
            for path in written:
                storage.put_file(path, path.name)
    return size, digest


def _scratch(needed: bool) -> contextlib.AbstractContextManager[Path | None]:
    """A folder for what is uploaded afterwards, only when the output is remote: a local
    output is written in place, inside the render's workspace, which the main removes
    whatever happens (a worker killed by Ctrl-C never cleans up after itself)."""
    if not needed:
        return contextlib.nullcontext(None)
    return Workspace("parareel-chunk-")


_playheads: dict[tuple, Playhead] = {}  # this process's last playhead, by what it plays


def _playhead(job: ChunkJob, project: Project, bgra: bool) -> Playhead:
    """The playhead the last job of the same render left: a worker given one short chunk
    after another (blocks of a cached render) plays the logic once."""
    key = (job.render_id, id(project), json.dumps(job.variables, sort_keys=True),
           job.encoding.scale, bgra, tuple(sorted(job.assets.items())))
    if key not in _playheads:
        _playheads.clear()
        _playheads[key] = Playhead(project, job.variables, job.encoding.scale, bgra)
    return _playheads[key]


def _draw_into(writer: VideoWriter | FrameFiles, job: ChunkJob, project: Project,
               on_frames: Callable[[int], None] | None) -> None:
    chunk, pending = job.chunk, 0
    playhead = _playhead(job, project, bgra=isinstance(writer, VideoWriter))
    for pixels in playhead.frames(range(chunk.start, chunk.end)):
        writer.write(pixels, playhead.held)
        pending += 1
        if on_frames and pending == PROGRESS_EVERY:
            on_frames(pending)
            pending = 0
    if on_frames and pending:
        on_frames(pending)
