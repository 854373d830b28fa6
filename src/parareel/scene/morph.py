"""Morphing one path into another, whatever their points: `path.data.to(other, 1)`.

Both outlines are resampled to the same number of points, evenly along their length;
closed outlines are turned so that their starts and directions line up (the pairing
that moves the points least), and a path with fewer contours gets contours that
grow from a point. The in-between paths are polygons fine enough to look curved;
the last frame is the target's own data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import skia

from parareel.scene.svgpath import PathData, to_skia

POINTS = 160  # per contour, at least: a 1080p circle's in-between looks round


def morpher(a: PathData, b: PathData) -> Callable[[float], PathData]:
    """A function of t in [0, 1] from path `a` to path `b`."""
    starts, ends = _contours(a), _contours(b)
    if not starts or not ends:
        return lambda t: b if t >= 1 else a
    while len(starts) < len(ends):
        starts.append(_point_like(ends[len(starts)], starts))
    while len(ends) < len(starts):
        ends.append(_point_like(starts[len(ends)], ends))
    pairs = [_paired(p, q) for p, q in zip(starts, ends, strict=True)]

    def at(t: float) -> PathData:
        if t >= 1:
            return b
        if t <= 0:
            return a
        out = []
        for (p, closed_p), (q, closed_q) in pairs:
            points = p + (q - p) * t
            out.append(("M", *points[0]))
            out += [("L", x, y) for x, y in points[1:]]
            if closed_p or closed_q:
                out.append(("Z",))
        return PathData(out)

    return at


Contour = tuple[np.ndarray, bool]  # (points, closed)


def _contours(data: PathData) -> list[Contour]:
    measure = skia.PathMeasure(to_skia(data), False)
    found = []
    while True:
        length = measure.getLength()
        if length > 0:
            count = POINTS
            closed = measure.isClosed()
            step = length / count if closed else length / (count - 1)
            points = np.array([tuple(measure.getPosTan(min(i * step, length))[0])
                               for i in range(count)], dtype=np.float64)
            found.append((points, closed))
        if not measure.nextContour():
            return found


def _point_like(other: Contour, contours: list[Contour]) -> Contour:
    """A contour collapsed to a point: at the centre of the nearest contour it pairs with."""
    centre = other[0].mean(axis=0)
    if contours:
        centres = [c[0].mean(axis=0) for c in contours]
        centre = min(centres, key=lambda c: float(np.hypot(*(c - centre))))
    return (np.tile(centre, (len(other[0]), 1)), other[1])


def _paired(start: Contour, end: Contour) -> tuple[Contour, Contour]:
    """`end` turned (if closed) to the start point and direction nearest `start`'s."""
    p, q = start[0], end[0]
    if start[1] and end[1]:
        best, best_cost = q, np.inf
        for candidate in (q, q[::-1]):
            costs = [np.sum((p - np.roll(candidate, -k, axis=0)) ** 2) for k in range(len(q))]
            k = int(np.argmin(costs))
            if costs[k] < best_cost:
                best, best_cost = np.roll(candidate, -k, axis=0), costs[k]
        q = best
    return (p, start[1]), (q, end[1])
