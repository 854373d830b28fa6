"""The clock a scene's generators read: frames per second and the current frame.

Flow helpers and tweens are generators created in one place and stepped in
another; they find the frame rate through this context variable, which the
player sets while it steps a scene.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction

Rate = int | Fraction  # frames per second: exact, 30000/1001 included


@dataclass
class Clock:
    fps: Rate
    frame: int = 0  # frames yielded so far in the current scene
    start: int = 0  # the scene's first frame in the whole video
    clips: list = field(default_factory=list)  # media clips played in this pass (shared)
    size: tuple[int, int] = (0, 0)  # the frame's, for layouts sized in percent

    @property
    def time(self) -> float:
        return float(self.frame / self.fps)


_current: ContextVar[Clock | None] = ContextVar("parareel_clock", default=None)


def current_clock() -> Clock:
    clock = _current.get()
    if clock is None:
        raise RuntimeError(
            "no scene is playing: tweens and flow helpers only run inside a scene generator"
        )
    return clock


def frames_for(seconds: float) -> int:
    """How many frames `seconds` lasts at the current frame rate (rounded to nearest)."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative (got {seconds} s)")
    return round(seconds * current_clock().fps)
