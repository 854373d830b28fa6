"""The values node properties take, checked where they are set: lengths, edges,
choices, fractions, shadows, font weights and blend modes. A bad value is a ValueError
the signal prefixes with the node and property (`Rect.blend: ...`)."""

from __future__ import annotations

from typing import Any

from parareel.scene.color import Color, ColorLike
from parareel.scene.paint import parse_paint


def point_list(value: Any) -> list[tuple[float, float]]:
    try:
        return [(float(x), float(y)) for x, y in value]
    except (TypeError, ValueError):
        raise ValueError(f"points must be a list of (x, y) pairs, got {value!r}") from None


def point(value: Any) -> tuple[float, float]:
    return point_list([value])[0]


def scale_pair(value: Any) -> tuple[float, float]:
    if isinstance(value, int | float):
        return (float(value), float(value))
    return point(value)


def choice(*options: str):
    def check(value: str) -> str:
        if value not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return value

    return check


def length(value: Any) -> float | str | None:
    """None, pixels, or a percentage string such as "50%"."""
    if value is None:
        return None
    if isinstance(value, str) and value.endswith("%"):
        float(value[:-1])  # a ValueError names a bad number
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f'expected pixels, "N%" or None, got {value!r}')


def edges(value: Any) -> tuple[float, float, float, float]:
    """CSS's shorthand: one number, (vertical, horizontal) or (top, right, bottom, left)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value),) * 4
    values = tuple(float(v) for v in value)
    if len(values) == 2:
        return (values[0], values[1], values[0], values[1])
    if len(values) == 4:
        return values  # type: ignore[return-value]
    raise ValueError(f"expected one number, (vertical, horizontal) or (top, right, bottom, "
                     f"left), got {value!r}")


def optional(convert):
    return lambda v: None if v is None else convert(v)


def at_least(low: float):
    def check(value: Any) -> float:
        number = float(value)
        if number < low:
            raise ValueError(f"must be at least {low}, got {value!r}")
        return number

    return check


def fraction(value: Any) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be from 0 to 1, got {value!r}")
    return number


BLEND_MODES = ("normal", "multiply", "screen", "overlay", "darken", "lighten", "color_dodge",
               "color_burn", "hard_light", "soft_light", "difference", "exclusion", "hue",
               "saturation", "color", "luminosity", "plus")


def parse_paint_color(value: Any):
    """A colour only: shadows are one colour."""
    paint = parse_paint(value)
    if not isinstance(paint, Color):
        raise ValueError("a shadow's colour is a colour, not a gradient")
    return paint


def parse_shadow(value: Any) -> Shadow | None:
    if value is None:
        return None
    if isinstance(value, Shadow):
        return value
    if isinstance(value, dict):
        return Shadow(**value)
    color, blur, *offset = value
    return Shadow(color, blur, *offset)


class Shadow(tuple):
    """A drop shadow: colour, blur (pixels, the Gaussian's sigma times 2), offset x and y.

    Shadow("black", 16, 0, 6), or the tuple ("black", 16, 0, 6); it tweens."""

    _fields = ("color", "blur", "x", "y")

    def __new__(cls, color: ColorLike = "black", blur: float = 12.0, x: float = 0.0,
                y: float = 4.0) -> Shadow:
        return super().__new__(cls, (parse_paint_color(color), float(blur), float(x), float(y)))

    color = property(lambda self: self[0])
    blur = property(lambda self: self[1])
    x = property(lambda self: self[2])
    y = property(lambda self: self[3])


WEIGHTS = {"thin": 100, "extralight": 200, "light": 300, "normal": 400, "regular": 400,
           "medium": 500, "semibold": 600, "bold": 700, "extrabold": 800, "black": 900}


def font_weight(value: int | str) -> int:
    """A font weight: 100-900, or its CSS name ("bold" is 700)."""
    if isinstance(value, str) and value.lower() in WEIGHTS:
        return WEIGHTS[value.lower()]
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= 1000:
        return int(value)
    raise ValueError(f"weight must be 100-900 or one of {', '.join(WEIGHTS)} (got {value!r})")
