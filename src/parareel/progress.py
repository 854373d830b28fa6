"""A terminal progress bar for frames: done of total, frames per second, time left."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _FpsColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} fps" if speed else "  --- fps", style="progress.data.speed")


class FrameProgress:
    """`with FrameProgress(total, "rendering") as advance: advance(n)`; silent if disabled."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled
        self._progress: Progress | None = None

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        return self._advance

    def _advance(self, frames: int) -> None:
        # Started on the first frames, not on entry: its refresh thread must not exist
        # yet when a local engine forks its workers.
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("frames"), _FpsColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total)
        self._progress.advance(self._task, frames)

    def __exit__(self, *exc) -> None:
        if self._progress:
            self._progress.stop()
