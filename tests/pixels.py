"""Frames as a test reads them: a still of some nodes, the pixel at scene coordinates."""

from __future__ import annotations

import numpy as np

import parareel
from parareel import Project

SIZE = (320, 180)


def still(*nodes, background="#000000", size=SIZE) -> np.ndarray:
    """Frame 0 of a scene holding `nodes`, as RGB integers."""
    def scene(s):
        s.add(*nodes)
        yield

    project = Project(scenes=[scene], size=size, background=background)
    return next(parareel.frames(project))[..., :3].astype(int)


def at(pixels: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixel at scene coordinates (x, y) (the origin at the frame's centre)."""
    h, w = pixels.shape[:2]
    return pixels[int(h / 2 + y), int(w / 2 + x)]


def close(a, b, tolerance: int = 3) -> bool:
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) <= tolerance))
