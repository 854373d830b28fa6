"""What each effect costs a 1080p frame, against the same frame without it, in one run.

    python bench/effects.py

Each pair replays the same logic and draws the same frames on one worker; the rounds
are interleaved so the machine's noise hits both alike, and the best round counts.
1. A full-frame Gaussian blur (sigma 12) on a playing clip. Goal: <= 6 ms a frame.
   Also how far the reduced-size blur is from an exact full-size one (mean and max of
   the difference, in 8-bit levels).
2. A drop shadow on 20 cards. 3. A circle mask over the clip. 4. Colour filters (sepia,
contrast, hue) on the clip. 5. A push transition between two clip scenes. 6. Gradients
on 20 cards. Goal for 2-6: <= 2x the frame without the effect.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from parareel import Group, LinearGradient, Project, Rect, Text, Video, wait
from parareel.draw.frames import Canvas
from parareel.scene.player import play

ROOT = Path(__file__).resolve().parent.parent
CLIP = str(ROOT / "examples" / "seed" / "media" / "background.mp4")
FRAMES = 30
ROUNDS = 3


def clip_scene(**effects):
    def scene(s):
        s.add(Video(CLIP, width=1920, height=1080, **effects))
        yield from wait(FRAMES / 30)

    return scene


def cards_scene(**card):
    def scene(s):
        for i in range(20):
            s.add(Rect(width=300, height=160, radius=24, x=-760 + (i % 5) * 380,
                       y=-360 + (i // 5) * 240, **card))
        s.add(Text("Cards", size=80, y=-480))
        yield from wait(FRAMES / 30)

    return scene


def masked_clip(masked: bool):
    def scene(s):
        from parareel import Circle

        mask = Circle(radius=420) if masked else None
        s.add(Group(Video(CLIP, width=1920, height=1080), mask=mask))
        yield from wait(FRAMES / 30)

    return scene


def pushed(transition: bool):
    def first(s):
        s.add(Video(CLIP, width=1920, height=1080))
        yield from wait(0.2)

    def second(s):
        s.add(Video(CLIP, width=1920, height=1080, start=2))
        if transition:
            yield from s.transition("push", FRAMES / 30)
        else:
            yield from wait(FRAMES / 30)

    return [first, second]


def per_frame(scenes, skip: int = 0) -> float:
    """Milliseconds a frame to replay and draw the frames after `skip`, at 1080p."""
    project = Project(scenes=scenes if isinstance(scenes, list) else [scenes])
    canvas = Canvas(project)
    count, start = 0, 0.0
    for index, scene in enumerate(play(project, project.resolve())):
        if index == skip:
            start = time.perf_counter()
        if index >= skip:
            with scene.drawing():
                canvas.draw(scene)
            count += 1
    return (time.perf_counter() - start) / count * 1000


def blur_error() -> tuple[float, float]:
    """The reduced blur against OpenCV's exact full-size one, on a frame of the clip."""
    def frame(**effects) -> np.ndarray:
        project = Project(scenes=[clip_scene(**effects)])
        for scene in play(project, project.resolve()):
            with scene.drawing():
                return Canvas(project).draw(scene)[..., :3].astype(np.float32)
        raise AssertionError("no frame")

    exact = cv2.GaussianBlur(frame(), (0, 0), 12, borderType=cv2.BORDER_CONSTANT)
    difference = np.abs(frame(blur=12) - exact)
    return float(difference.mean()), float(difference.max())


def compare(name: str, without, with_effect, goal: str, skip: int = 0) -> None:
    plain, effect = [], []
    for _ in range(ROUNDS):
        plain.append(per_frame(without, skip))
        effect.append(per_frame(with_effect, skip))
    a, b = min(plain), min(effect)
    print(f"{name}: {a:.1f} ms a frame without, {b:.1f} ms with: +{b - a:.1f} ms, "
          f"{b / a:.2f}x ({goal})")


def main() -> None:
    compare("full-frame blur on a 1080p clip", clip_scene(), clip_scene(blur=12),
            "goal: the blur <= 6 ms")
    mean, most = blur_error()
    print(f"  reduced blur against an exact full-size one: mean {mean:.2f}, max {most:.0f} "
          "levels of 255")
    compare("drop shadow on 20 cards", cards_scene(fill="#f6f7eb"),
            cards_scene(fill="#f6f7eb", shadow=("black", 24, 0, 10)), "goal <= 2x")
    compare("circle mask over the clip", masked_clip(False), masked_clip(True), "goal <= 2x")
    compare("sepia, contrast and hue on the clip", clip_scene(),
            clip_scene(sepia=0.6, contrast=1.2, hue_rotate=20), "goal <= 2x")
    compare("push transition between two clips", pushed(False), pushed(True), "goal <= 2x",
            skip=6)
    compare("gradients on 20 cards", cards_scene(fill="#ef476f"),
            cards_scene(fill=LinearGradient("#ef476f", "#7928ca", angle=135)), "goal <= 2x")


if __name__ == "__main__":
    main()
