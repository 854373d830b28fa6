"""The frames of a range: replay the logic of earlier frames, then draw the range."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import skia

from parareel.draw.painter import draw_tree
from parareel.errors import ParareelError, SceneError
from parareel.scene.player import play
from parareel.scene.project import Project


class Canvas:
    """An RGBA pixel buffer that skia draws into directly (no copy per frame)."""

    def __init__(self, width: int, height: int) -> None:
        self.pixels = np.zeros((height, width, 4), dtype=np.uint8)
        info = skia.ImageInfo.Make(width, height, skia.kRGBA_8888_ColorType,
                                   skia.kPremul_AlphaType)
        self.surface = skia.Surface.MakeRasterDirect(info, self.pixels, width * 4)
        self.canvas = self.surface.getCanvas()


def render_frames(project: Project, start: int = 0, end: int | None = None,
                  variables: Mapping[str, Any] | None = None) -> Iterator[np.ndarray]:
    """Yield frames [start, end) as RGBA arrays.

    The logic runs only up to `end`: a chunk worker never plays the rest of the
    video. The same buffer is reused for every frame: copy it to keep it.
    """
    if end is None:
        end = project.frame_count(variables)
    if not 0 <= start <= end:
        raise ValueError(f"bad frame range {start}:{end}")
    if start == end:
        return
    target = Canvas(project.width, project.height)
    index = -1
    for index, scene in enumerate(play(project, project.resolve(variables))):  # noqa: B007
        if index >= start:
            try:
                with scene.drawing():
                    draw_tree(target.canvas, scene.root, project.width, project.height,
                              project.background_color)
            except SceneError:
                raise
            except ParareelError as exc:  # a font or an image: it says what, this says where
                raise SceneError(scene.name, index, str(exc)) from exc
            except Exception as exc:  # a computed property can fail while drawing
                raise SceneError(scene.name, index, f"{type(exc).__name__}: {exc}") from exc
            yield target.pixels
            if index + 1 >= end:
                return
    raise ValueError(f"frame range {start}:{end} is outside the video's 0:{index + 1}")


def render_still(project: Project, frame: int,
                 variables: Mapping[str, Any] | None = None) -> np.ndarray:
    """One frame as an RGBA array of its own."""
    for pixels in render_frames(project, frame, frame + 1, variables):
        return pixels.copy()
    raise ValueError(f"frame {frame} is outside the video")
