"""Pictures: an image file as skia reads it (raster, or an SVG kept as vectors), its
natural size, and the size a node draws it at. Used to measure (layouts, bounds) and
to draw, so both see the same picture."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

import skia

from parareel.errors import AssetError

if TYPE_CHECKING:
    from parareel.scene.nodes import Image


def picture(path: str) -> skia.Image | skia.Picture:
    """A raster image, or for SVG a picture (vector) of the drawing at its own size."""
    return _decoded(path, os.stat(path).st_mtime_ns)  # a refetched asset is read again


@lru_cache(maxsize=64)
def _decoded(path: str, modified: int) -> skia.Image | skia.Picture:
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


def natural_size(image: skia.Image | skia.Picture) -> tuple[float, float]:
    if isinstance(image, skia.Picture):
        bounds = image.cullRect()
        return bounds.width(), bounds.height()
    return image.width(), image.height()


def fitted(w: float | None, h: float | None, iw: float, ih: float) -> tuple[float, float]:
    """The size a picture of natural size (iw, ih) is drawn at: both given, one given (the
    aspect ratio kept), or none (the natural size)."""
    if w is None and h is None:
        return iw, ih
    if w is None:
        return h * iw / ih, h
    if h is None:
        return w, w * ih / iw
    return w, h


def drawn_size(node: Image) -> tuple[float, float]:
    """The size an Image node is drawn at, before any layout."""
    if node.src() is None:
        return (node.width() or 0.0, node.height() or 0.0)
    return fitted(node.width(), node.height(), *natural_size(picture(node.src())))
