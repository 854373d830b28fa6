"""The player steps a project's scenes frame by frame, running logic only (no drawing).

Rendering any frame range starts here: replay the logic of earlier frames, which
is cheap, then draw the frames of the range. Everything a scene does is a pure
function of the project and its variables, so every worker sees the same frames.
"""

from __future__ import annotations

import inspect
import linecache
import random
import sysconfig
import traceback
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parareel.assets import project_folder
from parareel.errors import AssetError, SceneError, VariableError
from parareel.scene import easing
from parareel.scene.audio import Audio, Cue
from parareel.scene.camera import Camera
from parareel.scene.clock import PACKAGE, Clock, Rate, _current, frames_for, note_tween, short_path
from parareel.scene.flow import Task
from parareel.scene.listen import Listener
from parareel.scene.nodes import Group, Node
from parareel.scene.transition import Look, TransitionFunction, make
from parareel.scene.variables import Variables

if TYPE_CHECKING:
    from parareel.scene.project import Project


@dataclass
class Scene:
    """What a scene function receives: its nodes, variables, size and clock."""

    name: str
    width: int
    height: int
    fps: Rate
    variables: Variables
    clock: Clock
    root: Group = field(default_factory=Group)
    cues: list[Cue] = field(default_factory=list)  # shared by all scenes of a pass

    previous: Scene | None = None  # the scene before, frozen on its last frame

    def __post_init__(self) -> None:
        self._random = _LogicRandom(self.name)  # deterministic on every worker
        self._drawn_frame: int | None = None
        self._frame_random: random.Random | None = None
        self._camera: Camera | None = None
        self._audio: Listener | None = None
        self._look: tuple[TransitionFunction, float] | None = None  # set by a transition

    @property
    def camera(self) -> Camera:
        """The view of this scene: pan (x, y), zoom and rotation, tweened like any node
        (see parareel.scene.camera)."""
        if self._camera is None:
            self._camera = Camera()
        return self._camera

    def camera_view(self) -> tuple[float, float, float, float] | None:
        """The camera's (x, y, zoom, rotation) at this frame; None if it was never used."""
        return None if self._camera is None else self._camera.view()

    @property
    def audio(self) -> Listener:
        """The sound at the current frame, for animation that follows it:
        `scene.audio.level()` and `scene.audio.spectrum(16)` (see parareel.scene.listen)."""
        if self._audio is None:
            self._audio = Listener(self.cues, self.clock)
        return self._audio

    def transition(self, kind: str | TransitionFunction = "fade", seconds: float = 0.5,
                   ease: easing.Easing | str = "in_out_cubic", **options: Any) -> Task:
        """Give way from the previous scene to this one over `seconds`: "fade" (color=...),
        "dissolve", "slide", "push", "wipe" (direction="left"/"right"/"up"/"down"),
        "zoom" (scale=1.5), or a function of (progress, width, height) returning a Look.
        See parareel.scene.transition for what each scene shows meanwhile."""
        function, ease_fn = make(kind, options), easing.get(ease)

        def run() -> Task:
            count = frames_for(seconds)
            width, height = self.clock.size
            for k in range(1, count + 1):  # its last frame shows this scene alone
                self._look = (function, ease_fn(k / count))
                if k == 1 and not isinstance(look := function(0.0, width, height), Look):
                    raise TypeError(f"a transition function returns a Look, got {look!r}")
                yield
            self._look = None

        made = run()
        note_tween(made)
        return made

    def look(self) -> Look | None:
        """How this frame shows the previous scene and this one (None: no transition)."""
        if self._look is None:
            return None
        function, progress = self._look
        return function(progress, *self.clock.size)

    @property
    def random(self) -> random.Random:
        """Seeded randomness, the same on every worker and in every chunk.

        In the scene's logic it is one stream for the whole scene. While a frame is
        drawn (computed properties run then: `x(lambda: scene.random.uniform(-5, 5))`)
        it is a generator seeded by that frame, because a chunk draws only its own
        frames: what frame i shows must not depend on which frames were drawn before.
        Read `scene.random` inside the function; a generator kept from the logic and
        used while drawing is refused.
        """
        if self._drawn_frame is None:
            return self._random
        if self._frame_random is None:
            self._frame_random = random.Random(f"{self.name}:{self._drawn_frame}")
        return self._frame_random

    @contextmanager
    def drawing(self) -> Iterator[None]:
        """While the current frame is drawn: per-frame randomness, the logic's refused,
        and the scene's clock current (computed properties and layouts read it)."""
        self._drawn_frame, self._frame_random = self.clock.frame, None
        self._random.locked = True
        token = _current.set(self.clock)
        try:
            yield
        finally:
            _current.reset(token)
            self._drawn_frame, self._random.locked = None, False

    def add(self, *nodes: Node) -> Any:
        """Add nodes to the scene; returns the node (or the tuple of them)."""
        return self.root.add(*nodes)

    def play(self, sound: Audio) -> None:
        """Start `sound` at the current frame; audio is mixed once for the whole video."""
        self.cues.append(Cue(self.clock.start + self.clock.frame, sound))

    @property
    def start_frame(self) -> int:
        """Where this scene begins in the whole video."""
        return self.clock.start

    @property
    def frame(self) -> int:
        """The frame being prepared, counted from the start of this scene."""
        return self.clock.frame

    @property
    def time(self) -> float:
        """The time of the frame being prepared, in seconds from the start of this scene."""
        return self.clock.time


class _LogicRandom(random.Random):
    """The logic's stream; using it while a frame is drawn would make chunks diverge."""

    locked = False

    def random(self) -> float:
        self._check()
        return super().random()

    def getrandbits(self, k: int) -> int:
        self._check()
        return super().getrandbits(k)

    def _check(self) -> None:
        if self.locked:
            raise RuntimeError(
                "scene.random was kept by a computed property and used while drawing; "
                "read scene.random inside the function, e.g. "
                "x(lambda: scene.random.uniform(-5, 5)), so each frame gets its own numbers")


SceneFunction = Callable[[Scene], Generator[None, None, None]]


def play(project: Project, values: Mapping[str, Any], reads: dict[str, Any] | None = None,
         cues: list[Cue] | None = None, clips: list | None = None) -> Iterator[Scene]:
    """Yield the scene after the logic of each frame has run, ready to be drawn.

    The variables the scenes read are recorded in `reads`, the sounds they start in `cues`,
    the video clips they control in `clips`.
    """
    reads = {} if reads is None else reads
    cues = [] if cues is None else cues
    clips = [] if clips is None else clips
    limit = round(project.max_seconds * project.fps)
    index = 0
    previous: Scene | None = None
    for function in project.scenes:
        name = getattr(function, "__name__", repr(function))
        clock = Clock(project.fps, start=index, clips=clips, size=project.size)
        scene = Scene(name, *project.size, project.fps, Variables(values, reads), clock,
                      cues=cues, previous=previous)
        steps = _start(function, scene, index)
        while True:
            token, folder = _current.set(scene.clock), project_folder.set(project.folder)
            try:
                shown = next(steps)
            except StopIteration:
                _check_tweens_played(scene.clock, name, index)
                if scene.clock.frame:  # it showed something: the next scene may go from it
                    scene.clock.frame -= 1  # frozen on its last frame
                    scene.previous = scene._look = None  # one scene back is kept, no more
                    previous = scene
                break
            except VariableError:
                raise
            except AssetError as exc:  # it says which asset and what is wrong; this says where
                raise SceneError(name, index, f"{exc}{where(exc)}") from exc
            except Exception as exc:
                raise SceneError(name, index, f"{type(exc).__name__}: {exc}{where(exc)}") \
                    from exc
            finally:
                _current.reset(token)
                project_folder.reset(folder)
            if shown is not None:
                raise SceneError(name, index, _yielded(shown, steps))
            if index >= limit:
                raise SceneError(name, index, f"the video is longer than max_seconds="
                                 f"{project.max_seconds}; is there an endless loop?")
            for clip in clips:  # a tweened volume is heard; a clip off the stage is not
                clip._note_volume(index, _on_stage(clip, scene.root))
            yield scene
            scene.clock.frame += 1
            index += 1


LIBRARIES = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["platlib"])


def user_line(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the innermost frame of the user's own code that the exception
    passed through."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        file = frame.f_code.co_filename
        if not file.startswith((PACKAGE, *LIBRARIES, "<")):
            found = (file, line)
    return found


def where(exc: BaseException) -> str:
    """" (at file line N: source)" for the user's line the exception passed through: the
    line to look at, without a traceback."""
    found = user_line(exc)
    if found is None:
        return ""
    file, line = found
    source = linecache.getline(file, line).strip()
    return f" (at {short_path(file)} line {line}: {source})" if source else \
        f" (at {short_path(file)} line {line})"


def _check_tweens_played(clock: Clock, scene: str, index: int) -> None:
    """A tween made but never played moves nothing: almost always a forgotten `yield from`."""
    for tween, made_at in clock.tweens:
        if inspect.getgeneratorstate(tween) == inspect.GEN_CREATED:
            raise SceneError(scene, index, f"a tween made at {made_at} was never played: "
                             "write `yield from` before it (or pass it to parallel, chain...)")


def _on_stage(node: Node, root: Node) -> bool:
    while node.parent is not None:
        node = node.parent
    return node is root


def _yielded(value: Any, steps: Generator) -> str:
    """What went wrong when a scene yields a value: almost always a forgotten `from`."""
    inner = steps
    while isinstance(getattr(inner, "gi_yieldfrom", None), Generator):
        inner = inner.gi_yieldfrom
    where = (f"{inner.gi_code.co_filename} line {inner.gi_frame.f_lineno}"
             if inner.gi_frame else "the scene")
    return (f"write `yield from` to play a tween or flow helper ({where} yields a "
            f"{type(value).__name__}); a bare `yield` shows one frame")


def _start(function: SceneFunction, scene: Scene, index: int) -> Iterator[None]:
    try:
        steps = function(scene)
    except Exception as exc:
        raise SceneError(scene.name, index, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(steps, Generator):
        raise SceneError(scene.name, index, "a scene must be a generator function: "
                         "each `yield` shows one frame")
    return steps
