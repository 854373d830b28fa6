"""Exactness: frame i, every sample and every duration are the same however they are reached."""

from __future__ import annotations

import wave
from fractions import Fraction

import av
import numpy as np
import pytest

import parareel
from parareel import Audio, Project, Rect, Text, wait
from parareel.media.audio import mix_blocks
from parareel.media.encode import Encoding
from parareel.pipeline import prepare
from parareel.scene.audio import decode as decode_audio
from tests.conftest import EXAMPLES, decode
from tests.mp4boxes import durations

LOSSLESS = Encoding(lossless=True, preset="ultrafast")
BEAT = EXAMPLES / "sounds" / "beat.wav"


def jittery(scene):
    """Computed signals that draw from scene.random: evaluated only when a frame is drawn."""
    box = scene.add(Rect(width=40, height=40, fill="#ff0000"))
    label = scene.add(Text("x", size=20, y=40))
    box.x(lambda: scene.random.uniform(-100, 100))
    label.x(lambda: box.x() + scene.random.uniform(-5, 5))
    for _ in range(30):
        scene.random.random()  # the logic draws from it too
        yield


def jitter_project() -> Project:
    return Project(scenes=[jittery], size=(320, 180), fps=30, background="#000000")


def test_computed_signals_using_scene_random_render_the_same_in_chunks(tmp_path):
    project = jitter_project()
    parareel.render(project, tmp_path / "one.mp4", workers=1, encoding=LOSSLESS)
    parareel.render(project, tmp_path / "three.mp4", workers=3, encoding=LOSSLESS)
    _, one, _ = decode(tmp_path / "one.mp4")
    _, three, _ = decode(tmp_path / "three.mp4")
    for i, (a, b) in enumerate(zip(one, three, strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"
    assert not np.array_equal(one[10], one[11])  # the jitter is there


def test_a_slice_of_frames_equals_the_same_slice_of_a_full_pass():
    project = jitter_project()
    full = list(parareel.frames(project))
    for start, end in [(1, 2), (10, 20), (29, 30)]:
        part = list(parareel.frames(project, start, end))
        assert all(np.array_equal(a, b) for a, b in zip(part, full[start:end], strict=True))


def test_random_generator_kept_by_a_computed_signal_is_refused():
    def keeps_generator(scene):
        rng = scene.random  # the logic's generator, used later while drawing
        box = scene.add(Rect())
        box.x(lambda: rng.uniform(-10, 10))
        yield

    project = Project(scenes=[keeps_generator], size=(64, 64), fps=30)
    with pytest.raises(parareel.SceneError, match="scene.random"):
        list(parareel.frames(project))


def test_range_keeps_a_looping_sound_started_before_it_to_the_end(tmp_path):
    def looping(scene):
        scene.play(Audio(BEAT, loop=True))
        yield from wait(2.0)

    project = Project(scenes=[looping], size=(64, 64), fps=30)
    whole, part = prepare(project), prepare(project, frame_range=(30, 60))
    full = np.concatenate([b for _, b in mix_blocks(whole.cues, 60, 30)])
    cut = np.concatenate([b for _, b in mix_blocks(part.cues, 30, 30)])
    assert np.array_equal(cut, full[48_000:])  # the range's sound is the same stretch
    out = tmp_path / "range.mp4"
    parareel.render(project, out, frame_range=(30, 60))
    samples = decode_audio(str(out))
    tail = slice(40_000, 47_000)  # the last sixth of a second, AAC-encoded
    assert np.sqrt(np.mean(samples[tail] ** 2)) > 0.5 * np.sqrt(np.mean(cut[tail] ** 2)) > 0


@pytest.mark.parametrize(("fps", "frames"), [(29, 31), (24, 50), (60, 7), (30, 31),
                                             (Fraction(30000, 1001), 31), ("24000/1001", 50),
                                             (Fraction(60000, 1001), 7)])
def test_durations_are_exact_at_every_frame_rate(tmp_path, fps, frames):
    def scene(s):
        s.play(Audio(BEAT, loop=True))
        s.add(Rect())
        for _ in range(frames):
            yield

    project = Project(scenes=[scene], size=(64, 64), fps=fps)
    out = tmp_path / "out.mp4"
    parareel.render(project, out, workers=2)
    exact, found = frames / Fraction(fps), durations(out)
    assert found["movie"] == found["edit0"] == exact
    assert 0 <= exact - found["edit1"] < Fraction(1, 48_000)  # to the sample, never past
    with av.open(str(out)) as container:  # the audio track holds every sample it must play
        audio = container.streams.audio[0]
        samples = sum(f.samples for f in container.decode(audio))
    assert samples >= exact * 48_000


def test_a_mono_sound_at_full_volume_keeps_its_level_in_both_channels(tmp_path):
    mono = tmp_path / "mono.wav"
    tone = (0.5 * np.sin(np.arange(48_000) * 2 * np.pi * 440 / 48_000) * 32767).astype("<i2")
    with wave.open(str(mono), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48_000)
        out.writeframes(tone.tobytes())
    samples = decode_audio(str(mono))
    assert samples.shape[1] == 2
    assert np.abs(samples[:, 0]).max() == pytest.approx(0.5, abs=0.01)
    assert np.array_equal(samples[:, 0], samples[:, 1])


def test_fractional_frame_rates_are_exact_in_chunks(tmp_path):
    from tests.conftest import moving_scene

    project = Project(scenes=[moving_scene], size=(64, 64), fps="30000/1001")
    assert project.fps == Fraction(30000, 1001)
    one, many = tmp_path / "one.mp4", tmp_path / "many.mp4"
    parareel.render(project, one, encoding=LOSSLESS)
    parareel.render(project, many, workers=3, encoding=LOSSLESS)
    (pts, a, stream), (_, b, _) = decode(one), decode(many)
    assert stream.average_rate == Fraction(30000, 1001)
    assert (Fraction(1001, 30000) / stream.time_base).denominator == 1  # whole ticks a frame
    assert pts == list(range(project.frame_count())) and len(a) == len(b)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("fps", [0, 241, "fast", 29.97, True])
def test_bad_frame_rates_are_refused(fps):
    with pytest.raises(parareel.ProjectError, match="fps must be"):
        Project(scenes=[jittery], fps=fps)
