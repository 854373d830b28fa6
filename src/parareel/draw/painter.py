"""Draw a node tree onto a skia canvas: one painter function per node type."""

from __future__ import annotations

import os
import sys
import tempfile
from functools import cache, lru_cache, singledispatch

import skia

from parareel.draw.clips import clip_frame, clip_size
from parareel.errors import AssetError
from parareel.scene.color import Color
from parareel.scene.nodes import (
    FONT_FILES,
    Circle,
    Ellipse,
    Image,
    Node,
    Path,
    Polyline,
    Rect,
    Shape,
    Text,
)
from parareel.scene.video import Video

_CAPS = {"butt": skia.Paint.kButt_Cap, "round": skia.Paint.kRound_Cap,
         "square": skia.Paint.kSquare_Cap}
_HINTING = {"none": skia.FontHinting.kNone, "slight": skia.FontHinting.kSlight,
            "normal": skia.FontHinting.kNormal, "full": skia.FontHinting.kFull}
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
    if opacity <= 0:
        return
    canvas.save()
    canvas.translate(node.x(), node.y())
    if rotation := node.rotation():
        canvas.rotate(rotation)
    sx, sy = node.scale()
    if (sx, sy) != (1.0, 1.0):
        canvas.scale(sx, sy)
    # A translucent group is composited as one layer; a lone node only needs its paint's
    # alpha scaled, which avoids a full-frame layer per node (a large cost at 1080p).
    layered = opacity < 1 and bool(node.children)
    if layered:
        canvas.saveLayerAlpha(None, round(opacity * 255))
    paint(node, canvas, 1.0 if layered else opacity)
    for child in sorted(node.children, key=lambda c: c.z()):  # stable: ties keep their order
        draw_node(canvas, child)
    canvas.restore()
    if layered:
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


@paint.register
def _(node: Rect, canvas: skia.Canvas, opacity: float) -> None:
    w, h, r = node.width(), node.height(), node.radius()
    rrect = skia.RRect.MakeRectXY(skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h), r, r)
    for p in _paints(node, opacity):
        canvas.drawRRect(rrect, p)


@paint.register
def _(node: Ellipse, canvas: skia.Canvas, opacity: float) -> None:
    w, h = node.width(), node.height()
    for p in _paints(node, opacity):
        canvas.drawOval(skia.Rect.MakeXYWH(-w / 2, -h / 2, w, h), p)


@paint.register
def _(node: Circle, canvas: skia.Canvas, opacity: float) -> None:
    for p in _paints(node, opacity):
        canvas.drawCircle(0, 0, node.radius(), p)


def _trimmed(path: skia.Path, progress: float) -> skia.Path | None:
    """The first `progress` of the path's length (for draw-on animations)."""
    if progress >= 1:
        return path
    if progress <= 0:
        return None
    total, measure = 0.0, skia.PathMeasure(path, False)
    while True:  # a path may have several contours
        total += measure.getLength()
        if not measure.nextContour():
            break
    out, remaining, measure = skia.Path(), total * progress, skia.PathMeasure(path, False)
    while remaining > 0:
        length = measure.getLength()
        measure.getSegment(0, min(length, remaining), out, True)
        remaining -= length
        if not measure.nextContour():
            break
    return out


def _draw_path(node: Shape, canvas: skia.Canvas, path: skia.Path, progress: float,
               opacity: float) -> None:
    trimmed = _trimmed(path, progress)
    if trimmed is not None:
        for p in _paints(node, opacity):
            canvas.drawPath(trimmed, p)


@paint.register
def _(node: Polyline, canvas: skia.Canvas, opacity: float) -> None:
    points = node.points()
    if len(points) >= 2:
        path = skia.Path.Polygon([skia.Point(x, y) for x, y in points], node.closed())
        _draw_path(node, canvas, path, node.progress(), opacity)


@paint.register
def _(node: Path, canvas: skia.Canvas, opacity: float) -> None:
    _draw_path(node, canvas, _svg_path(tuple(node.data())), node.progress(), opacity)


@cache
def _svg_path(commands: tuple[tuple, ...]) -> skia.Path:
    path = skia.Path()
    for kind, *args in commands:
        if kind == "M":
            path.moveTo(*args)
        elif kind == "L":
            path.lineTo(*args)
        elif kind == "C":
            path.cubicTo(*args)
        elif kind == "Q":
            path.quadTo(*args)
        elif kind == "A":
            rx, ry, rotation, large, sweep, x, y = args
            path.arcTo(rx, ry, rotation,
                       skia.Path.kLarge_ArcSize if large else skia.Path.kSmall_ArcSize,
                       skia.PathDirection.kCW if sweep else skia.PathDirection.kCCW, x, y)
        else:
            path.close()
    return path


@cache
def _typeface(font: str, weight: int, italic: bool) -> skia.Typeface:
    if font.lower().endswith(FONT_FILES):
        typeface = skia.Typeface.MakeFromFile(font)
        if typeface is None:
            raise AssetError(f"cannot load font file {font!r}: not a font skia reads")
        return typeface
    _start_fontconfig()
    _check_family(font)
    slant = skia.FontStyle.kItalic_Slant if italic else skia.FontStyle.kUpright_Slant
    return skia.Typeface(font, skia.FontStyle(weight, skia.FontStyle.kNormal_Width, slant))


@cache
def _start_fontconfig() -> None:
    """Start fontconfig (skia's first typeface does) without its parser's warnings about
    newer system config files than the bundled fontconfig knows: harmless, and printed
    once by every worker. Other lines it prints are passed on."""
    with tempfile.TemporaryFile() as caught:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            skia.Typeface("sans-serif")
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        for line in caught.read().decode(errors="replace").splitlines():
            if not line.startswith("Fontconfig warning"):
                print(line, file=sys.stderr)


@cache
def _check_family(family: str) -> None:
    """An unknown family would silently become the default one: say so instead."""
    fonts = skia.FontMgr()
    if fonts.matchFamily(family).count() == 0:
        known = sorted({fonts.getFamilyName(i) for i in range(fonts.countFamilies())})
        raise AssetError(f"font family {family!r} is not installed here (installed: "
                         f"{', '.join(known[:8])}{', ...' if len(known) > 8 else ''}); use one "
                         "of those, sans-serif, serif, monospace, or a .ttf/.otf file")


@paint.register
def _(node: Text, canvas: skia.Canvas, opacity: float) -> None:
    font = skia.Font(_typeface(node.font(), node.weight(), node.italic()), node.size())
    font.setEdging(skia.Font.Edging.kAntiAlias if node.antialias() else skia.Font.Edging.kAlias)
    font.setSubpixel(node.subpixel())
    font.setHinting(_HINTING[node.hinting()])
    lines = node.text().split("\n")
    ascent, descent = -font.getMetrics().fAscent, font.getMetrics().fDescent
    step = node.size() * node.line_height()
    block = step * (len(lines) - 1) + ascent + descent
    baseline = -block / 2 + ascent
    paint_ = skia.Paint(AntiAlias=True, Color=node.fill().to_argb32(opacity))
    align = node.align()
    for line in lines:
        width = font.measureText(line)
        x = -width / 2 if align == "center" else -width if align == "right" else 0.0
        canvas.drawString(line, x, baseline, font, paint_)
        baseline += step


def _image(path: str) -> skia.Image | skia.Picture:
    """A raster image, or for SVG a picture (vector) of the drawing at its own size."""
    return _decoded_image(path, os.stat(path).st_mtime_ns)  # a refetched asset is read again


@lru_cache(maxsize=64)
def _decoded_image(path: str, modified: int) -> skia.Image | skia.Picture:
    with open(path, "rb") as f:
        data = f.read()
    if b"<svg" in data[:1024]:
        dom = skia.SVGDOM.MakeFromStream(skia.MemoryStream(data))
        size = dom.containerSize() if dom else None
        if not size or size.width() <= 0 or size.height() <= 0:
            raise AssetError(f"cannot draw SVG {path!r}: it is damaged or has no width and "
                             "height (or viewBox)")
        recorder = skia.PictureRecorder()
        dom.render(recorder.beginRecording(skia.Rect(size.width(), size.height())))
        return recorder.finishRecordingAsPicture()
    image = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(data))
    if image is None:
        raise AssetError(f"cannot decode image {path!r}: the file is damaged or not "
                         "PNG/JPEG/WebP")
    return image


def _natural_size(image: skia.Image | skia.Picture) -> tuple[float, float]:
    if isinstance(image, skia.Picture):
        bounds = image.cullRect()
        return bounds.width(), bounds.height()
    return image.width(), image.height()


def _box(w: float | None, h: float | None, iw: float, ih: float) -> tuple[float, float]:
    """The size a picture of natural size (iw, ih) is drawn at: both given, one given (the
    aspect ratio kept), or none (the natural size)."""
    if w is None and h is None:
        return iw, ih
    if w is None:
        return h * iw / ih, h
    if h is None:
        return w, w * ih / iw
    return w, h


@paint.register
def _(node: Image, canvas: skia.Canvas, opacity: float) -> None:
    if node.src() is None:
        return
    image = _image(node.src())
    iw, ih = _natural_size(image)
    w, h = _box(node.width(), node.height(), iw, ih)
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
    w, h = _box(node.width(), node.height(), iw, ih)
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
