"""Rendering: examples decoded with PyAV, ranges against full passes, stills, errors."""

from __future__ import annotations

import numpy as np
import pytest
import skia

import parareel
from parareel import AssetError, Image, Project, Rect, SceneError, Text, wait
from parareel.load import load_project
from parareel.media.encode import Encoding
from tests.conftest import EXAMPLES, decode, small_project

LOSSLESS = Encoding(lossless=True, preset="ultrafast")


def near(pixel, rgb, tolerance=6):
    return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, rgb, strict=True))


def test_hello_example_renders_and_decodes(tmp_path):
    out = tmp_path / "hello.mp4"
    result = parareel.render(str(EXAMPLES / "hello" / "project.py"), out, workers=2,
                             variables={"message": "Hi"})
    assert result.frames == 300 and result.duration == 10.0
    pts, frames, stream = decode(out)
    assert (stream.width, stream.height, stream.average_rate) == (1920, 1080, 30)
    assert len(frames) == 300 and pts == list(range(300))
    background = (0x1B, 0x1B, 0x2F)
    assert near(frames[0][20, 20], background)
    # by frame 59 the three cards are dealt: centred at x = -420, 0, 420 and y = -40
    coral, amber, teal = (0xE9, 0x4F, 0x37), (0xF6, 0xAE, 0x2D), (0x33, 0xA1, 0xA0)
    for x, colour in ((540, coral), (960, amber), (1380, teal)):
        assert near(frames[59][500, x], colour)
    assert near(frames[59][500, 750], background)  # between two cards
    assert all(near(frames[215][500, x], coral) for x in (540, 960, 1380))  # one colour
    assert near(frames[299][500, 960], background)  # and gone at the end


def test_showcase_example_uses_every_node_type(tmp_path):
    project = load_project(str(EXAMPLES / "showcase" / "project.py"))
    out = tmp_path / "showcase.mp4"
    parareel.render(project, out, workers=1, encoding=LOSSLESS)
    pts, frames, stream = decode(out)
    assert len(frames) == project.frame_count() and (stream.width, stream.height) == (1280, 720)
    # after the pop-in, the yellow circle sits at the centre of its row
    assert near(frames[40][380, 640], (0xFF, 0xD1, 0x66))


def test_ranges_equal_slices_of_a_full_pass(project):
    full = list(parareel.frames(project))
    assert len(full) == project.frame_count()
    for start, end in [(0, 1), (0, 38), (5, 6), (7, 20), (29, 38), (37, 38), (12, 12)]:
        part = list(parareel.frames(project, start, end))
        assert len(part) == end - start
        for a, b in zip(part, full[start:end], strict=True):
            assert np.array_equal(a, b)
    assert not np.array_equal(full[0], full[1])


def test_still_equals_its_frame(project, tmp_path):
    parareel.still(project, 17, tmp_path / "f.png")
    image = skia.Image.open(str(tmp_path / "f.png")).toarray(colorType=skia.kRGBA_8888_ColorType)
    assert np.array_equal(image, list(parareel.frames(project, 17, 18))[0])


def test_pixels_follow_the_scene(project):
    first = next(parareel.frames(project, 0, 1))
    # the red square starts near x=-140 (pixel 20) at the vertical centre
    assert tuple(first[90, 22]) == (255, 0, 0, 255)
    assert tuple(first[5, 5]) == (16, 16, 16, 255)


def test_range_render_and_frame_range_errors(project, tmp_path):
    result = parareel.render(project, tmp_path / "part.mp4", frame_range=(10, 20))
    assert result.frames == 10 and len(decode(tmp_path / "part.mp4")[1]) == 10
    with pytest.raises(parareel.ParareelError, match="frame range 30:99"):
        parareel.render(project, tmp_path / "bad.mp4", frame_range=(30, 99))
    with pytest.raises(parareel.ParareelError, match="frame 38 is outside"):
        parareel.still(project, 38, tmp_path / "bad.png")
    assert not (tmp_path / "bad.mp4").exists() and not (tmp_path / "bad.png").exists()


def test_failed_render_leaves_nothing(tmp_path):
    def scene(s):
        s.add(Rect())
        yield from wait(0.5)
        raise RuntimeError("lost the plot")

    project = small_project(scenes=[scene])
    with pytest.raises(SceneError, match="scene 'scene' failed at frame 15"):
        parareel.render(project, tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_unreadable_image_and_font(tmp_path):
    (tmp_path / "not.png").write_text("hello")
    with pytest.raises(AssetError, match="not a PNG, JPEG, WebP or SVG"):
        Image(tmp_path / "not.png")
    with pytest.raises(AssetError, match="image .*missing.png.* does not exist"):
        Image(tmp_path / "missing.png")

    def scene(s):
        s.add(Text("x", font=str(tmp_path / "missing.ttf")))
        yield

    project = Project(scenes=[scene], size=(64, 64))
    with pytest.raises(SceneError, match="'scene' failed at frame 0: .*font file .*missing.ttf"
                                         ".* does not exist"):
        list(parareel.frames(project))


def test_a_relative_output_path_renders_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = parareel.render(small_project(), "out/video.mp4", workers=2)
    assert (tmp_path / "out" / "video.mp4").is_file() and result.frames == 38
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["video.mp4"]


def test_svg_images_are_drawn_as_vectors_at_any_size(tmp_path):
    (tmp_path / "flag.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="20" height="20" fill="#ff0000"/>'
        '<rect x="20" width="20" height="20" fill="#0000ff"/></svg>')

    def scene(s):
        s.add(Image(tmp_path / "flag.svg", width=200))  # 200 x 100, centred
        yield

    frame = next(parareel.frames(small_project(scenes=[scene])))[..., :3]
    assert near(frame[90, 110], (255, 0, 0)) and near(frame[90, 210], (0, 0, 255))
    assert near(frame[90, 159], (255, 0, 0), 2) and near(frame[90, 161], (0, 0, 255), 2)
    assert near(frame[20, 20], (0x10, 0x10, 0x10))  # outside: the background
