"""Layout: CSS flexbox (and grid) on nodes, computed by Taffy through `stretchable`.

    card = scene.add(Layout(direction="column", gap=16, padding=32, fill="#222", radius=24))
    card.add(Text("Title", size=64), Text("A subtitle that wraps", width=600))
    yield from card.gap.to(40, 1.0)          # layout properties tween like any other

A `Layout` is drawn centred on its (x, y), like a Rect, and places its children; a
child's own `x` and `y` then offset it from its place (as CSS's `position: relative`),
so a child can slide into its slot by tweening them to 0. Children take flex-item
properties (`grow`, `shrink`, `basis`, `margin`, `align_self`, `min_width`...) and
`presence` (0 to 1: how much room it takes; tween it to open or close a gap).

The layout is recomputed from the signals whenever it is read (each drawn frame, and
each `bounds()`), so it is a pure function of the frame's state, as exact in chunks
as everything else. Taffy keeps each node between frames and recomputes only what
changed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import stretchable
import stretchable.style as css
from stretchable.style import AUTO, PCT, PT

from parareel.scene.clock import _current
from parareel.scene.color import parse_color
from parareel.scene.geometry import centred, laid_out, laid_size
from parareel.scene.nodes import Node, Shape, _choice, edges, length
from parareel.scene.signal import prop

_DIRECTIONS = {"row": css.FlexDirection.ROW, "column": css.FlexDirection.COLUMN,
               "row-reverse": css.FlexDirection.ROW_REVERSE,
               "column-reverse": css.FlexDirection.COLUMN_REVERSE}
_ALIGN = {"start": css.AlignItems.FLEX_START, "center": css.AlignItems.CENTER,
          "end": css.AlignItems.FLEX_END, "stretch": css.AlignItems.STRETCH,
          "baseline": css.AlignItems.BASELINE}
_JUSTIFY = {"start": css.JustifyContent.FLEX_START, "center": css.JustifyContent.CENTER,
            "end": css.JustifyContent.FLEX_END,
            "space-between": css.JustifyContent.SPACE_BETWEEN,
            "space-around": css.JustifyContent.SPACE_AROUND,
            "space-evenly": css.JustifyContent.SPACE_EVENLY}


def _gap(value: Any) -> tuple[float, float]:
    """(between rows, between columns); one number for both."""
    if isinstance(value, int | float):
        return (float(value), float(value))
    row, column = value
    return (float(row), float(column))


def _columns(value: Any) -> tuple | None:
    """None (flexbox), a count of equal columns, or a list of widths: pixels, "30%" or
    "1fr"."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return ("1fr",) * value
    if isinstance(value, list | tuple) and value:
        return tuple(length(v) if not (isinstance(v, str) and v.endswith("fr")) else v
                     for v in value)
    raise ValueError(f"columns must be a count or a list of widths, got {value!r}")


class Layout(Shape):
    """A box that lays out its children with CSS flexbox (or a grid with `columns`),
    drawn centred on (x, y) with an optional fill, outline and rounded corners.

    Layout(direction="row", gap=24, padding=(16, 32), align="center", fill="#222")
    Without a width or height it is sized by its content; percentages are of the parent
    layout (or of the frame for an outermost one)."""

    fill = prop("transparent", parse_color, "the box's colour (transparent by default)")
    width = prop(None, length, 'pixels, "50%" of the parent, or None: sized by its content')
    height = prop(None, length, 'pixels, "50%" of the parent, or None: sized by its content')
    radius = prop(0.0, float, "the corners' radius in pixels")
    direction = prop("row", _choice(*_DIRECTIONS), "the main axis: row, column, row-reverse "
                     "or column-reverse")
    gap = prop((0.0, 0.0), _gap, "pixels between children: one number, or (rows, columns)")
    padding = prop((0.0,) * 4, edges, "pixels inside the edge: one number, (vertical, "
                   "horizontal) or (top, right, bottom, left), as CSS")
    align = prop("stretch", _choice(*_ALIGN), "children across the main axis (CSS "
                 "align-items): start, center, end, stretch, baseline")
    justify = prop("start", _choice(*_JUSTIFY), "children along the main axis (CSS "
                   "justify-content): start, center, end, space-between, space-around, "
                   "space-evenly")
    wrap = prop(False, bool, "start a new line when children overflow the main axis")
    columns = prop(None, _columns, 'a grid instead of flexbox: a number of equal columns, or '
                   'their widths (pixels, "30%", "1fr"); children fill it row by row')
    sized_by_layout = True
    lays_out = True

    def solve(self) -> None:
        """Place every node of this layout tree for the current state (see `solve`)."""
        solve(self)

    def extent(self) -> tuple[float, float, float, float]:
        """Its box, as its layout (or, outermost, its own content) sizes it."""
        if not laid_out(self):
            solve(self)
            return centred(*self._root_size)
        return centred(*laid_size(self))


# Solving


class LayoutCycleError(RuntimeError):
    pass


_solving: set[int] = set()


def solve(root: Layout) -> None:
    """Lay out `root`'s tree: each child gets `_laid` = (cx, cy, width, height), its box's
    centre relative to its parent's centre, and its size."""
    if id(root) in _solving:
        raise LayoutCycleError(
            f"the layout of {root!r} depends on itself: a property of a node inside it "
            "reads bounds() or dimensions() of a node in the same layout; read natural_size() "
            "instead, or place one of them outside the layout")
    _solving.add(id(root))
    try:
        tree = _sync(root)
        space = css.geometry.length.LengthAvailableSpace
        frame_w, frame_h = _frame_size()  # what percentages of an outermost layout are of
        tree.compute_layout(css.geometry.size.SizeAvailableSpace(
            space.definite(frame_w) if root.width() is not None else space.max_content(),
            space.definite(frame_h) if root.height() is not None else space.max_content()))
    finally:
        _solving.discard(id(root))
    box = tree.get_box()
    object.__setattr__(root, "_root_size", (box.width, box.height))
    _place(root, tree, box.width, box.height)


def _frame_size() -> tuple[float, float]:
    clock = _current.get()
    return clock.size if clock is not None and clock.size[0] else (1920.0, 1080.0)


def _place(layout: Layout, tree: stretchable.Node, width: float, height: float) -> None:
    for child, child_tree in zip(layout.children, tree, strict=True):
        box = child_tree.get_box()
        presence = child.presence()
        cx, cy = box.x + box.width / 2 - width / 2, box.y + box.height / 2 - height / 2
        w, h = (box.width / presence, box.height / presence) if presence > 0 else (0.0, 0.0)
        if not isinstance(child, Layout) and not child.sized_by_layout:
            left, top, right, bottom = child.extent()  # drawn as it is, centred in its box
            cx, cy = cx - (left + right) / 2, cy - (top + bottom) / 2
        object.__setattr__(child, "_laid", (cx, cy, w, h))
        if isinstance(child, Layout):
            _place(child, child_tree, box.width, box.height)


def _gaps_as_margins(layout: Layout) -> bool:
    """A single-line flexbox gives its main-axis gap as margins, so that the gap beside a
    child shrinks with its presence (CSS keeps a gap even beside an empty child)."""
    return not layout.wrap() and layout.columns() is None


def _gap_before(layout: Layout, index: int) -> tuple[float, float, float, float]:
    """The margin that stands for the gap before child `index`: the gap times the smaller
    presence of the two children it separates."""
    if index == 0 or not _gaps_as_margins(layout):
        return (0.0, 0.0, 0.0, 0.0)
    children = layout.children
    row = layout.direction().startswith("row")
    gap = layout.gap()[1 if row else 0] * min(children[index - 1].presence(),
                                              children[index].presence())
    reverse = layout.direction().endswith("reverse")
    if row:
        return (0.0, gap, 0.0, 0.0) if reverse else (0.0, 0.0, 0.0, gap)
    return (0.0, 0.0, gap, 0.0) if reverse else (gap, 0.0, 0.0, 0.0)


def _sync(node: Node, gap: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)) -> stretchable.Node:
    """The node's Taffy node, its style and children brought up to this frame's state."""
    tree = node.__dict__.get("_taffy")
    if tree is None:
        measure = _text_measure(node) if _measures(node) else None
        tree = stretchable.Node(measure=measure)
        object.__setattr__(node, "_taffy", tree)
    key = _style_key(node, gap)
    if node.__dict__.get("_taffy_key") != key:
        tree.style = _style(key)
        object.__setattr__(node, "_taffy_key", key)
        tree.mark_dirty()
    if isinstance(node, Layout):
        wanted = [_sync(child, _gap_before(node, i)) for i, child in enumerate(node.children)]
        if list(tree) != wanted:
            for child in list(tree):
                tree.remove(child)
            for child in wanted:
                if child.parent is not None:
                    child.parent.remove(child)
                tree.append(child)
    return tree


def _measures(node: Node) -> bool:
    from parareel.scene.text import Text

    return isinstance(node, Text)


def _text_measure(node: Node):
    """Taffy asks a text's size for a width it may give: wrapped at it when narrower than
    the text's one line, or the narrowest it can be (its longest word) for min-content."""
    space = css.geometry.length.AvailableSpace

    def measure(_tree, known, available) -> css.geometry.size.SizePoints:
        p = node.presence()
        if not p:
            return css.geometry.size.SizePoints(0.0, 0.0)
        limit = known.width.value if known.width and not math.isnan(known.width.value) \
            else available.width.value if available.width.scale == space.DEFINITE else None
        if available.width.scale == space.MIN_CONTENT and limit is None:
            limit = node.min_content_width() * p
        natural = node.natural_size(None)[0]
        width = None if limit is None or limit / p >= natural else limit / p
        w, h = node.natural_size(width)
        return css.geometry.size.SizePoints(w * p, h * p)

    return measure


def _style_key(node: Node, gap: tuple[float, float, float, float]) -> tuple:
    p = node.presence()
    item = (node.grow(), node.shrink(), _len(node.basis()),
            tuple(m * p + g for m, g in zip(node.margin(), gap, strict=True)),
            node.align_self(),
            _len(node.min_width()), _len(node.max_width()),
            _len(node.min_height()), _len(node.max_height()))
    if isinstance(node, Layout):
        size = (_len(node.width(), p), _len(node.height(), p))
        gap = node.gap()
        if _gaps_as_margins(node):  # the children's margins hold the main-axis gap
            gap = (gap[0], 0.0) if node.direction().startswith("row") else (0.0, gap[1])
        own = (node.direction(), gap, tuple(v * p for v in node.padding()),
               node.align(), node.justify(), node.wrap(), node.columns())
        return ("layout", item, size, own)
    if _measures(node):
        from parareel.scene.shaping import runs, style

        width = node.width()
        content = (runs(node), style(node), node.size()) if width is None else None
        size = (_len(width, p), None if width is None else node.natural_size(width)[1] * p)
        return ("text", item, size, content)
    w, h = node.natural_size()
    return ("leaf", item, (w * p, h * p), None)


def _len(value: Any, factor: float = 1.0) -> Any:
    if isinstance(value, str):
        return value  # a percentage
    return None if value is None else value * factor


@lru_cache(maxsize=4096)  # building a Style is slow (~1 ms); most stay the same
def _style(key: tuple) -> stretchable.Style:
    kind, item, size, own = key
    grow, shrink, basis, margin, align_self, min_w, max_w, min_h, max_h = item
    style: dict[str, Any] = dict(
        flex_grow=grow, flex_shrink=shrink, flex_basis=_css(basis), margin=_rect(margin),
        min_size=(_css(min_w), _css(min_h)), max_size=(_css(max_w), _css(max_h)),
        size=(_css(size[0]), _css(size[1])))
    if align_self is not None:
        style["align_self"] = css.AlignSelf[_ALIGN[align_self].name]
    if kind == "layout":
        direction, gap, padding, align, justify, wrap, columns = own
        style.update(flex_direction=_DIRECTIONS[direction], gap=(gap[1] * PT, gap[0] * PT),
                     padding=_rect(padding), align_items=_ALIGN[align],
                     justify_content=_JUSTIFY[justify],
                     flex_wrap=css.FlexWrap.WRAP if wrap else css.FlexWrap.NO_WRAP)
        if columns is not None:
            style.update(display=css.Display.GRID,
                         grid_template_columns=[_track(c) for c in columns])
    return stretchable.Style(**style)


def _rect(values: tuple[float, ...]) -> tuple:
    top, right, bottom, left = values
    return (top * PT, right * PT, bottom * PT, left * PT)


def _css(value: Any) -> Any:
    if value is None:
        return AUTO
    if isinstance(value, str):
        return float(value[:-1]) * PCT
    return value * PT


def _track(value: Any) -> Any:
    if isinstance(value, str) and value.endswith("fr"):
        return css.GridTrackSize.flex(float(value[:-2]))
    if isinstance(value, str):
        return css.GridTrackSize.percent(float(value[:-1]) / 100)
    return css.GridTrackSize.points(value)


