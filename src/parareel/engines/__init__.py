"""Engines run chunk jobs; everything else about a render is the pipeline's.

An engine is anything with these four methods. The pipeline calls `start`
before it starts threads of its own (a local engine forks its workers there),
asks where the segments go, hands over the jobs, and always calls `stop`.

    local   worker processes on this machine (parareel.engines.local)
    ray     tasks on a Ray cluster, local or at an address (parareel.engines.ray)
    lambda  partialRender invocations of an AWS Lambda function (parareel.engines.aws_lambda)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.errors import ParareelError
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


ENGINES = ("local", "ray")


def get_engine(name: str | Engine, **options) -> Engine:
    """An engine by name ('local', 'ray'), or the engine given."""
    if not isinstance(name, str):
        return name
    if name == "local":
        from parareel.engines.local import LocalEngine

        return LocalEngine(**options)
    if name == "ray":
        from parareel.engines.ray import RayEngine

        return RayEngine(**options)
    raise ParareelError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)} "
                        "(Lambda renders go through `parareel lambda render`)")
