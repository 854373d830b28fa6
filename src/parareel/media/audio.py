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
from functools import lru_cache
from pathlib import Path

import av
import numpy as np

from parareel.errors import AssetError
from parareel.scene.audio import Audio, Cue
from parareel.scene.clock import Rate

RATE = 48_000
BLOCK = 1024 * 48  # samples mixed at a time: memory stays flat however long the video
BITRATE = 192_000


def decode(path: str) -> np.ndarray:
    """The whole file as float32 stereo at 48 kHz, shape (samples, 2).

    A mono file plays at its own level in both channels (FFmpeg's upmix would
    lower it by 3 dB); more than two channels are mixed down to stereo.
    """
    try:
        modified = os.stat(path).st_mtime_ns  # a refetched asset is decoded again
    except OSError as exc:
        raise AssetError(f"cannot read sound {path!r}: {exc.strerror}") from None
    return _decode(path, modified)


@lru_cache(maxsize=16)  # a warm Lambda environment keeps its sounds, within reason
def _decode(path: str, modified: int) -> np.ndarray:
    parts = []
    try:
        with av.open(path) as container:
            stream = container.streams.audio[0]
            channels = 1 if stream.layout.nb_channels == 1 else 2
            resampler = av.AudioResampler(format="flt", layout="mono" if channels == 1
                                          else "stereo", rate=RATE)
            for frame in container.decode(stream):
                parts.extend(f.to_ndarray().reshape(-1, channels)
                             for f in resampler.resample(frame))
            parts.extend(f.to_ndarray().reshape(-1, channels) for f in resampler.resample(None))
    except (av.FFmpegError, IndexError) as exc:
        raise AssetError(f"cannot read sound {path!r}: {exc}") from None
    samples = np.concatenate(parts) if parts else np.zeros((0, channels), np.float32)
    return np.repeat(samples, 2, axis=1) if channels == 1 else samples


class _Placed:
    """One cue on the output timeline: which samples it adds where.

    At `rate` r, output sample k plays source sample floor(k * r), like a tape
    played faster or slower (pitch follows speed).
    """

    def __init__(self, cue: Cue, fps: Rate, total: int) -> None:
        sound: Audio = cue.sound
        wanted = None if sound.duration is None else round(sound.duration * RATE)
        self.data = decode(sound.src)[round(sound.start * RATE):]  # a view: no copy
        self.rate = sound.rate
        self.at = round(cue.frame * RATE / fps)  # before 0 when it started before a range
        if sound.loop:
            length = total - self.at if wanted is None else math.floor(wanted / self.rate)
        else:
            self.data = self.data[:wanted]
            length = math.floor(len(self.data) / self.rate)
        self.volume = np.float32(sound.volume)
        # the volume curve's points, in samples of the output
        self.curve = (np.array([round(frame * RATE / fps) for frame, _ in cue.volume]),
                      np.array([value for _, value in cue.volume], np.float32))
        self.end = min(total, self.at + (length if len(self.data) else 0))

    def add_to(self, block: np.ndarray, first: int) -> None:
        lo, hi = max(first, self.at), min(first + len(block), self.end)
        if lo < hi:
            index = np.arange(lo - self.at, hi - self.at)
            if self.rate != 1:
                index = np.floor(index * self.rate).astype(np.int64)
            samples = self.data[index % len(self.data)] * self.volume
            if len(self.curve[0]):
                samples *= np.interp(np.arange(lo, hi), *self.curve)[:, None].astype(np.float32)
            block[lo - first : hi - first] += samples


def mix_blocks(cues: Sequence[Cue], frames: int, fps: Rate):
    """Yield (first_sample, block) pieces of the mix, float32 stereo, clipped to [-1, 1]."""
    total = math.floor(frames * RATE / Fraction(fps))  # never past the video's end
    placed = [_Placed(cue, fps, total) for cue in cues]
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
