"""The clock a scene's generators read: frames per second and the current frame.

Flow helpers and tweens are generators created in one place and stepped in
another; they find the frame rate through this context variable, which the
player sets while it steps a scene.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Generator
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

Rate = int | Fraction  # frames per second: exact, 30000/1001 included


@dataclass
class Clock:
    fps: Rate
    frame: int = 0  # frames yielded so far in the current scene
    start: int = 0  # the scene's first frame in the whole video
    clips: list = field(default_factory=list)  # media clips played in this pass (shared)
    size: tuple[int, int] = (0, 0)  # the frame's, for layouts sized in percent
    tweens: list = field(default_factory=list)  # (tween, "file line N") made in this scene
    tweens_checked: int = 64  # how many were kept when the list was last pruned

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


PACKAGE = str(Path(__file__).resolve().parent.parent)  # parareel's own source


def note_tween(tween: Generator) -> None:
    """Remember a tween made in a scene, and where, so that one never played is found."""
    clock = _current.get()
    if clock is None:
        return
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(PACKAGE):
        frame = frame.f_back  # the user's line that asked for it
    clock.tweens.append((tween, f"{short_path(frame.f_code.co_filename)} line "
                                f"{frame.f_lineno}"))
    if len(clock.tweens) >= clock.tweens_checked * 2:  # forget the ones already started
        clock.tweens[:] = [(t, at) for t, at in clock.tweens
                           if inspect.getgeneratorstate(t) == inspect.GEN_CREATED]
        clock.tweens_checked = max(64, len(clock.tweens))


def short_path(file: str) -> str:
    """A path as the user wrote it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive
        return file
    return file if relative.startswith("..") else relative


def frames_for(seconds: float) -> int:
    """How many frames `seconds` lasts at the current frame rate (rounded to nearest)."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative (got {seconds} s)")
    return round(seconds * current_clock().fps)
