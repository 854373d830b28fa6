"""Paints: what a fill or stroke is made of, a colour or a gradient across the node's box.

    Rect(fill=LinearGradient("#ff0080", "#7928ca", angle=90))       # left to right
    Circle(fill=RadialGradient(("white", 0), ("#3f88c5", 1)))
    Text("Hi", fill=ConicGradient("red", "yellow", "lime", "red"))

Gradients are placed in the node's own box (its size as drawn, before its transform),
so they follow it as it grows. Stops are colours spread evenly, or (colour, offset)
pairs with offsets from 0 to 1. A gradient tweens into a gradient of the same kind and
number of stops, and a colour into a gradient (or back): colours in OKLab, as elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from parareel.scene.color import Color, ColorLike, color_blender, parse_color

Stop = tuple[Color, float]


def _stops(values: tuple[Any, ...]) -> tuple[Stop, ...]:
    if len(values) < 2:
        raise ValueError(f"a gradient needs at least two stops, got {len(values)}: give colours, "
                         f'or (colour, offset) pairs such as ("red", 0), ("blue", 1)')
    stops = []
    for i, value in enumerate(values):
        if isinstance(value, tuple) and len(value) == 2 and not isinstance(value, Color) \
                and isinstance(value[1], int | float):
            color, offset = value
        else:
            color, offset = value, i / (len(values) - 1)
        if not 0 <= offset <= 1:
            raise ValueError(f"a gradient stop's offset is from 0 to 1, got {offset!r}")
        stops.append((parse_color(color), float(offset)))
    if any(b[1] < a[1] for a, b in zip(stops, stops[1:], strict=False)):
        raise ValueError("a gradient's stop offsets must not decrease")
    return tuple(stops)


@dataclass(frozen=True, init=False)
class Gradient:
    """The stops shared by every gradient; see LinearGradient, RadialGradient,
    ConicGradient."""

    stops: tuple[Stop, ...]

    def __init__(self, *stops: ColorLike | tuple[ColorLike, float], **geometry: float) -> None:
        object.__setattr__(self, "stops", _stops(stops))
        for f in fields(self)[1:]:
            value = geometry.pop(f.name, f.default)
            object.__setattr__(self, f.name, tuple(map(float, value))
                               if isinstance(value, tuple | list) else float(value))
        if geometry:
            names = ", ".join(f.name for f in fields(self)[1:])
            raise TypeError(f"{type(self).__name__} has no {', '.join(geometry)}; it takes "
                            f"its stops and {names}")

    @property
    def alpha(self) -> float:
        """The most opaque stop's alpha (0: nothing to draw)."""
        return max(color.a for color, _ in self.stops)


@dataclass(frozen=True, init=False)
class LinearGradient(Gradient):
    """Colours along a line through the box's centre at `angle` degrees, as CSS's
    linear-gradient: 180 runs top to bottom, 90 left to right; the line is long enough
    that the corners get the end colours."""

    angle: float = 180.0


@dataclass(frozen=True, init=False)
class RadialGradient(Gradient):
    """Colours in circles around `center` (fractions of the box: (0.5, 0.5) is its
    middle); `radius` 1 reaches the box's farthest corner."""

    center: tuple[float, float] = (0.5, 0.5)
    radius: float = 1.0


@dataclass(frozen=True, init=False)
class ConicGradient(Gradient):
    """Colours around `center` (fractions of the box), starting at `angle` degrees
    (0 is straight up) and going clockwise, as CSS's conic-gradient."""

    center: tuple[float, float] = (0.5, 0.5)
    angle: float = 0.0


Paint = Color | Gradient


def parse_paint(value: Any) -> Paint:
    """A colour (anything parse_color takes) or a gradient."""
    return value if isinstance(value, Gradient) else parse_color(value)


def solid(paint: Paint) -> Color:
    """The colour to draw with: a gradient's is opaque white, its shader laid over it."""
    return paint if isinstance(paint, Color) else WHITE


WHITE = Color(1.0, 1.0, 1.0, 1.0)


def alpha(paint: Paint) -> float:
    return paint.a if isinstance(paint, Color) else paint.alpha


def paint_blender(a: Paint, b: Paint, space: str) -> Callable[[float], Paint]:
    """Blend a paint into another: stop by stop, a colour acting as a gradient of one
    colour. Gradients of different kinds or numbers of stops switch at the end."""
    if isinstance(a, Color):
        a = _solid_like(a, b)
    if isinstance(b, Color):
        b = _solid_like(b, a)
    if type(a) is not type(b) or len(a.stops) != len(b.stops):
        return lambda t: b if t >= 1 else a
    colors = [color_blender(p[0], q[0], space) for p, q in zip(a.stops, b.stops, strict=True)]
    names = [f.name for f in fields(a)[1:]]

    def blend(t: float) -> Gradient:
        if t >= 1:
            return b
        stops = tuple((c(t), p[1] + (q[1] - p[1]) * t)
                      for c, p, q in zip(colors, a.stops, b.stops, strict=True))
        return _made(a, stops, {n: _mix(getattr(a, n), getattr(b, n), t) for n in names})

    return blend


def _solid_like(color: Color, other: Gradient) -> Gradient:
    return _made(other, tuple((color, offset) for _, offset in other.stops), {})


def _made(like: Gradient, stops: tuple[Stop, ...], geometry: dict[str, Any]) -> Gradient:
    """A gradient of `like`'s kind from checked values (no parsing: tweens make many)."""
    made = object.__new__(type(like))
    for f in fields(like):
        value = stops if f.name == "stops" else geometry.get(f.name, getattr(like, f.name))
        object.__setattr__(made, f.name, value)
    return made


def _mix(p: Any, q: Any, t: float) -> Any:
    if isinstance(p, tuple):
        return tuple(x + (y - x) * t for x, y in zip(p, q, strict=True))
    return p + (q - p) * t


__all__ = ["ConicGradient", "Gradient", "LinearGradient", "Paint", "RadialGradient",
           "parse_paint"]
