"""A thin, fast path to Taffy through the `stretchable` package's bindings.

stretchable's Python layer costs about 1 ms to build a Style and reads every box back
after each computation (bench/layout.py measured its per-frame overhead at a quarter of
a 1080p frame for 200 animated children). Layouts change every frame, so parareel sets
styles as the dictionaries Taffy's binding takes and reads only the boxes it draws.
Nodes, children and measure callbacks are still stretchable's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import stretchable
import stretchable.node as _node
from stretchable import taffylib
from stretchable.context import taffy as _taffy
from stretchable.style.geometry.length import LengthAvailableSpace
from stretchable.style.geometry.size import SizeAvailableSpace

_layout = taffylib.PyLayout()  # read into, one box at a time


class Node:
    """One Taffy node: its style, its children, and (for text) how it measures."""

    __slots__ = ("node",)

    def __init__(self, measure: Callable | None = None) -> None:
        # one default Style shared: stretchable builds a new one (~1 ms) when given none
        self.node = stretchable.Node(measure=measure, style=_default_style())

    def set_style(self, style: dict) -> None:
        taffylib.node_set_style(_taffy._ptr, self.node._node_id, style)

    def set_children(self, children: list[Node]) -> bool:
        """Make `children` this node's children; whether they changed."""
        wanted = [child.node for child in children]
        if list(self.node) == wanted:
            return False
        for child in list(self.node):
            self.node.remove(child)
        for child in wanted:
            if child.parent is not None:
                child.parent.remove(child)
            self.node.append(child)
        return True


def compute(root: Node, frame: tuple[float, float], fixed_width: bool,
            fixed_height: bool) -> None:
    """Lay out the tree: a fixed side against the frame (what percentages are of), a free
    one at its content's size."""
    space = _space(frame, fixed_width, fixed_height)
    ok = taffylib.node_compute_layout_with_measure(
        _taffy._ptr, root.node._node_id, space,
        lambda kw, kh, aw, ah, context: _node._measure_callback(_node._node_refs, kw, kh, aw,
                                                                 ah, context))
    if not ok:
        raise RuntimeError("Taffy could not compute the layout")


@cache
def _space(frame: tuple[float, float], fixed_width: bool, fixed_height: bool) -> dict:
    width, height = frame
    return SizeAvailableSpace(
        LengthAvailableSpace.definite(width) if fixed_width else LengthAvailableSpace.max_content(),
        LengthAvailableSpace.definite(height) if fixed_height else
        LengthAvailableSpace.max_content()).to_dict()


def box(node: Node) -> tuple[float, float, float, float]:
    """(x, y, width, height) of the node's border box, relative to its parent's."""
    taffylib.node_get_layout(_taffy._ptr, node.node._node_id, _layout)
    return _layout.x, _layout.y, _layout.width, _layout.height


# Styles as Taffy's binding takes them

AUTO = {"dim": 0, "value": math.nan}


def points(value: float) -> dict:
    return {"dim": 1, "value": value}


def percent(value: float) -> dict:
    return {"dim": 2, "value": value / 100}


def rect(top: dict, right: dict, bottom: dict, left: dict) -> dict:
    return {"top": top, "right": right, "bottom": bottom, "left": left}


def size(width: dict, height: dict) -> dict:
    return {"width": width, "height": height}


@cache
def _default_style() -> stretchable.Style:
    return stretchable.Style()


@cache
def defaults() -> dict:
    """Every field of a style, at CSS's initial values."""
    return _default_style().to_dict()


def style(**fields: Any) -> dict:
    """A style: the defaults with `fields` replaced."""
    unknown = set(fields) - set(defaults())
    if unknown:
        raise KeyError(f"not a Taffy style field: {sorted(unknown)}")
    return {**defaults(), **fields}
