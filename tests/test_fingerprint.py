"""Frame prints: frames that print alike draw alike, and holds are not drawn again."""

from __future__ import annotations

import hashlib
import shutil
from itertools import pairwise

import numpy as np
import pytest

from parareel import Image, Layout, Project, Rect, Text, Video, wait
from parareel.draw import fingerprint, frames
from parareel.draw.fingerprint import frame_print
from parareel.draw.frames import Canvas, render_frames
from parareel.load import load_project
from parareel.scene.player import play
from tests.clips import make_clip
from tests.conftest import EXAMPLES

LOGO = EXAMPLES / "showcase" / "logo.png"


def prints_of(project: Project, variables=None) -> list[bytes | None]:
    found = []
    for scene in play(project, project.resolve(variables)):
        with scene.drawing():
            found.append(frame_print(scene))
    return found


def drawn_without_holds(project: Project, scale: float, monkeypatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setattr(frames, "frame_print", lambda scene, contents=True: None)  # every frame drawn
        return [hashlib.sha256(p).hexdigest() for p in render_frames(project, scale=scale)]


@pytest.mark.parametrize("name", ["hello", "chart", "effects", "showcase"])
def test_frames_that_print_alike_draw_alike(name, monkeypatch):
    project = load_project(str(EXAMPLES / name / "project.py"))
    prints = prints_of(project)
    pixels = drawn_without_holds(project, 0.25, monkeypatch)
    assert None not in prints
    by_print: dict[bytes, set[str]] = {}
    for shown, drawn in zip(prints, pixels, strict=True):
        by_print.setdefault(shown, set()).add(drawn)
    assert all(len(drawn) == 1 for drawn in by_print.values())
    # and the prints tell apart what differs: as many prints as distinct pictures, near
    assert len(by_print) >= len(set(pixels))
    assert len(by_print) <= len(set(pixels)) * 1.2 + 2


def test_holds_are_handed_out_again_undrawn_and_equal_a_full_draw(monkeypatch):
    project = load_project(str(EXAMPLES / "hello" / "project.py"))
    full = drawn_without_holds(project, 0.25, monkeypatch)
    draws = []
    draw = Canvas.draw
    monkeypatch.setattr(Canvas, "draw", lambda self, *a: draws.append(1) or draw(self, *a))
    held = [hashlib.sha256(p).hexdigest() for p in render_frames(project, scale=0.25)]
    assert held == full
    prints = prints_of(project)
    holds = sum(a == b for a, b in pairwise(prints))
    repeats = sum(a == b for a, b in pairwise(full))  # at this size, a little more
    assert 50 < holds <= repeats  # the example holds its title: this measures something
    assert len(draws) == len(full) - holds


def project_of(scene_function) -> Project:
    return Project(scenes=[scene_function], size=(64, 64), fps=10)


def test_a_print_follows_every_kind_of_change(tmp_path):
    """Each change between consecutive frames changes the print; a frame that changes
    nothing keeps it."""
    art = tmp_path / "art.png"
    shutil.copy(LOGO, art)

    def scene(s):
        box = s.add(Rect(width=10, height=10, fill="red"))
        label = s.add(Text("a", size=12))
        picture = s.add(Image(str(art), width=20))
        yield                                # 0
        yield                                # 1: nothing changed
        box.x = 1                            # 2: a number
        yield
        box.fill = "#ff0001"                 # 3: a colour, by one step
        yield
        label.text = "b"                     # 4: a string
        yield
        box.x(lambda: 1.0)                   # 5: computed, to the same value
        yield
        picture.opacity = 0.999              # 6
        yield
        box.z = 1                            # 7: the draw order
        yield
        yield from wait(0.1)                 # 8: a wait
        s.camera.x = 3                       # 9: the camera
        yield
        row = s.add(Layout(gap=2))
        ghost = row.add(Rect(width=10, height=10, opacity=0))
        row.add(Rect(width=10, height=10, fill="blue"))
        yield                                # 10
        ghost.width = 20                     # 11: hidden, yet it moves its sibling
        yield
        box.opacity = 0
        yield                                # 12
        box.width = 30                       # 13: hidden, taking no room: nothing drawn
        yield

    prints = prints_of(project_of(scene))
    assert prints[1] == prints[0] and prints[5] == prints[4] and prints[8] == prints[7]
    assert prints[13] == prints[12]
    changed = [2, 3, 4, 6, 7, 9, 10, 11, 12]
    assert all(prints[i] != prints[i - 1] for i in changed), prints


def test_an_image_file_changed_in_place_changes_the_print(tmp_path):
    art = tmp_path / "art.png"
    shutil.copy(LOGO, art)

    def scene(s):
        s.add(Image(str(art), width=20))
        yield

    project = project_of(scene)
    before = prints_of(project)
    data = bytearray(art.read_bytes())
    data[-20] ^= 1  # the same path, the same size, other bytes
    art.write_bytes(bytes(data))
    assert prints_of(project) != before


def test_a_clip_prints_the_time_it_shows(tmp_path):
    clip = tmp_path / "clip.mp4"
    make_clip(clip, frames=20, fps=10)

    def scene(s):
        video = s.add(Video(str(clip), width=32))
        video.play()
        yield                  # 0: clip time 0
        yield                  # 1: 0.1 s, another picture
        video.pause()
        yield                  # 2: paused at 0.2 s
        yield                  # 3: held
        yield                  # 4: held

    prints = prints_of(project_of(scene))
    assert prints[0] != prints[1] != prints[2]
    assert prints[2] == prints[3] == prints[4]


def test_a_value_of_unknown_kind_makes_the_frame_unprintable():
    class Odd:
        pass

    class Badge(Rect):  # a project's own kind of node: its attributes are printed too
        pass

    def scene(s):
        badge = s.add(Badge(width=10, height=10))
        badge.note = "plain"
        badge.x(lambda: 1.0)
        yield
        badge.stroke_width(lambda: np.float32(2))  # NumPy numbers are numbers
        yield
        badge.note = "other"
        yield
        badge.note = Odd()
        yield

    prints = prints_of(project_of(scene))
    assert None not in prints[:3] and prints[2] != prints[1]
    assert prints[3] is None


def test_file_prints_are_worked_out_once(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 1000)
    calls = []
    real = fingerprint.sha256
    monkeypatch.setattr(fingerprint, "sha256", lambda p: calls.append(p) or real(p))
    first = fingerprint.file_print(str(path))
    assert fingerprint.file_print(str(path)) == first and len(calls) == 1


def test_a_hold_is_not_converted_or_compressed_again(tmp_path, monkeypatch):
    """The encoder's YUV conversion and a PNG's compression are done once per picture."""
    import cv2

    import parareel
    from parareel.media import encode, sequence

    def scene(s):
        box = s.add(Rect(width=10, height=10, fill="red"))
        yield from wait(0.5)       # 5 frames, one picture
        yield from box.x.to(20, 0.5)  # 5 pictures
        yield from wait(0.5)       # 5 more of the last one

    project = Project(scenes=[scene], size=(64, 64), fps=10)
    counted = {"yuv": 0, "png": 0}
    convert, compress = cv2.cvtColor, cv2.imencode

    def counting_convert(pixels, code, *args, **kwargs):
        counted["yuv"] += code in (cv2.COLOR_BGRA2YUV_I420, cv2.COLOR_RGBA2YUV_I420)
        return convert(pixels, code, *args, **kwargs)

    def counting_compress(*args, **kwargs):
        counted["png"] += 1
        return compress(*args, **kwargs)

    monkeypatch.setattr(encode.cv2, "cvtColor", counting_convert)
    monkeypatch.setattr(sequence.cv2, "imencode", counting_compress)
    parareel.render(project, tmp_path / "out.mp4", workers=1)
    parareel.render(project, f"{tmp_path}/frames/", workers=1)
    assert counted == {"yuv": 6, "png": 6}  # 15 frames, 6 pictures
    assert len(list((tmp_path / "frames").glob("*.png"))) == 15


@pytest.mark.parametrize("name", ["hello", "effects"])
def test_a_print_does_not_depend_on_whether_frames_were_drawn_before(name):
    """Drawing reads properties never set (their defaults): a frame prints the same
    either way, so a render's keys and a worker's holds agree."""
    project = load_project(str(EXAMPLES / name / "project.py"))
    canvas = Canvas(project, 0.125)
    drawn_between = []
    for scene in play(project, project.resolve({})):
        with scene.drawing():
            drawn_between.append(frame_print(scene))
            canvas.draw(scene)
    assert drawn_between == prints_of(project)


def test_holds_are_found_without_reading_any_file(tmp_path, monkeypatch):
    """A worker tells a hold by which file a frame shows, not by hashing its bytes (a
    large clip would be read by every worker); keys, which outlive it, hash them."""
    import parareel

    art = tmp_path / "art.png"
    shutil.copy(LOGO, art)

    def scene(s):
        s.add(Image(str(art), width=20))
        yield from wait(0.5)

    project = project_of(scene)
    monkeypatch.setattr(fingerprint, "sha256", lambda path: pytest.fail(f"read {path}"))
    parareel.render(project, tmp_path / "out.mp4", workers=1)
    assert frame_print_of_first(project, contents=False) is not None
    with pytest.raises(pytest.fail.Exception, match="read .*art.png"):
        frame_print_of_first(project, contents=True)


def frame_print_of_first(project: Project, contents: bool) -> bytes | None:
    for scene in play(project, {}):
        with scene.drawing():
            return frame_print(scene, contents=contents)
    return None
