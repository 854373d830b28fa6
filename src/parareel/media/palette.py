"""A GIF's palette: chosen once for the whole video, shared by every chunk.

A palette per chunk would give the same colour two indices on either side of a seam
(a flicker where nothing moves). Instead the main samples frames spread over the
video, cuts their colours into 256 boxes (median cut), and every chunk maps its
pixels through the same table, with an ordered dither that depends only on the
pixel's place: a still region is identical across every seam.
"""

from __future__ import annotations

from collections.abc import Iterable

import av
import numpy as np

COLORS = 256
TRANSPARENT = 255  # the index of transparent pixels, when the video has alpha
_BITS = 5  # the colour cube the palette is chosen and looked up in: 32 levels a channel
_BAYER = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]],
                   np.int16) - 8) // 2  # offsets -4..3: one cube step


def make_palette(samples: Iterable[np.ndarray], alpha: bool) -> tuple[int, ...]:
    """Up to 256 colours (0xRRGGBB) for frames like `samples` (RGBA arrays); with
    `alpha`, one index fewer: the last one is transparent."""
    counts = np.zeros(1 << 3 * _BITS, np.int64)
    for rgba in samples:
        opaque = rgba[::2, ::2].reshape(-1, 4)  # a quarter of the pixels is plenty
        opaque = opaque[opaque[:, 3] >= 128]
        counts += np.bincount(_cube(opaque[:, :3]), minlength=len(counts))
    cells = np.flatnonzero(counts)
    if len(cells) == 0:
        return (0,)
    levels = np.stack([(cells >> 2 * _BITS) & 31, (cells >> _BITS) & 31, cells & 31], axis=1)
    def score(box: np.ndarray) -> float:
        """How much splitting helps: the colours' widest spread times the pixels held."""
        return float(np.ptp(levels[box], axis=0).max() * counts[cells[box]].sum()) \
            if len(box) > 1 else -1.0

    boxes = [np.arange(len(cells))]
    scores = [score(boxes[0])]
    while len(boxes) < COLORS - alpha:
        widest = int(np.argmax(scores))
        if scores[widest] <= 0:
            break
        box, _ = boxes.pop(widest), scores.pop(widest)
        axis = int(np.argmax(np.ptp(levels[box], axis=0)))
        box = box[np.argsort(levels[box, axis], kind="stable")]
        weight = np.cumsum(counts[cells[box]])
        cut = int(np.clip(np.searchsorted(weight, weight[-1] / 2), 0, len(box) - 2)) + 1
        boxes += [box[:cut], box[cut:]]
        scores += [score(box[:cut]), score(box[cut:])]
    palette = []
    for box in boxes:
        weights = counts[cells[box]]
        r, g, b = (np.average(levels[box], axis=0, weights=weights) * 255 / 31).round()
        palette.append(int(r) << 16 | int(g) << 8 | int(b))
    return tuple(palette)


class Quantizer:
    """Turns RGBA frames into palette frames (pal8) for the GIF encoder."""

    def __init__(self, palette: tuple[int, ...], alpha: bool) -> None:
        rgb = np.array([[c >> 16 & 255, c >> 8 & 255, c & 255] for c in palette], np.int32)
        self.alpha = alpha
        centres = np.stack(np.meshgrid(*[np.arange(32) * 255 // 31] * 3, indexing="ij"),
                           axis=-1).reshape(-1, 3)
        self.lut = np.concatenate([  # the nearest palette colour of every cube cell
            np.argmin(((part[:, None, :] - rgb[None]) ** 2).sum(axis=2), axis=1)
            for part in np.array_split(centres, 16)]).astype(np.uint8)
        # PyAV's pal8 palette rows are (alpha, red, green, blue); the GIF encoder takes
        # the first transparent row for the transparent index, so only that one is
        self.rows = np.zeros((COLORS, 4), np.uint8)
        self.rows[:, 0] = 255
        self.rows[: len(rgb), 1:] = rgb
        if alpha:
            self.rows[TRANSPARENT, 0] = 0

    def frame(self, rgba: np.ndarray) -> av.VideoFrame:
        height, width = rgba.shape[:2]
        dither = np.tile(_BAYER, (height // 4 + 1, width // 4 + 1))[:height, :width, None]
        rgb = np.clip(rgba[..., :3] + dither, 0, 255)
        indices = self.lut[_cube(rgb)]
        if self.alpha:
            indices[rgba[..., 3] < 128] = TRANSPARENT
        return av.VideoFrame.from_ndarray((indices, self.rows), format="pal8")


def _cube(rgb: np.ndarray) -> np.ndarray:
    """Each colour's cell in the 32-level cube (its index into the lookup table)."""
    levels = (rgb.astype(np.int32) * 31 + 127) // 255
    return levels[..., 0] << 2 * _BITS | levels[..., 1] << _BITS | levels[..., 2]
