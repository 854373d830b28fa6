"""Authoring: tweens, easings, flow and frame counts (logic only, no drawing)."""

from __future__ import annotations

import pytest

from parareel import (
    ColorError,
    Project,
    Rect,
    SceneError,
    VariableError,
    chain,
    delay,
    easing,
    loop,
    parallel,
    sequence,
    wait,
)
from parareel.scene.color import Color, parse_color
from parareel.scene.player import play
from parareel.scene.svgpath import parse_path


def trace(scene_fn, fps=30, variables=None):
    """Run a scene's logic; return the value of `scene.probe()` at every frame."""
    project = Project(scenes=[scene_fn], size=(64, 64), fps=fps)
    return [s.probe() for s in play(project, project.resolve(variables))]


@pytest.mark.parametrize("fps", [24, 30, 60])
@pytest.mark.parametrize("name", easing.NAMES)
def test_tween_reaches_exact_end_on_exact_frame(fps, name):
    def scene(s):
        box = s.add(Rect(x=-3.7))
        s.probe = box.x
        yield from box.x.to(123.456, 0.5, name)
        yield

    values = trace(scene, fps)
    n = round(0.5 * fps)
    assert len(values) == n + 1
    assert values[n - 1] == 123.456  # the tween's last frame shows the target exactly
    assert values[n - 2] != 123.456
    assert values[n] == 123.456


@pytest.mark.parametrize("name", easing.NAMES)
def test_easing_endpoints(name):
    f = easing.get(name)
    assert f(0.0) == 0.0 and f(1.0) == 1.0


def test_easing_shapes():
    assert easing.in_quad(0.5) == 0.25 and easing.out_quad(0.5) == 0.75
    assert easing.in_out_cubic(0.5) == 0.5
    assert easing.in_back(0.3) < 0 < easing.out_back(0.7) - 1  # overshoots
    with pytest.raises(ValueError, match="unknown easing 'in_out_wobble'"):
        easing.get("in_out_wobble")


def test_flow_durations():
    def scene(s):
        box = s.add(Rect())
        s.probe = lambda: None
        yield from parallel(box.x.to(1, 1.0), box.y.to(1, 0.5), wait(0.2))  # 30
        yield from chain(box.x.to(2, 1.0), wait(0.5), box.y.to(2, 0.5))  # 60
        yield from sequence(0.1, box.x.to(3, 0.5), box.y.to(3, 0.5), wait(0.5))  # 6 + 15 = 21
        yield from delay(0.5, wait(0.5))  # 30
        yield from loop(3, lambda i: wait(0.1 * (i + 1)))  # 3 + 6 + 9 = 18

    assert len(trace(scene)) == 30 + 60 + 21 + 30 + 18


def test_parallel_runs_side_by_side_and_tweens_start_from_current_value():
    def scene(s):
        box = s.add(Rect(x=0, y=0))
        s.probe = lambda: (box.x(), box.y())
        yield from parallel(box.x.to(10, 1.0, easing.linear), box.y.to(20, 0.5, easing.linear))
        yield from box.x.to(0, 1.0)

    values = trace(scene, fps=10)
    assert values[4] == (5.0, 20.0)  # y finished on its 5th frame, x halfway
    assert values[9] == (10.0, 20.0)
    assert values[10][0] < 10.0 and values[-1] == (0.0, 20.0)


def test_color_and_point_tweens_interpolate():
    def scene(s):
        box = s.add(Rect(fill="black", scale=1))
        s.probe = lambda: (box.fill(), box.scale())
        yield from parallel(box.fill.to("#ffffff", 1.0, "linear"),
                            box.scale.to((2, 3), 1.0, "linear"))

    values = trace(scene, fps=4)
    # halfway from black to white in OKLab is the grey that looks halfway: #636363
    assert [round(c * 255) for c in values[1][0]] == [99, 99, 99, 255]
    assert values[1][1] == (1.5, 2.0)
    assert values[-1] == (Color(1.0, 1.0, 1.0, 1.0), (2.0, 3.0))


@pytest.mark.parametrize(("space", "middle"), [
    ("oklab", [140, 83, 162]),  # red to blue through an even purple
    ("linear", [188, 0, 188]),
    ("srgb", [128, 0, 128]),  # the stored numbers averaged: darker in the middle
])
def test_colour_tweens_blend_in_the_space_asked_for(space, middle):
    def scene(s):
        box = s.add(Rect(fill="red"))
        s.probe = box.fill
        yield from box.fill.to("blue", 1.0, "linear", space=space)

    values = trace(scene, fps=4)
    assert [round(c * 255) for c in values[1][:3]] == middle
    assert values[-1] == Color(0.0, 0.0, 1.0, 1.0)


def test_a_fade_from_transparent_keeps_its_hue_and_bad_spaces_are_refused():
    def scene(s):
        box = s.add(Rect(fill="transparent"))
        s.probe = box.fill
        yield from box.fill.to("#ff8000", 1.0, "linear")

    middle = trace(scene, fps=4)[1]
    assert [round(c * 255) for c in middle] == [255, 128, 0, 128]  # orange, half there

    def bad(s):
        yield from s.add(Rect(fill="red")).fill.to("blue", 1.0, space="hsv")

    with pytest.raises(SceneError, match="scene 'bad' failed at frame 0: ColorError: unknown "
                                         "colour space 'hsv': use one of oklab, linear, srgb"):
        trace(bad)


def test_computed_signal_follows_its_source():
    def scene(s):
        a = s.add(Rect(x=0))
        b = s.add(Rect(x=lambda: a.x() + 100))
        s.probe = b.x
        yield from a.x.to(50, 0.1, "linear")

    assert trace(scene, fps=10) == [150.0]


def test_frame_count_is_deterministic_and_follows_variables(project):
    assert project.frame_count() == project.frame_count() == 30 + 8
    assert project.frame_count({"seconds": 2}) == 60 + 8
    assert Project(scenes=[lambda s: (yield)], size=(2, 2)).frame_count() == 1


def test_scenes_play_one_after_another():
    def first(s):
        yield from wait(1)

    def second(s):
        s.add(Rect())
        yield from wait(0.5)

    project = Project(scenes=[first, second], size=(64, 64), fps=30)
    scenes = [s.name for s in play(project, {})]
    assert scenes == ["first"] * 30 + ["second"] * 15


def test_scene_error_names_scene_and_frame():
    def broken(s):
        yield from wait(1)
        yield
        raise ZeroDivisionError("boom")

    project = Project(scenes=[broken], size=(64, 64), fps=30)
    with pytest.raises(SceneError, match=r"scene 'broken' failed at frame 31: ZeroDivisionError"):
        project.frame_count()


def test_scene_must_be_a_generator():
    with pytest.raises(SceneError, match="generator function"):
        Project(scenes=[lambda s: None], size=(64, 64)).frame_count()


def test_endless_scene_is_stopped():
    def endless(s):
        while True:
            yield

    with pytest.raises(SceneError, match="max_seconds"):
        Project(scenes=[endless], size=(64, 64), max_seconds=2).frame_count()


def test_variables_typo_and_type_errors(project):
    with pytest.raises(VariableError, match="unknown variable 'secnds'; did you mean 'seconds'"):
        project.frame_count({"secnds": 2})
    with pytest.raises(VariableError, match="'seconds' must be a number"):
        project.frame_count({"seconds": "two"})
    with pytest.raises(VariableError, match="JSON"):
        project.frame_count({"seconds": object()})
    assert project.survey().variables == {"seconds": 1.0}


@pytest.mark.parametrize(("text", "expected"), [
    ("#ff0000", (1, 0, 0, 1)), ("#f00", (1, 0, 0, 1)), ("#00ff0080", (0, 1, 0, 128 / 255)),
    ("tomato", (1, 99 / 255, 71 / 255, 1)), ("rgba(0, 0, 255, 0.5)", (0, 0, 1, 0.5)),
    ("rgb(255 255 255)", (1, 1, 1, 1)), ((255, 0, 0), (1, 0, 0, 1)), ("transparent", (0, 0, 0, 0)),
])
def test_colors(text, expected):
    assert parse_color(text) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["#ff00f", "tomatoes", "rgba(1,2)", (300, 0, 0), "rgb(a,b,c)", 5])
def test_invalid_colors_say_what_is_accepted(bad):
    with pytest.raises(ColorError, match="invalid color"):
        parse_color(bad)


def test_invalid_color_in_a_node_is_reported_at_once():
    with pytest.raises(ColorError, match="'reddish'"):
        Rect(fill="reddish")
    with pytest.raises(TypeError, match="Rect has no property 'colour'"):
        Rect(colour="red")


def test_svg_path_parser():
    assert parse_path("M10 10 h 20 v20 Z") == (
        ("M", 10, 10), ("L", 30, 10), ("L", 30, 30), ("Z",))
    assert parse_path("m 1 1 2 2")[1] == ("L", 3, 3)  # implicit relative line-to
    with pytest.raises(ValueError, match="'L' needs 2 numbers"):
        parse_path("M 0 0 L 5")
