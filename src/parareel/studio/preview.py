"""The studio's project process: one per saved version of the project.

The server (a warm process with skia, numpy, PyAV and parareel imported) forks a child
for each version of the project; the child loads the project file afresh (nothing of
an older version survives, unlike importlib.reload), surveys it, and then answers
requests over a pipe: the project's description, a frame as JPEG, a still as PNG, the
mixed sound. It keeps a live cursor on the logic, so that playing forward costs one
frame of logic a frame; seeking back replays from the start (microseconds a frame).
"""

from __future__ import annotations

import hashlib
import linecache
import multiprocessing
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

from parareel.draw.frames import Canvas
from parareel.load import load_project
from parareel.media.audio import render_audio
from parareel.scene.clock import PACKAGE
from parareel.scene.player import LIBRARIES, Scene, play, user_line
from parareel.scene.project import Project

JPEG_QUALITY = 85


@dataclass
class Problem:
    """What went wrong, and where in the user's code: shown over the last good frame."""

    message: str
    file: str | None = None
    line: int | None = None
    source: str | None = None

    @classmethod
    def of(cls, exc: BaseException) -> Problem:
        file = line = source = None
        if isinstance(exc, SyntaxError) and exc.filename:
            file, line, source = exc.filename, exc.lineno, (exc.text or "").strip()
        chain: BaseException | None = exc
        while chain is not None and file is None:  # a SceneError's cause holds the line
            file, line = user_line(chain) or (None, None)
            chain = chain.__cause__ or chain.__context__
        if file is not None and source is None:
            linecache.checkcache(file)
            source = linecache.getline(file, line).strip() or None
        message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, SyntaxError) \
            else f"SyntaxError: {exc.msg}"
        return cls(message, file, line, source)


class Preview:
    """The project of one version, answering requests in the child process."""

    def __init__(self, ref: str, workspace: Path) -> None:
        self.project: Project = load_project(ref)
        self._cursor: Iterator[Scene] | None = None
        self._at = -1  # the frame the cursor's scene is on
        self._values: str | None = None
        self._scene: Scene | None = None
        self._canvases: dict[float, Canvas] = {}
        self._sounds = workspace  # the server's: removed when it stops

    def describe(self, variables: dict[str, Any]) -> dict[str, Any]:
        """What the page needs: size, rate, frames, scenes, sound cues and variables."""
        project = self.project
        survey = project.survey(variables)
        scenes: list[dict[str, Any]] = []
        for scene in play(project, project.resolve(variables)):
            if not scenes or scenes[-1]["first"] != scene.start_frame:
                scenes.append({"name": scene.name, "first": scene.start_frame})
        return {
            "width": project.width, "height": project.height, "fps": float(project.fps),
            "fps_exact": str(project.fps), "frames": survey.frames, "scenes": scenes,
            "cues": [{"frame": float(cue.frame), "sound": Path(cue.sound.src).name}
                     for cue in survey.cues],
            "variables": {name: value for name, value in survey.variables.items()},
            "files": self.files(),
        }

    def files(self) -> list[str]:
        """The user's own source files this version imported (watched for saves)."""
        found = []
        for module in list(sys.modules.values()):
            name = getattr(module, "__file__", None)
            if name and not name.startswith((PACKAGE, *LIBRARIES)):
                found.append(os.path.abspath(name))
        return sorted(set(found))

    def frame(self, n: int, scale: float, variables: dict[str, Any],
              quality: int = JPEG_QUALITY) -> bytes:
        pixels = self._draw(n, scale, variables)
        ok, data = cv2.imencode(".jpg", cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGR),
                                [cv2.IMWRITE_JPEG_QUALITY, quality])
        return data.tobytes()

    def still(self, n: int, variables: dict[str, Any]) -> bytes:
        pixels = self._draw(n, 1.0, variables)
        ok, data = cv2.imencode(".png", cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA))
        return data.tobytes()

    def sound(self, variables: dict[str, Any]) -> str | None:
        """The mix of the video's sounds as a WAV file (None: the video is silent)."""
        survey = self.project.survey(variables)
        key = hashlib.sha256(repr(sorted(variables.items())).encode()).hexdigest()[:16]
        path = self._sounds / f"{os.getpid()}-{key}.wav"
        if not path.exists():
            made = render_audio(survey.cues, survey.frames, self.project.fps, path,
                                codec="pcm_s16le")
            if made is None:
                return None
        return str(path)

    def _draw(self, n: int, scale: float, variables: dict[str, Any]):
        project = self.project
        values = repr(sorted(variables.items()))
        total = project.frame_count(variables)
        if not 0 <= n < total:
            raise IndexError(f"frame {n} is outside the video: it has frames 0 to {total - 1}")
        if self._cursor is None or values != self._values or n < self._at:
            self._cursor, self._at, self._values = play(project, project.resolve(variables)), \
                -1, values
        while self._at < n:
            self._scene = next(self._cursor)
            self._at += 1
        if scale not in self._canvases:
            self._canvases[scale] = Canvas(project, scale)
        with self._scene.drawing():
            return self._canvases[scale].draw(self._scene)


def serve(ref: str, workspace: Path, connection: Any) -> None:
    """The child's loop: load, say whether that worked, then answer until told to stop."""
    from parareel import load

    load._load.cache_clear()  # the file as it is now, whatever the parent once loaded
    for name in [m for m in sys.modules if m.startswith(load.FILE_MODULE_PREFIX)]:
        del sys.modules[name]
    try:
        preview = Preview(ref, workspace)
        connection.send(("ready", None))
    except BaseException as exc:  # noqa: BLE001 - any failure of the user's file is shown
        connection.send(("problem", Problem.of(exc)))
        return
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        if request is None:
            return
        kind, *args = request
        try:
            connection.send(("ok", getattr(preview, kind)(*args)))
        except Exception as exc:  # noqa: BLE001 - reported to the page, the process lives on
            connection.send(("problem", Problem.of(exc)))


FORK = multiprocessing.get_context("fork")
