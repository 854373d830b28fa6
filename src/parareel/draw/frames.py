"""The frames of a range: replay the logic of earlier frames, then draw the range."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import cv2
import numpy as np
import skia

from parareel.draw.fingerprint import frame_print
from parareel.draw.painter import draw_scene
from parareel.errors import ParareelError, SceneError
from parareel.scene.player import Scene, play
from parareel.scene.project import Project


class Canvas:
    """A pixel buffer that skia draws into directly, handed out as RGBA (or as it is).

    skia draws in BGRA, its native order on this platform: scaling an image into an
    RGBA surface takes it off its fast path (a 480x270 picture scaled to 1080p: 64 ms
    in RGBA, 7 ms in BGRA). One swap at the end costs under 1 ms at 1080p; a video
    encoder converting to YUV itself takes the BGRA pixels and saves it.

    `scale` draws the project's coordinates larger or smaller (the size is rounded
    to even numbers, as video needs). A transparent project's pixels are handed out
    with straight alpha, as files store them (skia draws premultiplied).
    """

    def __init__(self, project: Project, scale: float = 1.0) -> None:
        self.project = project
        self.width, self.height = output_size(project, scale)
        self.bgra = np.zeros((self.height, self.width, 4), dtype=np.uint8)
        self.pixels = np.zeros_like(self.bgra)
        info = skia.ImageInfo.Make(self.width, self.height, skia.kBGRA_8888_ColorType,
                                   skia.kPremul_AlphaType)
        self.surface = skia.Surface.MakeRasterDirect(info, self.bgra, self.width * 4)
        self.canvas = self.surface.getCanvas()
        self.straight = project.background_color.a < 1
        self._straight = {order: skia.ImageInfo.Make(self.width, self.height, colour,
                                                     skia.kUnpremul_AlphaType)
                          for order, colour in ((False, skia.kRGBA_8888_ColorType),
                                                (True, skia.kBGRA_8888_ColorType))}

    def draw(self, scene: Scene, bgra: bool = False) -> np.ndarray:
        """The scene's pixels, RGBA or with `bgra` BGRA (an opaque project's: the canvas's
        own buffer). Valid until the next draw."""
        project = self.project
        self.canvas.save()
        self.canvas.scale(self.width / project.width, self.height / project.height)
        draw_scene(self.canvas, scene, project.width, project.height, project.background_color)
        self.canvas.restore()
        if self.straight:
            self.surface.readPixels(self._straight[bgra], self.pixels, self.width * 4)
        elif bgra:
            return self.bgra
        else:
            cv2.cvtColor(self.bgra, cv2.COLOR_BGRA2RGBA, dst=self.pixels)
        return self.pixels


def output_size(project: Project, scale: float = 1.0) -> tuple[int, int]:
    """The size frames are drawn at: the project's, scaled, in even numbers."""
    return (max(2, round(project.width * scale / 2) * 2),
            max(2, round(project.height * scale / 2) * 2))


def render_frames(project: Project, start: int = 0, end: int | None = None,
                  variables: Mapping[str, Any] | None = None,
                  scale: float = 1.0, bgra: bool = False) -> Iterator[np.ndarray]:
    """Yield frames [start, end) as RGBA arrays (BGRA with `bgra`).

    The logic runs only up to `end`: a chunk worker never plays the rest of the
    video. The same buffer is reused for every frame: copy it to keep it.
    """
    if end is None:
        end = project.frame_count(variables)
    if not 0 <= start <= end:
        raise ValueError(f"bad frame range {start}:{end}")
    yield from draw_frames(project, range(start, end), variables, scale, bgra)


def draw_frames(project: Project, wanted: range | list[int],
                variables: Mapping[str, Any] | None = None,
                scale: float = 1.0, bgra: bool = False) -> Iterator[np.ndarray]:
    """Yield the frames numbered in `wanted` (ascending), playing the logic once."""
    yield from Playhead(project, variables, scale, bgra).frames(wanted)


class Playhead:
    """The logic played up to some frame, and the frames drawn from there on.

    `frames(wanted)` draws the frames numbered in `wanted` (ascending), playing on from
    where the last call stopped when they come later (a worker given one short chunk
    after another plays the logic once), from the start otherwise. A frame whose print
    (parareel.draw.fingerprint) is the last drawn one's is a hold: the pixels already in
    the buffer are handed out again, undrawn.
    """

    def __init__(self, project: Project, variables: Mapping[str, Any] | None = None,
                 scale: float = 1.0, bgra: bool = False) -> None:
        self.project, self.variables, self.bgra = project, project.resolve(variables), bgra
        self.canvas = Canvas(project, scale)
        self._scenes: Iterator[Scene] | None = None
        self._next = 0  # the frame the logic plays next
        self._drawn: bytes | None = None  # the print of what the buffer holds
        self._pixels: np.ndarray | None = None
        self.held = False  # whether the frame last handed out is the one before it again
        self._last = -2  # the frame last handed out

    def frames(self, wanted: range | list[int]) -> Iterator[np.ndarray]:
        if not wanted:
            return
        if self._scenes is None or wanted[0] < self._next:
            self._scenes, self._next = iter(play(self.project, self.variables)), 0
        wanted_set, last = set(wanted), wanted[-1]
        for scene in self._scenes:
            index, self._next = self._next, self._next + 1
            if index in wanted_set:
                yield self._draw(scene, index)
                if index >= last:
                    return
        self._scenes = None
        raise ValueError(f"frame {last} is outside the video's 0:{self._next}")

    def _draw(self, scene: Scene, index: int) -> np.ndarray:
        with drawn(scene, index):
            shown = frame_print(scene, contents=False)  # holds: within this process
            same = shown is not None and shown == self._drawn and self._pixels is not None
            if not same:
                self._pixels = self.canvas.draw(scene, self.bgra)
            self.held = same and index == self._last + 1
            self._drawn, self._last = shown, index
            return self._pixels


@contextmanager
def drawn(scene: Scene, index: int) -> Iterator[None]:
    """Frame `index` of `scene` being drawn (or printed): its computed properties run, and
    what fails says which scene and frame."""
    try:
        with scene.drawing():
            yield
    except SceneError:
        raise
    except ParareelError as exc:  # a font or an image: it says what, this says where
        raise SceneError(scene.name, index, str(exc)) from exc
    except Exception as exc:  # a computed property can fail while drawing
        raise SceneError(scene.name, index, f"{type(exc).__name__}: {exc}") from exc


def render_still(project: Project, frame: int, variables: Mapping[str, Any] | None = None,
                 scale: float = 1.0) -> np.ndarray:
    """One frame as an RGBA array of its own."""
    for pixels in render_frames(project, frame, frame + 1, variables, scale):
        return pixels.copy()
    raise ValueError(f"frame {frame} is outside the video")
