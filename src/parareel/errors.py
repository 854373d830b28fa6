"""The errors parareel raises: each says what was wrong and what to do.

Whether a retry can help is a property of the error class (`retryable`), so
engines decide retries from the class, and across a wire from its name
(`retryable(name)`), never from a list kept elsewhere.
"""

from __future__ import annotations

import errno
import os
import sys
import warnings


class ParareelError(Exception):
    """Base class of every error parareel raises on purpose."""

    retryable = False  # the input is wrong: trying again gives the same error


class ParareelWarning(UserWarning):
    """Something that works, but likely not as the user meant (the CLI prints one line)."""


def ffmpeg_reason(exc: Exception) -> str:
    """FFmpeg's words for what went wrong, without its error number and the file's path."""
    return getattr(exc, "strerror", None) or str(exc)


def warn(message: str) -> None:
    """Warn, naming the user's line that led here rather than a line inside parareel."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
    warnings.warn_explicit(ParareelWarning(message), ParareelWarning,
                           frame.f_code.co_filename, frame.f_lineno,
                           module=frame.f_globals.get("__name__", "__main__"),
                           registry=frame.f_globals.setdefault("__warningregistry__", {}))


class ProjectError(ParareelError):
    """A project could not be found or loaded."""


class VariableError(ParareelError):
    """A variable was malformed, unknown, or of the wrong type."""


class ColorError(ParareelError, ValueError):
    """A color string or tuple could not be understood."""


class AssetError(ParareelError):
    """An image, font or sound file is missing or unreadable."""


class SceneError(ParareelError):
    """A scene raised while it was played; names the scene and the frame."""

    def __init__(self, scene: str, frame: int, detail: str) -> None:
        self.scene, self.frame, self.detail = scene, frame, detail
        super().__init__(f"scene '{scene}' failed at frame {frame}: {detail}")

    def __reduce__(self):  # survives the trip between worker processes
        return (SceneError, (self.scene, self.frame, self.detail))


class StorageError(ParareelError):
    """A bucket or object is missing or cannot be reached."""


class RenderError(ParareelError):
    """A render failed for a reason outside the scene code (encoding, workers, storage)."""

    retryable = True


class Timeout(RenderError):
    """The render did not end within its time (Lambda's: the invocation's)."""


class OutOfMemory(RenderError):
    """A worker ran out of memory: the same chunk would again."""

    retryable = False


class DiskFull(RenderError):
    """A disk had no room left for what a render writes."""


def raise_if_disk_full(exc: BaseException, folder: os.PathLike | str) -> None:
    """Raise `exc` as DiskFull when it (or what caused it) is a full disk; `folder`:
    where the render writes on that disk (its workspace's folder)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DiskFull):
            raise seen
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            raise DiskFull(f"no room left on the disk of {folder}: free some room there, "
                           "or write the output elsewhere") from exc
        seen = seen.__cause__ or seen.__context__


class ChunkFailed(RenderError):
    """A chunk failed on a worker; `kind` names the worker's error, `retryable` says if
    another attempt could help."""

    def __init__(self, index: int, kind: str, message: str, attempts: int) -> None:
        self.index, self.kind, self.message, self.attempts = index, kind, message, attempts
        tried = ("before any attempt" if attempts == 0 else
                 f"after {attempts} attempt{'s' if attempts > 1 else ''}")
        super().__init__(f"chunk {index} failed ({kind}) {tried}: {message}")

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return retryable(self.kind)

    def __reduce__(self):
        return (ChunkFailed, (self.index, self.kind, self.message, self.attempts))


def _subclasses(cls: type) -> dict[str, type]:
    found = {cls.__name__: cls}
    for sub in cls.__subclasses__():
        found.update(_subclasses(sub))
    return found


def retryable(name: str) -> bool:
    """Whether an error reported by its class name (as Lambda reports it) may pass on retry.

    parareel's own errors say so themselves; anything else (a crash, a timeout, an
    OSError, Lambda's Runtime.* and Sandbox.* errors) is taken as transient.
    """
    cls = _subclasses(ParareelError).get(name)
    return cls is None or cls.retryable is not False


class Cancelled(ParareelError):
    """The render was cancelled (`parareel lambda cancel`)."""
