"""The camera: the view of a scene, panned, zoomed and turned like any node.

    yield from parallel(scene.camera.zoom.to(2, 1), scene.camera.x.to(400, 1))
    scene.camera.follow(ball)              # keeps the ball in the middle
"""

from __future__ import annotations

from typing import Any

from parareel.scene.signal import Animated, prop


def _zoom(value: Any) -> float:
    zoom = float(value)
    if zoom <= 0:
        raise ValueError(f"must be more than 0, got {value!r}")
    return zoom


class Camera(Animated):
    """What the frame shows of a scene: the scene point (x, y) at the frame's centre,
    enlarged by `zoom` and turned by `rotation`. It changes no node: `bounds()` stay in
    scene coordinates."""

    x = prop(0.0, float, "the scene's x shown at the frame's centre")
    y = prop(0.0, float, "the scene's y shown at the frame's centre")
    zoom = prop(1.0, _zoom, "2 shows everything twice as large")
    rotation = prop(0.0, float, "degrees the view turns clockwise (the scene turns the "
                    "other way)")

    def follow(self, node: Any, offset: tuple[float, float] = (0.0, 0.0)) -> None:
        """Keep `node`'s centre (plus `offset`) in the middle of the frame on every frame;
        set x and y to numbers again (or tween them) to stop following."""
        self.x(lambda: node.bounds().center[0] + offset[0])
        self.y(lambda: node.bounds().center[1] + offset[1])

    def view(self) -> tuple[float, float, float, float]:
        """(x, y, zoom, rotation) at this frame."""
        return (self.x(), self.y(), self.zoom(), self.rotation())
