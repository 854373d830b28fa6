"""Draw a node tree onto a skia canvas: one painter function per node type."""

from __future__ import annotations

from contextvars import ContextVar
from functools import singledispatch

import skia

from parareel.draw.clips import clip_frame, clip_size
from parareel.draw.code import paint_code, paint_math
from parareel.draw.effects import (
    Effects,
    device_scale,
    draw_blurred,
    draw_masked,
    effects_of,
    paint_shadow,
    shader,
)
from parareel.draw.text import paint_text
from parareel.scene.code import Code
from parareel.scene.color import Color
from parareel.scene.geometry import box_in_parent, drawn_box, laid_box, laid_out, own_box, placement
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
from parareel.scene.paint import Paint, alpha, solid
from parareel.scene.picture import fitted, natural_size, picture
from parareel.scene.player import Scene
from parareel.scene.svgpath import trimmed
from parareel.scene.text import Text
from parareel.scene.transition import View
from parareel.scene.video import Video

_CAPS = {"butt": skia.Paint.kButt_Cap, "round": skia.Paint.kRound_Cap,
         "square": skia.Paint.kSquare_Cap}
_JOINS = {"miter": skia.Paint.kMiter_Join, "round": skia.Paint.kRound_Join,
          "bevel": skia.Paint.kBevel_Join}


def draw_scene(canvas: skia.Canvas, scene: Scene, width: int, height: int,
               background: Color) -> None:
    """Clear to the background and draw the scene (with the origin at the frame's centre),
    through its camera; during a transition, the previous scene and this one as it says."""
    canvas.clear(background.to_argb32())
    canvas.save()
    canvas.translate(width / 2, height / 2)
    look = scene.look()
    if look is None:
        _draw_view(canvas, scene)
    else:
        if look.backdrop is not None:
            canvas.drawColor(look.backdrop.to_argb32())
        views = [(scene.previous, look.previous), (scene, look.current)]
        for shown, view in views if look.current_on_top else views[::-1]:
            if shown is not None and view.opacity > 0:
                with shown.drawing():
                    _draw_view(canvas, shown, view, background, width, height)
    canvas.restore()


def _draw_view(canvas: skia.Canvas, scene: Scene, view: View | None = None,
               background: Color | None = None, width: int = 0, height: int = 0) -> None:
    """The scene through its camera; in a transition, moved by `view` over its own
    background."""
    saved = canvas.save()
    if view is not None:
        if view.clip is not None:
            canvas.clipRect(skia.Rect.MakeLTRB(*view.clip), True)
        if view.rotation == 0 and view.scale == 1:  # whole pixels: pictures are copied, not
            x, y = canvas.getTotalMatrix().mapXY(view.x, view.y)  # resampled (9x faster)
            canvas.translate(view.x + round(x) - x, view.y + round(y) - y)
        else:
            canvas.translate(view.x, view.y)
        canvas.rotate(view.rotation)
        canvas.scale(view.scale, view.scale)
        frame = skia.Rect.MakeXYWH(-width / 2, -height / 2, width, height)
        canvas.clipRect(frame, True)  # a scene is a picture the size of the frame
        if view.opacity < 1:
            canvas.saveLayerAlpha(frame, round(view.opacity * 255))
        canvas.drawRect(frame, skia.Paint(Color=background.to_argb32()))
    camera = scene.camera_view()
    if camera is not None:
        x, y, zoom, rotation = camera
        canvas.scale(zoom, zoom)
        canvas.rotate(-rotation)
        canvas.translate(-x, -y)
    draw_node(canvas, scene.root)
    canvas.restoreToCount(saved)


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
    effects = effects_of(node)
    if effects is None:
        _faded(canvas, node, opacity, False)
    else:
        _draw_with_effects(canvas, node, effects, opacity)
    canvas.restore()


def _faded(canvas: skia.Canvas, node: Node, opacity: float, clip: bool) -> None:
    """A translucent group is composited as one layer (only as large as the group); a
    lone node only needs its paint's alpha scaled, which avoids a layer per node."""
    if opacity < 1 and node.children:
        canvas.saveLayerAlpha(skia.Rect.MakeLTRB(*drawn_box(node)).makeOutset(1, 1),
                              round(opacity * 255))
        _content(canvas, node, 1.0, clip)
        canvas.restore()
    else:
        _content(canvas, node, opacity, clip)


def _draw_with_effects(canvas: skia.Canvas, node: Node, effects: Effects,
                       opacity: float) -> None:
    box = drawn_box(node)
    if effects.shadow:
        paint_shadow(canvas, box, effects.shadow, opacity,
                     lambda small: _content(small, node, 1.0, effects.clip))
    if not effects.layered:
        _faded(canvas, node, opacity, effects.clip)
        return
    if _filters_itself(node, effects):  # its colours filtered as drawn: no layer
        token = _FILTER.set(effects.filter)
        try:
            _content(canvas, node, opacity, effects.clip)
        finally:
            _FILTER.reset(token)
        return
    reach = 3 * effects.blur + 1
    bounds = skia.Rect.MakeLTRB(*box).makeOutset(reach, reach)
    if effects.mask is not None and effects.mask_mode != "inverted":  # nothing shows outside
        bounds.intersect(skia.Rect.MakeLTRB(*box_in_parent(effects.mask)).makeOutset(1, 1))
    layer = skia.Paint(Alphaf=opacity, ColorFilter=effects.filter)
    if effects.blend is not None:
        layer.setBlendMode(effects.blend)
    canvas.saveLayer(bounds, layer)
    if effects.blur:
        draw_blurred(canvas, box, effects.blur,
                     lambda c: _content(c, node, 1.0, effects.clip))
    else:
        _content(canvas, node, 1.0, effects.clip)
    if effects.mask is not None:
        draw_masked(canvas, node, effects, bounds, draw_node)
    canvas.restore()


# a picture's colour filter, when it is drawn through its paint rather than a layer
_FILTER: ContextVar[skia.ColorFilter | None] = ContextVar("parareel_filter", default=None)


def _filters_itself(node: Node, effects: Effects) -> bool:
    """A lone picture with colour filters only: filtering its paint gives the layer's
    pixels (the filters leave alpha alone) without a layer's full-size pass (a 1080p
    clip drawn with three filters: 8.3 against 12.7 ms)."""
    return (isinstance(node, Image | Video) and not node.children and effects.filter
            is not None and not (effects.blur or effects.blend or effects.mask))


def _content(canvas: skia.Canvas, node: Node, opacity: float, clip: bool = False) -> None:
    """The node itself, then its children in z order (stable: ties keep their order),
    clipped to the node's shape if asked."""
    paint(node, canvas, opacity)
    if clip and node.children:
        canvas.save()
        canvas.clipPath(node.outline(), True)
    for child in sorted(node.children, key=lambda c: c.z()):
        draw_node(canvas, child)
    if clip and node.children:
        canvas.restore()


@singledispatch
def paint(node: Node, canvas: skia.Canvas, opacity: float) -> None:
    """Draw the node itself (not its children), its alpha scaled by `opacity`."""


_FILL = skia.Paint(AntiAlias=True)
_STROKE = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style)


def _paints(shape: Shape, opacity: float) -> list[skia.Paint]:
    """The fill and stroke paints of a shape (reused objects: creating paints is slow)."""
    paints = []
    fill = shape.fill()
    if alpha(fill) > 0:
        paints.append(_with(_FILL, fill, opacity, shape))
    stroke, width = shape.stroke(), shape.stroke_width()
    if alpha(stroke) > 0 and width > 0:
        _STROKE.setStrokeWidth(width)
        _STROKE.setStrokeCap(_CAPS[shape.cap()])
        _STROKE.setStrokeJoin(_JOINS[shape.join()])
        dash = shape.dash()
        paints.append(_with(_dashed(_STROKE, dash) if dash else _STROKE, stroke, opacity, shape))
    return paints


def _with(target: skia.Paint, paint: Paint, opacity: float, node: Node) -> skia.Paint:
    """`target` set to the colour, or a copy of it with the gradient's shader."""
    target.setColor(solid(paint).to_argb32(opacity))
    if isinstance(paint, Color):
        return target
    # made with its shader: setShader on an existing paint takes ~1 ms here (a copy)
    painted = skia.Paint(AntiAlias=True, Shader=shader(paint, own_box(node)),
                         Color=target.getColor(), Style=target.getStyle(),
                         StrokeWidth=target.getStrokeWidth(), StrokeCap=target.getStrokeCap(),
                         StrokeJoin=target.getStrokeJoin())
    if target.getPathEffect() is not None:
        painted.setPathEffect(target.getPathEffect())
    return painted


def _dashed(stroke: skia.Paint, dash: tuple[float, ...]) -> skia.Paint:
    paint = skia.Paint(stroke)
    paint.setPathEffect(skia.DashPathEffect.Make(list(dash) * (2 if len(dash) % 2 else 1), 0))
    return paint


def _rounded(node: Rect | Layout, canvas: skia.Canvas, opacity: float, w: float,
             h: float) -> None:
    if _drawn_on(node, canvas, opacity):
        return
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
    if _drawn_on(node, canvas, opacity):
        return
    w, h = laid_box(node) or (node.width(), node.height())
    for p in _paints(node, opacity):
        canvas.drawOval(skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h), p)


@paint.register
def _(node: Circle, canvas: skia.Canvas, opacity: float) -> None:
    if _drawn_on(node, canvas, opacity):
        return
    box = laid_box(node)
    radius = min(box) / 2 if box else node.radius()
    for p in _paints(node, opacity):
        canvas.drawCircle(0, 0, radius, p)


def _drawn_on(node: Shape, canvas: skia.Canvas, opacity: float) -> bool:
    """Draw the first `progress` of the shape's outline if it is not whole; say if so."""
    if node.progress() >= 1:
        return False
    _draw_path(node, canvas, node.outline(), node.progress(), opacity)
    return True


def _draw_path(node: Shape, canvas: skia.Canvas, path: skia.Path, progress: float,
               opacity: float) -> None:
    part = trimmed(path, progress)
    if part is not None:
        for p in _paints(node, opacity):
            canvas.drawPath(part, p)


@paint.register
def _(node: Polyline, canvas: skia.Canvas, opacity: float) -> None:
    if len(node.points()) >= 2:
        _draw_path(node, canvas, node.outline(), node.progress(), opacity)


@paint.register
def _(node: Path, canvas: skia.Canvas, opacity: float) -> None:
    _draw_path(node, canvas, node.outline(), node.progress(), opacity)


@paint.register
def _(node: Text, canvas: skia.Canvas, opacity: float) -> None:
    fill = node.fill()
    if isinstance(fill, Color):
        paint_text(node, canvas, opacity, laid_box(node))
        return
    box = skia.Rect.MakeLTRB(*own_box(node))  # white text, then the gradient over it
    canvas.saveLayer(box.makeOutset(node.stroke_width() + 2, node.stroke_width() + 2), None)
    paint_text(node, canvas, opacity, laid_box(node))
    canvas.drawRect(box, skia.Paint(Shader=shader(fill, own_box(node)),
                                    BlendMode=skia.BlendMode.kSrcIn))
    canvas.restore()


@paint.register
def _(node: Image, canvas: skia.Canvas, opacity: float) -> None:
    if node.src() is None:
        return
    image = picture(node.src())
    iw, ih = natural_size(image)
    w, h = laid_box(node) or fitted(node.width(), node.height(), iw, ih)
    if isinstance(image, skia.Picture):  # vector: scale the drawing itself
        matrix = skia.Matrix.Translate(-w / 2, -h / 2).preScale(w / iw, h / ih)
        filtered = _FILTER.get()
        canvas.drawPicture(image, matrix, skia.Paint(Alphaf=opacity, ColorFilter=filtered)
                           if opacity < 1 or filtered else None)
        return
    canvas.drawImageRect(image, skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h),
                         skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear),
                         skia.Paint(AntiAlias=True, Alphaf=opacity, ColorFilter=_FILTER.get()))


@paint.register
def _(node: Video, canvas: skia.Canvas, opacity: float) -> None:
    iw, ih = clip_size(node.src())
    w, h = laid_box(node) or fitted(node.width(), node.height(), iw, ih)
    fit = node.fit()
    sx, sy = w / iw, h / ih
    if fit != "fill":
        sx = sy = max(sx, sy) if fit == "cover" else min(sx, sy)
    device = device_scale(canvas.getTotalMatrix())  # asked at the size it lands: a blit
    size = (max(1, round(iw * sx * device)), max(1, round(ih * sy * device)))
    image = clip_frame(node.src(), node.source_time(node.current_frame()), size)
    box = skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h)
    canvas.save()
    if radius := node.radius():
        canvas.clipRRect(skia.RRect.MakeRectXY(box, radius, radius), True)
    elif fit == "cover":
        canvas.clipRect(box)
    canvas.drawImageRect(image, skia.Rect.MakeXYWH(-iw * sx / 2, -ih * sy / 2, iw * sx, ih * sy),
                         skia.SamplingOptions(skia.FilterMode.kLinear),
                         skia.Paint(Alphaf=opacity, ColorFilter=_FILTER.get()))
    canvas.restore()


paint.register(Code, paint_code)
paint.register(Math, paint_math)
