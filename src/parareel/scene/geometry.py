"""Geometry of the node tree: where a node is drawn, and its box on screen.

Nodes inside a layout are placed by it (`parareel.scene.layout`); the functions here
ask the outermost layout to solve before they read a box, so a bounds() read in the
logic or while drawing sees the frame's state.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from parareel.scene.nodes import Node


class Bounds(NamedTuple):
    """A box in scene coordinates: (x, y) is its top-left corner, y pointing down."""

    x: float
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)

    def anchor(self, name: str) -> tuple[float, float]:
        """A point of the box: center, top, bottom, left, right, top_left, top_right,
        bottom_left, bottom_right."""
        if name not in ANCHORS:
            raise ValueError(f"anchor {name!r} is not one of {', '.join(ANCHORS)}")
        fx, fy = ANCHORS[name]
        return (self.x + self.width * fx, self.y + self.height * fy)


ANCHORS = {"center": (0.5, 0.5), "top": (0.5, 0.0), "bottom": (0.5, 1.0),
           "left": (0.0, 0.5), "right": (1.0, 0.5), "top_left": (0.0, 0.0),
           "top_right": (1.0, 0.0), "bottom_left": (0.0, 1.0), "bottom_right": (1.0, 1.0)}


def laid_out(node: Node) -> bool:
    """Whether a layout places the node (its parent is a Layout)."""
    return node.parent is not None and node.parent._lays_out


def outermost_layout(node: Node) -> Node | None:
    """The outermost Layout whose solve places `node` (itself, if it is one)."""
    top = node if node._lays_out else None
    while laid_out(node):
        node = top = node.parent
    return top


def centred(width: float, height: float) -> tuple[float, float, float, float]:
    return (-width / 2, -height / 2, width / 2, height / 2)


def points_extent(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    if not points:
        return (0.0, 0.0, 0.0, 0.0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


Matrix = tuple[float, float, float, float, float, float]  # x' = a x + c y + e, y' = b x + d y + f
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def placement(node: Node) -> tuple[float, float, float, float, float]:
    """(x, y, rotation, sx, sy) the node is drawn with in its parent: in a layout, its
    box's centre plus its own x and y, scaled by its presence."""
    x, y, (sx, sy) = node.x(), node.y(), node.scale()
    laid = node._laid if laid_out(node) else None
    if laid is not None:
        p = type(node).presence.peek(node)
        return x + laid[0], y + laid[1], node.rotation(), sx * p, sy * p
    return x, y, node.rotation(), sx, sy


def laid_box(node: Node) -> tuple[float, float] | None:
    """The size the node's layout gave it, if it is drawn in one."""
    laid = node._laid if laid_out(node) else None
    return None if laid is None else (laid[2], laid[3])


def laid_size(node: Node) -> tuple[float, float]:
    top = outermost_layout(node)
    if top is not None:
        top.solve()
        if top is node:
            return node._root_size
        return (node._laid[2], node._laid[3])
    return node.natural_size()


def _local(node: Node) -> Matrix:
    x, y, rotation, sx, sy = placement(node)
    cos, sin = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    return (cos * sx, sin * sx, -sin * sy, cos * sy, x, y)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _apply(m: Matrix, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    left, top, right, bottom = box
    xs, ys = [], []
    for px, py in ((left, top), (right, top), (left, bottom), (right, bottom)):
        xs.append(a * px + c * py + e)
        ys.append(b * px + d * py + f)
    return (min(xs), min(ys), max(xs), max(ys))


def _union(boxes: list[tuple[float, ...]]) -> tuple[float, float, float, float]:
    if not boxes:
        return (0.0, 0.0, 0.0, 0.0)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def own_box(node: Node) -> tuple[float, float, float, float]:
    laid = laid_box(node)
    return centred(*laid) if laid and node._sized_by_layout else node.extent()


def bounds_of_children(node: Node) -> tuple[float, float, float, float]:
    return _union([box_in_parent(c) for c in node.children])


def box_in_parent(node: Node) -> tuple[float, float, float, float]:
    """The box around what the node draws, in its parent's coordinates (for a mask: in
    the coordinates of the node it masks)."""
    return _apply(_local(node), drawn_box(node))


def drawn_box(node: Node) -> tuple[float, float, float, float]:
    boxes = [] if node._extent_is_children else [own_box(node)]
    return _union(boxes + [box_in_parent(c) for c in node.children])


def _to_scene(node: Node) -> Matrix:
    """The matrix from the node's parent's coordinates to the scene's, layouts solved."""
    chain = []
    parent = node.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    for ancestor in reversed([node, *chain]):
        if ancestor._lays_out and not laid_out(ancestor):
            ancestor.solve()
    matrix = IDENTITY
    for ancestor in reversed(chain):
        matrix = _multiply(matrix, _local(ancestor))
    return matrix


def scene_bounds(node: Node) -> Bounds:
    matrix = _multiply(_to_scene(node), _local(node))
    left, top, right, bottom = _apply(matrix, drawn_box(node))
    return Bounds(left, top, right - left, bottom - top)


def place_next_to(node: Node, other: Node, direction: str, gap: float, align: str) -> None:
    sides = {"right": (1, 0), "left": (-1, 0), "below": (0, 1), "above": (0, -1)}
    if direction not in sides:
        raise ValueError(f"next_to: direction {direction!r} is not one of {', '.join(sides)}")
    if align not in ("center", "start", "end"):
        raise ValueError(f"next_to: align {align!r} is not one of center, start, end")
    if laid_out(node):
        raise ValueError(f"{node!r} is in a Layout, which places it: next_to needs a node "
                         "outside any layout")
    dx, dy = sides[direction]

    def target() -> tuple[float, float]:
        theirs = other.bounds()
        rotation, (sx, sy) = node.rotation(), node.scale()
        cos, sin = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
        left, top, right, bottom = _apply((cos * sx, sin * sx, -sin * sy, cos * sy, 0, 0),
                                          drawn_box(node))  # the node's box about its origin
        to_scene = _to_scene(node)
        scale = math.hypot(to_scene[0], to_scene[1]) or 1.0
        w, h = (right - left) * scale, (bottom - top) * scale

        def across(low: float, size: float, mine: float) -> float:  # start of my box
            return {"start": low, "end": low + size - mine}.get(align, low + (size - mine) / 2)

        if dx:
            sx_ = theirs.right + gap if dx > 0 else theirs.left - gap - w
            sy_ = across(theirs.top, theirs.height, h)
        else:
            sy_ = theirs.bottom + gap if dy > 0 else theirs.top - gap - h
            sx_ = across(theirs.left, theirs.width, w)
        px, py = _inverse_point(to_scene, sx_, sy_)
        return px - left, py - top

    node.x(lambda: target()[0])
    node.y(lambda: target()[1])


def _inverse_point(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    det = a * d - b * c
    x, y = x - e, y - f
    return ((d * x - c * y) / det, (-b * x + a * y) / det)
