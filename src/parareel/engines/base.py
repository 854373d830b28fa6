"""What an engine is: four methods the pipeline calls (see parareel.engines)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.scene.project import Project

OnReport = Callable[[Report], None]


class Engine(Protocol):
    name: str

    def start(self, project: Project, workers: int) -> None:
        """Get ready to run up to `workers` chunks at once."""

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        """The storage URL (file:// or s3://) under which this render's segments go."""

    def run(self, jobs: Sequence[ChunkJob], report: OnReport) -> list[ChunkResult]:
        """Render every job; results in the order of `jobs`. Raises on the first failure
        that retries cannot mend, after stopping the rest."""

    def stop(self) -> None:
        """Release workers; after an error or Ctrl-C, stop every running chunk."""
