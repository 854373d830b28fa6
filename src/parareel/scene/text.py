"""Text: shaped, wrapped and measured by the same engine that draws it.

    title = scene.add(Text("Hello **world**", markup=True, size=96, width=900))
    yield from title.reveal.to(1, 2.0)            # typed on, character by character
    yield from title.text.to("Goodbye", 1.0)     # deletes back to the common start, types on

Shaping (ligatures, right-to-left, combining marks, fallback fonts for scripts the
chosen font lacks) is HarfBuzz's, through skia's paragraph layout; lines break at
words (ICU's rules), and a word longer than the width is broken too.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any

from parareel.assets import resolve
from parareel.scene import shaping
from parareel.scene.color import Color, parse_color
from parareel.scene.nodes import Node
from parareel.scene.paint import parse_paint
from parareel.scene.signal import prop
from parareel.scene.values import choice, font_weight


def font_source(value: str | os.PathLike) -> str:
    """A font file or an installed family, found now (a file relative to the project, or
    a URL), so that a missing font stops the scene logic at the frame that names it."""
    text = str(value)
    if text.lower().endswith(shaping.FONT_FILES):
        path = resolve(text, "font file")
        shaping.file_typeface(path)
        return path
    shaping.check_family(text)
    return text


@dataclass(frozen=True)
class Span:
    """A run of text with its own style; a style left as None is the Text's own.

    Text([Span("Total: "), Span("42", fill="#f6ae2d", weight="bold")])
    """

    text: str
    fill: Color | None = None
    weight: int | None = None
    italic: bool | None = None
    size: float | None = None
    font: str | None = None

    def __init__(self, text: str, fill: Any = None, weight: Any = None,
                 italic: bool | None = None, size: float | None = None,
                 font: Any = None) -> None:
        if not isinstance(text, str):
            raise TypeError(f"a span's text must be a string, got {text!r}")
        set_ = object.__setattr__
        set_(self, "text", text)
        set_(self, "fill", None if fill is None else parse_color(fill))
        set_(self, "weight", None if weight is None else font_weight(weight))
        set_(self, "italic", None if italic is None else bool(italic))
        set_(self, "size", None if size is None else float(size))
        set_(self, "font", None if font is None else font_source(font))


_SPAN_FIELDS = [f.name for f in fields(Span)]
_MARKUP = re.compile(r"\*\*(?P<bold>.+?)\*\*|\*(?P<italic>.+?)\*|\[(?P<colour>[^\]/]+)\]"
                     r"(?P<coloured>.*?)\[/\]", re.S)


def parse_markup(markup: str) -> tuple[Span, ...]:
    """`**bold**`, `*italic*` and `[colour]text[/]` (any colour parareel reads) as spans;
    everything else is plain text. Marks do not nest."""
    spans, at = [], 0
    for match in _MARKUP.finditer(markup):
        if match.start() > at:
            spans.append(Span(markup[at:match.start()]))
        if match["bold"] is not None:
            spans.append(Span(match["bold"], weight="bold"))
        elif match["italic"] is not None:
            spans.append(Span(match["italic"], italic=True))
        else:
            spans.append(Span(match["coloured"], fill=match["colour"].strip()))
        at = match.end()
    if at < len(markup):
        spans.append(Span(markup[at:]))
    return tuple(spans)


def _content(value: Any) -> str | tuple[Span, ...]:
    """A string, or spans: Span objects, strings, or dicts of Span's fields."""
    if isinstance(value, str):
        return value
    if isinstance(value, Span):
        return (value,)
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"text must be a string or a list of spans, got {value!r}") from None
    spans = []
    for item in items:
        if isinstance(item, Span):
            spans.append(item)
        elif isinstance(item, str):
            spans.append(Span(item))
        elif isinstance(item, dict):
            unknown = set(item) - set(_SPAN_FIELDS)
            if unknown:
                raise TypeError(f"a span has no field {sorted(unknown)[0]!r}; it has: "
                                f"{', '.join(_SPAN_FIELDS)}")
            spans.append(Span(**item))
        else:
            raise TypeError(f"a span is a Span, a string or a dict, got {item!r}")
    return tuple(spans)


def plain(content: str | tuple[Span, ...]) -> str:
    return content if isinstance(content, str) else "".join(s.text for s in content)


def units(text: str, by: str) -> list[tuple[int, int]]:
    """(start, end) of each character (a base with its combining marks) or word, in
    string indices: what a reveal shows one at a time."""
    if by == "word":
        return [m.span() for m in re.finditer(r"\S+\s*", text)]
    out: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        joins = unicodedata.combining(char) or char in "\u200d\ufe0f" or (
            i and text[i - 1] == "\u200d")
        if out and joins:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


class Text(Node):
    """Text centred on (x, y): Text("Hello", size=96, weight="bold", fill="white").

    Without a `width` the text is as wide as its longest line (lines split on \\n);
    with one, lines longer than it wrap at words and `align` places them inside it.
    `align` also says which point of the box x is: its left edge, centre or right edge.
    `rasterisation`: hinting other than "slight", subpixel=False or antialias=False draw
    plain glyphs one line at a time (for pixel-exact type): no wrapping, no font
    fallback, and spans take the Text's style.
    """

    text = prop("", _content, "what is written: a string, or a list of Span (each with its "
                "own fill, weight, italic, size, font); a function makes it computed. "
                "Tweening to another string deletes back to the common start, then types on")
    markup = prop(False, bool, "read **bold**, *italic* and [colour]text[/] in the string")
    size = prop(48.0, float, "the font size in pixels")
    font = prop("sans-serif", font_source, "a family name (sans-serif, serif, monospace, or an "
                "installed one) or a .ttf/.otf file relative to the project, or a URL")
    weight = prop(400, font_weight, "100-900, or a CSS name: thin, light, normal, medium, "
                  "semibold, bold (700), black")
    italic = prop(False, bool, "slanted")
    fill = prop("white", parse_paint, "the text's colour, or a gradient across its box (it "
                "paints the spans too)")
    stroke = prop("transparent", parse_color, "an outline's colour (drawn under the fill: "
                  "captions over footage)")
    stroke_width = prop(0.0, float, "the outline's width outside the glyphs, in pixels")
    width = prop(None, lambda v: None if v is None else float(v),
                 "pixels; None: as wide as the longest line. Lines wrap at it")
    align = prop("center", choice("left", "center", "right", "justify"),
                 "lines inside the box, and which point of the box x is: left edge, "
                 "centre, right edge (justify: full lines stretched, placed as left)")
    line_height = prop(1.2, float, "the distance between lines, in multiples of size")
    letter_spacing = prop(0.0, float, "extra pixels between characters")
    reveal = prop(1.0, float, "the fraction shown, 0 to 1, in reading order: tween it for a "
                  "typewriter. The hidden part keeps its room, so nothing reflows")
    reveal_by = prop("character", choice("character", "word"), "what a reveal shows one "
                     "at a time")
    reveal_fade = prop(0.0, float, "how many characters or words fade in at once during a "
                       "reveal: 0 types each on at once, 3 a soft staggered entrance")
    hinting = prop("slight", choice("none", "slight", "normal", "full"),
                   "how far outlines snap to the pixel grid: none, slight (as Chrome on "
                   "Linux draws), normal or full")
    subpixel = prop(True, bool, "place glyphs between pixels: smooth motion, no jitter")
    antialias = prop(True, bool, "smooth edges; False draws hard-edged pixel text")
    _sized_by_layout = True  # a layout's width is where it wraps

    def __init__(self, text: Any = "", **props: Any) -> None:
        super().__init__(text=text, **props)

    def spans(self) -> tuple[Span, ...]:
        """The text as spans (markup read)."""
        content = self.text()
        if isinstance(content, str):
            return parse_markup(content) if self.markup() else (Span(content),)
        return content

    def plain_text(self) -> str:
        return "".join(s.text for s in self.spans())

    def natural_size(self, width: float | None = None) -> tuple[float, float]:
        """(width, height) of the text's box: measured by the shaping that draws it."""
        return shaping.measure(self, self.width() if width is None else width)

    def min_content_width(self) -> float:
        """The narrowest the text can wrap to: its longest word."""
        return shaping.min_content_width(self)

    def extent(self) -> tuple[float, float, float, float]:
        width, height = self.natural_size()
        left = {"left": 0.0, "right": -width}.get(self.align(), -width / 2)
        return (left, -height / 2, left + width, height / 2)

