"""Nodes: what a scene shows. Every property is a Signal (see signal.py).

Positions are in pixels with the origin at the centre of the frame, y pointing down.
A node's x, y, rotation (degrees), scale and opacity apply to its children too.
Nodes only hold data; `parareel.draw` draws them.
"""

from __future__ import annotations

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

    x = prop(0.0, float)
    y = prop(0.0, float)
    rotation = prop(0.0, float)
    scale = prop((1.0, 1.0), _scale)
    opacity = prop(1.0, float)
    z = prop(0, int)

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


class Group(Node):
    """A node that only groups its children."""


class Shape(Node):
    """A node with a fill and an outline: stroke, stroke_width, dash, cap and join."""

    fill = prop("white", parse_color)
    stroke = prop("transparent", parse_color)
    stroke_width = prop(0.0, float)
    dash = prop((), lambda v: tuple(float(x) for x in v))
    cap = prop("butt", _choice("butt", "round", "square"))
    join = prop("miter", _choice("miter", "round", "bevel"))


class Rect(Shape):
    """A rectangle centred on (x, y), with rounded corners of `radius`."""

    width = prop(100.0, float)
    height = prop(100.0, float)
    radius = prop(0.0, float)


class Ellipse(Shape):
    """An ellipse centred on (x, y)."""

    width = prop(100.0, float)
    height = prop(100.0, float)


class Circle(Shape):
    """A circle centred on (x, y)."""

    radius = prop(50.0, float)


class Polyline(Shape):
    """Straight segments through `points`; `progress` in [0, 1] draws only the first part."""

    fill = prop("transparent", parse_color)
    stroke = prop("white", parse_color)
    stroke_width = prop(4.0, float)
    points = prop([], _points)
    closed = prop(False, bool)
    progress = prop(1.0, float)


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

    data = prop("", parse_path)
    progress = prop(1.0, float)

    def __init__(self, data: str = "", **props: Any) -> None:
        super().__init__(data=data, **props)


class Text(Node):
    """Text centred on (x, y). `font` is a family name or a .ttf/.otf file; lines split on \\n."""

    text = prop("", str)
    size = prop(48.0, float)
    font = prop("sans-serif", _font)
    weight = prop(400, _weight)
    italic = prop(False, bool)
    align = prop("center", _choice("left", "center", "right"))
    line_height = prop(1.2, float)
    fill = prop("white", parse_color)

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

    src = prop(None, _image_file)
    width = prop(None)
    height = prop(None)

    def __init__(self, src: str, **props: Any) -> None:
        super().__init__(src=src, **props)


__all__ = [
    "ColorLike", "Node", "Group", "Shape", "Rect", "Ellipse", "Circle", "Polyline", "Line",
    "Path", "Text", "Image",
]
