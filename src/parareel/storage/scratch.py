"""Workspaces: folders a process writes in, gone when it ends, however it ends.

A workspace is removed when its block ends. A process killed meanwhile (kill -9, out
of memory, a Lambda invocation cut off at its timeout) cannot remove its own, so each
workspace holds a lock for as long as its process lives, and making a workspace
removes those beside it whose lock nobody holds. On Lambda, where /tmp outlives an
invocation that was cut off, a dead chunk's half-written segment does not take the
room of the renders after it; locally, a killed render's folder beside its output
goes with the next render there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

MARK = ".parareel-workspace"  # the lock file that makes a folder a workspace


class Workspace:
    """A new folder `parent`/`prefix`..., removed by close() (or the with block's end),
    or by a later workspace beside it once this process is gone."""

    def __init__(self, prefix: str, parent: str | os.PathLike | None = None) -> None:
        parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        sweep(parent)
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        claim = self.path / f"{MARK}.new"
        self._lock: int | None = os.open(claim, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        except OSError:  # a file system without locks: never marked, so never swept
            os.close(self._lock)
            self._lock = None
            claim.unlink()
            return
        os.rename(claim, self.path / MARK)  # a sweeper sees the mark only once it is held

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def sweep(parent: Path) -> int:
    """Remove the workspaces in `parent` whose process is gone; how many there were."""
    removed = 0
    with contextlib.suppress(OSError), os.scandir(parent) as entries:
        for entry in entries:
            if "parareel-" not in entry.name or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                lock = os.open(os.path.join(entry.path, MARK), os.O_RDWR)
            except OSError:  # not a workspace (or not one yet)
                continue
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(entry.path, ignore_errors=True)  # nobody holds it: dead
                removed += 1
            except OSError:
                pass  # alive (or a file system without locks)
            finally:
                os.close(lock)
    return removed


def outside(path: str | os.PathLike) -> Path:
    """The folder that holds the workspace `path` lies in (the user's folder: the
    output's, or the temporary one), or `path`'s own folder when it is in none."""
    path = Path(path)
    inside = [parent for parent in path.parents if "parareel-" in parent.name]
    return inside[-1].parent if inside else path.parent
