"""Effects drawn around a node's own painting: its drop shadow.

skia's blur costs about 25 ns a pixel here whatever its radius (53 ms for a 1080p
frame, 20 ms for a 1300x600 card: bench/layout.py's title card). A shadow is soft, so it
is drawn at a reduced size with the blur scaled down alike, then scaled up: about 1 ms
for that card's shadow, and the same at every worker (all of it is computed on the CPU).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import skia

from parareel.scene.nodes import Shadow

SHADOW_SIGMA = 2.0  # the blur, in pixels of the reduced picture, that it is drawn with
_LINEAR = skia.SamplingOptions(skia.FilterMode.kLinear)


def paint_shadow(canvas: skia.Canvas, box: tuple[float, float, float, float], shadow: Shadow,
                 opacity: float, content: Callable[[skia.Canvas], None]) -> None:
    """Draw the shadow of what `content` draws inside `box` (local coordinates)."""
    sigma = shadow.blur / 2  # a CSS blur radius is twice the Gaussian's sigma
    matrix = canvas.getTotalMatrix()
    device = math.sqrt(abs(matrix.getScaleX() * matrix.getScaleY() -
                           matrix.getSkewX() * matrix.getSkewY())) or 1.0
    reduce = min(1.0, max(1 / 8, SHADOW_SIGMA / max(sigma * device, 1e-9)))
    scale = device * reduce  # pixels of the reduced picture per local unit
    pad = 3 * sigma + 1 / scale
    left, top, right, bottom = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    width, height = math.ceil((right - left) * scale), math.ceil((bottom - top) * scale)
    if width <= 0 or height <= 0 or width * height > 64_000_000:
        return
    picture = skia.Surface(width, height)
    small = picture.getCanvas()
    small.scale(scale, scale)
    small.translate(-left, -top)
    content(small)
    blurred = skia.Surface(width, height)
    tint = skia.ImageFilters.ColorFilter(
        skia.ColorFilters.Blend(shadow.color.to_argb32(), skia.BlendMode.kSrcIn),
        skia.ImageFilters.Blur(sigma * scale, sigma * scale))
    blurred.getCanvas().drawImage(picture.makeImageSnapshot(), 0, 0, _LINEAR,
                                  skia.Paint(ImageFilter=tint))
    canvas.drawImageRect(blurred.makeImageSnapshot(),
                         skia.Rect.MakeLTRB(left + shadow.x, top + shadow.y, right + shadow.x,
                                            bottom + shadow.y), _LINEAR,
                         skia.Paint(AntiAlias=True, Alphaf=opacity))
