"""Code, Math and Captions: what they draw, how they animate, and their errors."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest

import parareel
from parareel import Captions, Code, Math, Project, SceneError, parallel, wait
from parareel.scene.code import matches, tokens

SOURCE = "def add(a, b):\n    return a + b\n"
EDITED = "def add(a, b, c):\n    return a + b + c\n"


def frames_of(scene, size=(640, 360)) -> list[np.ndarray]:
    return [f.copy() for f in parareel.frames(Project(scenes=[scene], size=size,
                                                      background="black"))]


def test_code_tokens_keep_their_line_and_column_and_tabs_are_spaces():
    found = [(t.text, t.line, t.column) for t in tokens("if x:\n\treturn 1", "python")]
    assert found == [("if", 0, 0), ("x", 0, 3), (":", 0, 4), ("return", 1, 4), ("1", 1, 11)]


def test_code_is_drawn_in_its_themes_colours_and_sized_by_its_grid():
    def scene(s):
        s.add(Code(SOURCE, theme="monokai", size=20, padding=10))
        yield

    pixels = frames_of(scene)[0]
    code = Code(SOURCE, size=20, padding=10)
    advance, step = code.grid()
    width, height = code.natural_size()
    assert width == pytest.approx(len("    return a + b") * advance + 20)
    assert height == pytest.approx(3 * step + 20)  # the trailing newline starts a third line
    background = pixels[180, 320 - int(width / 2) + 3]
    assert tuple(background[:3]) == (0x27, 0x28, 0x22)  # monokai's background
    keyword_blue = (pixels[..., 2] > 200) & (pixels[..., 0] < 150) & (pixels[..., 1] > 180)
    assert keyword_blue.sum() > 30  # "def" and "return" in monokai's keyword colour


def test_an_edit_moves_kept_tokens_and_fades_the_others():
    old, new = tokens(SOURCE, "python"), tokens(EDITED, "python")
    kept = {old[a].text for a, _ in matches(old, new)}
    assert {"def", "add", "return"} <= kept and "c" not in kept
    seen = []

    def scene(s):
        code = s.add(Code(SOURCE))
        yield
        seen.append(code.natural_size())
        yield from code.edit(EDITED, 0.5)
        seen.append(code.natural_size())
        yield

    frames = frames_of(scene)
    assert seen[1][0] > seen[0][0]  # the box grew with the longer lines
    assert len(frames) == 17
    start, middle, end = frames[0], frames[8], frames[16]
    assert not np.array_equal(start, middle) and not np.array_equal(middle, end)
    again = frames_of(lambda s: _still(s, Code(EDITED)))[0]
    assert np.array_equal(end, again)  # an edit ends exactly on the new code


def _still(s, node):
    s.add(node)
    yield


def test_select_dims_the_other_lines():
    def scene(s):
        code = s.add(Code("first = 1\nsecond = 2", theme="github-dark"))
        yield
        yield from code.select([2], 0.2)

    frames = frames_of(scene)
    def bright(frame: np.ndarray, rows: slice) -> int:
        return int((frame[rows, :, :3].max(axis=2) > 150).sum())

    first, second = slice(0, 180), slice(180, 360)  # the two lines, above and below centre
    assert bright(frames[-1], first) == 0 < bright(frames[0], first)  # dimmed
    assert bright(frames[-1], second) == bright(frames[0], second) > 0  # kept


def test_code_errors_name_the_language_and_theme():
    with pytest.raises(ValueError, match="unknown language 'pyton'; did you mean python"):
        Code("x", language="pyton")
    with pytest.raises(ValueError, match="unknown theme 'monokia'; one of: .*monokai"):
        Code("x", theme="monokia")


def test_code_from_a_file_guesses_its_language(tmp_path):
    (tmp_path / "build.rs").write_text("fn main() {}\n")
    assert Code.file(tmp_path / "build.rs").language() == "rust"


def test_math_typesets_to_glyph_outlines_and_draws_on():
    formula = Math(r"e^{i\pi} + 1 = 0", size=60)
    assert formula.glyph_count() == 7
    width, height = formula.natural_size()
    assert 150 < width < 400 and 40 < height < 120

    def scene(s):
        s.add(Math(r"\frac{a}{b}", size=80, progress=0, fills={2: "#ff0000"}))
        s.add(Math(r"\frac{a}{b}", size=80, x=200))
        yield
        yield from s.root.children[0].progress.to(1, 0.3)

    frames = frames_of(scene)
    left = [f[:, :400, 0].astype(int).sum() for f in frames]
    assert left[0] == 0 and 0 < left[4] < left[-1]  # nothing, then part, then all
    red = (frames[-1][..., 0] > 200) & (frames[-1][..., 1] < 60)
    assert red.sum() > 20  # the third glyph is red: the fraction's bar or b
    assert frames[0][:, 400:, 0].sum() > 0  # the other formula is there from the start


def test_bad_latex_is_one_clear_error_in_the_survey():
    def scene(s):
        yield from wait(0.1)
        s.add(Math(r"\frac{a"))
        yield

    with pytest.raises(SceneError, match=r"frame 3.*cannot typeset LaTeX '\\\\frac\{a'"):
        Project(scenes=[scene], size=(64, 64)).survey()


SRT = "1\n00:00:00,100 --> 00:00:00,500\nFirst <i>cue</i>\n\n2\n00:00:01,000 --> " \
      "00:00:01,500\nSecond cue\n"
VTT = "WEBVTT\n\n00:00:00.100 --> 00:00:00.500\nFirst cue\n\n00:00:01.000 --> " \
      "00:00:01.500\nSecond cue\n"


@pytest.mark.parametrize("name,content", [("talk.srt", SRT), ("talk.vtt", VTT)])
def test_captions_show_each_cue_from_its_start_to_its_end(tmp_path, name, content):
    (tmp_path / name).write_text(content)
    shown = []

    def scene(s):
        captions = s.add(Captions(tmp_path / name))
        for _ in range(50):
            shown.append(captions.cue().text if captions.cue() else None)
            yield

    Project(scenes=[scene], size=(320, 180)).survey()
    assert shown[2] is None and shown[3] == "First cue" and shown[14] == "First cue"
    assert shown[15] is None and shown[30] == "Second cue" and shown[45] is None

    def drawn(s):
        s.add(Captions(tmp_path / name))
        yield from wait(1.7)

    frames = frames_of(drawn, size=(320, 180))
    assert frames[1].sum() == frames[20].sum()  # nothing drawn outside the cues
    assert frames[5][..., 0].max() > 200 and frames[35][..., 0].max() > 200


def test_word_timings_highlight_the_spoken_word(tmp_path):
    words = [{"word": w, "start": i * 0.5, "end": i * 0.5 + 0.45}
             for i, w in enumerate(["one", "two", "three"])]
    (tmp_path / "words.json").write_text(json.dumps({"segments": [{"words": words}]}))

    def scene(s):
        s.add(Captions(words=tmp_path / "words.json", highlight="#ff0000"))
        yield from wait(1.5)

    frames = frames_of(scene, size=(480, 120))

    def red_columns(frame: np.ndarray) -> np.ndarray:
        return np.argwhere((frame[..., 0] > 200) & (frame[..., 1] < 80))[:, 1]

    first, second = red_columns(frames[3]), red_columns(frames[18])
    assert first.size and second.size and second.min() > first.max()  # "two" after "one"


def test_caption_files_that_do_not_parse_are_refused_naming_the_file(tmp_path):
    (tmp_path / "bad.srt").write_text("not a subtitle file at all")
    with pytest.raises(parareel.AssetError, match="caption file .*bad.srt.* does not parse"):
        Captions(tmp_path / "bad.srt")
    (tmp_path / "bad.json").write_text('[{"word": "x"}]')
    with pytest.raises(parareel.AssetError, match="word timings .*bad.json.* do not parse"):
        Captions(words=tmp_path / "bad.json")
    (tmp_path / "sound.srt").write_bytes(bytes(range(128, 256)))  # not text at all
    with pytest.raises(parareel.AssetError, match="caption file .*sound.srt.* is not text"):
        Captions(tmp_path / "sound.srt")


def test_a_code_file_that_is_not_text_is_refused_naming_it(tmp_path):
    (tmp_path / "logo.py").write_bytes(bytes(range(128, 256)))
    with pytest.raises(parareel.AssetError, match="code file .*logo.py.* is not text"):
        Code.file(tmp_path / "logo.py")


def test_code_edits_math_and_captions_are_the_same_in_chunks(tmp_path):
    (tmp_path / "c.srt").write_text(SRT)

    def scene(s):
        code = s.add(Code(SOURCE, size=14, x=-60))
        formula = s.add(Math(r"a^2 + b^2 = c^2", size=30, x=90, progress=0))
        s.add(Captions(tmp_path / "c.srt", y=60, text_size=16))
        yield from parallel(code.edit(EDITED, 0.6), formula.progress.to(1, 0.9))
        yield from wait(0.5)

    project = Project(scenes=[scene], size=(320, 180), background="#101010")
    full = [f.copy() for f in parareel.frames(project)]
    for chunk_frames in (21, 14, 6):
        folder = tmp_path / f"c{chunk_frames}"
        parareel.render(project, f"{folder}/", workers=2, chunk_frames=chunk_frames)
        for i, reference in enumerate(full):
            with av.open(str(folder / f"{i:05d}.png")) as png:
                drawn = next(png.decode(video=0)).to_ndarray(format="rgb24")
            assert np.array_equal(drawn, reference[..., :3]), (chunk_frames, i)
