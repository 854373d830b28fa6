"""Nodes: what a scene shows. Every property is a Signal (see signal.py).

Positions are in pixels with the origin at the centre of the frame, y pointing down.
A node's x, y, rotation (degrees), scale and opacity apply to its children too.
Nodes only hold data; `parareel.draw` draws them.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from parareel.assets import resolve
from parareel.errors import AssetError
from parareel.scene.color import ColorLike, parse_color
from parareel.scene.signal import prop
from parareel.scene.svgpath import parse_path


def _points(value: Any) -> list[tuple[float, float]]:
    try:
        return [(float(x), float(y)) for x, y in value]
    except (TypeError, ValueError):
        raise ValueError(f"points must be a list of (x, y) pairs, got {value!r}") from None


def _point(value: Any) -> tuple[float, float]:
    return _points([value])[0]


def _scale(value: Any) -> tuple[float, float]:
    if isinstance(value, int | float):
        return (float(value), float(value))
    return _point(value)


def _choice(*options: str):
    def check(value: str) -> str:
        if value not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return value

    return check


WEIGHTS = {"thin": 100, "extralight": 200, "light": 300, "normal": 400, "regular": 400,
           "medium": 500, "semibold": 600, "bold": 700, "extrabold": 800, "black": 900}


def _weight(value: int | str) -> int:
    """A font weight: 100-900, or its CSS name ("bold" is 700)."""
    if isinstance(value, str) and value.lower() in WEIGHTS:
        return WEIGHTS[value.lower()]
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= 1000:
        return int(value)
    raise ValueError(f"weight must be 100-900 or one of {', '.join(WEIGHTS)} (got {value!r})")


FONT_FILES = (".ttf", ".otf", ".ttc")


def _font(value: str | os.PathLike) -> str:
    """A family name, or a font file found now (relative to the project, or a URL), so
    that a missing file stops the scene logic at the frame that names it."""
    text = str(value)
    return resolve(text, "font file") if text.lower().endswith(FONT_FILES) else text


class Node:
    """A transform (x, y, rotation, scale, opacity, z order) and children; drawn as a group."""

    x = prop(0.0, float, "pixels right of the parent's origin (the frame's centre)")
    y = prop(0.0, float, "pixels below the parent's origin")
    rotation = prop(0.0, float, "degrees, clockwise, about the node's own (x, y)")
    scale = prop((1.0, 1.0), _scale, "a factor, or (sx, sy); about (x, y)")
    opacity = prop(1.0, float, "0 (invisible) to 1; a group fades as one layer")
    z = prop(0, int, "draw order among siblings: higher on top; ties keep the order added")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__doc__ = f"{inspect.cleandoc(cls.__doc__ or '')}\n\n{property_table(cls)}"

    def __init__(self, *children: Node, **props: Any) -> None:
        self.children: list[Node] = []
        self.parent: Node | None = None
        for name, value in props.items():
            if not isinstance(getattr(type(self), name, None), prop):
                raise TypeError(
                    f"{type(self).__name__} has no property {name!r}; "
                    f"it has: {', '.join(self.property_names())}"
                )
            setattr(self, name, value)
        self.add(*children)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(getattr(type(self), name, None), prop):
            getattr(self, name).set(value)  # `node.x = 5` sets the signal
        else:
            object.__setattr__(self, name, value)

    @classmethod
    def property_names(cls) -> list[str]:
        return [n for n in dir(cls) if isinstance(getattr(cls, n), prop)]

    def add(self, *children: Node) -> Any:
        """Add children; returns the child (or the tuple of them)."""
        for child in children:
            if not isinstance(child, Node):
                raise TypeError(f"only nodes can be added, not {child!r}")
            if child.parent is not None:
                child.parent.children.remove(child)
            child.parent = self
            self.children.append(child)
        return children[0] if len(children) == 1 else children

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(x={self.x()}, y={self.y()})"


def property_table(cls: type) -> str:
    """The node class's properties with default and meaning, for its docstring."""
    rows = []
    for name in cls.property_names():
        declared = getattr(cls, name)
        rows.append(f"- `{name}` = `{declared.default!r}`: {declared.doc}")
    return ("Properties (each a Signal: read `node.x()`, set `node.x(5)` or `node.x = 5`, "
            "tween `yield from node.x.to(5, 1.0)`):\n\n" + "\n".join(rows))


Node.__doc__ = f"{Node.__doc__}\n\n{property_table(Node)}"


class Group(Node):
    """A node that only groups its children."""


class Shape(Node):
    """A node with a fill and an outline: stroke, stroke_width, dash, cap and join."""

    fill = prop("white", parse_color, "a colour (hex, CSS name, rgba(), tuple); None or "
                '"transparent" for none')
    stroke = prop("transparent", parse_color, "the outline's colour")
    stroke_width = prop(0.0, float, "the outline's width in pixels, centred on the edge")
    dash = prop((), lambda v: tuple(float(x) for x in v),
                "lengths of dashes and gaps in pixels, e.g. (12, 6); () for solid")
    cap = prop("butt", _choice("butt", "round", "square"), "line ends: butt, round or square")
    join = prop("miter", _choice("miter", "round", "bevel"), "corners: miter, round or bevel")


class Rect(Shape):
    """A rectangle centred on (x, y), with rounded corners of `radius`.

    Rect(width=520, height=320, radius=40, fill="#e94f37", x=-700)"""

    width = prop(100.0, float, "pixels")
    height = prop(100.0, float, "pixels")
    radius = prop(0.0, float, "the corners' radius in pixels")


class Ellipse(Shape):
    """An ellipse centred on (x, y): Ellipse(width=200, height=80)."""

    width = prop(100.0, float, "pixels")
    height = prop(100.0, float, "pixels")


class Circle(Shape):
    """A circle centred on (x, y): Circle(radius=60, fill="#f6f7eb")."""

    radius = prop(50.0, float, "pixels")


class Polyline(Shape):
    """Straight segments through `points`; `progress` in [0, 1] draws only the first part."""

    fill = prop("transparent", parse_color, "the colour inside (when closed)")
    stroke = prop("white", parse_color, "the line's colour")
    stroke_width = prop(4.0, float, "the line's width in pixels")
    points = prop([], _points, "[(x, y), ...] in pixels, relative to the node")
    closed = prop(False, bool, "join the last point back to the first")
    progress = prop(1.0, float, "the fraction of the length drawn, 0 to 1: tween it to draw "
                    "the line on")


class Line(Polyline):
    """A straight line from `start` to `end`."""

    def __init__(self, start: tuple[float, float] = (0, 0), end: tuple[float, float] = (100, 0),
                 **props: Any) -> None:
        if "points" in props:
            raise TypeError("a Line goes from `start` to `end`: Line(start=(0, 0), end=(100, 0));"
                            " for more points use Polyline(points=[...])")
        super().__init__(points=[start, end], **props)


class Path(Shape):
    """A shape from SVG path data, e.g. Path("M 0 0 L 100 0 L 50 80 Z")."""

    data = prop("", parse_path, "SVG path data (M, L, H, V, C, S, Q, T, A, Z), in pixels")
    progress = prop(1.0, float, "the fraction of the outline drawn, 0 to 1")

    def __init__(self, data: str = "", **props: Any) -> None:
        super().__init__(data=data, **props)


class Text(Node):
    """Text at (x, y): Text("Hello", size=96, weight="bold", fill="white").

    Lines split on \\n; the block is centred vertically on y."""

    text = prop("", str, "what is written; a function makes it computed: "
                "Text(lambda: f\"{bar.width():.0f}\")")
    size = prop(48.0, float, "the font size in pixels")
    font = prop("sans-serif", _font, "a family name (sans-serif, serif, monospace, or an "
                "installed one) or a .ttf/.otf file relative to the project, or a URL")
    weight = prop(400, _weight, "100-900, or a CSS name: thin, light, normal, medium, "
                  "semibold, bold (700), black")
    italic = prop(False, bool, "slanted")
    align = prop("center", _choice("left", "center", "right"),
                 "which point of each line x is: its left end, centre or right end")
    line_height = prop(1.2, float, "the distance between lines, in multiples of size")
    fill = prop("white", parse_color, "the text's colour")
    hinting = prop("normal", _choice("none", "slight", "normal", "full"),
                   "how far outlines snap to the pixel grid: none, slight (as Chrome on "
                   "Linux draws), normal or full")
    subpixel = prop(True, bool, "place glyphs between pixels: smooth motion, no jitter")
    antialias = prop(True, bool, "smooth edges; False draws hard-edged pixel text")

    def __init__(self, text: str = "", **props: Any) -> None:
        super().__init__(text=text, **props)


def _image_file(value: Any) -> str | None:
    if value is None:
        return None
    path = resolve(value, "image")
    with open(path, "rb") as f:
        head = f.read(1024)
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    svg = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<svg", b"<?xml")) and b"<svg" in head
    if not (head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")) or webp or svg):
        raise AssetError(f"image {str(value)!r} is not a PNG, JPEG, WebP or SVG file")
    return path


class Image(Node):
    """A PNG, JPEG, WebP or SVG image centred on (x, y): a path relative to the project
    file, an http(s):// or s3:// URL. Give width or height (or both) to scale it; with one
    of them the aspect ratio is kept, with none the natural size is used. SVG stays vector:
    it is drawn sharp at any size."""

    src = prop(None, _image_file, "a path relative to the project file, an http(s):// or "
               "s3:// URL")
    width = prop(None, doc="pixels; None: from height and the aspect ratio, or natural")
    height = prop(None, doc="pixels; None: from width and the aspect ratio, or natural")

    def __init__(self, src: str, **props: Any) -> None:
        super().__init__(src=src, **props)


__all__ = [
    "ColorLike", "Node", "Group", "Shape", "Rect", "Ellipse", "Circle", "Polyline", "Line",
    "Path", "Text", "Image",
]
