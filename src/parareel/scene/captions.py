"""Captions: subtitles from SRT or WebVTT, or word timings, shown at their times.

    scene.add(Captions("talk.srt", y=400))                 # SRT or WebVTT, path or URL
    scene.add(Captions(words="talk.words.json", y=400))    # the spoken word highlighted

A cue's times count from the start of the scene the captions are in (plus `delay`).
The box is a Layout sized to the text, which wraps at `wrap_width`: by default 80% of
the frame's width, inside the safe area broadcasters keep.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from parareel.assets import resolve
from parareel.errors import AssetError
from parareel.scene.clock import current_clock
from parareel.scene.color import parse_color
from parareel.scene.layout import Layout
from parareel.scene.shaping import fitted_width
from parareel.scene.signal import prop
from parareel.scene.text import Span, Text
from parareel.scene.values import length

SENTENCE_END = (".", "!", "?", "\u2026", "\u3002")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Cue:
    """A caption: its text (and words, when timed word by word) from start to end (s)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


def read_captions(path: str, name: str) -> tuple[Cue, ...]:
    """The cues of an SRT or WebVTT file (by its content, whatever its name)."""
    return _read_captions(path, os.stat(path).st_mtime_ns, name)


@lru_cache(maxsize=32)
def _read_captions(path: str, modified: int, name: str) -> tuple[Cue, ...]:
    import srt
    import webvtt

    try:
        with open(path, encoding="utf-8-sig") as f:
            content = f.read()
    except UnicodeDecodeError:
        raise AssetError(f"caption file {name!r} is not text (SRT or WebVTT, UTF-8)") \
            from None
    try:
        if content.lstrip().startswith("WEBVTT"):
            return tuple(Cue(_seconds(c.start), _seconds(c.end), c.text)
                         for c in webvtt.from_string(content))
        return tuple(Cue(s.start.total_seconds(), s.end.total_seconds(),
                         re.sub(r"</?[a-z][^>]*>", "", s.content))  # <i>, <b>, <font ...>
                     for s in srt.parse(content))
    except (srt.SRTParseError, webvtt.errors.MalformedFileError, ValueError) as exc:
        raise AssetError(f"caption file {name!r} does not parse as SRT or WebVTT: {exc}") \
            from None


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.replace(",", ".").split(":")]
    return sum(value * 60 ** power for power, value in enumerate(reversed(parts)))


def read_words(path: str, name: str, max_chars: int) -> tuple[Cue, ...]:
    """Word timings as speech-to-text tools write them: a list of {word|text, start, end},
    or {"words": [...]}, or {"segments": [{"words": [...]}, ...]}, grouped into cues."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            data = data.get("words") or [w for s in data.get("segments", [])
                                         for w in s.get("words", [])]
        words = [Word(str(w.get("word", w.get("text", ""))).strip(), float(w["start"]),
                      float(w["end"])) for w in data]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssetError(f"word timings {name!r} do not parse: expected a JSON list of "
                         f'{{"word", "start", "end"}} ({type(exc).__name__}: {exc})') from None
    return tuple(_group(words, max_chars))


def _group(words: list[Word], max_chars: int) -> list[Cue]:
    """Words into cues: a cue ends at a sentence's end, a pause over a second, or when
    the next word would make it longer than `max_chars`."""
    cues, current = [], []
    for word in words:
        if current:
            text = " ".join(w.text for w in current)
            if (len(text) + 1 + len(word.text) > max_chars or word.start - current[-1].end > 1.0
                    or text.endswith(SENTENCE_END)):
                cues.append(_cue(current))
                current = []
        current.append(word)
    if current:
        cues.append(_cue(current))
    return cues


def _cue(words: list[Word]) -> Cue:
    return Cue(words[0].start, words[-1].end, " ".join(w.text for w in words), tuple(words))


class Captions(Layout):
    """Subtitles on a box sized to their text: Captions("talk.srt", y=400), or word timings
    with the spoken word highlighted: Captions(words="talk.json", highlight="#ffd166").

    A file is a path relative to the project or a URL; `cues` takes a list of
    (start, end, text) instead. Hidden while no cue is on."""

    fill = prop("#000000a6", parse_color, "the box's colour")
    padding = prop((12.0, 24.0, 12.0, 24.0), Layout.padding.convert, "pixels inside the box")
    radius = prop(12.0, float, "the box's corner radius")
    text_size = prop(48.0, float, "the font size in pixels")
    text_fill = prop("white", parse_color, "the words' colour")
    weight = prop(600, Text.weight.convert, "the words' weight")
    highlight = prop("#ffd166", parse_color, "the colour of the word being spoken (word "
                     "timings)")
    wrap_width = prop("80%", length, 'where lines wrap: pixels or "N%" of the frame')
    delay = prop(0.0, float, "seconds added to every cue's times")

    def __init__(self, src: str | os.PathLike | None = None, *, words: str | None = None,
                 cues: list | None = None, max_chars: int = 42, **props: Any) -> None:
        if sum(x is not None for x in (src, words, cues)) != 1:
            raise TypeError("Captions takes one of: a caption file, words=, or cues=")
        if src is not None:
            self._cues = read_captions(resolve(src, "caption file"), str(src))
        elif words is not None:
            self._cues = read_words(resolve(words, "word timings"), str(words), max_chars)
        else:
            self._cues = tuple(Cue(float(a), float(b), str(t)) for a, b, t in cues)
        super().__init__(direction="column", align="center", **props)
        self._label = Text(self._spans, align="center", size=lambda: self.text_size(),
                           fill=lambda: self.text_fill(), weight=lambda: self.weight())
        # as wide as its longest line, wrapped at wrap_width
        self._label.width(lambda: fitted_width(self._label, self._wrap_width()))
        self.add(self._label)

    @property
    def cues(self) -> tuple[Cue, ...]:
        """Every cue, in the order of the file."""
        return self._cues

    def cue(self) -> Cue | None:
        """The cue on at the current frame, if any."""
        now = current_clock().time - self.delay()
        return next((c for c in self._cues if c.start <= now < c.end), None)

    def shown(self) -> bool:
        return self.cue() is not None

    def _spans(self) -> tuple[Span, ...]:
        cue = self.cue()
        if cue is None:
            return ()
        if not cue.words:
            return (Span(cue.text),)
        now = current_clock().time - self.delay()
        spans = []
        for i, word in enumerate(cue.words):
            spoken = word.start <= now < word.end
            spans.append(Span(word.text, fill=self.highlight() if spoken else None))
            if i < len(cue.words) - 1:
                spans.append(Span(" "))
        return tuple(spans)

    def _wrap_width(self) -> float:
        width = self.wrap_width()
        if isinstance(width, str):
            return current_clock().size[0] * float(width[:-1]) / 100
        return width
