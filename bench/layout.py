"""What layout and text shaping cost a frame, measured side by side in one run.

    python bench/layout.py

1. 200 children of a wrapping Layout whose gap tweens (so the layout changes on every
   frame), drawn at 1080p: recomputed every frame, against the same frames with the
   places the first pass computed replayed (the same pixels: the drawing alone).
   Also drawn and encoded to a file on one worker, as a chunk does.
2. The explainer's title card (a column, wrapped text, tags popping in) the same way.
3. A frame of 12 wrapped paragraphs: shaped once and reused (the paragraph cache), against
   shaping them again on every frame.
Goal: layout <= 10% of the frame; shaping cached while the text does not change.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import parareel.draw.painter as painter
from parareel import Layout, Project, Rect, Text
from parareel.draw.frames import Canvas
from parareel.load import load_project
from parareel.scene import shaping
from parareel.scene.player import play

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def grid(scene):
    box = scene.add(Layout(width=1800, wrap=True, gap=8, padding=20, fill="#26264a",
                           radius=24, justify="center"))
    for i in range(200):
        box.add(Rect(width=60 + i % 5 * 8, height=40, radius=6,
                     fill=(40 + i % 200, 120, 220 - i % 180, 1.0), grow=i % 3))
    yield from box.gap.to(16, 2.0)


def paragraphs(scene):
    for i in range(12):
        scene.add(Text("The quick brown fox jumps over the lazy dog, again and again, "
                       f"line {i}.", size=26, width=560, x=-620 + 620 * (i % 3),
                       y=-400 + 240 * (i // 3)))
    for _ in range(60):
        yield


def _laid_out(layout) -> list:
    """Every node a layout places, in a fixed order (the same in every pass)."""
    found = []
    for child in layout.children:
        found.append(child)
        if child._lays_out:
            found += _laid_out(child)
    return found


@contextmanager
def recorded_layout(boxes: list):
    """Solve layouts as usual, keeping the places each solve gave (for `replayed_layout`)."""
    real = painter.solve

    def solve(layout):
        real(layout)
        boxes.append((layout._root_size, [node._laid for node in _laid_out(layout)]))

    painter.solve = solve
    try:
        yield boxes
    finally:
        painter.solve = real


@contextmanager
def replayed_layout(boxes: list):
    """Layouts take the places a recorded pass computed, without solving: the very same
    pixels (and so the same encoding work), less the layout's cost."""
    real, places = painter.solve, iter(boxes)

    def solve(layout):
        root_size, laid = next(places)
        object.__setattr__(layout, "_root_size", root_size)
        for node, box in zip(_laid_out(layout), laid, strict=True):
            object.__setattr__(node, "_laid", box)

    painter.solve = solve
    try:
        yield
    finally:
        painter.solve = real


def per_frame(project: Project, frames: range, fresh_text: bool = False) -> float:
    """Milliseconds a frame to replay and draw `frames` (at the project's size)."""
    canvas = Canvas(project)
    wanted, start = set(frames), time.perf_counter()
    for index, scene in enumerate(play(project, project.resolve())):
        if index in wanted:
            if fresh_text:
                shaping.paragraph.cache_clear()
                shaping.box_size.cache_clear()
            with scene.drawing():
                canvas.draw(scene)
        if index >= frames.stop - 1:
            break
    return (time.perf_counter() - start) / len(frames) * 1000


def compare(name: str, measure, rounds: int = ROUNDS) -> None:
    """`measure()` with layouts solved, against the same frames with their places replayed."""
    live, still = [], []
    for _ in range(rounds):  # interleaved: the machine's noise hits both alike
        boxes: list = []
        with recorded_layout(boxes):
            live.append(measure())
        with replayed_layout(boxes):
            still.append(measure())
    live_ms, still_ms = min(live), min(still)
    print(f"{name}: {live_ms:.2f} ms a frame with layout, {still_ms:.2f} ms with its places "
          f"replayed: layout is {(live_ms - still_ms) / live_ms:.1%} of the frame "
          "(goal <= 10%)")


def rendered(project: Project, path: Path) -> float:
    """Milliseconds a frame to render `project` to a file on one worker (this process):
    drawing and encoding, as a chunk does."""
    import parareel

    frames = project.frame_count()
    start = time.perf_counter()
    parareel.render(project, path, workers=1)
    return (time.perf_counter() - start) / frames * 1000


def main() -> None:
    import tempfile

    grid_project = Project(scenes=[grid], size=(1920, 1080))
    compare("200 children, gap tweening, drawn", lambda: per_frame(grid_project, range(60)))
    with tempfile.TemporaryDirectory() as folder:
        compare("the same, drawn and encoded",
                lambda: rendered(grid_project, Path(folder) / "out.mp4"), rounds=3)
    explainer = load_project(str(ROOT / "examples/explainer/project.py"))
    compare("explainer title card, drawn", lambda: per_frame(explainer, range(30, 120)))
    text = Project(scenes=[paragraphs], size=(1920, 1080))
    cached = min(per_frame(text, range(0, 60)) for _ in range(ROUNDS))
    fresh = min(per_frame(text, range(0, 60), fresh_text=True) for _ in range(ROUNDS))
    print(f"12 wrapped paragraphs: {cached:.2f} ms a frame shaped once, {fresh:.2f} ms "
          f"shaped every frame: {fresh / cached:.1f}x")


if __name__ == "__main__":
    main()
