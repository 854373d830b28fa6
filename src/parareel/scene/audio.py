"""Sounds a scene plays: `scene.play(Audio("music.mp3", volume=0.5, loop=True))`."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import av
import numpy as np

from parareel.assets import resolve
from parareel.errors import AssetError, ffmpeg_reason
from parareel.scene.clock import Rate

RATE = 48_000  # samples a second, of every sound as it is mixed


@dataclass(frozen=True)
class Audio:
    """A sound file (anything FFmpeg reads: WAV, MP3, AAC, FLAC, Opus, ...): a path relative
    to the project file, an http(s):// URL or an s3:// URL.

    `start` skips that many seconds of the file; `duration` plays at most that many
    seconds (repeating the trimmed part if `loop`); with `loop` and no duration it
    repeats until the video ends. `volume` scales the samples (1.0 keeps them). `rate`
    plays it faster or slower like a tape: 2.0 lasts half as long an octave higher.
    """

    src: str
    volume: float = 1.0
    start: float = 0.0
    duration: float | None = None
    loop: bool = False
    rate: float = 1.0

    def __init__(self, src: str | os.PathLike, volume: float = 1.0, start: float = 0.0,
                 duration: float | None = None, loop: bool = False, rate: float = 1.0) -> None:
        self._fill(resolve(src, "sound"), src, volume, start, duration, loop, rate)

    @classmethod
    def of_file(cls, path: str, **options: Any) -> Audio:
        """The sound of a file the render has already opened (a clip's own copy, which
        may lie outside the project folder): taken as it is, not resolved again."""
        sound = cls.__new__(cls)
        sound._fill(path, path, **options)
        return sound

    def _fill(self, path: str, src: Any, volume: float = 1.0, start: float = 0.0,
              duration: float | None = None, loop: bool = False, rate: float = 1.0) -> None:
        if volume < 0 or start < 0 or (duration is not None and duration <= 0) or rate <= 0:
            raise ValueError("volume and start cannot be negative; duration and rate must be "
                             "positive")
        check_sound(path, src)
        for name, value in (("src", path), ("volume", float(volume)),
                            ("start", float(start)), ("duration", duration), ("loop", loop),
                            ("rate", float(rate))):
            object.__setattr__(self, name, value)


def check_sound(path: str, src: Any) -> None:
    """Read the whole sound now, in the survey: a damaged file stops the render before
    any chunk starts, saying which and where, not when the sound is mixed."""
    _check_sound(path, str(src), os.stat(path).st_mtime_ns)


@lru_cache(maxsize=64)
def _check_sound(path: str, src: str, modified: int) -> None:
    at = 0.0
    try:
        with av.open(path) as container:
            if not container.streams.audio:
                raise AssetError(f"sound {src!r} has no audio stream")
            stream = container.streams.audio[0]
            for packet in container.demux(stream):
                if packet.pts is not None:
                    at = float(packet.pts * stream.time_base)
                packet.decode()
    except av.FFmpegError as exc:
        raise AssetError(f"sound {src!r} is damaged at {at:.2f} s: {ffmpeg_reason(exc)}") \
            from None


Volume = tuple[tuple[int, float], ...]  # (video frame, volume) points


@dataclass(frozen=True)
class Cue:
    """A sound started at a frame of the whole video.

    `volume`, if given, is the sound's volume over the video as (frame, volume)
    points, linear between them and held before the first and after the last (a
    clip's tweened volume); it multiplies the sound's own.
    """

    frame: int | Fraction  # a clip's sound may resume between frames after a loop
    sound: Audio
    volume: Volume = ()

    def shifted(self, frames: int) -> Cue:
        """The same cue on a timeline that starts `frames` later."""
        return Cue(self.frame - frames, self.sound,
                   tuple((frame - frames, value) for frame, value in self.volume))


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


class Placed:
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
