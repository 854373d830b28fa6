"""A terminal progress bar for frames: done of total, frames per second, time left."""

from __future__ import annotations

import time

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
        speed = task.fields.get("fps")
        return Text(f"{speed:5.1f} fps" if speed else "  --- fps", style="progress.data.speed")


class FrameProgress:
    """`with FrameProgress(total, "rendering") as advance: advance(n)`; silent if disabled."""

    def __init__(self, total: int, label: str, enabled: bool = True) -> None:
        self.total, self.label, self.enabled = total, label, enabled
        self._progress: Progress | None = None
        self.done, self.started = 0, time.monotonic()

    def __enter__(self):
        self.done, self.started = 0, time.monotonic()
        if not self.enabled:
            return lambda n: None
        return self._advance

    def fps(self) -> float:
        """Frames drawn over the time since the work began: a chunk reported whole (Ray,
        Lambda) or a tiny render does not make it jump to thousands."""
        return self.done / max(time.monotonic() - self.started, 1e-3)

    def _advance(self, frames: int, drawn: bool = True) -> None:
        # Started on the first frames, not on entry: its refresh thread must not exist
        # yet when a local engine forks its workers.
        if not self.enabled:
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("frames"), _FpsColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total, fps=None)
        self.done += frames if drawn else 0
        self._progress.update(self._task, advance=frames, fps=self.fps())

    def skip(self, frames: int, label: str) -> None:
        """Frames done without drawing them (reused): on the bar, not in its speed."""
        self.label = label
        if frames:
            self._advance(frames, drawn=False)
        if self._progress is not None:
            self._progress.update(self._task, description=label)

    def __exit__(self, *exc) -> None:
        if self._progress:
            self._progress.stop()
