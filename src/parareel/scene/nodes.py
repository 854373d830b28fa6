"""Nodes: what a scene shows. Every property is a Signal (see signal.py).

Positions are in pixels with the origin at the centre of the frame, y pointing down.
A node's x, y, rotation (degrees), scale and opacity apply to its children too.
Nodes only hold data; `parareel.draw` draws them.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import skia

from parareel.assets import resolve
from parareel.errors import AssetError
from parareel.scene import easing, geometry
from parareel.scene.clock import frames_for, note_tween
from parareel.scene.color import ColorLike
from parareel.scene.motion import PathWalker
from parareel.scene.paint import parse_paint
from parareel.scene.signal import Animated, Tween, prop
from parareel.scene.svgpath import PathData, from_skia, parse_path, to_skia
from parareel.scene.values import (
    BLEND_MODES,
    Shadow,
    at_least,
    choice,
    edges,
    fraction,
    length,
    optional,
    parse_shadow,
    point_list,
    scale_pair,
)

if TYPE_CHECKING:
    from parareel.scene.geometry import Bounds


def _mask(value: Any) -> Node | None:
    if value is not None and not isinstance(value, Node):
        raise ValueError(f"a mask is a node (Circle(radius=200), Text(...)) or None, "
                         f"got {value!r}")
    return value


class Node(Animated):
    """A transform (x, y, rotation, scale, opacity, z order) and children; drawn as a group."""

    x = prop(0.0, float, "pixels right of the parent's origin (the frame's centre)")
    y = prop(0.0, float, "pixels below the parent's origin")
    rotation = prop(0.0, float, "degrees, clockwise, about the node's own (x, y)")
    scale = prop((1.0, 1.0), scale_pair, "a factor, or (sx, sy); about (x, y)")
    opacity = prop(1.0, float, "0 (invisible) to 1; a group fades as one layer")
    z = prop(0, int, "draw order among siblings: higher on top; ties keep the order added")
    shadow = prop(None, parse_shadow, 'a drop shadow under the node and its children: '
                  'Shadow(color, blur, x, y) or a tuple ("black", 16, 0, 6); None for none')
    # Effects (drawn by parareel.draw.effects, in this order: colour filters as listed,
    # then blur, mask, opacity and blend).
    brightness = prop(1.0, at_least(0), "filter: 0 is black, 1 unchanged, 2 twice as bright")
    contrast = prop(1.0, at_least(0), "filter: 0 is flat grey, 1 unchanged")
    saturate = prop(1.0, at_least(0), "filter: 0 is grey, 1 unchanged, 2 twice as vivid")
    grayscale = prop(0.0, fraction, "filter: 0 unchanged to 1 all grey")
    sepia = prop(0.0, fraction, "filter: 0 unchanged to 1 all sepia")
    hue_rotate = prop(0.0, float, "filter: turn every hue by this many degrees")
    invert = prop(0.0, fraction, "filter: 0 unchanged to 1 inverted (0.5 is flat grey)")
    blur = prop(0.0, at_least(0), "a Gaussian blur of the node and its children: its "
                "standard deviation in pixels, as CSS's blur()")
    blend = prop("normal", choice(*BLEND_MODES), "how the node mixes with what is under it: "
                 + ", ".join(BLEND_MODES))
    clip = prop(False, bool, "clip the children to the node's own shape (a Rect's rounded "
                "corners, a Circle, a Path...)")
    mask = prop(None, _mask, "a node whose drawing shows this node: where it is opaque (or "
                "light, see mask_mode) this node shows. It is drawn in this node's "
                "coordinates and is not added to the scene; it animates like any node")
    mask_mode = prop("alpha", choice("alpha", "luminance", "inverted"),
                     "alpha: the mask's opacity; luminance: its lightness; inverted: shows "
                     "where the mask is transparent")
    # In a Layout (see parareel.scene.layout); elsewhere they are refused.
    grow = prop(0.0, float, "in a layout: the share of free room along the main axis it takes")
    shrink = prop(1.0, float, "in a layout: how much it gives up when room is short")
    basis = prop(None, length, 'in a layout: its size along the main axis before growing or '
                 'shrinking (pixels, "N%", None: its own size)')
    margin = prop((0.0,) * 4, edges, "in a layout: room kept around it, as CSS margin")
    align_self = prop(None, optional(choice("start", "center", "end", "stretch", "baseline")),
                      "in a layout: overrides the layout's align for this child")
    min_width = prop(None, length, "in a layout: the smallest width it is given")
    max_width = prop(None, length, "in a layout: the largest width it is given")
    min_height = prop(None, length, "in a layout: the smallest height it is given")
    max_height = prop(None, length, "in a layout: the largest height it is given")
    presence = prop(1.0, float, "in a layout: how much of its room it takes, 0 to 1 (drawn "
                    "scaled by it); tween it to open or close a gap")

    _LAYOUT_ITEM = ("grow", "shrink", "basis", "margin", "align_self", "min_width", "max_width",
                   "min_height", "max_height", "presence")  # in the order layouts read them
    _LAYOUT_ITEM_NAMES = frozenset(_LAYOUT_ITEM)
    EFFECTS = frozenset({"brightness", "contrast", "saturate", "grayscale", "sepia",
                         "hue_rotate", "invert", "blur", "blend", "clip", "mask", "shadow"})
    _sized_by_layout = False  # True: a layout may stretch it (its drawn size is the box's)
    _lays_out = False  # True for a Layout: it places its children
    _extent_is_children = True  # whether its box is its children's (it draws nothing itself)
    _laid: tuple[float, float, float, float] | None = None  # set by the layout's solve
    parent: Node | None = None
    children: list[Node]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._extent_is_children = cls.extent is Node.extent
        cls.__doc__ = f"{inspect.cleandoc(cls.__doc__ or '')}\n\n{property_table(cls)}"

    def __init__(self, *children: Node, **props: Any) -> None:
        object.__setattr__(self, "children", [])
        for name, value in props.items():
            if not isinstance(getattr(type(self), name, None), prop):
                raise TypeError(
                    f"{type(self).__name__} has no property {name!r}; "
                    f"it has: {', '.join(self.property_names())}"
                )
            setattr(self, name, value)
        self.add(*children)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in self._LAYOUT_ITEM_NAMES:
            self._check_layout_item()

    def add(self, *children: Node) -> Any:
        """Add children; returns the child (or the tuple of them)."""
        for child in children:
            if not isinstance(child, Node):
                raise TypeError(f"only nodes can be added, not {child!r}")
            if child.parent is not None:
                child.parent.children.remove(child)
            child.parent = self
            child._laid = None
            self.children.append(child)
            child._check_layout_item()
        return children[0] if len(children) == 1 else children

    def remove(self) -> None:
        """Take the node off the stage (in a layout, its room closes at once: tween
        `presence` to 0 first to close it smoothly)."""
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None
            self._laid = None

    def _check_layout_item(self) -> None:
        if self.parent is None or geometry.laid_out(self):
            return
        for name in self.__dict__.keys() & self._LAYOUT_ITEM_NAMES:  # only set ones have one
            declared = getattr(type(self), name)
            if self.__dict__[name].get() != declared.clean_default():
                raise ValueError(
                    f"{self!r} sets {name} but its parent {type(self.parent).__name__} is not "
                    f"a Layout: {name} only applies to children of a Layout")

    def shown(self) -> bool:
        """Whether the node (and its children) is drawn at this frame, apart from its
        opacity: Captions are not while no cue is on."""
        return True

    # Measuring

    def natural_size(self, width: float | None = None) -> tuple[float, float]:
        """The node's own (width, height), before any layout or transform: for a group,
        the box around its children."""
        left, top, right, bottom = self.extent()
        return (right - left, bottom - top)

    def extent(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of what the node draws, in its own coordinates (before
        its x, y, rotation and scale); a group's is the box around its children."""
        return geometry.bounds_of_children(self)

    def bounds(self) -> Bounds:
        """Where the node is on screen: its box in scene coordinates (origin at the frame's
        centre), after layout and every transform above it, children included.

        Usable in computed properties: box.width(lambda: label.bounds().width + 48)."""
        return geometry.scene_bounds(self)

    def dimensions(self) -> tuple[float, float]:
        """(width, height) as laid out (a layout may stretch it), before transforms."""
        return geometry.laid_size(self)

    def next_to(self, other: Node, direction: str = "right", gap: float = 24.0,
                align: str = "center") -> Node:
        """Keep this node beside `other` (right, left, above or below), `gap` pixels away,
        lined up on `align` (center, start or end): x and y become computed, so it follows
        `other` on every frame. Returns the node."""
        geometry.place_next_to(self, other, direction, gap, align)
        return self

    def outline(self) -> skia.Path:
        """The node's own shape in its own coordinates, as laid out (used by `clip`,
        `progress` and morphs): its box unless it has a shape."""
        return skia.Path.Rect(skia.Rect.MakeLTRB(*geometry.own_box(self)))

    def move_along(self, path: str | Path, seconds: float, ease: Any = "in_out_cubic",
                   turn: bool = False) -> Tween:
        """Tween the node along `path` (SVG path data, or a Path node where it stands) in
        its parent's coordinates; `turn` also turns it with the path's direction. Use it
        like any tween: `yield from dot.move_along(track, 2)`."""
        if isinstance(path, Path):
            walker, dx, dy = PathWalker(path.data()), path.x(), path.y()
        elif isinstance(path, str):
            walker, dx, dy = PathWalker(parse_path(path)), 0.0, 0.0
        else:
            raise ValueError(f"move_along takes SVG path data or a Path node, got {path!r}")
        ease_fn = easing.get(ease)

        def run() -> Tween:
            count = frames_for(seconds)
            for k in range(1, count + 1):
                x, y, direction = walker.at(ease_fn(k / count))
                self.x, self.y = x + dx, y + dy
                if turn:
                    self.rotation = direction
                yield

        made = run()
        note_tween(made)
        return made

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
    """A node with a fill and an outline: stroke, stroke_width, dash, cap and join;
    `progress` draws only the first part of its outline (tween it to draw it on)."""

    fill = prop("white", parse_paint, "a colour (hex, CSS name, rgba(), tuple) or a gradient "
                '(LinearGradient, RadialGradient, ConicGradient); None or "transparent" for '
                "none")
    stroke = prop("transparent", parse_paint, "the outline's colour or gradient")
    stroke_width = prop(0.0, float, "the outline's width in pixels, centred on the edge")
    dash = prop((), lambda v: tuple(float(x) for x in v),
                "lengths of dashes and gaps in pixels, e.g. (12, 6); () for solid")
    cap = prop("butt", choice("butt", "round", "square"), "line ends: butt, round or square")
    join = prop("miter", choice("miter", "round", "bevel"), "corners: miter, round or bevel")
    progress = prop(1.0, float, "the fraction of the outline drawn, 0 to 1, from its start "
                    "(a rectangle's top left, a circle's top), clockwise")


class Rect(Shape):
    """A rectangle centred on (x, y), with rounded corners of `radius`.

    Rect(width=520, height=320, radius=40, fill="#e94f37", x=-700)"""

    width = prop(100.0, float, "pixels")
    height = prop(100.0, float, "pixels")
    radius = prop(0.0, float, "the corners' radius in pixels")
    _sized_by_layout = True

    def extent(self) -> tuple[float, float, float, float]:
        return geometry.centred(self.width(), self.height())

    def outline(self) -> skia.Path:
        return rounded_outline(self)


def rounded_outline(node: Node) -> skia.Path:
    """The node's box with its rounded corners, starting at the top left."""
    box = skia.Rect.MakeLTRB(*geometry.own_box(node))
    r = node.radius()
    return skia.Path.RRect(skia.RRect.MakeRectXY(box, r, r), skia.PathDirection.kCW, 0) \
        if r else skia.Path.Rect(box)


class Ellipse(Shape):
    """An ellipse centred on (x, y): Ellipse(width=200, height=80)."""

    width = prop(100.0, float, "pixels")
    height = prop(100.0, float, "pixels")
    _sized_by_layout = True

    def extent(self) -> tuple[float, float, float, float]:
        return geometry.centred(self.width(), self.height())

    def outline(self) -> skia.Path:
        return skia.Path.Oval(skia.Rect.MakeLTRB(*geometry.own_box(self)),
                              skia.PathDirection.kCW, 0)  # starts at the top


class Circle(Shape):
    """A circle centred on (x, y): Circle(radius=60, fill="#f6f7eb")."""

    radius = prop(50.0, float, "pixels")
    _sized_by_layout = True  # stretched, it is the largest circle its box holds

    def extent(self) -> tuple[float, float, float, float]:
        return geometry.centred(2 * self.radius(), 2 * self.radius())

    def outline(self) -> skia.Path:
        left, top, right, bottom = geometry.own_box(self)
        radius = min(right - left, bottom - top) / 2  # stretched: the largest it holds
        x, y = (left + right) / 2, (top + bottom) / 2
        return skia.Path.Oval(skia.Rect.MakeLTRB(x - radius, y - radius, x + radius, y + radius),
                              skia.PathDirection.kCW, 0)  # starts at the top


class Polyline(Shape):
    """Straight segments through `points`; `progress` in [0, 1] draws only the first part."""

    fill = prop("transparent", parse_paint, "the colour inside (when closed)")
    stroke = prop("white", parse_paint, "the line's colour or gradient")
    stroke_width = prop(4.0, float, "the line's width in pixels")
    points = prop([], point_list, "[(x, y), ...] in pixels, relative to the node")
    closed = prop(False, bool, "join the last point back to the first")

    def extent(self) -> tuple[float, float, float, float]:
        return geometry.points_extent(self.points())

    def outline(self) -> skia.Path:
        return skia.Path.Polygon([skia.Point(x, y) for x, y in self.points()], self.closed())


class Line(Polyline):
    """A straight line from `start` to `end`."""

    def __init__(self, start: tuple[float, float] = (0, 0), end: tuple[float, float] = (100, 0),
                 **props: Any) -> None:
        if "points" in props:
            raise TypeError("a Line goes from `start` to `end`: Line(start=(0, 0), end=(100, 0));"
                            " for more points use Polyline(points=[...])")
        super().__init__(points=[start, end], **props)


def _path_data(value: Any) -> PathData:
    if isinstance(value, PathData):
        return value
    if isinstance(value, Node):  # where it stands: its x, y, rotation and scale count
        path = skia.Path(value.outline())
        x, y, rotation, sx, sy = geometry.placement(value)
        path.transform(skia.Matrix.Translate(x, y).preRotate(rotation).preScale(sx, sy))
        return from_skia(path)
    if isinstance(value, str):
        return parse_path(value)
    raise ValueError(f"expected SVG path data or a shape, got {value!r}")


class Path(Shape):
    """A shape from SVG path data, e.g. Path("M 0 0 L 100 0 L 50 80 Z")."""

    data = prop("", _path_data, "SVG path data (M, L, H, V, C, S, Q, T, A, Z) in pixels, or "
                "a shape whose outline it takes (Circle(radius=80)); tweening it to other data "
                "morphs one shape into the other")

    def __init__(self, data: str | Node = "", **props: Any) -> None:
        super().__init__(data=data, **props)

    def extent(self) -> tuple[float, float, float, float]:
        bounds = to_skia(self.data()).computeTightBounds()
        return (bounds.left(), bounds.top(), bounds.right(), bounds.bottom())

    def outline(self) -> skia.Path:
        return to_skia(self.data())


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

    _sized_by_layout = True

    def __init__(self, src: str, **props: Any) -> None:
        super().__init__(src=src, **props)

    def extent(self) -> tuple[float, float, float, float]:
        from parareel.scene.picture import drawn_size

        return geometry.centred(*drawn_size(self))


__all__ = [
    "ColorLike", "Node", "Group", "Shape", "Rect", "Ellipse", "Circle", "Polyline", "Line",
    "Path", "Image", "Shadow",
]
