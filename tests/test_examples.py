"""The chart and captions examples: driven by their data, drawn where the data says."""

from __future__ import annotations

import numpy as np

import parareel
from parareel.load import load_project
from tests.conftest import EXAMPLES

CHART = str(EXAMPLES / "chart" / "project.py")
CAPTIONS = str(EXAMPLES / "captions" / "project.py")


def bar_length(frame: np.ndarray, colour: tuple[int, int, int]) -> int:
    """How many columns of the frame hold the bar's colour."""
    hit = np.all(np.abs(frame[..., :3].astype(int) - colour) <= 3, axis=2)
    return int(hit.any(axis=0).sum())


def bar_row(frame: np.ndarray, colour: tuple[int, int, int]) -> float:
    hit = np.all(np.abs(frame[..., :3].astype(int) - colour) <= 3, axis=2)
    return float(np.nonzero(hit.any(axis=1))[0].mean())


def test_the_chart_follows_its_data_and_reranks_between_periods():
    data = {"periods": ["then", "now"],
            "data": {"a": {"values": [10, 40], "color": "#ff0000"},
                     "b": {"values": [20, 20], "color": "#00ff00"}}}
    project = load_project(CHART)
    frames = project.frame_count(data)
    shown = list(parareel.frames(CHART, 40, 41, variables=data))[0]  # first period, grown
    last = list(parareel.frames(CHART, frames - 1, frames, variables=data))[0]
    red, green = (255, 0, 0), (0, 255, 0)
    # lengths in proportion to the values (the longest value spans the longest bar)
    assert abs(bar_length(shown, red) / bar_length(shown, green) - 10 / 20) < 0.02
    assert abs(bar_length(last, red) / bar_length(last, green) - 40 / 20) < 0.02
    assert bar_row(shown, green) < bar_row(shown, red)  # b leads, above a
    assert bar_row(last, red) < bar_row(last, green)  # then a overtakes it


def test_captions_are_shown_from_their_start_to_their_end(tmp_path):
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nFIRST LINE\n\n"
                   "2\n00:00:03,500 --> 00:00:04,000\nsecond\n")
    variables = {"captions": str(srt)}
    project = load_project(CAPTIONS)
    assert project.frame_count(variables) == round((4.0 + 0.25 + 0.6) * 30)

    def text_pixels(frame: int) -> int:
        pixels = list(parareel.frames(CAPTIONS, frame, frame + 1, variables=variables))[0]
        band = pixels[900:1000, 200:1720, :3]  # where the subtitle line is drawn
        return int(np.all(band >= 235, axis=2).sum())

    assert text_pixels(15) == 0  # before the first subtitle
    assert text_pixels(45) > 500  # the first, shown
    assert text_pixels(90) == 0  # between the two
    assert text_pixels(110) > 200  # the second


EXPLAINER = str(EXAMPLES / "explainer" / "project.py")


def test_the_explainer_draws_the_same_frames_however_its_chunks_fall():
    from parareel.draw.frames import render_frames

    project = load_project(EXPLAINER)
    assert 30 <= project.duration() <= 60
    cuts = {(0, 150): (0, 41, 97, 150),  # tags popping in, making room for each other
            (400, 520): (400, 433, 470, 520),  # a code edit, then a line picked out
            (1000, 1060): (1000, 1029, 1060)}  # captions over the clip
    for (start, end), bounds in cuts.items():
        whole = [f.copy() for f in render_frames(project, start, end, scale=0.25)]
        parts = [f.copy() for a, b in zip(bounds, bounds[1:], strict=False)
                 for f in render_frames(project, a, b, scale=0.25)]
        assert len(parts) == len(whole) == end - start
        for i, (a, b) in enumerate(zip(whole, parts, strict=True)):
            assert np.array_equal(a, b), f"frame {start + i}"
        assert not np.array_equal(whole[0], whole[-1])  # something moves in each window
