"""Motion: transitions between scenes, the camera, springs, Bezier easing, morphs, draw-on
outlines, paths and sound levels."""

from __future__ import annotations

import math
import wave

import numpy as np
import pytest

import parareel
from parareel import (
    Audio,
    Camera,
    Circle,
    Look,
    Path,
    Project,
    Rect,
    Video,
    View,
    easing,
    wait,
)
from parareel.media.encode import Encoding
from parareel.scene.audio import decode as decode_audio
from tests.clips import make_clip, read_index
from tests.conftest import decode
from tests.pixels import SIZE, at, close, still

# Transitions

def two_scenes(kind, **options):
    def first(s):
        s.add(Rect(width=400, height=300, fill="#ff0000"))
        yield from wait(0.2)

    def second(s):
        s.add(Rect(width=400, height=300, fill="#0000ff"))
        yield from s.transition(kind, 10 / 30, "linear", **options)
        yield from wait(0.2)

    return [f[..., :3].astype(int) for f in parareel.frames(Project(
        scenes=[first, second], size=SIZE, background="#000000"))]


def test_fade_goes_through_its_colour_and_ends_on_the_new_scene():
    frames = two_scenes("fade", color="#ffffff")
    assert close(at(frames[5], 0, 0), (255, 0, 0))  # the previous scene's last frame
    assert close(at(frames[6], 0, 0), (255, 51, 51), 2)  # 1/10: a fifth of the way out
    assert close(at(frames[10], 0, 0), (255, 255, 255), 1)  # halfway: all colour
    assert close(at(frames[15], 0, 0), (0, 0, 255))  # its last frame: the new scene alone


def test_dissolve_slide_push_wipe_and_zoom_show_both_scenes_midway():
    frames = two_scenes("dissolve")
    assert close(at(frames[10], 0, 0), (128, 0, 128), 2)
    slid = two_scenes("slide", direction="left")[10]  # halfway: the new scene's left edge
    assert close(at(slid, -10, 0), (255, 0, 0)) and close(at(slid, 10, 0), (0, 0, 255))
    pushed = two_scenes("push", direction="up")[10]
    assert close(at(pushed, 0, -10), (255, 0, 0)) and close(at(pushed, 0, 10), (0, 0, 255))
    wiped = two_scenes("wipe", direction="right")[10]
    assert close(at(wiped, -10, 0), (0, 0, 255)) and close(at(wiped, 10, 0), (255, 0, 0))
    zoomed = two_scenes("zoom")[10]
    assert close(at(zoomed, 0, 0), (64, 0, 128), 3)  # both half faded, the new one on top


def test_a_custom_transition_is_a_function_of_progress():
    def half_and_half(t, width, height):
        return Look(previous=View(), current=View(clip=(0, -height / 2, width / 2,
                                                        height / 2)))

    frames = two_scenes(half_and_half)
    assert close(at(frames[8], -10, 0), (255, 0, 0)) and close(at(frames[8], 10, 0),
                                                               (0, 0, 255))


def test_the_previous_scene_stays_on_its_last_frame():
    def first(s):
        box = s.add(Rect(width=40, height=40, fill="#ffffff", x=-100))
        yield from box.x.to(100, 0.2, "linear")  # ends at x = 100

    def second(s):
        yield from s.transition("dissolve", 0.5, "linear")

    frames = [f[..., :3].astype(int) for f in parareel.frames(Project(
        scenes=[first, second], size=SIZE))]
    for frame in frames[6:14]:
        assert frame[90, 260].max() > 100  # the box where the first scene left it
        assert frame[90, 60].max() == 0


def test_bad_transitions_are_clear():
    def scene(kind, **options):
        def s(scene):
            yield from scene.transition(kind, 0.2, **options)
        return Project(scenes=[s], size=SIZE)

    with pytest.raises(parareel.SceneError, match="unknown transition 'swirl': use one of "
                                                  "fade, dissolve"):
        list(parareel.frames(scene("swirl")))
    with pytest.raises(parareel.SceneError, match="'slide' has no option colour; it takes: "
                                                  "direction"):
        list(parareel.frames(scene("slide", colour="red")))
    with pytest.raises(parareel.SceneError, match="direction 'sideways' is not one of left"):
        list(parareel.frames(scene("push", direction="sideways")))


def test_a_transition_from_nothing_comes_from_the_background():
    def lone(s):
        s.add(Rect(width=400, height=300, fill="#ffffff"))
        yield from s.transition("dissolve", 10 / 30, "linear")

    frames = [f[..., :3].astype(int) for f in parareel.frames(Project(
        scenes=[lone], size=SIZE, background="#000000"))]
    assert close(at(frames[4], 0, 0), (128, 128, 128), 2)  # 5/10 of the way in


# Camera

def test_the_camera_zooms_pans_and_follows():
    def scene(s):
        ball = s.add(Circle(radius=10, fill="#ffffff", x=50, y=-20))
        s.camera.zoom = 2
        yield
        s.camera.follow(ball)
        yield
        yield from ball.x.to(-30, 0.2)

    frames = [f[..., :3].astype(int) for f in parareel.frames(Project(
        scenes=[scene], size=SIZE))]
    assert close(at(frames[0], 100, -40), (255, 255, 255))  # twice as far, twice as large
    assert close(at(frames[0], 100 + 17, -40), (255, 255, 255))
    assert close(at(frames[1], 0, 0), (255, 255, 255)) and at(frames[1], 100, -40).max() == 0
    assert close(at(frames[-1], 0, 0), (255, 255, 255))  # followed as it moved
    assert isinstance(Camera().zoom(), float)
    with pytest.raises(ValueError, match="Camera.zoom: must be more than 0"):
        Camera().zoom = 0


# Motion

def run_logic(scene_function, fps=30):
    """Play a scene's logic and collect what `scene_function` reports each frame."""
    seen = []

    def scene(s):
        yield from scene_function(s, seen)

    for _ in parareel.scene.player.play(Project(scenes=[scene], size=SIZE, fps=fps), {}):
        pass
    return seen


def test_a_spring_overshoots_then_settles_exactly_on_its_target():
    def scene(s, seen):
        box = s.add(Rect())
        tween = box.x.spring(100, stiffness=200, damping=8)
        for _ in tween:
            seen.append(box.x())
            yield

    values = run_logic(scene)
    assert values[-1] == 100 and max(values) > 110  # it overshoots
    assert abs(values[-2] - 100) < 0.5  # and has all but settled before its last frame
    assert run_logic(scene) == values  # the same every time
    assert 20 < len(values) < 90
    stiff = run_logic(lambda s, seen: _spring(s, seen, stiffness=800, damping=60))
    assert max(stiff) <= 100.0001  # damped enough: no overshoot
    with pytest.raises(parareel.SceneError, match="never settles"):
        run_logic(lambda s, seen: _spring(s, seen, stiffness=100, damping=0))


def _spring(s, seen, **options):
    box = s.add(Rect())
    for _ in box.x.spring(100, **options):
        seen.append(box.x())
        yield


def test_bezier_easing_is_css_cubic_bezier():
    ease = easing.bezier(0.25, 0.1, 0.25, 1.0)  # CSS "ease"
    assert ease(0) == 0 and ease(1) == 1
    assert abs(ease(0.5) - 0.8024) < 1e-3  # as browsers compute it
    assert abs(easing.bezier(0, 0, 1, 1)(0.3) - 0.3) < 1e-9
    with pytest.raises(ValueError, match="x1 and x2 must be from 0 to 1"):
        easing.bezier(1.5, 0, 0.5, 1)


def test_a_path_morphs_into_a_shape_with_other_points_and_ends_on_it_exactly():
    square = "M -50 -50 L 50 -50 L 50 50 L -50 50 Z"
    target = Path(Circle(radius=60, x=10)).data()

    def scene(s, seen):
        shape = s.add(Path(square, fill="#ffffff"))
        for _ in shape.data.to(target, 0.5):
            seen.append(shape.data())
            yield

    steps = run_logic(scene)
    assert steps[-1] == target
    middle = steps[len(steps) // 2]
    assert middle != target and len(middle) > 100  # an in-between outline

    def drawn(s):
        shape = s.add(Path(square, fill="#ffffff"))
        yield from shape.data.to(target, 0.5)

    frames = [f[..., :3].astype(int) for f in parareel.frames(Project(scenes=[drawn],
                                                                        size=SIZE))]
    assert at(frames[-1], -48, -48).max() == 0  # a circle has no corner there
    assert close(at(frames[-1], 65, 0), (255, 255, 255))


def test_paths_with_different_contour_counts_morph():
    two = "M -80 -20 L -40 -20 L -40 20 L -80 20 Z M 40 -20 L 80 -20 L 80 20 L 40 20 Z"

    def scene(s, seen):
        shape = s.add(Path("M -20 -20 L 20 -20 L 20 20 L -20 20 Z"))
        for _ in shape.data.to(two, 0.3):
            seen.append(shape.data())
            yield

    steps = run_logic(scene)
    assert sum(1 for c in steps[3] if c[0] == "M") == 2
    assert steps[-1] == Path(two).data()


def test_every_shape_draws_on_with_progress():
    ring = dict(radius=60, fill=None, stroke="#ffffff", stroke_width=6)
    half = still(Circle(**ring, progress=0.5))
    assert close(at(half, 60, 0), (255, 255, 255)) and at(half, -60, 0).max() == 0  # clockwise
    assert still(Circle(**ring, progress=0)).max() == 0
    box = still(Rect(width=200, height=100, fill=None, stroke="#ffffff", stroke_width=6,
                     progress=0.25))
    assert close(at(box, 0, -50), (255, 255, 255)) and at(box, 0, 50).max() == 0


def test_a_node_moves_along_a_path_and_turns_with_it():
    def scene(s, seen):
        dot = s.add(Rect(width=10, height=10))
        for _ in dot.move_along("M -100 0 L 0 0 L 0 100", 1.0, "linear", turn=True):
            seen.append((round(dot.x(), 3), round(dot.y(), 3), round(dot.rotation(), 3)))
            yield

    steps = run_logic(scene)
    assert steps[-1] == (0, 100, 90)  # the end, heading down
    assert steps[9][2] == 0 and steps[9][0] < 0  # first along the line heading right


# Sound

def sine(path, frequency: float, amplitude: float, seconds: float = 2.0) -> None:
    t = np.arange(int(48_000 * seconds)) / 48_000
    samples = (amplitude * 32767 * np.sin(2 * math.pi * frequency * t)).astype(np.int16)
    with wave.open(str(path), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(48_000)
        file.writeframes(samples.tobytes())


def test_audio_level_and_spectrum_follow_the_sound(tmp_path):
    sine(tmp_path / "tone.wav", 1000, 0.5)

    def scene(s, seen):
        yield from wait(0.5)
        seen.append(("silent", s.audio.level(), s.audio.spectrum(8)))
        s.play(Audio(tmp_path / "tone.wav"))
        yield
        seen.append(("tone", s.audio.level(), s.audio.spectrum(8)))
        yield

    (_, quiet, quiet_bands), (_, loud, bands) = run_logic(scene)
    assert quiet == 0 and quiet_bands == [0.0] * 8
    assert abs(loud - (1 + 20 * math.log10(0.5 / math.sqrt(2)) / 60)) < 0.01  # -9 dB RMS
    edges = np.geomspace(40, 16_000, 9)
    peak = int(np.argmax(bands))
    assert edges[peak] <= 1000 < edges[peak + 1] and bands[peak] > 0.85
    assert bands[0] < 0.1 and bands[-1] < 0.1  # a windowed FFT: no leakage far away


def test_a_clip_in_the_previous_scene_holds_its_last_frame_and_falls_silent(tmp_path):
    clip = tmp_path / "counter.mp4"
    make_clip(clip, 60, 30, audio=True)

    def playing(s):
        s.add(Video(clip, width=320, height=180, fit="fill")).play()
        yield from wait(0.5)  # shows clip frames 0-14

    def next_scene(s):
        hold = Look(previous=View(), current=View(opacity=0))  # the previous scene alone
        yield from s.transition(lambda t, width, height: hold, 0.5)

    project = Project(scenes=[playing, next_scene], size=SIZE)
    parareel.render(project, tmp_path / "out.mp4", workers=2, chunk_frames=10,
                    encoding=Encoding(lossless=True, preset="ultrafast"))
    _, frames, _ = decode(tmp_path / "out.mp4")
    shown = [read_index(f) for f in frames]
    assert shown[:15] == list(range(15)) and shown[15:] == [14] * 15, shown
    sound = decode_audio(str(tmp_path / "out.mp4"))
    playing_part, held_part = sound[2_400:21_600], sound[26_400:46_000]
    assert np.abs(playing_part).max() > 0.2 and np.abs(held_part).max() < 0.01
