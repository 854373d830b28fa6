"""Motion: springs, and moving along a path.

    yield from card.y.spring(0, stiffness=180, damping=12)   # lasts until it settles
    yield from dot.move_along("M -400 0 C -200 -300 200 300 400 0", 2, turn=True)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import skia

from parareel.scene.svgpath import PathData, to_skia

SETTLED = 0.001  # a spring has settled within this fraction of its travel
LONGEST = 60.0  # seconds: a spring still moving then is refused as one that never settles


def spring_curve(stiffness: float = 100.0, damping: float = 10.0, mass: float = 1.0,
                 velocity: float = 0.0) -> Callable[[float], float]:
    """The travel (0 at rest at the start, 1 at the target) of a damped spring after t
    seconds; `velocity` is its speed at the start in travels per second."""
    if stiffness <= 0 or mass <= 0 or damping < 0:
        raise ValueError("a spring needs stiffness > 0, mass > 0 and damping >= 0")
    omega = math.sqrt(stiffness / mass)
    zeta = damping / (2 * math.sqrt(stiffness * mass))
    x0, v0 = -1.0, velocity  # the distance from the target, and its speed
    if zeta < 1:
        wd = omega * math.sqrt(1 - zeta * zeta)
        b = (v0 + zeta * omega * x0) / wd
        return lambda t: 1 + math.exp(-zeta * omega * t) * (x0 * math.cos(wd * t) +
                                                            b * math.sin(wd * t))
    if zeta == 1:
        return lambda t: 1 + math.exp(-omega * t) * (x0 + (v0 + omega * x0) * t)
    root = omega * math.sqrt(zeta * zeta - 1)
    r1, r2 = -zeta * omega + root, -zeta * omega - root
    c2 = (v0 - r1 * x0) / (r2 - r1)
    c1 = x0 - c2
    return lambda t: 1 + c1 * math.exp(r1 * t) + c2 * math.exp(r2 * t)


def settle_frames(curve: Callable[[float], float], fps: float) -> int:
    """The frames until the spring stays within SETTLED of its target."""
    last_moving = 0
    for frame in range(1, round(LONGEST * fps) + 1):
        if abs(1 - curve(frame / fps)) >= SETTLED:
            last_moving = frame
        elif frame - last_moving > fps:  # settled for a second: done
            return last_moving + 1
    raise ValueError(f"the spring is still moving after {LONGEST:.0f} s: give it more "
                     "damping (0 never settles)")


class PathWalker:
    """Points along a path by the fraction of its length: `at(0.5)` is halfway."""

    def __init__(self, shape: PathData) -> None:
        self.shape = shape
        measure, self.lengths = skia.PathMeasure(to_skia(shape), False), []
        while True:
            self.lengths.append(measure.getLength())
            if not measure.nextContour():
                break
        if sum(self.lengths) <= 0:
            raise ValueError("moving along a path needs a path with some length")

    def at(self, progress: float) -> tuple[float, float, float]:
        """(x, y, direction in degrees) at `progress` of the length."""
        distance = progress * sum(self.lengths)
        walker = skia.PathMeasure(to_skia(self.shape), False)
        for length in self.lengths[:-1]:
            if distance <= length:
                break
            distance -= length
            walker.nextContour()
        (x, y), (tx, ty) = walker.getPosTan(min(max(distance, 0.0), walker.getLength()))
        return x, y, math.degrees(math.atan2(ty, tx))
