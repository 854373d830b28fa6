"""Colors survive the trip RGB -> YUV file -> RGB, for drawn shapes and for clips."""

from __future__ import annotations

import av
import numpy as np
import pytest

import parareel
from parareel import Project, Rect, Video, wait
from parareel.media.encode import Encoding

LOSSLESS = Encoding(lossless=True, pix_fmt="yuv420p")  # what is checked: the 4:2:0 round trip
COLORS = [(255, 0, 0), (0, 200, 0), (30, 60, 250), (128, 128, 128), (250, 220, 40)]
_BT709 = 1


def first_frame(path, fmt: str = "rgb24") -> np.ndarray:
    with av.open(str(path)) as container:  # converted by the matrix the file is tagged with
        return next(container.decode(video=0)).to_ndarray(format=fmt)


def test_drawn_colors_come_back_when_the_file_is_decoded_by_its_tags(tmp_path):
    def bands(s):
        for i, color in enumerate(COLORS):
            s.add(Rect(width=16, height=32, x=-32 + 16 * i, fill=color))  # from the middle
        yield from wait(1 / 30)

    project = Project(scenes=[bands], size=(96, 32), fps=30, background="black")
    out = parareel.render(project, tmp_path / "bands.mp4", encoding=LOSSLESS).output
    rgb = first_frame(out)
    for i, color in enumerate(COLORS):
        x = 48 - 32 + 16 * i
        assert np.abs(rgb[16, x].astype(int) - color).max() <= 3, (color, rgb[16, x])


def natural_clip(path, frames: int = 6, *, bt709: bool = False) -> list[np.ndarray]:
    """A lossless clip of gradients and noise (not flat: rounding would hide in flat
    areas). Returns its frames as stored, in YUV."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:64, 0:96]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30, options={"qp": "0"})
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        if bt709:
            ctx = stream.codec_context
            ctx.color_primaries = ctx.color_trc = ctx.colorspace = _BT709
        for i in range(frames):
            rgb = np.stack([x * 2 + i, y * 3, 255 - x * 2], axis=-1)
            rgb = np.clip(rgb + rng.integers(-20, 20, rgb.shape), 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame = frame.reformat(format="yuv420p",
                                   dst_colorspace="ITU709" if bt709 else "ITU601")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with av.open(str(path)) as container:
        return [f.to_ndarray() for f in container.decode(video=0)]


def whole_frame_project(clip) -> Project:
    def show(s):
        s.add(Video(clip, width=s.width, height=s.height)).play()
        yield from wait(6 / 30)

    return Project(scenes=[show], size=(96, 64), fps=30)


def test_a_clip_shown_whole_comes_out_as_it_went_in(tmp_path):
    # the decoder's YUV -> RGB is the inverse of the encoder's RGB -> YUV: no noise is
    # added that the encoder would then spend time and bits on
    source = natural_clip(tmp_path / "clip.mp4")
    out = parareel.render(whole_frame_project(tmp_path / "clip.mp4"), tmp_path / "out.mp4",
                          encoding=LOSSLESS).output
    with av.open(str(out)) as container:
        shown = [f.to_ndarray() for f in container.decode(video=0)]
    assert len(shown) == len(source)
    for a, b in zip(source, shown, strict=True):
        assert np.abs(a.astype(int) - b).mean() < 0.05


@pytest.mark.parametrize("bt709", [False, True])
def test_a_clip_keeps_its_colors_whatever_its_matrix(tmp_path, bt709):
    natural_clip(tmp_path / "clip.mp4", bt709=bt709)
    source = first_frame(tmp_path / "clip.mp4").astype(int)
    out = parareel.render(whole_frame_project(tmp_path / "clip.mp4"), tmp_path / "out.mp4",
                          encoding=LOSSLESS).output
    assert np.abs(first_frame(out).astype(int) - source).mean() < 1.5
