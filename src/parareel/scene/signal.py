"""Signals: animatable values. Read with `s()`, write with `s(v)`, tween with `s.to(v, seconds)`.

A signal may also hold a function, making it computed: `label.x(lambda: box.x() + 100)`
follows `box` on every frame.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Generator
from functools import lru_cache
from typing import Any, Generic, TypeVar

from parareel.scene import easing
from parareel.scene.clock import current_clock, frames_for, note_tween
from parareel.scene.color import Color, color_blender
from parareel.scene.motion import settle_frames, spring_curve
from parareel.scene.paint import Gradient, paint_blender
from parareel.scene.svgpath import PathData

T = TypeVar("T")
Tween = Generator[None, None, None]


class Signal(Generic[T]):
    """An animatable value: every property of a node is one.

    `s()` reads it, `s(v)` or `node.prop = v` sets it, `s(lambda: ...)` makes it computed
    (evaluated on every frame), and `yield from s.to(v, seconds, ease)` tweens it.
    """

    __slots__ = ("_value", "_convert", "name")

    def __init__(self, value: T, convert: Callable[[Any], T] | None = None,
                 name: str = "") -> None:
        self.name = name
        self._convert = convert
        self._value: T | Callable[[], T] = value if callable(value) else self._clean(value)

    def _clean(self, value: Any) -> T:
        if not self._convert:
            return value
        try:
            return self._convert(value)
        except (ValueError, TypeError) as exc:
            if type(exc) in (ValueError, TypeError) and self.name:  # say which property
                raise type(exc)(f"{self.name}: {exc}") from None
            raise

    def __call__(self, *value: Any) -> T:
        if value:
            self.set(value[0])
        return self.get()

    def get(self) -> T:
        value = self._value
        return self._clean(value()) if callable(value) else value

    def set(self, value: T | Callable[[], T]) -> None:
        self._value = value if callable(value) else self._clean(value)

    def to(self, target: T, seconds: float, ease: easing.Easing | str = easing.in_out_cubic,
           space: str = "oklab") -> Tween:
        """Tween from the value at the tween's first frame to `target` over `seconds`.

        The last of its round(seconds * fps) frames shows `target` exactly. Colours
        blend in `space`: "oklab" (perceptually even, the default), "linear" or "srgb".
        """
        ease_fn = easing.get(ease)
        end = self._clean(target)

        def tween() -> Tween:
            start = self.get()
            count = frames_for(seconds)
            blend = blender(start, end, space)  # chosen once: replay runs this loop for every frame
            for progress in _eased(ease_fn, count):
                self._value = blend(progress)
                yield
            self._value = end
            if count:
                yield

        made = tween()
        note_tween(made)
        return made

    def spring(self, target: T, stiffness: float = 100.0, damping: float = 10.0,
               mass: float = 1.0, velocity: float = 0.0) -> Tween:
        """Move to `target` as a damped spring: it lasts until it settles (computed from
        the spring, the same on every worker) and may overshoot. Stiffer is faster, more
        damping bounces less; `velocity` is its start speed in travels per second."""
        curve = spring_curve(stiffness, damping, mass, velocity)
        end = self._clean(target)

        def tween() -> Tween:
            fps = float(current_clock().fps)
            count = settle_frames(curve, fps)
            blend = blender(self.get(), end)
            for frame in range(1, count):
                self._value = blend(curve(frame / fps))
                yield
            self._value = end
            yield

        made = tween()
        note_tween(made)
        return made

    def __repr__(self) -> str:
        return f"Signal({self.name}={self.get()!r})"


@lru_cache(maxsize=512)
def _eased(ease: easing.Easing, count: int) -> tuple[float, ...]:
    """Eased progress at frames 1..count-1 of a tween; many tweens share a timing."""
    return tuple(ease(k / count) for k in range(1, count))


def blender(a: Any, b: Any, space: str = "oklab") -> Callable[[float], Any]:
    """A function of t in [0, 1] blending a into b; numbers and colours get a fast path."""
    if type(a) in (int, float) and type(b) in (int, float):
        return lambda t: a + (b - a) * t
    if isinstance(a, Color) and isinstance(b, Color):
        return color_blender(a, b, space)
    if isinstance(a, Color | Gradient) and isinstance(b, Color | Gradient):
        return paint_blender(a, b, space)
    if isinstance(a, PathData) and isinstance(b, PathData):
        from parareel.scene.morph import morpher

        return morpher(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return type_between(a, b)
    return lambda t: interpolate(a, b, t)


def type_between(a: str, b: str) -> Callable[[float], str]:
    """One string into another: delete back to their common start, then type the rest on."""
    common = len(os.path.commonprefix([a, b]))
    removing, typing = len(a) - common, len(b) - common

    def at(t: float) -> str:
        if t >= 1:
            return b
        k = round(t * (removing + typing))
        return a[:len(a) - min(k, removing)] + b[common:common + max(0, k - removing)]

    return at


def interpolate(a: Any, b: Any, t: float) -> Any:
    """Blend numbers, colors and (nested) sequences of numbers; other values switch at the end."""
    if isinstance(a, Color) and isinstance(b, Color):
        return a.lerp(b, t)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a + (b - a) * t
    if isinstance(a, tuple | list) and isinstance(b, tuple | list) and len(a) == len(b):
        blended = (interpolate(x, y, t) for x, y in zip(a, b, strict=True))
        return type(a)(*blended) if hasattr(a, "_fields") else type(a)(blended)
    return b if t >= 1 else a


class prop:  # noqa: N801 - used like a field declaration
    """Declares an animatable property of a node: each instance gets its own Signal.

    The Signal is created on first access and stored in the instance under the same
    name, so later reads are plain attribute lookups (the painter reads thousands per
    frame). Nodes route assignments (`node.x = 5`) to the signal's `set`.
    """

    def __init__(self, default: Any, convert: Callable[[Any], Any] | None = None,
                 doc: str = "") -> None:
        self.default, self.convert, self.name, self.doc = default, convert, "", doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.__doc__ = f"{self.doc} (default: {self.default!r})" if self.doc else None

    def __repr__(self) -> str:
        return f"Signal({self.default!r})"

    def peek(self, node: Any) -> Any:
        """The node's value, without making its Signal when it has none yet (the layout
        reads a dozen properties of every child each frame; most are never set)."""
        signal = node.__dict__.get(self.name)
        return self.clean_default() if signal is None else signal.get()

    def clean_default(self) -> Any:
        """The default as its converter makes it (worked out once)."""
        if not hasattr(self, "_clean_default"):
            self._clean_default = Signal(self.default, self.convert, self.name).get()
        return self._clean_default

    def __get__(self, node: Any, owner: type | None = None) -> Any:
        if node is None:
            return self
        default = list(self.default) if isinstance(self.default, list) else self.default
        signal = node.__dict__[self.name] = Signal(default, self.convert,
                                                   f"{type(node).__name__}.{self.name}")
        return signal


class Animated:
    """An object whose `prop`s are signals: `obj.x = 5` sets its signal, and a misspelt
    property (`obj.opactiy = 0.5`) is an error rather than a new attribute nobody reads."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(getattr(type(self), name, None), prop):
            getattr(self, name).set(value)
            return
        if not name.startswith("_") and not hasattr(self, name):
            close = difflib.get_close_matches(name, self.property_names(), 1, 0.8)
            if close:
                raise AttributeError(f"{type(self).__name__} has no property {name!r}; did "
                                     f"you mean {close[0]!r}?")
        object.__setattr__(self, name, value)

    @classmethod
    def property_names(cls) -> list[str]:
        return [n for n in dir(cls) if isinstance(getattr(cls, n), prop)]
