"""Output formats: each chosen by the output's name, rendered in one pass and in 3 chunks,
decoded with PyAV and compared; transparency; stills; refused settings."""

from __future__ import annotations

import sys
from pathlib import Path

import av
import numpy as np
import pytest

import parareel
from parareel import Audio, Circle, Project, Rect, Video, easing, parallel, wait
from parareel.cli import run
from parareel.errors import ParareelError
from parareel.media.formats import Encoding
from tests.conftest import EXAMPLES, SUITE, decode, psnr
from tests.mp4boxes import _boxes

FPS, FRAMES = 30, 30
BEAT = EXAMPLES / "sounds" / "beat.wav"


def scene(scene):
    """A square slides over a still corner while a sound plays from frame 0."""
    scene.add(Rect(width=40, height=30, fill="#3060c0", x=-55, y=-25))  # never moves
    box = scene.add(Rect(width=30, height=30, fill="#ff2020", x=-40))
    scene.add(Circle(radius=12, fill="#20ff40", y=20))
    scene.play(Audio(BEAT))
    yield from parallel(box.x.to(50, 0.9, easing.linear))
    yield from wait(0.1)


def opaque() -> Project:
    return Project(scenes=[scene], size=(160, 96), fps=FPS, background="#101010")


def transparent() -> Project:
    return Project(scenes=[scene], size=(160, 96), fps=FPS, background=None)


def render(tmp_path: Path, name: str, project: Project | None = None, workers: int = 1,
           **settings) -> Path:
    out = tmp_path / f"{workers}" / name
    encoding = Encoding(**{"format": "mp4", **settings}) if settings else None
    parareel.render(project or opaque(), out, workers=workers, encoding=encoding)
    return out


def read(path: Path, decoder: str | None = None) -> dict:
    """Everything a test checks of a file: codec, pixel format, frames (RGBA), their
    times in frames, the audio track."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        context = av.codec.CodecContext.create(decoder, "r") if decoder else None
        frames, pts = [], []
        packets = container.demux(stream)
        decoded = (f for p in packets for f in context.decode(p)) if context else \
            container.decode(stream)
        for frame in decoded:
            frames.append(frame.to_ndarray(format="rgba"))
            pts.append(round(frame.pts * stream.time_base * FPS))  # WebM counts ms
        info = {"codec": stream.codec_context.name, "tag": stream.codec_tag,
                "pix_fmt": stream.codec_context.pix_fmt, "frames": frames, "pts": pts,
                "size": (stream.width, stream.height)}
    with av.open(str(path)) as container:
        if container.streams.audio:
            audio = container.streams.audio[0]
            samples = sum(f.samples for f in container.decode(audio))
            info["audio"] = (audio.codec_context.name, audio.start_time * audio.time_base,
                             samples / audio.sample_rate)
    return info


CASES = [  # name, settings, decoded codec, decoded pixel format, lossless
    ("h264.mp4", {"lossless": True}, "h264", "yuv444p", True),
    ("h264.mp4", {}, "h264", "yuv420p", False),
    ("h265.mp4", {"codec": "h265", "lossless": True}, "hevc", "yuv444p", True),
    ("h265.mp4", {"codec": "h265", "pix_fmt": "yuv420p10le"}, "hevc", "yuv420p10le", False),
    ("av1.mp4", {"codec": "av1"}, "libdav1d", "yuv420p", False),
    ("vp9.webm", {"lossless": True}, "vp9", "yuv444p", True),  # lossless: 4:4:4 by default
    ("prores.mov", {}, "prores", "yuv422p10le", False),
    ("h264.mov", {"codec": "h264"}, "h264", "yuv420p", False),
]


@pytest.mark.parametrize(("name", "settings", "codec", "pix_fmt", "lossless"), CASES,
                         ids=[f"{c[0]}{'-lossless' if c[4] else ''}" for c in CASES])
def test_every_video_format_in_one_pass_and_in_chunks(tmp_path, name, settings, codec,
                                                      pix_fmt, lossless):
    fmt = name.rsplit(".", 1)[1]
    settings = {**settings, "format": fmt}
    files = [render(tmp_path, name, workers=w, **{**settings, "preset": _fast(settings)})
             for w in (1, 3)]
    one, chunked = (read(f) for f in files)
    for info in (one, chunked):
        assert info["codec"] == codec and info["pix_fmt"] == pix_fmt
        assert len(info["frames"]) == FRAMES and info["pts"] == list(range(FRAMES))
        assert info["size"] == (160, 96)
        sound, start, seconds = info["audio"]
        assert sound == {"mp4": "aac", "mov": "pcm_s16le", "webm": "opus"}[fmt]
        assert start == 0 and abs(seconds - FRAMES / FPS) < 0.03  # in sync, whole
    if codec == "hevc":
        assert one["tag"] == "hvc1"  # what Safari and QuickTime play
    if lossless:  # chunks change nothing: the seams are exact
        assert all(np.array_equal(a, b) for a, b in zip(one["frames"], chunked["frames"],
                                                        strict=True))
    exact = list(parareel.frames(opaque()))
    for info in (one, chunked):  # every frame, those at the seams too, near the source
        assert min(psnr(luma(a), luma(b)) for a, b in zip(info["frames"], exact,
                                                          strict=True)) > 32
    if fmt in ("mp4", "mov"):  # the index before the media: a browser plays it at once
        kinds = [kind for kind, _ in _top_boxes(files[1])]
        assert kinds.index("moov") < kinds.index("mdat")
    if fmt == "webm":
        data = files[1].read_bytes()
        cues, cluster = data.find(b"\x1c\x53\xbb\x6b"), data.find(b"\x1f\x43\xb6\x75")
        assert 0 < cues < cluster  # the seek index before the first cluster


def luma(rgba: np.ndarray) -> np.ndarray:
    """Brightness: what 4:2:0 keeps at full resolution (colour edges of a frame this
    small lose much to chroma subsampling, whatever the codec)."""
    return rgba[..., :3].astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])


def _fast(settings: dict) -> str | None:
    codec = settings.get("codec") or {"mp4": "h264", "mov": "prores",
                                      "webm": "vp9"}[settings["format"]]
    return {"h264": "ultrafast", "h265": "ultrafast", "av1": "12", "vp9": "8"}.get(codec)


def _top_boxes(path: Path) -> list[tuple[str, bytes]]:
    data = path.read_bytes()
    return list(_boxes(data, 0, len(data)))


def test_gop_sets_the_keyframe_interval(tmp_path):
    out = render(tmp_path, "gop.mp4", gop=8, preset="ultrafast")
    with av.open(str(out)) as container:
        keys = [i for i, p in enumerate(p for p in container.demux(video=0) if p.size)
                if p.is_keyframe]
    assert keys == [0, 8, 16, 24]


def test_scale_changes_the_size_of_videos_and_stills(tmp_path):
    out = render(tmp_path, "half.mp4", scale=0.5, preset="ultrafast")
    assert read(out)["size"] == (80, 48)
    still = parareel.still(opaque(), 10, tmp_path / "big.png", scale=2)
    with av.open(str(still)) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (320, 192)


# -- GIF --------------------------------------------------------------------------------

def test_gif_loops_with_one_palette_and_no_flicker_at_seams(tmp_path):
    one, chunked = (render(tmp_path, "out.gif", workers=w, format="gif") for w in (1, 3))
    a, b = read(one), read(chunked)
    assert len(b["frames"]) == FRAMES
    assert abs(b["pts"][-1] - (FRAMES - 1)) <= 1  # GIF counts hundredths of a second
    # one palette for the whole video: chunks give the very same pixels as one pass
    assert all(np.array_equal(x, y) for x, y in zip(a["frames"], b["frames"], strict=True))
    # the still blue corner is one colour in every frame, across every seam
    corner = {tuple(f[26, 30]) for f in b["frames"]}
    assert len(corner) == 1 and psnr(np.array(corner.pop())[:3],
                                     np.array([0x30, 0x60, 0xC0])) > 30
    exact = list(parareel.frames(opaque()))
    assert min(psnr(x[..., :3], y[..., :3]) for x, y in zip(b["frames"], exact,
                                                            strict=True)) > 28
    assert b"NETSCAPE2.0" in chunked.read_bytes()  # the loop extension


def test_a_gif_in_chunks_is_one_gif_to_a_strict_reader(tmp_path):
    from PIL import Image, ImageSequence

    one, chunked = (render(tmp_path, "out.gif", workers=w, format="gif") for w in (1, 3))
    data = chunked.read_bytes()
    assert data.count(b"GIF89a") == 1 and data.count(b"NETSCAPE2.0") == 1
    assert data.endswith(b"\x3b")
    decoded = {}
    for path in (one, chunked):
        with Image.open(path) as gif:  # Pillow stops at the first trailer, as browsers do
            assert gif.n_frames == FRAMES and gif.info["loop"] == 0
            frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
            delays = [f.info["duration"] for f in ImageSequence.Iterator(gif)]
        decoded[path] = frames
        assert abs(sum(delays) - FRAMES * 1000 / FPS) <= 10  # the whole length, in ms
    assert all(np.array_equal(a, b) for a, b in zip(decoded[one], decoded[chunked],
                                                    strict=True))


# -- image sequences and sound only ---------------------------------------------------

def test_png_frames_are_written_by_the_workers_directly(tmp_path):
    folder = tmp_path / "frames"
    result = parareel.render(opaque(), f"{folder}/", workers=3)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{i:05d}.png" for i in range(FRAMES)] and len(result.chunks) == 3
    exact = list(parareel.frames(opaque()))
    for i in (0, 9, 10, 29):  # either side of a seam
        assert np.array_equal(_png(folder / f"{i:05d}.png"), exact[i][..., :3])
    parareel.render(opaque(), tmp_path / "range" / "f%03d.png", frame_range=(5, 8))
    assert sorted(p.name for p in (tmp_path / "range").iterdir()) == \
        ["f005.png", "f006.png", "f007.png"]


def _png(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.to_ndarray(format="rgba" if "a" in frame.format.name else "rgb24")


@pytest.mark.parametrize(("name", "codec"), [("sound.m4a", "aac"), ("sound.wav", "pcm_s16le")])
def test_the_sound_track_alone(tmp_path, name, codec):
    out = tmp_path / name
    result = parareel.render(opaque(), out)
    assert result.chunks == []  # no frame drawn
    with av.open(str(out)) as container:
        assert not container.streams.video
        stream = container.streams.audio[0]
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
        assert stream.codec_context.name == codec
    assert abs(len(samples) / 2 / 48_000 - FRAMES / FPS) < 0.03 and np.abs(samples).max() > 0


def test_a_silent_video_has_no_sound_track_to_write(tmp_path):
    silent = Project(scenes=[lambda s: (yield from wait(0.2))], size=(64, 64))
    with pytest.raises(ParareelError, match="no sound"):
        parareel.render(silent, tmp_path / "x.wav")
    assert list(tmp_path.iterdir()) == []


# -- transparency -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "decoder", "tolerance"), [
    ("alpha.webm", "libvpx-vp9", 8),  # FFmpeg's own VP9 decoder drops the alpha plane
    ("alpha.mov", None, 1),
    ("alpha.gif", None, 0),
])
def test_transparent_projects_keep_their_alpha(tmp_path, name, decoder, tolerance):
    fmt = name.rsplit(".", 1)[1]
    out = render(tmp_path, name, transparent(), workers=3, format=fmt)
    frames = read(out, decoder)["frames"]
    assert len(frames) == FRAMES
    for frame in (frames[0], frames[15], frames[-1]):
        assert frame[2, 2, 3] <= tolerance  # the empty background is transparent
        assert frame[26, 30, 3] >= 255 - tolerance  # the blue corner is opaque
        assert psnr(frame[26, 30, :3], np.array([0x30, 0x60, 0xC0])) > 30
    assert frames[0][48, 40, 3] >= 255 - tolerance  # the red square, at first here,
    assert frames[-1][48, 40, 3] <= tolerance  # has gone: nothing of it is left behind


def test_transparent_png_frames_and_stills(tmp_path):
    parareel.render(transparent(), f"{tmp_path}/seq/", workers=2)
    pixels = _png(tmp_path / "seq" / "00012.png")
    assert pixels.shape[2] == 4 and pixels[2, 2, 3] == 0 and pixels[26, 30, 3] == 255
    assert tuple(pixels[26, 30, :3]) == (0x30, 0x60, 0xC0)  # straight, not premultiplied
    for name in ("still.png", "still.webp"):
        path = parareel.still(transparent(), 12, tmp_path / name)
        assert _png(path)[2, 2, 3] == 0


def test_stills_by_extension(tmp_path):
    for name, codec in (("a.png", "png"), ("a.jpg", "mjpeg"), ("a.webp", "webp")):
        path = parareel.still(opaque(), 12, tmp_path / name, quality=80)
        with av.open(str(path)) as container:
            assert container.streams.video[0].codec_context.name == codec
        assert psnr(_png(path)[..., :3], list(parareel.frames(opaque(), 12, 13))[0][..., :3]) > 30


# -- refused before anything is drawn ---------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["-o", "out.avi"], "cannot tell what to write from the name 'out.avi'"),
    (["-o", "out"], "give a folder, out/, or a pattern"),
    (["-o", "out.mp4", "--crf", "99"], "crf must be from 0 to 51 for h264"),
    (["-o", "out.mp4", "--preset", "nonsense"], "preset must be one of ultrafast"),
    (["-o", "out.webm", "--codec", "h264"], ".webm carries vp9, not 'h264'"),
    (["-o", "out.mp4", "--codec", "vp8"], "known codecs: h264"),
    (["-o", "out.mov", "--crf", "20"], "prores has no crf"),
    (["-o", "out.mp4", "--pixel-format", "rgb24"], "pixel format must be one of yuv420p"),
    (["-o", "out.mp4", "--bitrate", "fast"], "bad --bitrate 'fast'"),
    (["-o", "out.mp4", "--crf", "20", "--bitrate", "2M"], "not both"),
    (["-o", "out.mp4", "--gop", "0"], "gop must be from 1"),
    (["-o", "out.mp4", "--scale", "0"], "scale must be from 0.05 to 8"),
    (["-o", "out.mp4", "--codec", "av1", "--lossless"], "av1 has no lossless mode"),
])
def test_bad_settings_are_refused_in_one_line_and_write_nothing(tmp_path, monkeypatch, capsys,
                                                              args, message):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "argv", ["parareel", "render", SUITE, *args])
    with pytest.raises(SystemExit) as stopped:
        run()
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert stopped.value.code == 1 and len(lines) == 1 and message in lines[0], lines
    assert list(work.iterdir()) == []


def test_transparency_in_a_format_without_alpha_is_refused(tmp_path):
    for name in ("out.mp4", "still.jpg"):
        with pytest.raises(ParareelError, match="no alpha channel"):
            if name.endswith(".jpg"):
                parareel.still(transparent(), 0, tmp_path / name)
            else:
                parareel.render(transparent(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_outputs_in_s3_frames_by_the_workers_and_a_webm(stack, s3, tmp_path):
    parareel.render(opaque(), f"s3://{stack.bucket}/formats/seq/", workers=3)
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix="formats/")
    keys = sorted(item["Key"] for item in listed.get("Contents", []))
    assert keys == [f"formats/seq/{i:05d}.png" for i in range(FRAMES)]  # nothing else left
    local = tmp_path / "00017.png"
    s3.download_file(stack.bucket, "formats/seq/00017.png", str(local))
    assert np.array_equal(_png(local), list(parareel.frames(opaque(), 17, 18))[0][..., :3])
    parareel.render(opaque(), f"s3://{stack.bucket}/formats/out.webm", workers=2)
    s3.download_file(stack.bucket, "formats/out.webm", str(tmp_path / "out.webm"))
    assert len(read(tmp_path / "out.webm")["frames"]) == FRAMES


# -- the standard profile, tuned for what is drawn ----------------------------------------

def x264_options(path) -> set[str]:
    """The options x264 wrote into the stream (its SEI message in the first frame)."""
    with av.open(str(path)) as container:
        first = next(p for p in container.demux(video=0) if p.size)
    text = bytes(first).split(b"options: ", 1)[1].split(b"\0", 1)[0]
    return set(text.decode().split())


def clip_scene(scene, seconds: float = 1.0):
    clip = scene.add(Video(EXAMPLES / "seed" / "media" / "background.mp4", width=160,
                           height=96))
    clip.play()
    scene.add(Rect(width=20, height=20, fill="#ff2020"))
    yield from wait(seconds)


def test_the_survey_tells_footage_from_graphics_and_the_encoder_is_tuned_so(tmp_path):
    graphics = opaque()
    footage = Project(scenes=[clip_scene], size=(160, 96), fps=FPS, background="#101010")

    def brief(s):  # a clip on the stage for a third of the frames: graphics still
        yield from clip_scene(s, 0.3)
        s.root.children[0].remove()
        yield from wait(0.7)

    mostly_graphics = Project(scenes=[brief], size=(160, 96), fps=FPS, background="#101010")
    seen = {}
    for name, project in (("graphics", graphics), ("footage", footage),
                          ("brief", mostly_graphics)):
        parareel.render(project, tmp_path / f"{name}.mp4", workers=2)
        seen[name] = x264_options(tmp_path / f"{name}.mp4")
    assert {"bframes=3", "aq=1:0.80", "deblock=0:0:0", "8x8dct=1", "crf=23.0",
            "cabac=1"} <= seen["graphics"]
    assert {"bframes=3", "aq=0", "deblock=1:1:1", "8x8dct=1", "crf=26.0"} <= seen["footage"]
    assert seen["brief"] == seen["graphics"]
    # a preset asked for is x264's own (CABAC back on at ultrafast, as before)
    parareel.render(graphics, tmp_path / "asked.mp4", encoding=Encoding(preset="ultrafast"))
    asked = x264_options(tmp_path / "asked.mp4")
    assert {"cabac=1", "bframes=0", "8x8dct=0", "aq=0"} <= asked


def test_the_tuned_profile_joins_chunks_with_b_frames_exactly_in_time(tmp_path):
    footage = Project(scenes=[clip_scene], size=(160, 96), fps=FPS, background="#101010")
    parareel.render(footage, tmp_path / "exact.mp4", workers=1,
                    encoding=Encoding(lossless=True))
    parareel.render(footage, tmp_path / "many.mp4", workers=3)
    with av.open(str(tmp_path / "many.mp4")) as container:
        packets = [p for p in container.demux(video=0) if p.size]
        keyframes = sorted(round(p.pts * p.time_base * FPS) for p in packets if p.is_keyframe)
    frames, exact = (decode(tmp_path / name)[1] for name in ("many.mp4", "exact.mp4"))
    assert any(p.pts != p.dts for p in packets)  # B-frames: reordered
    assert keyframes[:3] == [0, 10, 20] and len(frames) == len(exact) == 30
    for i, frame in enumerate(frames):  # each frame is its own moment, not a neighbour's
        near = {j: psnr(frame, exact[j]) for j in (i - 1, i, i + 1) if 0 <= j < 30}
        assert max(near, key=near.get) == i and near[i] >= 30, (i, near)
