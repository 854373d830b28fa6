"""Test clips whose every frame shows its own index in pixels, written with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 8
SIZE = (160, 96)


def index_frame(i: int, width: int, height: int) -> np.ndarray:
    """Bands left to right, white for the index's bits (least significant first)."""
    pixels = np.zeros((height, width, 3), np.uint8)
    band = width // BITS
    for bit in range(BITS):
        if i >> bit & 1:
            pixels[:, bit * band:(bit + 1) * band] = 255
    return pixels


def read_index(rgb: np.ndarray) -> int:
    """The index shown in a frame that displays such a clip over the whole picture."""
    height, width = rgb.shape[:2]
    band = width / BITS
    row = rgb[height // 2]
    return sum(1 << bit for bit in range(BITS) if row[int((bit + 0.5) * band)].mean() > 128)


def make_clip(path: Path, frames: int, fps: Fraction | int, *, codec: str = "libx264",
              gop: int = 250, bframes: int = 3, pts: list[int] | None = None,
              size: tuple[int, int] = SIZE, audio: bool = False,
              rotation: int = 0) -> list[Fraction]:
    """Write the clip; return each frame's presentation time in seconds, as stored (WebM
    keeps milliseconds, so 14/30 s becomes 0.467 s)."""
    fps = Fraction(fps)
    width, height = size
    with av.open(str(path), "w") as container:
        options = {"g": str(gop), "bf": str(bframes)} if codec == "libx264" else {"g": str(gop)}
        if codec == "libx264":
            options["qp"] = "0"
        stream = container.add_stream(codec, rate=fps, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if rotation:  # a display matrix, as phones write: turn counterclockwise to show
            stream.set_display_rotation(rotation)
        base = 1 / fps if pts is None else Fraction(1, 1000)
        stream.time_base = stream.codec_context.time_base = base
        sound = container.add_stream("aac", rate=48000, layout="stereo") if audio else None
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(index_frame(i, width, height), format="rgb24")
            frame.pts = i if pts is None else pts[i]
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if sound:
            seconds = frames / fps
            t = np.arange(int(seconds * 48000)) / 48000
            tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for first in range(0, len(tone), 1024):
                block = np.repeat(tone[first:first + 1024][None], 2, axis=0)
                aframe = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
                aframe.sample_rate, aframe.pts = 48000, first
                container.mux(sound.encode(aframe))
            container.mux(sound.encode(None))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = sorted(Fraction(f.pts) * stream.time_base for f in container.decode(stream))
    return times
