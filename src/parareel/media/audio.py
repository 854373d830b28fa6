"""Audio: mix every sound the scenes started into one track, encoded once.

Audio is never cut into chunks (chunked AAC clicks at every seam): the cues are
known from the logic-only survey, so the whole track is mixed and encoded while
the video chunks render, and muxed when they are joined.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from parareel.scene.audio import RATE, Cue, Placed
from parareel.scene.clock import Rate

BLOCK = 1024 * 48  # samples mixed at a time: memory stays flat however long the video
BITRATE = 192_000


def mix_blocks(cues: Sequence[Cue], frames: int, fps: Rate):
    """Yield (first_sample, block) pieces of the mix, float32 stereo, clipped to [-1, 1]."""
    total = math.floor(frames * RATE / Fraction(fps))  # never past the video's end
    placed = [Placed(cue, fps, total) for cue in cues]
    for first in range(0, total, BLOCK):
        block = np.zeros((min(BLOCK, total - first), 2), np.float32)
        for p in placed:
            p.add_to(block, first)
        yield first, np.clip(block, -1.0, 1.0, out=block)


# the container each codec's track is kept in until it is muxed: one that counts time in
# samples, so the join places every packet exactly
TRACK_CONTAINERS = {"aac": "mp4", "libopus": "ogg", "pcm_s16le": "wav"}


def render_audio(cues: Sequence[Cue], frames: int, fps: Rate, output: str | os.PathLike,
                 codec: str = "aac", container: str | None = None) -> Path | None:
    """Mix and encode the track for a video of `frames` (AAC in MP4 unless told
    otherwise); None if silent."""
    if not cues or frames == 0:
        return None
    output = Path(output)
    with av.open(str(output), "w", format=container or TRACK_CONTAINERS[codec]) as file:
        stream = file.add_stream(codec, rate=RATE, layout="stereo")
        if not codec.startswith("pcm"):
            stream.bit_rate = BITRATE
        for first, block in mix_blocks(cues, frames, fps):
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="flt",
                                               layout="stereo")
            frame.sample_rate, frame.pts = RATE, first
            file.mux(stream.encode(frame))
        file.mux(stream.encode(None))
    return output
