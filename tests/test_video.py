"""Video clips: the source frame shown at every output frame follows the documented rule,
in every chunk, for clips of several rates, GOPs and containers; and the clip's sound."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import parareel
from parareel import AssetError, Project, SceneError, Video, easing, wait
from parareel.media.encode import Encoding
from parareel.scene.audio import decode as decode_audio
from tests.clips import index_frame, make_clip, read_index
from tests.conftest import decode

LOSSLESS = Encoding(lossless=True, preset="ultrafast")
CLIPS = {  # name: (frames, fps, options)
    "h264-gop250-bframes-25": (150, 25, {}),
    "h264-gop12-23.976": (150, Fraction(24000, 1001), {"gop": 12}),
    "h264-60": (300, 60, {"gop": 30}),
    "h264-vfr": (120, 30, {"pts": [round(i * 1000 / 30 + (7 if i % 3 == 1 else 0))
                                   for i in range(120)]}),
    "vp9-webm-30": (100, 30, {"codec": "libvpx-vp9", "gop": 60}),
    "mov-odd-size-29.97": (100, Fraction(30000, 1001), {"size": (150, 90)}),
}
SUFFIX = {"vp9-webm-30": ".webm", "mov-odd-size-29.97": ".mov"}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, (frames, fps, options) in CLIPS.items():
        path = folder / f"{name}{SUFFIX.get(name, '.mp4')}"
        made[name] = (str(path), make_clip(path, frames, fps, **options))
    return made


# The scenario every clip goes through, as steps of (seconds to wait, action).
STEPS = [(0.2, None), (0.0, ("play", None)), (1.0, ("pause",)), (0.3, ("seek", 0.4)),
         (0.0, ("play", 2)), (0.6, ("play", 0.5)), (0.5, None)]


def scenario(path: str, **options):
    def scene(s):
        clip = s.add(Video(path, width=s.width, height=s.height, fit="fill", **options))
        for seconds, action in STEPS:
            if action:
                name, *args = action
                getattr(clip, name)(*[a for a in args if a is not None])
            yield from wait(seconds)
    return scene


def expected_times(fps: Fraction, frames: int, start: Fraction, length: Fraction,
                   loop: bool, rate: Fraction) -> list[Fraction]:
    """The rule, simulated frame by frame: the clip's time advances by rate/fps while playing."""
    t, playing, out, frame = Fraction(0), False, [], 0
    for seconds, action in STEPS:
        if action:
            name, *args = action
            if name == "play":
                playing, rate = True, Fraction(str(args[0])) if args[0] else rate
            elif name == "pause":
                playing = False
            else:
                t = Fraction(str(args[0]))
        for _ in range(round(seconds * fps)):
            clip_t = t % length if loop else min(t, length)
            out.append(start + clip_t)
            if playing:
                t += rate / fps
            frame += 1
    assert len(out) == frames
    return out


def shown_index(times: list[Fraction], t: Fraction) -> int:
    """The last source frame whose presentation time is not after t (the first before it)."""
    earlier = [i for i, pts in enumerate(times) if pts <= t]
    return earlier[-1] if earlier else 0


CASES = [("h264-gop250-bframes-25", 30, {}), ("h264-gop250-bframes-25", "30000/1001", {}),
         ("h264-gop12-23.976", 24, {}), ("h264-60", 60, {}), ("h264-vfr", 30, {}),
         ("vp9-webm-30", 30, {}), ("mov-odd-size-29.97", 30, {}),
         ("h264-gop250-bframes-25", 30, {"loop": True, "start": 0.5, "end": 1.5}),
         ("h264-gop12-23.976", 30, {"start": 1.0, "end": 1.6}),
         ("h264-60", 30, {"rate": 0.5}), ("h264-60", "30000/1001", {}),
         ("h264-vfr", 24, {"loop": True, "end": 2.0}), ("vp9-webm-30", 60, {"rate": 2}),
         ("mov-odd-size-29.97", "30000/1001", {"loop": True, "start": 0.2})]


@pytest.mark.parametrize(("clip", "fps", "options"), CASES)
def test_each_output_frame_shows_the_source_frame_the_rule_names(clips, tmp_path, clip, fps,
                                                                 options):
    path, times = clips[clip]
    project = Project(scenes=[scenario(path, **options)], size=(320, 192), fps=fps)
    out = tmp_path / "out.mp4"
    parareel.render(project, out, workers=3, encoding=LOSSLESS)
    _, frames, _ = decode(out)
    start = Fraction(str(options.get("start", 0)))
    duration = times[-1] + (times[-1] - times[-2])
    end = min(Fraction(str(options["end"])), duration) if "end" in options else duration
    rate = Fraction(str(options.get("rate", 1)))
    wanted = expected_times(project.fps, len(frames), start, end - start,
                            options.get("loop", False), rate)
    shown = [read_index(f) for f in frames]
    assert shown == [shown_index(times, t) for t in wanted]


@pytest.mark.parametrize("workers", [2, 3, 7])  # 78 frames: 7 chunks leave a remainder
def test_chunks_equal_a_single_pass_with_a_seek_on_a_boundary(clips, tmp_path, workers):
    path, _ = clips["h264-gop250-bframes-25"]
    project = Project(scenes=[scenario(path, loop=True, start=0.3, end=2.9)], size=(320, 192),
                      fps=30)
    parareel.render(project, tmp_path / "one.mp4", encoding=LOSSLESS)
    parareel.render(project, tmp_path / "many.mp4", workers=workers, encoding=LOSSLESS)
    (_, one, _), (_, many, _) = decode(tmp_path / "one.mp4"), decode(tmp_path / "many.mp4")
    assert len(one) == len(many) == 78
    assert all(np.array_equal(a, b) for a, b in zip(one, many, strict=True))


def test_a_chunk_seeks_instead_of_decoding_from_the_start(clips):
    from parareel.draw.clips import ClipReader

    path, times = clips["h264-gop250-bframes-25"]  # one keyframe at 0: the worst case
    reader = ClipReader(path)
    decoded = []
    original = reader._seek

    def counting_seek(t):
        original(t)
        decoded.append(t)

    reader._seek = counting_seek
    reader.frame_at(Fraction(5))
    assert decoded == [Fraction(5)]  # it sought to the keyframe before 5 s at once


def test_the_clip_sound_plays_while_the_clip_plays(tmp_path):
    path = tmp_path / "talk.mp4"
    make_clip(path, 60, 30, audio=True)

    def scene(s):
        clip = s.add(Video(path, width=s.width, height=s.height))
        yield from wait(0.5)
        clip.play()
        yield from wait(1.0)
        clip.pause()
        yield from wait(0.5)

    project = Project(scenes=[scene], size=(160, 96), fps=30)
    out = tmp_path / "out.mp4"
    parareel.render(project, out, workers=3)
    samples = decode_audio(str(out))
    loud = np.abs(samples[:, 0]) > 0.05
    assert not loud[:20_000].any() and loud[30_000:60_000].mean() > 0.3
    assert not loud[80_000:].any()


@pytest.mark.parametrize("rotation", [90, 180, -90])
def test_a_clip_with_a_rotation_flag_is_shown_turned(tmp_path, rotation):
    path = tmp_path / "phone.mp4"
    make_clip(path, 8, 30, size=(64, 32), rotation=rotation)
    turned = np.rot90(index_frame(5, 64, 32), k=rotation // 90)  # counterclockwise
    height, width = turned.shape[:2]

    def scene(s):
        s.add(Video(path)).play()  # its own size: the turned one
        yield from wait(8 / 30)

    out = tmp_path / "out.mp4"
    parareel.render(Project(scenes=[scene], size=(width, height), fps=30), out,
                    encoding=LOSSLESS, workers=2)
    _, frames, info = decode(out)
    assert (info.width, info.height) == (width, height)
    assert np.abs(frames[5].astype(int) - turned).mean() < 8


def test_a_tweened_volume_shapes_the_clip_sound(tmp_path):
    path = tmp_path / "talk.mp4"
    make_clip(path, 90, 30, audio=True)  # a 440 Hz tone at 0.3 for 3 s

    def scene(s):
        clip = s.add(Video(path, width=s.width, height=s.height))
        clip.play()
        yield from wait(1.0)
        yield from clip.volume.to(0.0, 1.0, easing.linear)
        yield from wait(1.0)

    out = tmp_path / "out.mp4"
    parareel.render(Project(scenes=[scene], size=(160, 96), fps=30), out, workers=3)
    samples = decode_audio(str(out))[:, 0]
    # peak level over each tenth of a second: full, then down a straight line, then none
    peaks = [np.abs(samples[i:i + 4800]).max() for i in range(0, 3 * 48_000, 4800)]
    assert all(p == pytest.approx(0.3, abs=0.03) for p in peaks[1:9])
    fade = peaks[11:19]  # 1.1 s .. 1.9 s: 0.3 * (2 - t), loudest where each tenth starts
    expected = [0.3 * (1 - (k + 1) / 10) for k in range(len(fade))]
    assert fade == pytest.approx(expected, abs=0.015)
    assert max(peaks[21:]) < 0.01


FORK_AFTER_DECODING = """
import gc, os, sys
from parareel import Project, Video, wait, render
from parareel.draw.clips import ClipReader

reader = ClipReader(sys.argv[1])
reader.frame_at(0)
reader.cycle = reader
gc.collect()  # now old, and then garbage only a full collection frees: with a decoder
del reader    # whose threads live in this process only
here = os.getpid()

def scene(s):
    s.add(Video(sys.argv[1])).play()
    if os.getpid() != here:
        gc.collect()  # a worker's full collection (one comes, sooner or later)
    yield from wait(1.0)

render(Project(scenes=[scene], size=(160, 96), fps=30), sys.argv[2], workers=2)
"""


def test_workers_start_cleanly_after_this_process_decoded_clips(tmp_path):
    # a forked worker that frees an inherited decoder waits forever for its threads
    make_clip(tmp_path / "clip.mp4", 30, 30)
    process = subprocess.Popen([sys.executable, "-c", FORK_AFTER_DECODING,
                                str(tmp_path / "clip.mp4"), str(tmp_path / "out.mp4")],
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):  # hung workers go with their parent
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, stderr.decode()
    _, frames, _ = decode(tmp_path / "out.mp4")
    assert [read_index(f) for f in frames] == list(range(30))  # every clip frame, in order


def test_broken_clips_are_refused_in_the_survey(tmp_path):
    (tmp_path / "not-a-video.mp4").write_text("hello")

    def scene(s):
        s.add(Video(tmp_path / "not-a-video.mp4"))
        yield

    with pytest.raises(SceneError, match="not-a-video.mp4.* not a video FFmpeg can read"):
        parareel.render(Project(scenes=[scene], size=(64, 64)), tmp_path / "out.mp4")
    with pytest.raises(AssetError, match="clip .*missing.mp4.* does not exist"):
        Video(tmp_path / "missing.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-video.mp4"]


def test_a_clips_sound_stops_when_it_leaves_the_stage(tmp_path):
    path = tmp_path / "talk.mp4"
    make_clip(path, 30, 30, audio=True)  # a tone, 1 s

    def looping(s):
        s.add(Video(path, loop=True)).play()
        yield from wait(1.5)  # it loops...

    def after(s):
        yield from wait(1.0)  # ...but not into the next scene

    def removed(s):
        clip = s.add(Video(path, loop=True))
        clip.play()
        yield from wait(0.5)
        clip.remove()  # the picture goes at once, and so does the sound
        yield from wait(1.0)

    for scenes, heard in (([looping, after], 1.5), ([removed], 0.5)):
        out = tmp_path / "sound.wav"
        parareel.render(Project(scenes=scenes, size=(64, 64), fps=30), out)
        samples = decode_audio(str(out))[:, 0]
        edge = int(heard * 48_000)
        assert np.abs(samples[edge - 4800:edge - 2400]).max() > 0.2  # still playing
        assert np.abs(samples[edge + 480:]).max() < 0.001, scenes  # silent after
