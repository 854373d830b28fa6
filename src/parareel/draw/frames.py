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
    """An RGBA pixel buffer that skia draws into directly (no copy per frame).

    `scale` draws the project's coordinates larger or smaller (the size is rounded
    to even numbers, as video needs). A transparent project's pixels are handed out
    with straight alpha, as files store them (skia draws premultiplied).
    """

    def __init__(self, project: Project, scale: float = 1.0) -> None:
        self.project = project
        self.width, self.height = output_size(project, scale)
        self.pixels = np.zeros((self.height, self.width, 4), dtype=np.uint8)
        info = skia.ImageInfo.Make(self.width, self.height, skia.kRGBA_8888_ColorType,
                                   skia.kPremul_AlphaType)
        self.surface = skia.Surface.MakeRasterDirect(info, self.pixels, self.width * 4)
        self.canvas = self.surface.getCanvas()
        self.straight = None
        if project.background_color.a < 1:
            self.straight = np.zeros_like(self.pixels)
            self._straight_info = info.makeAlphaType(skia.kUnpremul_AlphaType)

    def draw(self, root) -> np.ndarray:
        project = self.project
        self.canvas.save()
        self.canvas.scale(self.width / project.width, self.height / project.height)
        draw_tree(self.canvas, root, project.width, project.height, project.background_color)
        self.canvas.restore()
        if self.straight is None:
            return self.pixels
        self.surface.readPixels(self._straight_info, self.straight, self.width * 4)
        return self.straight


def output_size(project: Project, scale: float = 1.0) -> tuple[int, int]:
    """The size frames are drawn at: the project's, scaled, in even numbers."""
    return (max(2, round(project.width * scale / 2) * 2),
            max(2, round(project.height * scale / 2) * 2))


def render_frames(project: Project, start: int = 0, end: int | None = None,
                  variables: Mapping[str, Any] | None = None,
                  scale: float = 1.0) -> Iterator[np.ndarray]:
    """Yield frames [start, end) as RGBA arrays.

    The logic runs only up to `end`: a chunk worker never plays the rest of the
    video. The same buffer is reused for every frame: copy it to keep it.
    """
    if end is None:
        end = project.frame_count(variables)
    if not 0 <= start <= end:
        raise ValueError(f"bad frame range {start}:{end}")
    yield from draw_frames(project, range(start, end), variables, scale)


def draw_frames(project: Project, wanted: range | list[int],
                variables: Mapping[str, Any] | None = None,
                scale: float = 1.0) -> Iterator[np.ndarray]:
    """Yield the frames numbered in `wanted` (ascending), playing the logic once."""
    if not wanted:
        return
    wanted_set, last = set(wanted), wanted[-1]
    target = Canvas(project, scale)
    index = -1
    for index, scene in enumerate(play(project, project.resolve(variables))):  # noqa: B007
        if index in wanted_set:
            try:
                with scene.drawing():
                    pixels = target.draw(scene.root)
            except SceneError:
                raise
            except ParareelError as exc:  # a font or an image: it says what, this says where
                raise SceneError(scene.name, index, str(exc)) from exc
            except Exception as exc:  # a computed property can fail while drawing
                raise SceneError(scene.name, index, f"{type(exc).__name__}: {exc}") from exc
            yield pixels
            if index >= last:
                return
    raise ValueError(f"frame {last} is outside the video's 0:{index + 1}")


def render_still(project: Project, frame: int, variables: Mapping[str, Any] | None = None,
                 scale: float = 1.0) -> np.ndarray:
    """One frame as an RGBA array of its own."""
    for pixels in render_frames(project, frame, frame + 1, variables, scale):
        return pixels.copy()
    raise ValueError(f"frame {frame} is outside the video")
