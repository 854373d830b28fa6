"""The versions of a project as it is saved: the current one's process, and reloading.

A save forks a fresh process for the new version. If it loads, it replaces the old
one; if it fails, the old one keeps serving frames and the failure is what the page
shows until a later save fixes it.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from parareel.studio.preview import FORK, Problem, serve

CACHED_FRAMES = 600  # JPEGs kept, newest last: scrubbing back and forth is served at once


class Versions:
    """The project's current version, asked for frames one request at a time."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self.number = 0  # counts successful loads
        self.problem: Problem | None = None  # the last save's failure, until fixed
        self._process = None
        self._connection = None
        self._lock = threading.Lock()
        self._frames: OrderedDict[tuple, bytes] = OrderedDict()
        self.workspace = Path(tempfile.mkdtemp(prefix="parareel-studio-"))  # sounds

    def load(self) -> Problem | None:
        """Start the version on disk now; None if it loaded (it is then the current one)."""
        parent, child = FORK.Pipe()
        process = FORK.Process(target=serve, args=(self.ref, self.workspace, child),
                               daemon=True)
        process.start()
        child.close()
        try:
            kind, value = parent.recv()
        except EOFError:
            kind, value = "problem", Problem("the project's process ended while loading")
        if kind != "ready":
            process.join(timeout=1)
            self.problem = value
            return value
        with self._lock:
            old, self._process, self._connection = self._process, process, parent
            self.number += 1
            self.problem = None
            self._frames.clear()
        if old is not None:
            old.kill()
        return None

    def ask(self, kind: str, *args: Any) -> Any:
        """Send one request to the current version; raises Failed with its Problem."""
        with self._lock:
            if self._connection is None:
                raise Failed(self.problem or Problem("the project has not loaded"))
            self._connection.send((kind, *args))
            try:
                answer, value = self._connection.recv()
            except EOFError:
                raise Failed(Problem("the project's process ended (did it crash or run out "
                                     "of memory?)")) from None
        if answer == "problem":
            raise Failed(value)
        return value

    def frame(self, n: int, scale: float, variables: dict[str, Any]) -> bytes:
        key = (self.number, repr(sorted(variables.items())), n, scale)
        if key in self._frames:
            self._frames.move_to_end(key)
            return self._frames[key]
        data = self.ask("frame", n, scale, variables)
        self._frames[key] = data
        if len(self._frames) > CACHED_FRAMES:
            self._frames.popitem(last=False)
        return data

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.kill()
                self._process.join(timeout=2)
            self._process = self._connection = None
        shutil.rmtree(self.workspace, ignore_errors=True)


class Failed(Exception):
    """A request the project could not answer: `problem` says why and where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem
