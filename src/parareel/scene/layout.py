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
from functools import cache, lru_cache
from typing import Any

import skia
import stretchable
import stretchable.style as css

from parareel.scene import taffy
from parareel.scene.clock import _current
from parareel.scene.geometry import centred, laid_out, laid_size
from parareel.scene.nodes import Node, Shape, rounded_outline
from parareel.scene.paint import parse_paint
from parareel.scene.shaping import runs, style
from parareel.scene.signal import prop
from parareel.scene.text import Text
from parareel.scene.values import choice, edges, length

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

    fill = prop("transparent", parse_paint, "the box's colour or gradient (transparent by "
                "default)")
    width = prop(None, length, 'pixels, "50%" of the parent, or None: sized by its content')
    height = prop(None, length, 'pixels, "50%" of the parent, or None: sized by its content')
    radius = prop(0.0, float, "the corners' radius in pixels")
    direction = prop("row", choice(*_DIRECTIONS), "the main axis: row, column, row-reverse "
                     "or column-reverse")
    gap = prop((0.0, 0.0), _gap, "pixels between children: one number, or (rows, columns)")
    padding = prop((0.0,) * 4, edges, "pixels inside the edge: one number, (vertical, "
                   "horizontal) or (top, right, bottom, left), as CSS")
    align = prop("stretch", choice(*_ALIGN), "children across the main axis (CSS "
                 "align-items): start, center, end, stretch, baseline")
    justify = prop("start", choice(*_JUSTIFY), "children along the main axis (CSS "
                   "justify-content): start, center, end, space-between, space-around, "
                   "space-evenly")
    wrap = prop(False, bool, "start a new line when children overflow the main axis")
    columns = prop(None, _columns, 'a grid instead of flexbox: a number of equal columns, or '
                   'their widths (pixels, "30%", "1fr"); children fill it row by row')
    _sized_by_layout = True
    _lays_out = True

    def outline(self) -> skia.Path:
        return rounded_outline(self)

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
    centre relative to its parent's centre, and its size. A tree whose styles and children
    are those of the last solve keeps the places it has."""
    if id(root) in _solving:
        raise LayoutCycleError(
            f"the layout of {root!r} depends on itself: a property of a node inside it "
            "reads bounds() or dimensions() of a node in the same layout; read natural_size() "
            "instead, or place one of them outside the layout")
    _solving.add(id(root))
    try:
        space = (_frame_size(), root.width() is not None, root.height() is not None)
        changed = _sync(root) or root.__dict__.get("_space") != space
        if not changed:
            return
        taffy.compute(root._taffy, *space)
    finally:
        _solving.discard(id(root))
    object.__setattr__(root, "_space", space)
    _, _, width, height = taffy.box(root._taffy)
    object.__setattr__(root, "_root_size", (width, height))
    _place(root, width, height)


def _frame_size() -> tuple[float, float]:
    clock = _current.get()
    return clock.size if clock is not None and clock.size[0] else (1920.0, 1080.0)


def _place(layout: Layout, width: float, height: float) -> None:
    for child in layout.children:
        x, y, w, h = taffy.box(child._taffy)
        presence = Node.presence.peek(child)
        cx, cy = x + w / 2 - width / 2, y + h / 2 - height / 2
        if not isinstance(child, Layout) and not child._sized_by_layout:
            left, top, right, bottom = child.extent()  # drawn as it is, centred in its box
            cx, cy = cx - (left + right) / 2, cy - (top + bottom) / 2
        drawn = (w / presence, h / presence) if presence > 0 else (0.0, 0.0)
        object.__setattr__(child, "_laid", (cx, cy, *drawn))
        if isinstance(child, Layout):
            _place(child, w, h)


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
    gap = layout.gap()[1 if row else 0] * min(Node.presence.peek(children[index - 1]),
                                              Node.presence.peek(children[index]))
    reverse = layout.direction().endswith("reverse")
    if row:
        return (0.0, gap, 0.0, 0.0) if reverse else (0.0, 0.0, 0.0, gap)
    return (0.0, 0.0, gap, 0.0) if reverse else (gap, 0.0, 0.0, 0.0)


def _sync(node: Node, gap: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)) -> bool:
    """Bring the node's Taffy node (style, children) up to this frame's state; whether
    anything changed since the last solve."""
    tree = node.__dict__.get("_taffy")
    changed = tree is None or node._laid is None and laid_out(node)
    if tree is None:
        tree = taffy.Node(_text_measure(node) if _measures(node) else None)
        object.__setattr__(node, "_taffy", tree)
    key = _style_key(node, gap)
    if node.__dict__.get("_taffy_key") != key:
        tree.set_style(taffy_style(key))
        object.__setattr__(node, "_taffy_key", key)
        changed = True
    if isinstance(node, Layout):
        for i, child in enumerate(node.children):
            changed = _sync(child, _gap_before(node, i)) or changed
        changed = tree.set_children([child._taffy for child in node.children]) or changed
    return changed


def _measures(node: Node) -> bool:
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


def _item(node: Node) -> tuple:
    """The node's flex-item properties, the defaults for those never set (read for every
    child on every frame: making a signal for each cost a tenth of a 200-child frame)."""
    values = node.__dict__
    return tuple(values[name].get() if name in values else default
                 for name, default in _item_defaults())


@cache
def _item_defaults() -> tuple[tuple[str, Any], ...]:
    return tuple((name, getattr(Node, name).clean_default()) for name in Node._LAYOUT_ITEM)


NO_GAP = (0.0, 0.0, 0.0, 0.0)
DEFAULT_ITEM = (0.0, 1.0, None, NO_GAP, None, None, None, None, None)  # as _style_key makes


def _style_key(node: Node, gap: tuple[float, float, float, float]) -> tuple:
    if gap == NO_GAP and not node.__dict__.keys() & Node._LAYOUT_ITEM_NAMES:  # most: quick
        item, p = DEFAULT_ITEM, 1.0
    else:
        grow, shrink, basis, margin, align_self, min_w, max_w, min_h, max_h, p = _item(node)
        if p != 1.0 or gap != NO_GAP:
            margin = tuple(m * p + g for m, g in zip(margin, gap, strict=True))
        item = (grow, shrink, _len(basis), margin, align_self, _len(min_w), _len(max_w),
                _len(min_h), _len(max_h))
    if isinstance(node, Layout):
        size = (_len(node.width(), p), _len(node.height(), p))
        gap = node.gap()
        if _gaps_as_margins(node):  # the children's margins hold the main-axis gap
            gap = (gap[0], 0.0) if node.direction().startswith("row") else (0.0, gap[1])
        own = (node.direction(), gap, tuple(v * p for v in node.padding()),
               node.align(), node.justify(), node.wrap(), node.columns())
        return ("layout", item, size, own)
    if _measures(node):
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


@lru_cache(maxsize=4096)
def taffy_style(key: tuple) -> dict:
    """The style Taffy takes for a style key (see `_style_key`)."""
    kind, item, size, own = key
    grow, shrink, basis, margin, align_self, min_w, max_w, min_h, max_h = item
    fields: dict[str, Any] = dict(
        flex_grow=grow, flex_shrink=shrink, flex_basis=_length(basis),
        margin=taffy.rect(*map(taffy.points, margin)),
        min_size=taffy.size(_length(min_w), _length(min_h)),
        max_size=taffy.size(_length(max_w), _length(max_h)),
        size=taffy.size(_length(size[0]), _length(size[1])))
    if align_self is not None:
        fields["align_self"] = css.AlignSelf[_ALIGN[align_self].name]
    if kind == "layout":
        direction, gap, padding, align, justify, wrap, columns = own
        fields.update(flex_direction=_DIRECTIONS[direction],
                      gap=taffy.size(taffy.points(gap[1]), taffy.points(gap[0])),
                      padding=taffy.rect(*map(taffy.points, padding)),
                      align_items=_ALIGN[align], justify_content=_JUSTIFY[justify],
                      flex_wrap=css.FlexWrap.WRAP if wrap else css.FlexWrap.NO_WRAP)
        if columns is not None:
            fields.update(_grid(columns))
    return taffy.style(**fields)


def _length(value: Any) -> dict:
    if value is None:
        return taffy.AUTO
    if isinstance(value, str):
        return taffy.percent(float(value[:-1]))
    return taffy.points(value)


@lru_cache(maxsize=64)
def _grid(columns: tuple) -> dict:
    """Grid fields from stretchable's own conversion (a new grid is rare: its cost is)."""
    grid = stretchable.Style(display=css.Display.GRID,
                             grid_template_columns=[_track(c) for c in columns]).to_dict()
    return {"display": grid["display"], "grid_template_columns": grid["grid_template_columns"]}


def _track(value: Any) -> Any:
    if isinstance(value, str) and value.endswith("fr"):
        return css.GridTrackSize.flex(float(value[:-2]))
    if isinstance(value, str):
        return css.GridTrackSize.percent(float(value[:-1]) / 100)
    return css.GridTrackSize.points(value)
