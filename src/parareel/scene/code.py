"""Code: source highlighted by Pygments, drawn monospaced, edited on screen by diff.

    code = scene.add(Code("def add(a, b):\\n    return a + b", language="python"))
    yield from code.edit("def add(a, b, c):\\n    return a + b + c", 1.2)
    yield from code.select([2], 0.4)        # dims every other line

An edit compares the tokens of the two versions: tokens in both move to their new
place, removed ones fade out first, inserted ones fade in last (as Motion Canvas's
code blocks do).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class_for_filename, get_all_lexers, get_lexer_by_name
from pygments.styles import get_all_styles, get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound

from parareel.assets import resolve
from parareel.errors import AssetError
from parareel.scene import easing
from parareel.scene.color import parse_color
from parareel.scene.geometry import centred
from parareel.scene.nodes import Node
from parareel.scene.signal import Tween, prop
from parareel.scene.text import font_source

TAB = 4  # spaces a tab stands for


@dataclass(frozen=True)
class Token:
    """A run of visible characters of one kind, at a line and column."""

    text: str
    kind: _TokenType
    line: int
    column: int


@cache
def _languages() -> dict[str, str]:
    return {alias: name for name, aliases, _, _ in get_all_lexers() for alias in aliases}


def _language(value: str) -> str:
    value = str(value).lower()
    if value not in _languages():
        close = difflib.get_close_matches(value, _languages(), 3)
        hint = f"; did you mean {' or '.join(close)}?" if close else \
            " (Pygments' short names: python, javascript, rust, bash, json, ...)"
        raise ValueError(f"unknown language {value!r}{hint}")
    return value


def _theme(value: str) -> str:
    themes = list(get_all_styles())
    if value not in themes:
        raise ValueError(f"unknown theme {value!r}; one of: {', '.join(sorted(themes))}")
    return value


@cache
def _lexer(language: str) -> Lexer:
    return get_lexer_by_name(language, stripnl=False, ensurenl=False)


@lru_cache(maxsize=256)
def tokens(source: str, language: str) -> tuple[Token, ...]:
    """The visible tokens of `source` (tabs as spaces), with their line and column."""
    out, line, column = [], 0, 0
    for kind, value in _lexer(language).get_tokens(source.expandtabs(TAB)):
        for i, part in enumerate(value.split("\n")):
            if i:
                line, column = line + 1, 0
            for word in _words(part):
                start = part.index(word[1], word[0])
                out.append(Token(word[1], kind, line, column + start))
            column += len(part)
    return tuple(out)


def _words(text: str) -> list[tuple[int, str]]:
    """The non-space runs of `text`, each with where to look for it."""
    found, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        found.append((at, word))
        at += len(word)
    return found


@lru_cache(maxsize=64)
def matches(old: tuple[Token, ...], new: tuple[Token, ...]) -> tuple[tuple[int, int], ...]:
    """(old index, new index) of each token kept by the edit from `old` to `new`."""
    matcher = difflib.SequenceMatcher(a=[(t.text, t.kind) for t in old],
                                      b=[(t.text, t.kind) for t in new], autojunk=False)
    return tuple((block.a + k, block.b + k) for block in matcher.get_matching_blocks()
                 for k in range(block.size))


def _line_opacity(value: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


class Code(Node):
    """Source code centred on (x, y), highlighted by Pygments on its theme's background.

    Code(source, language="python", theme="monokai", size=28, line_numbers=True);
    Code.file("snippet.py") reads a file (relative to the project) and guesses its
    language from its name."""

    source = prop("", str, "the code; edit it on screen with `yield from code.edit(new, s)`")
    language = prop("python", _language, "a Pygments language name: python, javascript, "
                    "rust, bash, json, ...")
    theme = prop("monokai", _theme, "a Pygments style: monokai, dracula, github-dark, "
                 "one-dark, nord, solarized-light, ...")
    size = prop(28.0, float, "the font size in pixels")
    font = prop("monospace", font_source, "a monospaced family or font file")
    line_height = prop(1.5, float, "the distance between lines, in multiples of size")
    line_numbers = prop(False, bool, "numbers in a gutter on the left")
    padding = prop(24.0, float, "pixels between the code and the edge of its background")
    radius = prop(12.0, float, "the background's corner radius")
    background = prop(None, lambda v: None if v is None else parse_color(v),
                      "the background colour; None: the theme's")
    line_opacity = prop((), _line_opacity, "each line's opacity (1 = shown), set by "
                        "select(); () shows every line fully")
    edit_from = prop(None, lambda v: None if v is None else str(v),
                     "the source an edit comes from; set by edit()")
    edit_progress = prop(1.0, float, "how far the edit from edit_from has come, 0 to 1")

    def __init__(self, source: str = "", **props: Any) -> None:
        super().__init__(source=source, **props)

    @classmethod
    def file(cls, path: str | os.PathLike, **props: Any) -> Code:
        """Code from a file; the language from its name unless given."""
        local = resolve(path, "code file")
        try:
            with open(local, encoding="utf-8") as f:
                source = f.read()
        except UnicodeDecodeError:
            raise AssetError(f"code file {str(path)!r} is not text (UTF-8)") from None
        if "language" not in props:
            try:
                lexer = find_lexer_class_for_filename(str(path), source)
            except ClassNotFound:
                lexer = None
            props["language"] = lexer.aliases[0] if lexer and lexer.aliases else "text"
        return cls(source, **props)

    def tokens(self) -> tuple[Token, ...]:
        return tokens(self.source(), self.language())

    def edit(self, source: str, seconds: float = 1.0,
             ease: easing.Easing | str = easing.in_out_cubic) -> Tween:
        """Change the code to `source` over `seconds`: kept tokens move, removed ones fade
        out, inserted ones fade in."""
        def run() -> Tween:
            self.edit_from = self.source()
            self.source = source
            self.edit_progress = 0.0
            yield from self.edit_progress.to(1.0, seconds, ease)
            self.edit_from = None

        return run()

    def select(self, lines: Any = None, seconds: float = 0.5, dim: float = 0.25) -> Tween:
        """Dim every line but `lines` (1-based numbers, or a range) to `dim`; None shows
        every line again."""
        count = self.source().count("\n") + 1
        chosen = set(range(1, count + 1)) if lines is None else set(lines)
        target = tuple(1.0 if n in chosen else dim for n in range(1, count + 1))
        current = self.line_opacity()
        self.line_opacity = (current + (1.0,) * count)[:count]  # same length: it tweens
        return self.line_opacity.to(target, seconds)

    def grid(self) -> tuple[float, float]:
        """(column width, line step) in pixels."""
        from parareel.scene.shaping import monospace_advance

        return monospace_advance(self.font(), self.size()), self.size() * self.line_height()

    def box(self, source: str) -> tuple[float, float]:
        """The background's size for `source`."""
        advance, step = self.grid()
        lines = source.expandtabs(TAB).split("\n")
        columns = max(len(line) for line in lines) + self.gutter(len(lines))
        pad = 2 * self.padding()
        return columns * advance + pad, len(lines) * step + pad

    def gutter(self, line_count: int) -> int:
        """Columns taken by line numbers (their digits and a space)."""
        return len(str(line_count)) + 2 if self.line_numbers() else 0

    def extent(self) -> tuple[float, float, float, float]:
        w, h = self.box(self.source())
        if self.edit_from() is not None:  # the box grows or shrinks with the edit
            w0, h0 = self.box(self.edit_from())
            t = self.edit_progress()
            w, h = w0 + (w - w0) * t, h0 + (h - h0) * t
        return centred(w, h)


@cache
def theme_colours(theme: str) -> tuple[str, dict]:
    """The theme's background and a function of token kind to (colour, bold, italic)."""
    style = get_style_by_name(theme)
    return style.background_color or "#000000", style
