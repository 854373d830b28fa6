"""A project: scenes played one after another, at a size, frame rate and background."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from parareel.errors import ProjectError
from parareel.scene.audio import Cue
from parareel.scene.color import Color, ColorLike, parse_color
from parareel.scene.player import SceneFunction, play
from parareel.scene.variables import check_known, check_variables


@dataclass(frozen=True)
class Survey:
    """What one logic-only pass over the whole project learns."""

    frames: int
    variables: dict[str, Any]  # every variable the scenes read, with its default
    cues: tuple[Cue, ...]
    footage: bool = False  # a video clip is on the stage for half the frames or more


@dataclass
class Project:
    """A video: `scenes` (generator functions) played one after another.

    - `size`: (width, height) in pixels, both even (video codecs need them so).
    - `fps`: frames per second, exactly: 30, 24, "30000/1001" or Fraction(30000, 1001).
    - `background`: the colour behind everything; None or "transparent" keeps an
      alpha channel (in .webm, .mov, .gif and PNG outputs).
    - `variables`: the defaults of `scene.variables`; a render's variables override
      them, and a variable no scene reads is refused as a likely typo.
    - `max_seconds`: a scene that never ends stops with an error after this long.
    """

    scenes: Sequence[SceneFunction]
    size: tuple[int, int] = (1920, 1080)
    fps: int | Fraction | str = 30  # 30, Fraction(30000, 1001) or "30000/1001"
    background: ColorLike = "black"
    variables: Mapping[str, Any] = field(default_factory=dict)  # declared defaults
    max_seconds: float = 3 * 3600

    def __post_init__(self) -> None:
        if not self.scenes or not all(callable(s) for s in self.scenes):
            raise ProjectError("a project needs a list of scene functions: Project(scenes=[intro])")
        width, height = self.size
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ProjectError(f"size must be two positive even numbers (H.264 needs them even), "
                               f"got {self.size}")
        self.fps = exact_rate(self.fps)
        self.size = (int(width), int(height))
        self.background_color: Color = parse_color(self.background)
        self.variables = check_variables(self.variables)
        self._surveys: dict[str, Survey] = {}
        self.ref: str | None = None  # how to load it again; set by parareel.load
        self.folder: Path | None = None  # where its relative asset paths start

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    def resolve(self, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The declared defaults overlaid with `variables`, checked as JSON data."""
        return {**self.variables, **check_variables(variables)}

    def survey(self, variables: Mapping[str, Any] | None = None) -> Survey:
        """Play every frame's logic once (no drawing): frame count, variables, sounds.

        Raises VariableError for a variable the project never reads.
        """
        values = self.resolve(variables)
        key = json.dumps(values, sort_keys=True)
        if key not in self._surveys:
            reads = dict(self.variables)
            cues: list[Cue] = []
            clips: list = []
            count = sum(1 for _ in play(self, values, reads, cues, clips))
            check_known(values, reads)
            cues += [cue for clip in clips for cue in clip._sound_cues(count)]
            footage = any(clip._shown * 2 >= count for clip in clips)
            self._surveys[key] = Survey(count, reads, tuple(cues), footage)
        return self._surveys[key]

    def frame_count(self, variables: Mapping[str, Any] | None = None) -> int:
        return self.survey(variables).frames

    def duration(self, variables: Mapping[str, Any] | None = None) -> float:
        return float(self.frame_count(variables) / self.fps)


def exact_rate(fps: Any) -> int | Fraction:
    """A frame rate as an exact number: an int, or a Fraction like 30000/1001."""
    try:
        rate = Fraction(fps) if isinstance(fps, int | str | Fraction) else None
    except (ValueError, ZeroDivisionError):
        rate = None
    if rate is None or isinstance(fps, bool) or not 1 <= rate <= 240:
        raise ProjectError(f"fps must be a number of frames per second from 1 to 240, given "
                           f"exactly (30, '30000/1001' or Fraction(30000, 1001)), got {fps!r}")
    return int(rate) if rate.denominator == 1 else rate
