"""Draw a node tree onto a skia canvas: one painter function per node type."""

from __future__ import annotations

from functools import singledispatch

import skia

from parareel.draw.clips import clip_frame, clip_size
from parareel.draw.code import paint_code, paint_math
from parareel.draw.effects import paint_shadow
from parareel.draw.text import paint_text
from parareel.scene.code import Code
from parareel.scene.color import Color
from parareel.scene.geometry import drawn_box, laid_box, laid_out, placement
from parareel.scene.layout import Layout, solve
from parareel.scene.math import Math
from parareel.scene.nodes import (
    Circle,
    Ellipse,
    Image,
    Node,
    Path,
    Polyline,
    Rect,
    Shape,
)
from parareel.scene.picture import fitted, natural_size, picture
from parareel.scene.svgpath import to_skia, trimmed
from parareel.scene.text import Text
from parareel.scene.video import Video

_CAPS = {"butt": skia.Paint.kButt_Cap, "round": skia.Paint.kRound_Cap,
         "square": skia.Paint.kSquare_Cap}
_JOINS = {"miter": skia.Paint.kMiter_Join, "round": skia.Paint.kRound_Join,
          "bevel": skia.Paint.kBevel_Join}


def draw_tree(canvas: skia.Canvas, root: Node, width: int, height: int, background: Color) -> None:
    """Clear to the background and draw `root` with the origin at the frame's centre."""
    canvas.clear(background.to_argb32())
    canvas.save()
    canvas.translate(width / 2, height / 2)
    draw_node(canvas, root)
    canvas.restore()


def draw_node(canvas: skia.Canvas, node: Node) -> None:
    opacity = node.opacity()
    if opacity <= 0 or not node.shown():
        return
    if isinstance(node, Layout) and not laid_out(node):
        solve(node)  # places every node of this layout tree for this frame
    x, y, rotation, sx, sy = placement(node)
    canvas.save()
    canvas.translate(x, y)
    if rotation:
        canvas.rotate(rotation)
    if (sx, sy) != (1.0, 1.0):
        canvas.scale(sx, sy)
    # A translucent group is composited as one layer (only as large as the group); a
    # lone node only needs its paint's alpha scaled, which avoids a layer per node.
    layered = opacity < 1 and bool(node.children)
    shadow = node.shadow()
    box = drawn_box(node) if layered or shadow else None
    if shadow:
        paint_shadow(canvas, box, shadow, opacity, lambda small: _content(small, node, 1.0))
    if layered:
        canvas.saveLayerAlpha(skia.Rect.MakeLTRB(*box).makeOutset(1, 1), round(opacity * 255))
    _content(canvas, node, 1.0 if layered else opacity)
    if layered:
        canvas.restore()
    canvas.restore()


def _content(canvas: skia.Canvas, node: Node, opacity: float) -> None:
    """The node itself, then its children in z order (stable: ties keep their order)."""
    paint(node, canvas, opacity)
    for child in sorted(node.children, key=lambda c: c.z()):
        draw_node(canvas, child)


@singledispatch
def paint(node: Node, canvas: skia.Canvas, opacity: float) -> None:
    """Draw the node itself (not its children), its alpha scaled by `opacity`."""


_FILL = skia.Paint(AntiAlias=True)
_STROKE = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style)


def _paints(shape: Shape, opacity: float) -> list[skia.Paint]:
    """The fill and stroke paints of a shape (reused objects: creating paints is slow)."""
    paints = []
    fill = shape.fill()
    if fill.a > 0:
        _FILL.setColor(fill.to_argb32(opacity))
        paints.append(_FILL)
    stroke, width = shape.stroke(), shape.stroke_width()
    if stroke.a > 0 and width > 0:
        _STROKE.setColor(stroke.to_argb32(opacity))
        _STROKE.setStrokeWidth(width)
        _STROKE.setStrokeCap(_CAPS[shape.cap()])
        _STROKE.setStrokeJoin(_JOINS[shape.join()])
        dash = shape.dash()
        paints.append(_dashed(_STROKE, dash) if dash else _STROKE)
    return paints


def _dashed(stroke: skia.Paint, dash: tuple[float, ...]) -> skia.Paint:
    paint = skia.Paint(stroke)
    paint.setPathEffect(skia.DashPathEffect.Make(list(dash) * (2 if len(dash) % 2 else 1), 0))
    return paint


def _rounded(node: Rect | Layout, canvas: skia.Canvas, opacity: float, w: float,
             h: float) -> None:
    r = node.radius()
    rrect = skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h), r, r)
    for p in _paints(node, opacity):
        canvas.drawRRect(rrect, p)


@paint.register
def _(node: Rect, canvas: skia.Canvas, opacity: float) -> None:
    _rounded(node, canvas, opacity, *(laid_box(node) or (node.width(), node.height())))


@paint.register
def _(node: Layout, canvas: skia.Canvas, opacity: float) -> None:
    _rounded(node, canvas, opacity, *(laid_box(node) or node._root_size))  # solved: drawn


@paint.register
def _(node: Ellipse, canvas: skia.Canvas, opacity: float) -> None:
    w, h = laid_box(node) or (node.width(), node.height())
    for p in _paints(node, opacity):
        canvas.drawOval(skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h), p)


@paint.register
def _(node: Circle, canvas: skia.Canvas, opacity: float) -> None:
    box = laid_box(node)
    radius = min(box) / 2 if box else node.radius()
    for p in _paints(node, opacity):
        canvas.drawCircle(0, 0, radius, p)


def _draw_path(node: Shape, canvas: skia.Canvas, path: skia.Path, progress: float,
               opacity: float) -> None:
    part = trimmed(path, progress)
    if part is not None:
        for p in _paints(node, opacity):
            canvas.drawPath(part, p)


@paint.register
def _(node: Polyline, canvas: skia.Canvas, opacity: float) -> None:
    points = node.points()
    if len(points) >= 2:
        path = skia.Path.Polygon([skia.Point(x, y) for x, y in points], node.closed())
        _draw_path(node, canvas, path, node.progress(), opacity)


@paint.register
def _(node: Path, canvas: skia.Canvas, opacity: float) -> None:
    _draw_path(node, canvas, to_skia(tuple(node.data())), node.progress(), opacity)


@paint.register
def _(node: Text, canvas: skia.Canvas, opacity: float) -> None:
    paint_text(node, canvas, opacity, laid_box(node))


@paint.register
def _(node: Image, canvas: skia.Canvas, opacity: float) -> None:
    if node.src() is None:
        return
    image = picture(node.src())
    iw, ih = natural_size(image)
    w, h = laid_box(node) or fitted(node.width(), node.height(), iw, ih)
    if isinstance(image, skia.Picture):  # vector: scale the drawing itself
        matrix = skia.Matrix.Translate(-w / 2, -h / 2).preScale(w / iw, h / ih)
        canvas.drawPicture(image, matrix, skia.Paint(Alphaf=opacity) if opacity < 1 else None)
        return
    canvas.drawImageRect(image, skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h),
                         skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear),
                         skia.Paint(AntiAlias=True, Alphaf=opacity))


@paint.register
def _(node: Video, canvas: skia.Canvas, opacity: float) -> None:
    iw, ih = clip_size(node.src())
    w, h = laid_box(node) or fitted(node.width(), node.height(), iw, ih)
    fit = node.fit()
    sx, sy = w / iw, h / ih
    if fit != "fill":
        sx = sy = max(sx, sy) if fit == "cover" else min(sx, sy)
    size = (max(1, round(iw * sx)), max(1, round(ih * sy)))  # FFmpeg scales; skia blits
    image = clip_frame(node.src(), node.source_time(node.current_frame()), size)
    box = skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h)
    canvas.save()
    if radius := node.radius():
        canvas.clipRRect(skia.RRect.MakeRectXY(box, radius, radius), True)
    elif fit == "cover":
        canvas.clipRect(box)
    canvas.drawImageRect(image, skia.Rect.MakeXYWH(-size[0] / 2, -size[1] / 2, *size),
                         skia.SamplingOptions(skia.FilterMode.kLinear),
                         skia.Paint(Alphaf=opacity))
    canvas.restore()


paint.register(Code, paint_code)
paint.register(Math, paint_math)
