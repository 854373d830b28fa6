"""Sounds a scene plays: `scene.play(Audio("music.mp3", volume=0.5, loop=True))`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from parareel.assets import resolve
from parareel.errors import AssetError, ffmpeg_reason


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
        path = resolve(src, "sound")
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
    import av

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
