"""Sounds a scene plays: `scene.play(Audio("music.mp3", volume=0.5, loop=True))`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from parareel.errors import AssetError


@dataclass(frozen=True)
class Audio:
    """A sound file (anything FFmpeg reads: WAV, MP3, AAC, FLAC, ...).

    `start` skips that many seconds of the file; `duration` plays at most that many
    seconds (repeating the trimmed part if `loop`); with `loop` and no duration it
    repeats until the video ends. `volume` scales the samples (1.0 keeps them).
    """

    src: str
    volume: float = 1.0
    start: float = 0.0
    duration: float | None = None
    loop: bool = False

    def __init__(self, src: str | os.PathLike, volume: float = 1.0, start: float = 0.0,
                 duration: float | None = None, loop: bool = False) -> None:
        path = Path(src)
        if not path.is_file():
            raise AssetError(f"sound file {str(path)!r} does not exist")
        if volume < 0 or start < 0 or (duration is not None and duration <= 0):
            raise ValueError("volume and start cannot be negative; duration must be positive")
        for name, value in (("src", str(path.resolve())), ("volume", float(volume)),
                            ("start", float(start)), ("duration", duration), ("loop", loop)):
            object.__setattr__(self, name, value)
