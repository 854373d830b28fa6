"""Seams: a video rendered in chunks and joined equals the same video rendered whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import av
import numpy as np
import pytest

import parareel
from parareel import Audio, Rect, SceneError, wait
from parareel.media.encode import Encoding
from parareel.plan import plan
from parareel.scene.audio import decode as decode_audio
from tests.conftest import EXAMPLES, decode, moving_scene, psnr, small_project

LOSSLESS = Encoding(lossless=True, preset="ultrafast")
BLIP = EXAMPLES / "sounds" / "blip.wav"
BEAT = EXAMPLES / "sounds" / "beat.wav"


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Single-chunk lossless renders, one per frame rate."""
    out = {}
    for fps in (24, 30, 60):
        path = tmp_path_factory.mktemp("ref") / f"{fps}.mp4"
        parareel.render(small_project(fps), path, workers=1, encoding=LOSSLESS)
        out[fps] = decode(path)
    return out


@pytest.mark.parametrize("fps", [24, 30, 60])
@pytest.mark.parametrize(("workers", "chunk_frames"), [(2, None), (3, None), (7, None), (2, 8)])
def test_chunked_render_equals_single_chunk(references, tmp_path, fps, workers, chunk_frames):
    project = small_project(fps)
    n = project.frame_count()
    out = tmp_path / "out.mp4"
    result = parareel.render(project, out, workers=workers, chunk_frames=chunk_frames,
                             encoding=LOSSLESS)
    expected = len(plan(n, workers, chunk_frames))
    assert len(result.chunks) == expected > 1
    pts, frames, stream = decode(out)
    ref_pts, ref_frames, _ = references[fps]
    assert len(frames) == n == len(ref_frames)
    assert pts == list(range(n))  # strictly increasing, one per frame
    assert stream.average_rate == fps
    assert float(stream.duration * stream.time_base) == pytest.approx(n / fps, abs=1e-9)
    for i, (a, b) in enumerate(zip(frames, ref_frames, strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"


def test_lossy_chunks_stay_within_45_db(tmp_path):
    # B-frames and all: two lossy encodes differ only by quantisation near the seams
    project = small_project(30)
    high = Encoding(crf=14, preset="veryfast")
    parareel.render(project, tmp_path / "one.mp4", workers=1, encoding=high)
    parareel.render(project, tmp_path / "many.mp4", workers=2, chunk_frames=5, encoding=high)
    _, one, _ = decode(tmp_path / "one.mp4")
    pts, many, _ = decode(tmp_path / "many.mp4")
    assert len(many) == len(one) and pts == list(range(len(one)))
    assert min(psnr(a, b) for a, b in zip(one, many, strict=True)) >= 45


def test_segments_start_on_keyframes_and_join_without_reencode(tmp_path):
    project = small_project(30)
    result = parareel.render(project, tmp_path / "out.mp4", workers=3, encoding=LOSSLESS)
    with av.open(str(tmp_path / "out.mp4")) as c:
        packets = [p for p in c.demux(video=0) if p.size]
        keyframes = [round(p.pts * p.time_base * 30) for p in packets if p.is_keyframe]
    assert len(result.chunks) == 3
    bounds = [c.start for c in plan(project.frame_count(), 3)]
    assert set(bounds) <= set(keyframes)  # each segment kept its own leading keyframe


def sound_scene(scene):
    scene.play(Audio(BEAT, volume=0.5, loop=True))
    box = scene.add(Rect(width=40, height=40))
    yield from wait(0.5)
    scene.play(Audio(BLIP, start=0.01, duration=0.2))
    yield from box.x.to(100, 1.0)


def test_audio_is_mixed_once_and_identical_across_chunkings(tmp_path):
    project = small_project(30, scenes=[sound_scene])
    n = project.frame_count()
    parareel.render(project, tmp_path / "one.mp4", workers=1, encoding=LOSSLESS)
    parareel.render(project, tmp_path / "seven.mp4", workers=7, encoding=LOSSLESS)
    one, seven = decode_audio(str(tmp_path / "one.mp4")), decode_audio(str(tmp_path / "seven.mp4"))
    assert abs(len(one) - n / 30 * 48000) <= 1024  # as long as the video, within one AAC frame
    assert np.abs(one).max() > 0.1  # it is not silence
    for chunk in plan(n, 7)[1:]:  # samples around every chunk boundary are the single-pass ones
        at = chunk.start * 48000 // 30
        assert np.array_equal(one[at - 2048 : at + 2048], seven[at - 2048 : at + 2048])
    with av.open(str(tmp_path / "seven.mp4")) as c:
        audio = c.streams.audio[0]
        assert (audio.rate, audio.channels) == (48000, 2)


def test_video_without_sounds_has_no_audio_track(tmp_path):
    parareel.render(small_project(), tmp_path / "out.mp4", workers=2)
    with av.open(str(tmp_path / "out.mp4")) as c:
        assert len(c.streams.audio) == 0


@pytest.mark.parametrize("workers", [1, 4])
def test_one_frame_video_and_more_workers_than_frames(tmp_path, workers):
    def one(scene):
        scene.add(Rect(fill="red"))
        yield

    out = tmp_path / "one.mp4"
    result = parareel.render(small_project(scenes=[one]), out, workers=workers)
    assert result.frames == 1 and len(decode(out)[1]) == 1

    three = small_project(scenes=[lambda s: (yield from wait(0.1))])
    result = parareel.render(three, tmp_path / "three.mp4", workers=8, encoding=LOSSLESS)
    assert [c.frames for c in result.chunks] == [1, 1, 1]
    assert decode(tmp_path / "three.mp4")[0] == [0, 1, 2]


def test_scene_raising_inside_one_chunk_fails_the_render_cleanly(tmp_path):
    def fragile(scene):
        yield from moving_scene(scene)
        yield
        raise KeyError("missing prop")

    project = small_project(scenes=[fragile])
    # the survey catches it before any chunk renders; a chunk-only failure is tested below
    with pytest.raises(SceneError, match=r"scene 'fragile' failed at frame 39: KeyError"):
        parareel.render(project, tmp_path / "out.mp4", workers=3)
    assert list(tmp_path.iterdir()) == []


def test_error_raised_only_while_drawing_a_chunk(tmp_path, monkeypatch):
    def draws_badly(scene):
        box = scene.add(Rect(fill="red"))
        yield from wait(1.0)
        box.radius(lambda: 1 / 0)  # logic is fine, drawing frame 30 fails
        yield from wait(0.5)

    project = small_project(scenes=[draws_badly])
    scratch = tmp_path.parent / f"{tmp_path.name}-tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(SceneError, match="scene 'draws_badly' failed at frame 30: ZeroDivision"):
        parareel.render(project, tmp_path / "out.mp4", workers=3)
    assert list(tmp_path.iterdir()) == [] and list(scratch.iterdir()) == []


def test_ctrl_c_stops_every_worker_and_leaves_nothing(tmp_path):
    out = tmp_path / "out.mp4"
    scratch = tmp_path.parent / f"{tmp_path.name}-tmp"  # the render's TMPDIR, watched too
    scratch.mkdir()
    # a slow preset: the render lasts long after the first segment file appears
    code = (f"import parareel; from parareel.media.encode import Encoding; "
            f"parareel.render({str(EXAMPLES / 'hello' / 'project.py')!r}, {str(out)!r}, "
            f"workers=2, encoding=Encoding(preset='slow'))")
    # Ctrl-C as a terminal delivers it, even when this suite runs as a background job
    # (whose shell ignores SIGINT for its children)
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                            env={**os.environ, "TMPDIR": str(scratch)},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".parareel-*/chunks/*")):  # the workers are encoding
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    assert proc.wait(timeout=30) != 0
    time.sleep(0.5)
    assert list(tmp_path.iterdir()) == []
    assert list(scratch.iterdir()) == []  # no chunk's scratch folder either
    alive = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True)
    assert alive.stdout.strip() == ""


MEMORY_PROBE = """
import resource, sys
import parareel
from parareel import Audio, Project, Rect, wait
from pathlib import Path

def scene(s):
    s.play(Audio({beat!r}, loop=True))
    box = s.add(Rect(width=80, height=80, fill="red"))
    yield from box.x.to(200, float(sys.argv[1]))

project = Project(scenes=[scene], size=(640, 360), fps=30)
parareel.render(project, sys.argv[2], workers=1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_stays_flat_as_the_video_grows(tmp_path):
    code = MEMORY_PROBE.format(beat=str(BEAT))

    def peak_kib(seconds: int) -> int:
        result = subprocess.run([sys.executable, "-c", code, str(seconds),
                                 str(tmp_path / f"{seconds}.mp4")],
                                capture_output=True, text=True, timeout=600, check=True)
        return int(result.stdout.split()[-1])

    short, long = peak_kib(2), peak_kib(40)  # 60 frames against 1200 (0.9 MB each)
    assert long < short * 1.25 + 20_000, (short, long)


def test_sound_plays_once_unless_looped():
    from parareel.media.audio import mix_blocks
    from parareel.scene.audio import RATE, Cue, decode

    length = len(decode(str(BLIP)))  # 0.25 s
    once = np.concatenate([b for _, b in mix_blocks([Cue(0, Audio(BLIP, duration=2.0))], 60, 30)])
    looped = np.concatenate([b for _, b in mix_blocks([Cue(0, Audio(BLIP, loop=True))], 60, 30)])
    assert len(once) == len(looped) == 2 * RATE
    assert np.abs(once[:length]).max() > 0.1 and not once[length:].any()
    assert np.array_equal(looped[length : 2 * length], looped[:length])
