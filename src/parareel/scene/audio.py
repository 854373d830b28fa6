"""Sounds a scene plays: `scene.play(Audio("music.mp3", volume=0.5, loop=True))`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

from parareel.assets import resolve


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
        if volume < 0 or start < 0 or (duration is not None and duration <= 0) or rate <= 0:
            raise ValueError("volume and start cannot be negative; duration and rate must be "
                             "positive")
        for name, value in (("src", resolve(src, "sound")), ("volume", float(volume)),
                            ("start", float(start)), ("duration", duration), ("loop", loop),
                            ("rate", float(rate))):
            object.__setattr__(self, name, value)


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
