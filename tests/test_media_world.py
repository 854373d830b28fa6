"""Clips as they come from the world: open GOPs, timestamps that start late, files without
a duration, non-square pixels. Each clip is written here, every frame showing its index."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

import parareel
from parareel import Project, Video, wait
from parareel.scene.video import probe
from tests.clips import index_frame, read_index

FPS = 30
SIZE = (160, 96)


def write(path, frames: int, codec: str, *, options: dict | None = None,
          pix_fmt: str = "yuv420p", container_format: str | None = None,
          container_options: dict | None = None, first_pts: int = 0,
          sar: Fraction | None = None) -> None:
    with av.open(str(path), "w", format=container_format,
                 options=container_options or {}) as container:
        stream = container.add_stream(codec, rate=FPS, options=options or {})
        stream.width, stream.height, stream.pix_fmt = *SIZE, pix_fmt
        stream.time_base = stream.codec_context.time_base = Fraction(1, FPS)
        if sar is not None:
            stream.codec_context.sample_aspect_ratio = sar
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(index_frame(i, *SIZE), format="rgb24")
            frame = frame.reformat(format=pix_fmt)
            frame.pts = first_pts + i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def shown_indices(path, start: int = 0, end: int | None = None, seek: float | None = None,
                  frames: int = 90) -> list[int]:
    def scene(s):
        clip = s.add(Video(path, width=s.width, height=s.height))
        if seek is not None:
            clip.seek(seek)
        clip.play()
        yield from wait(frames / FPS)

    project = Project(scenes=[scene], size=SIZE, fps=FPS)
    return [read_index(f[..., :3]) for f in parareel.frames(project, start, end)]


OPEN_GOP = {
    "h264": ("libx264", {"x264-params": "keyint=24:min-keyint=24:open-gop=1:bframes=3",
                         "qp": "0"}, "yuv420p"),
    "hevc": ("libx265", {"x265-params": "keyint=24:min-keyint=24:open-gop=1:bframes=3:"
                                        "log-level=error", "qp": "0"}, "yuv420p"),
    "hevc-10bit": ("libx265", {"x265-params": "keyint=24:min-keyint=24:open-gop=1:bframes=3:"
                                              "log-level=error", "qp": "0"}, "yuv420p10le"),
}


@pytest.mark.parametrize("kind", OPEN_GOP)
def test_open_gop_clips_show_every_frame_in_any_chunk(tmp_path, kind):
    codec, options, pix_fmt = OPEN_GOP[kind]
    path = tmp_path / f"open-{kind}.mp4"
    write(path, 96, codec, options=options, pix_fmt=pix_fmt)
    assert shown_indices(path) == list(range(90))  # one pass
    for start in (22, 23, 46, 47, 70, 71):  # chunks starting just before a keyframe
        assert shown_indices(path, start, start + 6) == list(range(start, start + 6)), start
    assert shown_indices(path, seek=70 / FPS, frames=6) == list(range(70, 76))


def test_a_clip_whose_timestamps_start_late_shows_its_frames_from_its_start(tmp_path):
    stream_cut = tmp_path / "cut.ts"  # an MPEG-TS cut from a stream that began 10 s before
    write(stream_cut, 60, "libx264", options={"qp": "0", "bf": "0"}, container_format="mpegts",
          first_pts=10 * FPS)
    with av.open(str(stream_cut)) as container:
        assert container.start_time > 9_000_000  # the file says it starts at 10 s
    assert shown_indices(stream_cut, frames=45) == list(range(45))


def test_a_live_webm_without_a_duration_plays_whole(tmp_path):
    live = tmp_path / "recording.webm"  # as a browser's MediaRecorder writes it
    write(live, 45, "libvpx-vp9", options={"lossless": "1"}, container_format="webm",
          container_options={"live": "1"})
    with av.open(str(live)) as container:
        assert container.duration is None and container.streams.video[0].duration is None
        stream = container.streams.video[0]
        stored = [Fraction(p.pts) * stream.time_base for p in container.demux(stream)
                  if p.pts is not None]  # milliseconds: 1/30 s is stored as 0.033 s
    # output frame n shows the last frame whose stored time is not after n/30 s
    expected = [max(i for i, t in enumerate(stored) if t <= Fraction(n, FPS))
                for n in range(45)]
    assert shown_indices(live, frames=45) == expected
    assert probe(str(live), "recording.webm").duration == Fraction(3, 2)  # found, not 0


def test_non_square_pixels_are_shown_at_their_display_shape(tmp_path):
    wide = tmp_path / "anamorphic.mp4"  # stored 160x96, shown twice as wide: 320x96
    write(wide, 10, "libx264", options={"qp": "0"}, sar=Fraction(2, 1))

    def scene(s):
        s.add(Video(wide, width=320, height=320, fit="contain")).play()
        yield

    pixels = next(parareel.frames(Project(scenes=[scene], size=(320, 320),
                                          background="#ff00ff")))
    picture = np.argwhere(np.abs(pixels[..., :3].astype(int) - (255, 0, 255)).sum(axis=2) > 60)
    height = picture[:, 0].max() - picture[:, 0].min() + 1
    width = picture[:, 1].max() - picture[:, 1].min() + 1
    assert width == 320 and abs(height - 96) <= 1  # letterboxed at 320:96, not 160:96


def damaged(tmp_path, how: str):
    """A 2 s clip with sound, index at the front (as parareel and phones write), damaged."""
    from tests.clips import make_clip

    whole = tmp_path / "whole.mp4"
    make_clip(whole, 60, FPS, audio=True)
    fixed = tmp_path / "front.mp4"
    with av.open(str(whole)) as src, av.open(str(fixed), "w",
                                             options={"movflags": "faststart"}) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    data = bytearray(fixed.read_bytes())
    if how == "truncated":
        data = data[:int(len(data) * 0.6)]
    else:  # bytes zeroed in the middle of the media data
        middle = len(data) // 2
        data[middle:middle + len(data) // 8] = bytes(len(data) // 8)
    path = tmp_path / f"{how}.mp4"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how,wording", [
    ("truncated", r"clip '.*truncated.mp4' is (cut short: its frames end at|damaged at)"),
    ("zeroed", r"clip '.*zeroed.mp4' is damaged at \d+\.\d\d s: "),
])
@pytest.mark.parametrize("muted", [False, True])
def test_a_damaged_clip_is_refused_in_the_survey_naming_it_and_its_scene(tmp_path, how,
                                                                        wording, muted):
    path = damaged(tmp_path, how)

    def scene(s):
        s.add(Video(path, muted=muted)).play()
        yield from wait(2.0)

    project = Project(scenes=[scene], size=SIZE, fps=FPS)
    with pytest.raises(parareel.SceneError, match=rf"scene 'scene' failed at frame 0: {wording}"
                       ) as caught:
        project.survey()  # before any chunk: on Lambda, before the fan-out
    assert "Errno" not in str(caught.value)


def test_a_damaged_sound_is_refused_in_the_survey_naming_it(tmp_path):
    from tests.conftest import EXAMPLES

    data = bytearray((EXAMPLES / "seed" / "media" / "music.m4a").read_bytes())
    middle = len(data) // 2
    data[middle:middle + len(data) // 8] = bytes(len(data) // 8)
    (tmp_path / "music.m4a").write_bytes(bytes(data))

    def scene(s):
        yield from wait(0.5)
        s.play(parareel.Audio(tmp_path / "music.m4a"))
        yield

    with pytest.raises(parareel.SceneError, match=r"scene 'scene' failed at frame 15: sound "
                                                  r"'.*music.m4a' is damaged at \d+\.\d\d s: "
                                                  "Invalid data"):
        Project(scenes=[scene], size=SIZE, fps=FPS).survey()
