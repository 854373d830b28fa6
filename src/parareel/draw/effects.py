"""Effects drawn around a node's own painting: gradients, colour filters, blur, blend
modes, masks and drop shadows.

Everything here is computed on the CPU with fixed arithmetic, so frame i is the same
on every worker and in every chunk.

Blur is the costly one: skia's blur takes about 25 ns a pixel here whatever its radius
(53 ms for a 1080p frame), and its scaling up of a small picture about 4 ns a pixel. A
blur is soft, so it is drawn at a reduced size where its sigma is about BLUR_SIGMA
pixels, blurred by OpenCV there and scaled up by OpenCV (about 1 ns a pixel), then
copied 1:1 (bench/effects.py measures the cost and the difference from a full-size
blur). Shadows go the same way with their opacity alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import skia

from parareel.scene.nodes import Node
from parareel.scene.paint import ConicGradient, Gradient, LinearGradient, RadialGradient
from parareel.scene.values import Shadow

BLUR_SIGMA = 3.0  # the largest sigma, in pixels, a blur is computed with before scaling up
SHADOW_SIGMA = 2.0  # a shadow's, softer still
_LINEAR = skia.SamplingOptions(skia.FilterMode.kLinear)
Box = tuple[float, float, float, float]


# Gradients

@lru_cache(maxsize=256)
def shader(gradient: Gradient, box: Box) -> skia.Shader:
    """The gradient laid across `box` (left, top, right, bottom), as CSS lays it.

    skia computes a gradient at about 12 ns a pixel here; a gradient is smooth, so it is
    computed once into a picture of the box (one pixel a unit) and that is sampled: 13x
    faster for a 300x160 card, and the same picture on every frame it does not change."""
    left, top, right, bottom = box
    width, height = math.ceil(right - left), math.ceil(bottom - top)
    if not 0 < width * height <= 16_000_000:
        return _gradient(gradient, box)
    surface = skia.Surface.MakeRaster(_bgra(width, height))
    drawing = surface.getCanvas()
    drawing.translate(-left, -top)
    drawing.drawPaint(skia.Paint(Shader=_gradient(gradient, box)))
    return surface.makeImageSnapshot().makeShader(
        skia.TileMode.kClamp, skia.TileMode.kClamp, _LINEAR, skia.Matrix.Translate(left, top))


def _gradient(gradient: Gradient, box: Box) -> skia.Shader:
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    colors = [c.to_argb32() for c, _ in gradient.stops]
    offsets = [o for _, o in gradient.stops]
    if isinstance(gradient, LinearGradient):
        a = math.radians(gradient.angle)
        dx, dy = math.sin(a), -math.cos(a)  # 0 points up, 90 right
        half = (abs(w * dx) + abs(h * dy)) / 2  # CSS: the corners get the end colours
        cx, cy = left + w / 2, top + h / 2
        ends = [skia.Point(cx - dx * half, cy - dy * half),
                skia.Point(cx + dx * half, cy + dy * half)]
        return skia.GradientShader.MakeLinear(ends, colors, offsets)
    cx, cy = left + gradient.center[0] * w, top + gradient.center[1] * h
    if isinstance(gradient, RadialGradient):
        far = max(math.hypot(x - cx, y - cy) for x in (left, right) for y in (top, bottom))
        return skia.GradientShader.MakeRadial(skia.Point(cx, cy),
                                              max(1e-6, far * gradient.radius), colors, offsets)
    assert isinstance(gradient, ConicGradient)
    turn = skia.Matrix.RotateDeg(gradient.angle - 90, skia.Point(cx, cy))  # skia starts at 3
    return skia.GradientShader.MakeSweep(cx, cy, colors, offsets, localMatrix=turn)


# Colour filters: the matrices of the Filter Effects specification, applied in this order

_LUMA = np.array([0.2126, 0.7152, 0.0722])


def _rgb(matrix: np.ndarray, offset: float = 0.0) -> np.ndarray:
    out = np.eye(5)
    out[:3, :3] = matrix
    out[:3, 4] = offset
    return out


def _brightness(b: float) -> np.ndarray:
    return _rgb(np.eye(3) * b)


def _contrast(c: float) -> np.ndarray:
    return _rgb(np.eye(3) * c, 0.5 - 0.5 * c)


def _grayscale(g: float) -> np.ndarray:
    return _rgb((1 - g) * np.eye(3) + g * np.tile(_LUMA, (3, 1)))


def _sepia(s: float) -> np.ndarray:
    tone = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return _rgb((1 - s) * np.eye(3) + s * tone)


def _saturate(s: float) -> np.ndarray:
    grey = np.tile([0.213, 0.715, 0.072], (3, 1))
    return _rgb(grey + s * (np.eye(3) - grey))


def _hue_rotate(degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    grey = np.tile([0.213, 0.715, 0.072], (3, 1))
    turn = np.array([[-0.213, -0.715, 0.928], [0.143, 0.140, -0.283], [-0.787, 0.715, 0.072]])
    return _rgb(grey + c * (np.eye(3) - grey) + s * turn)


def _invert(i: float) -> np.ndarray:
    return _rgb(np.eye(3) * (1 - 2 * i), i)


FILTERS = (("brightness", 1.0, _brightness), ("contrast", 1.0, _contrast),
           ("grayscale", 0.0, _grayscale), ("sepia", 0.0, _sepia),
           ("saturate", 1.0, _saturate), ("hue_rotate", 0.0, _hue_rotate),
           ("invert", 0.0, _invert))


@lru_cache(maxsize=512)
def color_filter(values: tuple[float, ...]) -> skia.ColorFilter | None:
    """One matrix for the filters' values (in FILTERS' order); None if they change nothing."""
    matrix = np.eye(5)
    for (_, neutral, make), value in zip(FILTERS, values, strict=True):
        if value != neutral:
            matrix = make(value) @ matrix
    if np.array_equal(matrix, np.eye(5)):
        return None
    return skia.ColorFilters.Matrix([float(v) for v in matrix[:4].ravel()])


# What a node asks for

BLEND_MODES = {name: getattr(skia.BlendMode, "k" + name.title().replace("_", ""))
               for name in ("multiply", "screen", "overlay", "darken", "lighten", "color_dodge",
                            "color_burn", "hard_light", "soft_light", "difference", "exclusion",
                            "hue", "saturation", "color", "luminosity", "plus")}


@dataclass(frozen=True)
class Effects:
    """The effects a node has at this frame (only those that change something)."""

    shadow: Shadow | None
    filter: skia.ColorFilter | None
    blur: float
    blend: skia.BlendMode | None
    clip: bool
    mask: Node | None
    mask_mode: str

    @property
    def layered(self) -> bool:
        """Whether the node is drawn into a layer of its own and composited."""
        return bool(self.filter or self.blur or self.blend or self.mask)


def effects_of(node: Node) -> Effects | None:
    """The node's effects, or None when it has none (the common case, decided without
    making a signal for each effect property)."""
    if node.__dict__.keys().isdisjoint(Node.EFFECTS):
        return None
    peek = {name: getattr(type(node), name).peek(node) for name in Node.EFFECTS}
    found = Effects(peek["shadow"],
                    color_filter(tuple(peek[name] for name, _, _ in FILTERS)),
                    peek["blur"], BLEND_MODES.get(peek["blend"]), peek["clip"], peek["mask"],
                    type(node).mask_mode.peek(node))
    if not (found.shadow or found.layered or found.clip):
        return None
    return found


# Blur and shadows

def draw_blurred(canvas: skia.Canvas, box: Box, sigma: float,
                 content: Callable[[skia.Canvas], None]) -> None:
    """Draw what `content` draws inside `box` (local coordinates), blurred by `sigma`
    local pixels."""
    found = _blurred(canvas, box, sigma, content, BLUR_SIGMA, alpha_only=False)
    if found is not None:
        _put(canvas, *found)


def paint_shadow(canvas: skia.Canvas, box: Box, shadow: Shadow, opacity: float,
                 content: Callable[[skia.Canvas], None]) -> None:
    """Draw the shadow of what `content` draws inside `box` (local coordinates): its
    opacity blurred, offset and tinted."""
    canvas.save()
    canvas.translate(shadow.x, shadow.y)
    found = _blurred(canvas, box, shadow.blur / 2, content, SHADOW_SIGMA, alpha_only=True)
    canvas.restore()  # a CSS blur radius is twice the Gaussian's sigma
    if found is not None:
        alpha, left, top = found
        # skia tints an A8 picture at 18 ns a pixel, numpy's table lookup at 9: OpenCV's <1
        tinted = cv2.merge([cv2.LUT(alpha, lut) for lut in _tints(shadow.color.to_argb32(
            opacity))])
        _put(canvas, tinted, left, top)


def _put(canvas: skia.Canvas, pixels: np.ndarray, left: int, top: int) -> None:
    """Draw premultiplied BGRA pixels 1:1 at device pixel (left, top)."""
    image = skia.Image.fromarray(pixels, colorType=skia.kBGRA_8888_ColorType,
                                 alphaType=skia.kPremul_AlphaType, copy=False)
    canvas.save()
    canvas.resetMatrix()
    canvas.drawImage(image, left, top)
    canvas.restore()


@lru_cache(maxsize=64)
def _tints(argb: int) -> list[np.ndarray]:
    """For each premultiplied channel (B, G, R, A) of the colour `argb`, its value at each
    coverage 0-255."""
    a, r, g, b = (argb >> 24) & 255, (argb >> 16) & 255, (argb >> 8) & 255, argb & 255
    coverage = np.arange(256) / 255 * (a / 255)
    return [np.round(coverage * channel).astype(np.uint8) for channel in (b, g, r, 255)]


def _blurred(canvas: skia.Canvas, box: Box, sigma: float,
             content: Callable[[skia.Canvas], None], small_sigma: float,
             alpha_only: bool) -> tuple[np.ndarray, int, int] | None:
    """What `content` draws, blurred, in device pixels, with where it goes: drawn at a
    reduced size where the sigma is at most `small_sigma`, blurred, scaled back up."""
    matrix = canvas.getTotalMatrix()
    device_sigma = sigma * device_scale(matrix)
    reach = math.ceil(3 * device_sigma)
    area = matrix.mapRect(skia.Rect.MakeLTRB(*box)).makeOutset(reach, reach).roundOut()
    if not area.intersect(canvas.getDeviceClipBounds().makeOutset(reach, reach)):
        return None
    k = max(1, int(device_sigma / small_sigma))  # whole pixels: the picture lines up
    width, height = -(-area.width() // k), -(-area.height() // k)
    pixels = np.zeros((height, width, 4), np.uint8)
    small = skia.Surface.MakeRasterDirect(_bgra(width, height), pixels, width * 4)
    drawing = small.getCanvas()
    drawing.scale(1 / k, 1 / k)
    drawing.translate(-area.left(), -area.top())
    drawing.concat(matrix)
    content(drawing)
    del drawing, small  # the pixels are read below
    if alpha_only:
        pixels = np.ascontiguousarray(pixels[..., 3])
    if device_sigma >= 0.1:
        pixels = cv2.GaussianBlur(pixels, (0, 0), device_sigma / k,
                                  borderType=cv2.BORDER_CONSTANT)
    if k > 1:
        pixels = cv2.resize(pixels, (width * k, height * k), interpolation=cv2.INTER_LINEAR)
    return pixels, area.left(), area.top()


def _bgra(width: int, height: int) -> skia.ImageInfo:
    """skia's fast pixel order here (its N32 constant in Python says RGBA: not used)."""
    return skia.ImageInfo.Make(width, height, skia.kBGRA_8888_ColorType, skia.kPremul_AlphaType)


def device_scale(matrix: skia.Matrix) -> float:
    """How many device pixels a local unit spans (the geometric mean of the axes)."""
    return math.sqrt(abs(matrix.getScaleX() * matrix.getScaleY() -
                         matrix.getSkewX() * matrix.getSkewY())) or 1.0


# Masks

_LUMA_FILTER = skia.LumaColorFilter.Make()
_drawing_masks: set[int] = set()  # the masks being drawn: one met again is a cycle


def draw_masked(canvas: skia.Canvas, node: Node, effects: Effects, bounds: skia.Rect,
                draw_node: Callable[[skia.Canvas, Node], None]) -> None:
    """Keep what is drawn in the current layer only where `effects.mask` shows it."""
    mask = effects.mask
    if id(mask) in _drawing_masks:
        raise ValueError(f"{type(node).__name__}.mask: a mask cycle: {mask!r} draws "
                         f"{node!r}, which it masks; a mask must not contain its own node")
    paint = skia.Paint(BlendMode=skia.BlendMode.kDstOut if effects.mask_mode == "inverted"
                       else skia.BlendMode.kDstIn)
    if effects.mask_mode == "luminance":
        paint.setColorFilter(_LUMA_FILTER)
    _drawing_masks.add(id(mask))
    try:
        canvas.saveLayer(bounds, paint)
        draw_node(canvas, mask)
        canvas.restore()
    finally:
        _drawing_masks.discard(id(mask))
