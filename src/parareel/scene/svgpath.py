"""A parser for SVG path data ("M 0 0 L 10 10 Z") into absolute drawing commands.

The output uses five commands that any 2D library can draw:
("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x, y), ("Q", x1, y1, x, y),
("A", rx, ry, rotation, large_arc, sweep, x, y) and ("Z",).
"""

from __future__ import annotations

import re
from functools import cache

import skia

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}

Command = tuple


class PathData(tuple):
    """Parsed path data: a tuple of absolute commands (hashable, so skia paths are cached)."""


def parse_path(data: str) -> PathData:
    """Parse SVG path data; raise ValueError with the position of the first bad token."""
    tokens = _TOKEN.findall(data)
    if re.sub(r"[\s,]", "", data) != "".join(tokens):
        raise ValueError(f"invalid SVG path data {data!r}: only numbers and MLHVCSQTAZ commands")
    out: list[Command] = []
    x = y = start_x = start_y = 0.0
    last_ctrl: tuple[float, float] | None = None  # reflected by S and T
    last_cmd = ""
    i = 0
    cmd = ""
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
        elif not cmd:
            raise ValueError(f"invalid SVG path data {data!r}: it must start with a command")
        upper, rel = cmd.upper(), cmd.islower()
        n = _ARITY[upper]
        args = [float(t) for t in tokens[i : i + n]]
        if len(args) < n or any(t.isalpha() for t in tokens[i : i + n]):
            raise ValueError(f"invalid SVG path data {data!r}: '{cmd}' needs {n} numbers")
        i += n
        ox, oy = (x, y) if rel else (0.0, 0.0)
        ctrl = None
        if upper == "M":
            x, y = ox + args[0], oy + args[1]
            start_x, start_y = x, y
            out.append(("M", x, y))
            cmd = "l" if rel else "L"  # further pairs are implicit line-tos
        elif upper in ("L", "H", "V"):
            if upper == "H":
                x = ox + args[0]
            elif upper == "V":
                y = (y if rel else 0.0) + args[0]
            else:
                x, y = ox + args[0], oy + args[1]
            out.append(("L", x, y))
        elif upper in ("C", "S"):
            if upper == "C":
                c1 = (ox + args[0], oy + args[1])
                rest = args[2:]
            else:
                c1 = _reflect(last_ctrl, x, y) if last_cmd in "CS" else (x, y)
                rest = args
            c2 = (ox + rest[0], oy + rest[1])
            x, y = ox + rest[2], oy + rest[3]
            out.append(("C", *c1, *c2, x, y))
            ctrl = c2
        elif upper in ("Q", "T"):
            if upper == "Q":
                c = (ox + args[0], oy + args[1])
                x, y = ox + args[2], oy + args[3]
            else:
                c = _reflect(last_ctrl, x, y) if last_cmd in "QT" else (x, y)
                x, y = ox + args[0], oy + args[1]
            out.append(("Q", *c, x, y))
            ctrl = c
        elif upper == "A":
            x, y = ox + args[5], oy + args[6]
            out.append(("A", args[0], args[1], args[2], bool(args[3]), bool(args[4]), x, y))
        else:  # Z
            x, y = start_x, start_y
            out.append(("Z",))
        last_ctrl, last_cmd = ctrl, (upper if upper != "M" else "")
    return PathData(out)


def from_skia(path: skia.Path) -> PathData:
    """A skia path as path data (conics, which skia uses for arcs, become quadratics)."""
    out: list[Command] = []
    verbs = skia.Path.Iter(path, False)
    while True:
        verb, points = verbs.next()
        xy = [(p.x(), p.y()) for p in points]
        if verb == skia.Path.Verb.kDone_Verb:
            return PathData(out)
        if verb == skia.Path.Verb.kMove_Verb:
            out.append(("M", *xy[0]))
        elif verb == skia.Path.Verb.kLine_Verb:
            out.append(("L", *xy[1]))
        elif verb == skia.Path.Verb.kQuad_Verb:
            out.append(("Q", *xy[1], *xy[2]))
        elif verb == skia.Path.Verb.kCubic_Verb:
            out.append(("C", *xy[1], *xy[2], *xy[3]))
        elif verb == skia.Path.Verb.kConic_Verb:
            quads = skia.Path.ConvertConicToQuads(*points, verbs.conicWeight(), 2)
            out += [("Q", quads[i].x(), quads[i].y(), quads[i + 1].x(), quads[i + 1].y())
                    for i in range(1, len(quads) - 1, 2)]
        else:
            out.append(("Z",))


def _reflect(ctrl: tuple[float, float] | None, x: float, y: float) -> tuple[float, float]:
    return (2 * x - ctrl[0], 2 * y - ctrl[1]) if ctrl else (x, y)


@cache
def to_skia(commands: tuple[tuple, ...]) -> skia.Path:
    """The path as skia draws and measures it."""
    path = skia.Path()
    for kind, *args in commands:
        if kind == "M":
            path.moveTo(*args)
        elif kind == "L":
            path.lineTo(*args)
        elif kind == "C":
            path.cubicTo(*args)
        elif kind == "Q":
            path.quadTo(*args)
        elif kind == "A":
            rx, ry, rotation, large, sweep, x, y = args
            path.arcTo(rx, ry, rotation,
                       skia.Path.kLarge_ArcSize if large else skia.Path.kSmall_ArcSize,
                       skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW, x, y)
        else:
            path.close()
    return path


def trimmed(path: skia.Path, progress: float) -> skia.Path | None:
    """The first `progress` of the path's length (for draw-on animations)."""
    if progress >= 1:
        return path
    if progress <= 0:
        return None
    total, measure = 0.0, skia.PathMeasure(path, False)
    while True:  # a path may have several contours
        total += measure.getLength()
        if not measure.nextContour():
            break
    out, remaining, measure = skia.Path(), total * progress, skia.PathMeasure(path, False)
    while remaining > 0:
        length = measure.getLength()
        measure.getSegment(0, min(length, remaining), out, True)
        remaining -= length
        if not measure.nextContour():
            break
    return out
