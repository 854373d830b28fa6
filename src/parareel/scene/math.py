"""Math: LaTeX math typeset by ziamath (no TeX install), drawn as vector outlines.

    formula = scene.add(Math(r"e^{i\\pi} + 1 = 0", size=72, progress=0))
    yield from formula.progress.to(1, 2.0)     # drawn on, glyph by glyph
    formula.fills = {0: "#f6ae2d"}             # one glyph's colour (see glyph_count())
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import skia

from parareel.scene.color import Color, parse_color
from parareel.scene.geometry import centred
from parareel.scene.nodes import Node
from parareel.scene.signal import prop
from parareel.scene.svgpath import parse_path, to_skia


@lru_cache(maxsize=256)
def glyph_paths(latex: str, size: float) -> tuple[tuple[skia.Path, ...],
                                                   tuple[float, float, float, float]]:
    """Each glyph (and rule: fraction bars, roots) of the typeset formula as a path, and the
    formula's box (left, top, width, height), in pixels."""
    import ziamath

    if not latex.strip():
        return (), (0.0, 0.0, 0.0, 0.0)
    ziamath.config.svg2 = False  # glyphs as plain paths, not <symbol>/<use>
    try:
        svg = ziamath.Latex(latex, size=size).svgxml()
    except Exception as exc:  # ziamath's parser raises many kinds, some without a message
        detail = f": {exc}" if str(exc) else ""
        raise ValueError(f"cannot typeset LaTeX {latex!r} ({type(exc).__name__}{detail}); "
                         "check its braces, ^ and _") from None
    paths = []
    for element in svg.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "path":
            paths.append(to_skia(tuple(parse_path(element.attrib["d"]))))
        elif tag == "rect":
            x, y, w, h = (float(element.attrib[k]) for k in ("x", "y", "width", "height"))
            paths.append(skia.Path.Rect(skia.Rect.MakeXYWH(x, y, w, h)))
    left, top, width, height = (float(v) for v in svg.attrib["viewBox"].split())
    return tuple(paths), (left, top, width, height)


def _latex(value: Any) -> str:
    text = str(value)
    glyph_paths(text, 48.0)  # a formula that does not typeset is refused where it is set
    return text


def _fills(value: Any) -> dict[int, Color]:
    return {int(i): parse_color(c) for i, c in dict(value).items()}


class Math(Node):
    """A LaTeX formula centred on (x, y), drawn as vectors at any size:
    Math(r"\\frac{a}{b} = \\sqrt{x^2 + y^2}", size=64, fill="white")."""

    latex = prop("", _latex, "LaTeX math (no $...$): \\frac, \\sqrt, ^, _, \\int, Greek, ...")
    size = prop(48.0, float, "the font size in pixels")
    fill = prop("white", parse_color, "the formula's colour")
    fills = prop({}, _fills, "colours of single glyphs by index: {0: '#f6ae2d'}")
    progress = prop(1.0, float, "drawn on glyph by glyph, 0 to 1: each outline is traced, "
                    "then filled")

    def __init__(self, latex: str = "", **props: Any) -> None:
        super().__init__(latex=latex, **props)

    def glyph_count(self) -> int:
        """How many glyphs and rules the formula has (the indices of `fills`)."""
        return len(glyph_paths(self.latex(), self.size())[0])

    def extent(self) -> tuple[float, float, float, float]:
        _, (_, _, width, height) = glyph_paths(self.latex(), self.size())
        return centred(width, height)
