"""Text: shaped, wrapped and measured by the engine that draws it; spans, outlines,
shadows, reveals and string tweens."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

import parareel
from parareel import AssetError, Project, SceneError, Span, Text, wait
from parareel.scene.signal import type_between
from parareel.scene.text import parse_markup

LINE = "the quick brown fox jumps over the lazy dog"


def draw(*nodes: Text, size=(480, 200)) -> np.ndarray:
    def scene(s):
        s.add(*nodes)
        yield

    return next(parareel.frames(Project(scenes=[scene], size=size, background="black")))


def ink(pixels: np.ndarray, channel: int = 0, level: int = 60) -> np.ndarray:
    """(rows, columns) of the pixels lit in `channel`."""
    return np.argwhere(pixels[..., channel] > level)


def test_wrapping_at_a_width_breaks_at_words_and_the_box_holds_the_ink():
    one_line = Text(LINE, size=24)
    wrapped = Text(LINE, size=24, width=200)
    w1, h1 = one_line.natural_size()
    w2, h2 = wrapped.natural_size()
    assert w1 > 400 and w2 == 200
    assert h2 == pytest.approx(3 * h1, abs=1)  # three lines of 1.2 x 24 px
    pixels = draw(wrapped)
    rows, cols = ink(pixels).T
    left, top = 240 - 100, 100 - h2 / 2
    assert cols.min() >= left and cols.max() <= left + 200
    assert rows.min() >= top and rows.max() <= top + h2


def test_a_word_longer_than_the_width_is_broken_too():
    text = Text("Supercalifragilisticexpialidocious", size=40, width=200)
    assert text.natural_size()[1] > 2 * Text("S", size=40).natural_size()[1]


def test_align_places_lines_in_the_box_and_says_which_point_x_is():
    left = ink(draw(Text("ab", size=40, align="left")))[:, 1]
    right = ink(draw(Text("ab", size=40, align="right")))[:, 1]
    assert left.min() >= 240 and right.max() <= 240  # x is the left or the right edge


def test_spans_and_markup_draw_their_own_colours_and_weights():
    spans = parse_markup("plain **bold** *slanted* [#ff0000]red[/] end")
    styled = [(s.text, s.weight, s.italic, s.fill) for s in spans if s != Span(s.text)]
    assert styled == [
        ("bold", 700, None, None), ("slanted", None, True, None), ("red", None, None,
                                                                    parareel.Color(1, 0, 0, 1))]
    assert "".join(s.text for s in spans) == "plain bold slanted red end"
    pixels = draw(Text([Span("white "), Span("red", fill="#ff0000")], size=40))
    red = (pixels[..., 0] > 200) & (pixels[..., 1] < 50)
    white = (pixels[..., 0] > 200) & (pixels[..., 1] > 200)
    assert red.sum() > 100 and white.sum() > 100
    assert np.argwhere(red)[:, 1].min() > np.argwhere(white)[:, 1].max()  # red comes after
    bold = Text("**word**", markup=True, size=40).natural_size()[0]
    assert bold > Text("word", size=40).natural_size()[0]


def test_shaping_composes_marks_and_forms_ligatures_and_right_to_left():
    assert Text("e\u0301", size=40).natural_size() == Text("\u00e9", size=40).natural_size()
    assert Text("office", size=40).natural_size() == Text("o\ufb03ce", size=40).natural_size()
    arabic = draw(Text("\u0645\u0631\u062d\u0628\u0627", size=40))
    assert ink(arabic).size > 0


def test_letter_spacing_widens_the_text():
    assert Text("spacing", size=30, letter_spacing=10).natural_size()[0] == pytest.approx(
        Text("spacing", size=30).natural_size()[0] + 70, abs=1)


def test_an_outline_surrounds_the_fill_and_a_shadow_falls_under_it():
    plain = draw(Text("O", size=80, fill="white"))
    outlined = draw(Text("O", size=80, fill="white", stroke="#0000ff", stroke_width=6))
    blue = (outlined[..., 2] > 200) & (outlined[..., 0] < 50)
    assert blue.sum() > 300
    white_before = (plain[..., 0] > 200).sum()
    assert (outlined[..., 0] > 200).sum() == pytest.approx(white_before, rel=0.1)  # fill kept
    shadowed = draw(Text("O", size=80, fill="black", shadow=("#00ff00", 4, 20, 0)))
    green_cols = np.argwhere(shadowed[..., 1] > 60)[:, 1]
    white_cols = ink(plain)[:, 1]
    assert green_cols.max() == pytest.approx(white_cols.max() + 20, abs=4)


def test_reveal_shows_a_prefix_without_reflowing_it():
    full = draw(Text(LINE, size=24, width=300))
    assert ink(draw(Text(LINE, size=24, width=300, reveal=0))).size == 0
    half = draw(Text(LINE, size=24, width=300, reveal=0.5))
    lit = half[..., 0] > 60
    assert 0 < lit.sum() < (full[..., 0] > 60).sum()
    assert np.array_equal(half[lit], full[lit])  # what is shown sits where it always will
    soft = draw(Text(LINE, size=24, width=300, reveal=0.5, reveal_fade=4))
    levels = soft[..., 0][soft[..., 0] > 0]
    assert len(np.unique(levels)) > len(np.unique(half[..., 0][half[..., 0] > 0]))


def test_a_reveal_by_word_stops_at_word_edges():
    whole = "one two three four"
    shown = draw(Text(whole, size=30, reveal=0.5, reveal_by="word"))
    full = draw(Text(whole, size=30))
    lit = shown[..., 0] > 60
    assert np.array_equal(shown[lit], full[lit])
    left = 240 - Text(whole, size=30).natural_size()[0] / 2
    two_ends = left + Text("one two", size=30).natural_size()[0]
    assert np.argwhere(lit)[:, 1].max() == pytest.approx(two_ends, abs=5)  # "two", not "t"


def test_string_tweens_delete_to_the_common_start_then_type():
    at = type_between("Hello", "Help")
    assert [at(t) for t in (0, 0.25, 0.5, 0.75, 1)] == ["Hello", "Hell", "Hel", "Hel", "Help"]
    seen = []

    def scene(s):
        t = s.add(Text("cat"))
        for _ in range(1):
            yield
        tween = t.text.to("car", 0.1, "linear")  # 3 frames at 30 fps
        for _ in tween:
            seen.append(t.text())
            yield

    Project(scenes=[scene], size=(64, 64)).survey()
    assert seen == ["ca", "ca", "car"]


def test_fonts_are_resolved_when_the_text_is_made_not_when_a_chunk_draws():
    def scene(s):
        yield from wait(0.1)
        s.add(Text("x", font="No Such Family"))
        yield

    with pytest.raises(SceneError, match="frame 3.*'No Such Family' is not installed"):
        Project(scenes=[scene], size=(64, 64)).survey()
    with pytest.raises(AssetError, match="not installed"):
        Span("x", font="No Such Family")


def test_a_bad_span_says_what_a_span_has():
    with pytest.raises(TypeError, match="a span has no field 'colour'; it has: text, fill"):
        Text([{"text": "x", "colour": "red"}])


def installed(family: str) -> bool:
    import skia

    return skia.FontMgr().matchFamily(family).count() > 0


@pytest.mark.skipif(not installed("Droid Sans Fallback"),
                    reason="needs a CJK font: apt install fonts-droid-fallback (.ci/run does)")
def test_cjk_characters_the_font_lacks_are_drawn_from_a_font_that_has_them():
    first, second = draw(Text("日", size=40)), draw(Text("本", size=40))
    assert ink(first).size > 100 and not np.array_equal(first, second)  # glyphs, not boxes
    assert Text("日本語", size=40).natural_size()[0] == pytest.approx(120, abs=2)


@pytest.mark.skipif(not installed("Noto Color Emoji"),
                    reason="needs apt install fonts-noto-color-emoji (.ci/run does)")
def test_emoji_in_colour_from_a_span_in_the_emoji_font():
    shown = draw(Text([Span("ok "), Span("\U0001f600", font="Noto Color Emoji")], size=40))
    yellow = (shown[..., 0] > 200) & (shown[..., 1] > 150) & (shown[..., 2] < 100)
    assert yellow.sum() > 100


def test_a_size_a_hair_from_one_drawn_before_draws_the_same_in_any_chunk(tmp_path):
    """The paragraph engine's cache takes sizes within 1/4096 px for one another: a text
    tweened to 100 px, at 99.99988 px on the frame before it lands, was drawn as the
    worker had last drawn it. A chunk starting there (nothing drawn before) and a single
    pass (100 px drawn before) must agree."""
    from tests.conftest import decode

    words = f"landing {uuid.uuid4().hex[:6]}"  # drawn by no test before: a cold cache

    def scene(s):
        label = s.add(Text(words, size=100, fill="white"))
        yield from wait(0.5)  # 15 frames at 100 px
        label.size = 100 - 1.2e-4  # within 1/4096 of 100
        yield from wait(0.5)

    project = Project(scenes=[scene], size=(640, 200), fps=30)
    exact = parareel.Encoding(lossless=True, pix_fmt="yuv444p")
    parareel.render(project, tmp_path / "chunks.mp4", workers=2, chunk_frames=15,
                    encoding=exact)  # first: the second chunk's worker never drew 100 px
    parareel.render(project, tmp_path / "one.mp4", workers=1, encoding=exact)
    chunked, single = decode(tmp_path / "chunks.mp4")[1], decode(tmp_path / "one.mp4")[1]
    assert all((a == b).all() for a, b in zip(chunked, single, strict=True))


def test_a_font_file_rewritten_in_place_draws_its_new_letters(tmp_path):
    """A process that drew with a font file (the studio, a batch, a warm worker) draws
    the file's new contents once it changes, and a file rewritten under skia's feet
    cannot crash it."""
    import subprocess

    files = sorted({p for p in subprocess.run(
        ["fc-list", "--format", "%{file}\n"], capture_output=True, text=True,
        check=True).stdout.split() if p.endswith(".ttf")})[:2]
    font = tmp_path / "face.ttf"

    def drawn(source: str) -> np.ndarray:
        font.write_bytes(Path(source).read_bytes())  # the same path, in place
        return draw(Text(LINE, size=28, font=str(font)), Text("wrapped " * 8, size=20,
                                                              font=str(font), width=300))

    first, second = drawn(files[0]), drawn(files[1])
    assert not np.array_equal(first, second)  # the new letters, not the first file's
    assert np.array_equal(drawn(files[0]), first)
