"""Scene transitions: how the previous scene gives way to this one.

    def outro(scene):
        yield from scene.transition("slide", 0.6, direction="left")

A transition runs at the start of a scene, over its first frames. The previous scene
shows its last frame throughout (a clip in it stays on that frame and is silent;
sounds started with `scene.play` keep playing, as they belong to the video's
timeline). This scene plays from its first frame as the transition runs, so
`parallel(scene.transition("fade", 1), title.opacity.to(1, 1))` overlaps them.

A transition is a function of progress (0 to 1, eased) and the frame's size that
returns a `Look`: how each scene is placed and faded, and what is behind them. The
built-in ones are made the same way, so a custom one is a few lines:

    def spin(t, width, height):
        return Look(previous=View(rotation=90 * t, scale=1 - t),
                    current=View(opacity=t))
    yield from scene.transition(spin, 1.0)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from parareel.scene.color import Color, ColorLike, parse_color


@dataclass(frozen=True)
class View:
    """How one scene is drawn in a transition: moved by (x, y) pixels, turned by
    `rotation` degrees and scaled about the frame's centre, faded by `opacity`, and cut to
    `clip` (left, top, right, bottom in scene pixels, the frame's centre at 0, 0) if
    given. Each scene is drawn over its own background."""

    x: float = 0.0
    y: float = 0.0
    scale: float = 1.0
    rotation: float = 0.0
    opacity: float = 1.0
    clip: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Look:
    """One frame of a transition: the previous scene's view, this scene's view, which is
    on top, and an optional colour behind both."""

    previous: View = field(default_factory=View)
    current: View = field(default_factory=View)
    current_on_top: bool = True
    backdrop: Color | None = None


TransitionFunction = Callable[[float, int, int], Look]
DIRECTIONS = ("left", "right", "up", "down")


def _towards(direction: str, width: int, height: int) -> tuple[float, float]:
    """The offset that moves a scene one frame's length towards `direction`."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    return {"left": (-width, 0), "right": (width, 0), "up": (0, -height),
            "down": (0, height)}[direction]


def fade(color: ColorLike = "black") -> TransitionFunction:
    """Fade the previous scene out to `color`, then this one in from it."""
    backdrop = parse_color(color)

    def look(t: float, width: int, height: int) -> Look:
        return Look(View(opacity=max(0.0, 1 - 2 * t)), View(opacity=max(0.0, 2 * t - 1)),
                    backdrop=backdrop)

    return look


def dissolve() -> TransitionFunction:
    """This scene fades in over the previous one."""
    return lambda t, width, height: Look(View(), View(opacity=t))


def slide(direction: str = "left") -> TransitionFunction:
    """This scene slides in over the previous one, moving towards `direction`."""
    _towards(direction, 2, 2)  # checked now, not on the first frame

    def look(t: float, width: int, height: int) -> Look:
        dx, dy = _towards(direction, width, height)
        return Look(View(), View(x=-dx * (1 - t), y=-dy * (1 - t)))

    return look


def push(direction: str = "left") -> TransitionFunction:
    """This scene pushes the previous one out, both moving towards `direction`."""
    _towards(direction, 2, 2)

    def look(t: float, width: int, height: int) -> Look:
        dx, dy = _towards(direction, width, height)
        return Look(View(x=dx * t, y=dy * t), View(x=-dx * (1 - t), y=-dy * (1 - t)))

    return look


def zoom(scale: float = 1.5) -> TransitionFunction:
    """The previous scene grows by `scale` and fades; this one grows from 1 / `scale`."""
    def look(t: float, width: int, height: int) -> Look:
        return Look(View(scale=1 + (scale - 1) * t, opacity=1 - t),
                    View(scale=1 / scale + (1 - 1 / scale) * t, opacity=t))

    return look


def wipe(direction: str = "left") -> TransitionFunction:
    """This scene is uncovered by an edge sweeping towards `direction`."""
    _towards(direction, 2, 2)

    def look(t: float, width: int, height: int) -> Look:
        left, top, right, bottom = -width / 2, -height / 2, width / 2, height / 2
        edge = {"left": (right - width * t, top, right, bottom),
                "right": (left, top, left + width * t, bottom),
                "up": (left, bottom - height * t, right, bottom),
                "down": (left, top, right, top + height * t)}[direction]
        return Look(View(), View(clip=edge))

    return look


TRANSITIONS: dict[str, Callable[..., TransitionFunction]] = {
    "fade": fade, "dissolve": dissolve, "slide": slide, "push": push, "zoom": zoom,
    "wipe": wipe,
}


def make(kind: str | TransitionFunction, options: dict) -> TransitionFunction:
    """A transition function from a built-in's name and options, or a custom function."""
    if callable(kind):
        if options:
            raise TypeError("a custom transition takes no options: give them to your function")
        return kind
    if kind not in TRANSITIONS:
        raise ValueError(f"unknown transition {kind!r}: use one of {', '.join(TRANSITIONS)}, "
                         "or a function of (progress, width, height) returning a Look")
    accepted = inspect.signature(TRANSITIONS[kind]).parameters
    unknown = set(options) - set(accepted)
    if unknown:
        raise TypeError(f"transition {kind!r} has no option {', '.join(sorted(unknown))}; it "
                        f"takes: {', '.join(accepted) or 'none'}")
    return TRANSITIONS[kind](**options)
