"""parareel: programmatic video in Python, rendered in parallel."""

from parareel.errors import (
    AssetError,
    ColorError,
    ParareelError,
    ProjectError,
    RenderError,
    SceneError,
    VariableError,
)
from parareel.media.formats import Encoding
from parareel.scene import easing
from parareel.scene.audio import Audio
from parareel.scene.camera import Camera
from parareel.scene.captions import Captions
from parareel.scene.code import Code
from parareel.scene.color import Color
from parareel.scene.flow import chain, delay, loop, parallel, sequence, wait
from parareel.scene.geometry import Bounds
from parareel.scene.layout import Layout
from parareel.scene.math import Math
from parareel.scene.nodes import (
    Circle,
    Ellipse,
    Group,
    Image,
    Line,
    Node,
    Path,
    Polyline,
    Rect,
    Shape,
)
from parareel.scene.paint import ConicGradient, LinearGradient, RadialGradient
from parareel.scene.player import Scene
from parareel.scene.project import Project
from parareel.scene.signal import Signal
from parareel.scene.text import Span, Text
from parareel.scene.transition import Look, View
from parareel.scene.values import Shadow
from parareel.scene.video import Video
from parareel.version import __version__  # noqa: F401 - parareel.__version__


def __getattr__(name: str):
    # render and still pull in skia and PyAV: imported on first use, so that
    # authoring and planning stay quick to import.
    if name in ("render", "still", "frames", "RenderResult"):
        from parareel import api

        return getattr(api, name)
    if name == "render_batch":
        from parareel.batch import render_batch

        return render_batch
    raise AttributeError(f"module 'parareel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AssetError", "Audio", "Bounds", "Camera", "Captions", "Circle", "Code", "Color",
    "ColorError", "ConicGradient", "Ellipse", "Encoding", "Group", "Image", "Layout", "Line",
    "LinearGradient", "Look", "Math", "Node", "ParareelError", "Path", "Polyline", "Project",
    "ProjectError", "RadialGradient", "Rect", "RenderError", "RenderResult", "Scene",
    "SceneError", "Shadow", "Shape", "Signal", "Span", "Text", "VariableError", "Video", "View",
    "chain", "delay", "easing", "frames", "loop", "parallel", "render", "render_batch",
    "sequence", "still", "wait",
]
