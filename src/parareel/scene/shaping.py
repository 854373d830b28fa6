"""Text shaping: skia's paragraph layout (HarfBuzz, ICU) builds the paragraph that both
measures the text (here, for layouts and bounds) and draws it (parareel.draw.text).

Fonts are found by the same rules in every worker: a family name through fontconfig
(an unknown family is an error, never a silent substitute), a font file as given.
Characters the font lacks fall back to an installed font that has them (fontconfig's
choice for that character); for a font file, to sans-serif.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import skia

from parareel.errors import AssetError
from parareel.scene.paint import solid

if TYPE_CHECKING:
    from parareel.scene.text import Text

FONT_FILES = (".ttf", ".otf", ".ttc")
tl = skia.textlayout
_ALIGN = {"left": tl.TextAlign.kLeft, "center": tl.TextAlign.kCenter,
          "right": tl.TextAlign.kRight, "justify": tl.TextAlign.kJustify}
_HINTING = {"none": skia.FontHinting.kNone, "slight": skia.FontHinting.kSlight,
            "normal": skia.FontHinting.kNormal, "full": skia.FontHinting.kFull}
UNBOUNDED = 1e9  # the width a paragraph is laid out at when nothing bounds it


@dataclass(frozen=True)
class Run:
    """A span with every style resolved: hashable, so paragraphs can be cached."""

    text: str
    font: str
    size: float
    weight: int
    italic: bool
    argb: int
    edition: tuple[int, ...] = ()  # a font file's identity: its contents may change


@dataclass(frozen=True)
class Style:
    align: str
    line_height: float
    letter_spacing: float


def runs(node: Text, opacity: float = 1.0) -> tuple[Run, ...]:
    fill, size, font = solid(node.fill()), node.size(), node.font()
    weight, italic = node.weight(), node.italic()
    return tuple(
        Run(s.text, s.font or font, _settled(s.size or size), s.weight or weight,
            italic if s.italic is None else s.italic, (s.fill or fill).to_argb32(opacity),
            edition(s.font or font))
        for s in node.spans())


def style(node: Text) -> Style:
    return Style(node.align(), _settled(node.line_height()), _settled(node.letter_spacing()))


def _settled(value: float) -> float:
    """`value` to 1/1024: the paragraph engine's cache takes sizes within 1/4096 of each
    other for the same (a text tweened to 100 px would be drawn at 99.9999 px as it was
    last drawn at 100, or not: what a frame shows would depend on what the worker drew
    before). Values this far apart are never taken for each other."""
    return round(value * 1024) / 1024


def measure(node: Text, width: float | None) -> tuple[float, float]:
    """The size of the text's box: `width` (if given) by the height of the wrapped lines,
    or the longest line's width by the height."""
    if not shaped(node):
        return plain_size(node)
    return box_size(runs(node), style(node), width)


def fitted_width(node: Text, limit: float) -> float:
    """The width of the text's widest line when wrapped at `limit`: a box that width holds
    the same lines without the room a long wrapped line leaves."""
    width = min(limit, measure(node, None)[0])
    if not shaped(node):
        return width
    return float(math.ceil(paragraph(runs(node), style(node), width).LongestLine))


def min_content_width(node: Text) -> float:
    if not shaped(node):
        return plain_size(node)[0]
    return paragraph(runs(node), style(node), None).MinIntrinsicWidth


@lru_cache(maxsize=4096)
def box_size(runs_: tuple[Run, ...], style_: Style, width: float | None) -> tuple[float, float]:
    para = paragraph(runs_, style_, width)
    return (width if width is not None else _intrinsic(para)), para.Height


def _intrinsic(para: tl.Paragraph) -> float:
    # whole pixels: the paragraph floors the width it is laid out at, and must not wrap
    return float(math.ceil(para.MaxIntrinsicWidth))


@lru_cache(maxsize=1024)
def paragraph(runs_: tuple[Run, ...], style_: Style, width: float | None,
               stroke_width: float = 0.0) -> tl.Paragraph:
    """The runs laid out at `width` (None: unbounded); with a stroke width, outlined."""
    paragraph_style = tl.ParagraphStyle()
    paragraph_style.setTextAlign(_ALIGN[style_.align])
    builder = tl.ParagraphBuilder.make(paragraph_style, _collection(_file_of(runs_)),
                                       _unicode())
    for run in runs_:
        text_style = tl.TextStyle()
        text_style.setFontFamilies(list(_families(run.font)))
        text_style.setFontSize(run.size)
        text_style.setFontStyle(skia.FontStyle(
            run.weight, skia.FontStyle.kNormal_Width,
            skia.FontStyle.kItalic_Slant if run.italic else skia.FontStyle.kUpright_Slant))
        text_style.setHeightOverride(True)
        text_style.setHeight(style_.line_height)
        text_style.setHalfLeading(True)  # the extra room split above and below each line
        text_style.setLetterSpacing(style_.letter_spacing)
        if stroke_width:
            text_style.setForegroundPaint(skia.Paint(
                AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=stroke_width,
                StrokeJoin=skia.Paint.kRound_Join, Color=run.argb))
        else:
            text_style.setColor(run.argb)
        builder.pushStyle(text_style)
        builder.addText(run.text)
        builder.pop()
    paragraph = builder.Build()
    if width is None:
        paragraph.layout(UNBOUNDED)
        width = _intrinsic(paragraph)
    paragraph.layout(width)
    return paragraph


def shaped(node: Text) -> bool:
    """Whether the paragraph engine draws it: its rasterisation is slight hinting,
    subpixel placement and antialiased edges."""
    return node.hinting() == "slight" and node.subpixel() and node.antialias()


# Fonts


@cache
def _unicode() -> skia.Unicode:
    return skia.Unicode.ICU_Make()


def _file_of(runs_: tuple[Run, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple(sorted({(r.font, r.edition) for r in runs_
                         if r.font.lower().endswith(FONT_FILES)}))


def _families(font: str) -> tuple[str, ...]:
    if font.lower().endswith(FONT_FILES):
        return (_file_family(font), "sans-serif")
    check_family(font)
    return (font,)


@lru_cache(maxsize=256)
def _collection(files: tuple[tuple[str, tuple[int, ...]], ...]) -> tl.FontCollection:
    """The installed fonts, plus the font files these runs use (each under its own name),
    as each file is now."""
    _start_fontconfig()
    collection = tl.FontCollection()
    if not files:
        collection.setDefaultFontManager(skia.FontMgr())
        return collection
    provider = tl.TypefaceFontProvider()
    for file, version in files:
        provider.registerTypeface(_file_typeface(file, version), _file_family(file))
    provider.registerTypeface(skia.Typeface("sans-serif"), "sans-serif")
    collection.setDefaultFontManager(provider)
    return collection


def _file_family(path: str) -> str:
    return f"parareel-file:{path}"


def edition(font: str) -> tuple[int, ...]:
    """Which contents a font file has (size, modified, inode; () for a family): a file
    rewritten in place is another font to every cache here."""
    if not font.lower().endswith(FONT_FILES):
        return ()
    try:
        stat = os.stat(font)
    except OSError:
        return ()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def file_typeface(path: str) -> skia.Typeface:
    return _file_typeface(path, edition(path))


@lru_cache(maxsize=64)
def _file_typeface(path: str, version: tuple[int, ...]) -> skia.Typeface:
    """Read whole into memory: skia maps a file it opens itself, and a file rewritten
    under that mapping crashes the process."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise AssetError(f"cannot load font file {path!r}: {exc.strerror}") from None
    typeface = skia.Typeface.MakeFromData(skia.Data.MakeWithCopy(data))
    if typeface is None:
        raise AssetError(f"cannot load font file {path!r}: not a font skia reads")
    return typeface


def typeface(font: str, weight: int, italic: bool) -> skia.Typeface:
    if font.lower().endswith(FONT_FILES):
        return file_typeface(font)
    return _family_typeface(font, weight, italic)


@cache
def _family_typeface(font: str, weight: int, italic: bool) -> skia.Typeface:
    _start_fontconfig()
    check_family(font)
    slant = skia.FontStyle.kItalic_Slant if italic else skia.FontStyle.kUpright_Slant
    return skia.Typeface(font, skia.FontStyle(weight, skia.FontStyle.kNormal_Width, slant))


@cache
def _start_fontconfig() -> None:
    """Start fontconfig (skia's first typeface does) without its parser's warnings about
    newer system config files than the bundled fontconfig knows: harmless, and printed
    once by every worker. Other lines it prints are passed on."""
    with tempfile.TemporaryFile() as caught:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            skia.Typeface("sans-serif")
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        caught.seek(0)
        for line in caught.read().decode(errors="replace").splitlines():
            if not line.startswith("Fontconfig warning"):
                print(line, file=sys.stderr)


@cache
def check_family(family: str) -> None:
    """An unknown family would silently become the default one: say so instead."""
    _start_fontconfig()
    fonts = skia.FontMgr()
    if fonts.matchFamily(family).count() == 0:
        known = sorted({fonts.getFamilyName(i) for i in range(fonts.countFamilies())})
        raise AssetError(f"font family {family!r} is not installed here (installed: "
                         f"{', '.join(known[:8])}{', ...' if len(known) > 8 else ''}); use one "
                         "of those, sans-serif, serif, monospace, or a .ttf/.otf file")


def monospace_advance(font: str, size: float) -> float:
    """The width of one column of a monospaced font at `size`."""
    return _advance(font, edition(font), size)


@lru_cache(maxsize=64)
def _advance(font: str, version: tuple[int, ...], size: float) -> float:
    return skia.Font(typeface(font, 400, False), size).measureText("M")


# Plain glyphs: the rasterisation options the paragraph engine does not offer


def plain_font(node: Text) -> skia.Font:
    font = skia.Font(typeface(node.font(), node.weight(), node.italic()), node.size())
    font.setEdging(skia.Font.Edging.kAntiAlias if node.antialias() else skia.Font.Edging.kAlias)
    font.setSubpixel(node.subpixel())
    font.setHinting(_HINTING[node.hinting()])
    return font


def plain_size(node: Text) -> tuple[float, float]:
    font, lines = plain_font(node), node.plain_text().split("\n")
    metrics = font.getMetrics()
    height = node.size() * node.line_height() * (len(lines) - 1) - metrics.fAscent + \
        metrics.fDescent
    return max(font.measureText(line) for line in lines), height


