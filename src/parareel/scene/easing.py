"""Easing functions: map progress t in [0, 1] to eased progress, with f(0)=0 and f(1)=1.

Every family comes in `in_`, `out_` and `in_out_` forms, as in Motion Canvas's
timing functions. Use them by value (`easing.in_out_cubic`) or by name
(`easing.get("in_out_cubic")`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

Easing = Callable[[float], float]


def linear(t: float) -> float:
    """Constant speed: progress is time."""
    return t


def _family(curve: Easing, name: str = "") -> tuple[Easing, Easing, Easing]:
    """Derive the out and in-out forms from the in form, with exact endpoints."""

    def ease_in(t: float) -> float:
        return 0.0 if t <= 0 else 1.0 if t >= 1 else curve(t)

    def ease_out(t: float) -> float:
        return 1.0 - ease_in(1.0 - t)

    def ease_in_out(t: float) -> float:
        return ease_in(2 * t) / 2 if t < 0.5 else 1.0 - ease_in(2 - 2 * t) / 2

    for form, function, doc in (("in", ease_in, "starts slowly, ends at full speed"),
                                ("out", ease_out, "starts at full speed, ends slowly"),
                                ("in_out", ease_in_out, "slow at both ends")):
        function.__name__ = function.__qualname__ = f"{form}_{name}"
        function.__doc__ = f"The {name} curve: {doc}."
    return ease_in, ease_out, ease_in_out


_BACK = 1.70158
_ELASTIC = 2 * math.pi / 3


def _back(t: float) -> float:
    return (_BACK + 1) * t**3 - _BACK * t**2


def _expo(t: float) -> float:
    return 0.0 if t == 0 else 2 ** (10 * t - 10)


def _circ(t: float) -> float:
    return 1 - math.sqrt(max(0.0, 1 - t * t))


def _elastic(t: float) -> float:
    if t in (0.0, 1.0):
        return t
    return -(2 ** (10 * t - 10)) * math.sin((t * 10 - 10.75) * _ELASTIC)


def _bounce_out(t: float) -> float:
    n, d = 7.5625, 2.75
    if t < 1 / d:
        return n * t * t
    if t < 2 / d:
        t -= 1.5 / d
        return n * t * t + 0.75
    if t < 2.5 / d:
        t -= 2.25 / d
        return n * t * t + 0.9375
    t -= 2.625 / d
    return n * t * t + 0.984375


def _bounce(t: float) -> float:
    return 1 - _bounce_out(1 - t)


in_quad, out_quad, in_out_quad = _family(lambda t: t**2, "quad")
in_cubic, out_cubic, in_out_cubic = _family(lambda t: t**3, "cubic")
in_quart, out_quart, in_out_quart = _family(lambda t: t**4, "quart")
in_quint, out_quint, in_out_quint = _family(lambda t: t**5, "quint")
in_sine, out_sine, in_out_sine = _family(lambda t: 1 - math.cos(t * math.pi / 2), "sine")
in_expo, out_expo, in_out_expo = _family(_expo, "expo")
in_circ, out_circ, in_out_circ = _family(_circ, "circ")
in_back, out_back, in_out_back = _family(_back, "back")
in_elastic, out_elastic, in_out_elastic = _family(_elastic, "elastic")
in_bounce, out_bounce, in_out_bounce = _family(_bounce, "bounce")

NAMES: tuple[str, ...] = ("linear",) + tuple(
    f"{form}_{family}"
    for family in ("quad", "cubic", "quart", "quint", "sine", "expo", "circ", "back", "elastic",
                   "bounce")
    for form in ("in", "out", "in_out")
)


def bezier(x1: float, y1: float, x2: float, y2: float) -> Easing:
    """A cubic Bezier timing curve from (0, 0) to (1, 1) with control points (x1, y1) and
    (x2, y2), as CSS's cubic-bezier(): bezier(0.25, 0.1, 0.25, 1) is CSS's "ease"."""
    if not (0 <= x1 <= 1 and 0 <= x2 <= 1):
        raise ValueError(f"bezier's x1 and x2 must be from 0 to 1 (got {x1}, {x2}), as in CSS")

    def axis(a: float, b: float, s: float) -> float:
        return 3 * a * s * (1 - s) ** 2 + 3 * b * s * s * (1 - s) + s**3

    def curve(t: float) -> float:
        if t <= 0 or t >= 1:
            return 0.0 if t <= 0 else 1.0
        lo, hi = 0.0, 1.0
        for _ in range(60):  # x(s) rises with s: halve the interval to double precision
            mid = (lo + hi) / 2
            if axis(x1, x2, mid) < t:
                lo = mid
            else:
                hi = mid
        return axis(y1, y2, (lo + hi) / 2)

    curve.__name__ = curve.__qualname__ = f"bezier({x1}, {y1}, {x2}, {y2})"
    return curve


def get(ease: str | Easing) -> Easing:
    """An easing function from itself or its name ("in_out_cubic", "linear", ...)."""
    if callable(ease):
        return ease
    if ease not in NAMES:
        raise ValueError(f"unknown easing {ease!r}; choose one of: {', '.join(NAMES)}")
    return globals()[ease]
