"""Every effect at once renders the same in chunks; the effects example plays."""

from __future__ import annotations

import math

import numpy as np

import parareel
from parareel import (
    Audio,
    Circle,
    ConicGradient,
    LinearGradient,
    Project,
    RadialGradient,
    Rect,
    Text,
    parallel,
    wait,
)
from parareel.load import load_project
from parareel.media.encode import Encoding
from tests.conftest import EXAMPLES, decode


def everything(scene):
    """Every effect at once, with a transition, a spring and an animated mask."""
    card = scene.add(Rect(width=160, height=100, radius=20, clip=True, shadow=("black", 12, 0, 6),
                          fill=LinearGradient("#ff0080", "#7928ca", angle=45)))
    card.add(Circle(radius=60, x=60, fill=RadialGradient("#ffd166", "#ef476f")))
    hole = Circle(radius=20)
    scene.add(Rect(width=120, height=80, x=-90, y=40, fill=ConicGradient("red", "blue", "red"),
                   mask=hole, sepia=0.4, hue_rotate=30, blend="screen", blur=2))
    scene.play(Audio(EXAMPLES / "sounds" / "beat.wav"))
    for i in range(4):
        bar = scene.add(Rect(width=8, height=10, x=60 + 12 * i, y=50, fill="#ffd166"))
        bar.height(lambda i=i: 4 + 40 * scene.audio.spectrum(4)[i])
    yield from parallel(card.x.spring(60, stiffness=120, damping=9), hole.radius.to(60, 1.0),
                        scene.camera.zoom.to(1.3, 1.2))


def after(scene):
    scene.add(Text("next", size=40, fill=LinearGradient("#ffffff", "#06d6a0"), contrast=1.5))
    yield from scene.transition("push", 0.5, direction="up")
    yield from wait(0.3)


def test_every_effect_renders_the_same_in_chunks(tmp_path):
    project = Project(scenes=[everything, after], size=(256, 144), background="#102030")
    total = project.frame_count()
    assert total > 50
    lossless = Encoding(lossless=True, preset="ultrafast")
    parareel.render(project, tmp_path / "one.mp4", workers=1, chunk_frames=total,
                    encoding=lossless)
    _, one, _ = decode(tmp_path / "one.mp4")
    assert len(one) == total and not np.array_equal(one[20], one[40])
    for chunks in (2, 3, 7):
        out = tmp_path / f"{chunks}.mp4"
        parareel.render(project, out, workers=2, chunk_frames=math.ceil(total / chunks),
                        encoding=lossless)  # the last chunk is a remainder
        _, frames, _ = decode(out)
        for i, (a, b) in enumerate(zip(one, frames, strict=True)):
            assert np.array_equal(a, b), f"{chunks} chunks: frame {i} differs"


def test_the_effects_example_plays_its_scenes_with_transitions():
    project = load_project(str(EXAMPLES / "effects" / "project.py"))
    assert project.frame_count() > 250
    pushed = parareel.frames(project, 60, 61)
    frame = next(pushed)[..., :3].astype(int)
    assert frame.std() > 10  # mid-push: two scenes, not a flat frame
