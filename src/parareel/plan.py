"""Planning: split a video's frames into chunks that workers render independently."""

from __future__ import annotations

import os
from dataclasses import dataclass

SHORT_CHUNK = 15  # frames: below this, more workers make a render larger, not faster


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_for(frames: int, workers: int | str) -> int:
    """How many chunks to render at once: a count as given, or for "auto" one per core,
    but no more than keeps chunks SHORT_CHUNK frames long (a 2 s video on 2 cores: 2)."""
    if workers == "auto":
        return max(1, min(cores(), frames // SHORT_CHUNK))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be 'auto' or a whole number from 1, got {workers!r}")
    return workers


@dataclass(frozen=True)
class Chunk:
    """Frames [start, end) of the video, rendered as one segment."""

    index: int
    start: int
    end: int

    @property
    def frames(self) -> int:
        return self.end - self.start


def plan(frames: int, workers: int = 1, chunk_frames: int | None = None,
         min_chunk_frames: int = 1) -> list[Chunk]:
    """Split `frames` into chunks.

    By workers: one chunk per worker, sizes differing by at most one frame. By
    `chunk_frames`: chunks of exactly that many frames, the last one shorter. No
    chunk is shorter than `min_chunk_frames` unless the whole video is; more workers
    than frames gives one chunk per frame.
    """
    if frames < 0:
        raise ValueError(f"frame count cannot be negative (got {frames})")
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    if chunk_frames is not None and chunk_frames < 1:
        raise ValueError(f"chunk_frames must be at least 1 (got {chunk_frames})")
    if frames == 0:
        return []
    least = max(1, min_chunk_frames)
    if chunk_frames:
        size = max(chunk_frames, least)
        bounds = list(range(0, frames, size)) + [frames]
        if len(bounds) > 2 and bounds[-1] - bounds[-2] < least:
            del bounds[-2]  # fold a too-short remainder into the chunk before it
    else:
        count = max(1, min(workers, frames // least))
        base, extra = divmod(frames, count)
        bounds = [i * base + min(i, extra) for i in range(count + 1)]
    return [Chunk(i, a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]
