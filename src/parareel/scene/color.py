"""Colors: parsed once from hex, CSS names, `rgb()/rgba()` strings or tuples."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from parareel.errors import ColorError


class Color(NamedTuple):
    """A straight-alpha color with channels in [0, 1]."""

    r: float
    g: float
    b: float
    a: float = 1.0

    def lerp(self, other: Color, t: float, space: str = "oklab") -> Color:
        """The colour a fraction `t` of the way to `other` (see `color_blender`)."""
        return color_blender(self, other, space)(t)

    def to_argb32(self, opacity: float = 1.0) -> int:
        """The 0xAARRGGBB integer skia's paints take, with alpha scaled by `opacity`."""
        return _argb32(self, opacity)


@lru_cache(maxsize=4096)  # the painter asks for the same few colors on every frame
def _argb32(color: Color, opacity: float) -> int:
    r, g, b, a = (round(min(1.0, max(0.0, c)) * 255) for c in (*color[:3], color.a * opacity))
    return (a << 24) | (r << 16) | (g << 8) | b


ColorLike = Color | str | tuple[float, ...]
SPACES = ("oklab", "linear", "srgb")  # the spaces colours are tweened in; oklab by default


def color_blender(a: Color, b: Color, space: str = "oklab") -> Callable[[float], Color]:
    """A function of t in [0, 1] blending `a` into `b` in `space`.

    OKLab (the default, as CSS Color 4 and Motion Canvas's LCh) keeps a blend's
    lightness even: red to blue passes through purple, not a dark muddy violet, and
    black to white is mid-grey halfway. "linear" mixes light as it adds up; "srgb" mixes
    the stored numbers. A fully transparent end takes the other end's colour, so a fade
    in from "transparent" keeps its hue instead of passing through black.
    """
    if space not in SPACES:
        raise ColorError(f"unknown colour space {space!r}: use one of {', '.join(SPACES)}")
    if a.a == 0:
        a = Color(b.r, b.g, b.b, 0.0)
    elif b.a == 0:
        b = Color(a.r, a.g, a.b, 0.0)
    into, back = _CONVERSIONS[space]
    x, y = into(a[:3]), into(b[:3])
    steps = tuple(q - p for p, q in zip(x, y, strict=True))

    def blend(t: float) -> Color:
        r, g, b_ = back(tuple(p + d * t for p, d in zip(x, steps, strict=True)))
        return Color(r, g, b_, a.a + (b.a - a.a) * t)

    return blend


def _linear(rgb: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)


def _srgb(rgb: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(12.92 * c if c <= 0.0031308 else 1.055 * max(c, 0.0) ** (1 / 2.4) - 0.055
                 for c in rgb)


def _oklab(rgb: tuple[float, ...]) -> tuple[float, ...]:
    r, g, b = _linear(rgb)  # Björn Ottosson's matrices, sRGB (D65) to OKLab
    lms = (math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b),
           math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b),
           math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b))
    l_, m_, s_ = lms
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def _from_oklab(lab: tuple[float, ...]) -> tuple[float, ...]:
    lightness, a, b = lab
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    linear = (4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
              -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
              -0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_)
    return tuple(min(1.0, max(0.0, c)) for c in _srgb(linear))


_CONVERSIONS: dict[str, tuple[Callable, Callable]] = {
    "oklab": (_oklab, _from_oklab),
    "linear": (_linear, lambda rgb: tuple(min(1.0, max(0.0, c)) for c in _srgb(rgb))),
    "srgb": (tuple, tuple),
}

# The CSS named colors (CSS Color Module Level 4).
_CSS = """
aliceblue f0f8ff  antiquewhite faebd7  aqua 00ffff  aquamarine 7fffd4  azure f0ffff  beige
f5f5dc  bisque ffe4c4  black 000000  blanchedalmond ffebcd  blue 0000ff  blueviolet 8a2be2
brown a52a2a  burlywood deb887  cadetblue 5f9ea0  chartreuse 7fff00  chocolate d2691e  coral
ff7f50  cornflowerblue 6495ed  cornsilk fff8dc  crimson dc143c  cyan 00ffff  darkblue 00008b
darkcyan 008b8b  darkgoldenrod b8860b  darkgray a9a9a9  darkgreen 006400  darkgrey a9a9a9
darkkhaki bdb76b  darkmagenta 8b008b  darkolivegreen 556b2f  darkorange ff8c00  darkorchid
9932cc  darkred 8b0000  darksalmon e9967a  darkseagreen 8fbc8f  darkslateblue 483d8b
darkslategray 2f4f4f  darkslategrey 2f4f4f  darkturquoise 00ced1  darkviolet 9400d3  deeppink
ff1493  deepskyblue 00bfff  dimgray 696969  dimgrey 696969  dodgerblue 1e90ff  firebrick b22222
floralwhite fffaf0  forestgreen 228b22  fuchsia ff00ff  gainsboro dcdcdc  ghostwhite f8f8ff
gold ffd700  goldenrod daa520  gray 808080  green 008000  greenyellow adff2f  grey 808080
honeydew f0fff0  hotpink ff69b4  indianred cd5c5c  indigo 4b0082  ivory fffff0  khaki f0e68c
lavender e6e6fa  lavenderblush fff0f5  lawngreen 7cfc00  lemonchiffon fffacd  lightblue add8e6
lightcoral f08080  lightcyan e0ffff  lightgoldenrodyellow fafad2  lightgray d3d3d3  lightgreen
90ee90  lightgrey d3d3d3  lightpink ffb6c1  lightsalmon ffa07a  lightseagreen 20b2aa
lightskyblue 87cefa  lightslategray 778899  lightslategrey 778899  lightsteelblue b0c4de
lightyellow ffffe0  lime 00ff00  limegreen 32cd32  linen faf0e6  magenta ff00ff  maroon 800000
mediumaquamarine 66cdaa  mediumblue 0000cd  mediumorchid ba55d3  mediumpurple 9370db
mediumseagreen 3cb371  mediumslateblue 7b68ee  mediumspringgreen 00fa9a  mediumturquoise 48d1cc
mediumvioletred c71585  midnightblue 191970  mintcream f5fffa  mistyrose ffe4e1  moccasin ffe4b5
navajowhite ffdead  navy 000080  oldlace fdf5e6  olive 808000  olivedrab 6b8e23  orange ffa500
orangered ff4500  orchid da70d6  palegoldenrod eee8aa  palegreen 98fb98  paleturquoise afeeee
palevioletred db7093  papayawhip ffefd5  peachpuff ffdab9  peru cd853f  pink ffc0cb  plum dda0dd
powderblue b0e0e6  purple 800080  rebeccapurple 663399  red ff0000  rosybrown bc8f8f  royalblue
4169e1  saddlebrown 8b4513  salmon fa8072  sandybrown f4a460  seagreen 2e8b57  seashell fff5ee
sienna a0522d  silver c0c0c0  skyblue 87ceeb  slateblue 6a5acd  slategray 708090  slategrey
708090  snow fffafa  springgreen 00ff7f  steelblue 4682b4  tan d2b48c  teal 008080  thistle
d8bfd8  tomato ff6347  turquoise 40e0d0  violet ee82ee  wheat f5deb3  white ffffff  whitesmoke
f5f5f5  yellow ffff00  yellowgreen 9acd32
"""
_WORDS = _CSS.split()
NAMED: dict[str, str] = dict(zip(_WORDS[::2], _WORDS[1::2], strict=True))

_FUNC = re.compile(r"rgba?\(\s*([^)]*)\)")
_HINT = ("use '#rrggbb', '#rrggbbaa', a CSS name such as 'tomato', 'rgba(255, 0, 0, 0.5)', "
         "(r, g, b[, a]), or 'transparent' (or None) for none")


def parse_color(value: ColorLike) -> Color:
    """Read a color; raise ColorError naming the value and the accepted forms."""
    if isinstance(value, Color):
        return value
    if value is None:  # no fill, no stroke
        return Color(0.0, 0.0, 0.0, 0.0)
    if isinstance(value, str):
        return _parse_string(value)
    if isinstance(value, tuple | list) and len(value) in (3, 4):
        return _from_channels(value, value)
    raise ColorError(f"invalid color {value!r}: {_HINT}")


def _parse_string(text: str) -> Color:
    s = text.strip().lower()
    if s in ("transparent", "none"):
        return Color(0.0, 0.0, 0.0, 0.0)
    s = "#" + NAMED[s] if s in NAMED else s
    if s.startswith("#"):
        digits = s[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        if len(digits) in (6, 8) and all(c in "0123456789abcdef" for c in digits):
            channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
            return Color(*channels)
    elif match := _FUNC.fullmatch(s):
        try:
            parts = [float(p) for p in match.group(1).replace(",", " ").replace("/", " ").split()]
        except ValueError:
            parts = []
        if len(parts) in (3, 4):
            return _from_channels(parts, text)
    raise ColorError(f"invalid color {text!r}: {_HINT}")


def _from_channels(channels, original) -> Color:
    """(r, g, b) in 0..255 and an optional alpha in 0..1."""
    try:
        r, g, b, *a = (float(c) for c in channels)
    except (TypeError, ValueError):
        raise ColorError(f"invalid color {original!r}: {_HINT}") from None
    alpha = a[0] if a else 1.0
    if not all(0 <= c <= 255 for c in (r, g, b)) or not 0 <= alpha <= 1:
        raise ColorError(
            f"invalid color {original!r}: red, green and blue go from 0 to 255, alpha from 0 to 1"
        )
    return Color(r / 255, g / 255, b / 255, alpha)
