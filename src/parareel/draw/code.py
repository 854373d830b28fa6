"""Draw Code (tokens on a monospaced grid, mid-edit too) and Math (glyph outlines)."""

from __future__ import annotations

from functools import lru_cache

import skia
from pygments.token import Token as Kind

from parareel.scene.code import Code, matches, theme_colours, tokens
from parareel.scene.color import parse_color
from parareel.scene.math import Math, glyph_paths
from parareel.scene.shaping import typeface
from parareel.scene.svgpath import trimmed


def _phase(t: float, start: float) -> float:
    """The part of a third of an edit that has passed: 0 before `start`, 1 after it."""
    return min(1.0, max(0.0, (t - start) * 3))


@lru_cache(maxsize=512)
def _token_style(theme: str, kind) -> tuple[int, bool, bool]:
    """(ARGB colour, bold, italic) of a token kind in a theme."""
    _, style = theme_colours(theme)
    found = style.style_for_token(kind)
    background = parse_color(style.background_color or "#000000")
    dark = 0.2126 * background.r + 0.7152 * background.g + 0.0722 * background.b < 0.5
    colour = found["color"] or style.style_for_token(Kind.Text)["color"] or (
        "ffffff" if dark else "000000")
    return parse_color(f"#{colour}").to_argb32(), bool(found["bold"]), bool(found["italic"])


def paint_code(node: Code, canvas: skia.Canvas, opacity: float) -> None:
    left, top, right, bottom = node.extent()
    background = node.background() or parse_color(theme_colours(node.theme())[0])
    if background.a > 0:
        r = node.radius()
        canvas.drawRRect(skia.RRect.MakeRectXY(skia.Rect.MakeLTRB(left, top, right, bottom),
                                               r, r),
                         skia.Paint(AntiAlias=True, Color=background.to_argb32(opacity)))
    advance, step = node.grid()
    size, theme = node.size(), node.theme()
    fonts = {}

    def font(bold: bool, italic: bool) -> skia.Font:
        if (bold, italic) not in fonts:
            fonts[bold, italic] = skia.Font(typeface(node.font(), 700 if bold else 400, italic),
                                            size)
        return fonts[bold, italic]

    ascent = -font(False, False).getMetrics().fAscent
    descent = font(False, False).getMetrics().fDescent
    lines = node.source().count("\n") + 1
    x0 = left + node.padding() + node.gutter(lines) * advance
    y0 = top + node.padding() + (step - ascent - descent) / 2 + ascent  # first baseline
    line_opacity = node.line_opacity()

    def shown(line: int) -> float:
        return line_opacity[line] if line < len(line_opacity) else 1.0

    def draw(text: str, kind, x: float, y: float, alpha: float) -> None:
        argb, bold, italic = _token_style(theme, kind)
        if alpha > 0:
            paint_ = skia.Paint(AntiAlias=True, Color=argb)
            paint_.setAlphaf(paint_.getAlphaf() * alpha * opacity)
            canvas.drawString(text, x, y, font(bold, italic), paint_)

    new = tokens(node.source(), node.language())
    old_source, t = node.edit_from(), node.edit_progress()
    editing = old_source is not None and t < 1
    fade_out, move, fade_in = _phase(t, 0), _phase(t, 1 / 3), _phase(t, 2 / 3)
    if not editing:
        for token in new:
            draw(token.text, token.kind, x0 + token.column * advance, y0 + token.line * step,
                 shown(token.line))
    else:
        old = tokens(old_source, node.language())
        pairs = matches(old, new)
        kept_old, kept_new = {a for a, _ in pairs}, {b for _, b in pairs}
        ox0 = left + node.padding() + node.gutter(old_source.count("\n") + 1) * advance
        for i, token in enumerate(old):
            if i not in kept_old:
                draw(token.text, token.kind, ox0 + token.column * advance,
                     y0 + token.line * step, 1 - fade_out)
        for a, b in pairs:
            was, now = old[a], new[b]
            x = ox0 + was.column * advance + (x0 + now.column * advance - ox0 -
                                              was.column * advance) * move
            y = y0 + (was.line + (now.line - was.line) * move) * step
            draw(now.text, now.kind, x, y, shown(now.line))
        for i, token in enumerate(new):
            if i not in kept_new:
                draw(token.text, token.kind, x0 + token.column * advance,
                     y0 + token.line * step, fade_in * shown(token.line))
    if node.line_numbers():
        colour = _token_style(theme, Kind.Comment)[0]
        old_lines = old_source.count("\n") + 1 if editing else lines
        digits = len(str(lines))
        for n in range(max(lines, old_lines)):
            # lines an edit adds fade in with its new tokens; those it removes fade out
            alpha = (fade_in if n >= old_lines else 1 - fade_out if n >= lines else 1.0)
            number = skia.Paint(AntiAlias=True, Color=colour)
            number.setAlphaf(number.getAlphaf() * opacity * shown(n) * alpha)
            canvas.drawString(str(n + 1).rjust(digits), left + node.padding(), y0 + n * step,
                              font(False, False), number)


def paint_math(node: Math, canvas: skia.Canvas, opacity: float) -> None:
    paths, (left, top, width, height) = glyph_paths(node.latex(), node.size())
    canvas.save()
    canvas.translate(-left - width / 2, -top - height / 2)
    fill, fills = node.fill(), node.fills()
    progress, count = node.progress(), len(paths)
    outline = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style,
                         StrokeWidth=max(1.0, node.size() / 40))
    for i, path in enumerate(paths):
        colour = fills.get(i, fill)
        local = min(1.0, max(0.0, progress * (count + 1) - i)) if progress < 1 else 1.0
        if local <= 0:
            continue
        if local < 1:  # drawn on: the outline traced in the first half, filled in the second
            drawn = trimmed(path, min(1.0, 2 * local))
            if drawn is not None:
                outline.setColor(colour.to_argb32(opacity))
                canvas.drawPath(drawn, outline)
        alpha = 1.0 if local >= 1 else max(0.0, 2 * local - 1)
        if alpha > 0:
            canvas.drawPath(path, skia.Paint(AntiAlias=True,
                                             Color=colour.to_argb32(opacity * alpha)))
    canvas.restore()
