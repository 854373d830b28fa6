"""The errors parareel raises: each says what was wrong and what to do."""

from __future__ import annotations


class ParareelError(Exception):
    """Base class of every error parareel raises on purpose."""


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


class RenderError(ParareelError):
    """A render failed for a reason outside the scene code (encoding, workers, storage)."""
