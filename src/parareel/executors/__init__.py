"""Executors: who renders the chunks. Each runs `parareel.job.run_chunk` on every job."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from parareel.job import ChunkJob, ChunkResult

OnFrames = Callable[[int], None]


class Executor(Protocol):
    def run(self, jobs: Sequence[ChunkJob], on_frames: OnFrames) -> list[ChunkResult]:
        """Render every job; return results in job order. Raise on the first failure."""
        ...
