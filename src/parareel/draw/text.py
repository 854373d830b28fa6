"""Draw text: the paragraph that measured it (parareel.scene.shaping) paints it."""

from __future__ import annotations

import skia

from parareel.scene.paint import solid
from parareel.scene.shaping import (
    Run,
    box_size,
    paragraph,
    plain_font,
    plain_size,
    runs,
    shaped,
    style,
)
from parareel.scene.text import Text, units


def paint_text(node: Text, canvas: skia.Canvas, opacity: float,
               laid: tuple[float, float] | None) -> None:
    """Draw the text with its box's centre at the origin (`laid`: the size a layout gave)."""
    if not shaped(node):
        _paint_plain(node, canvas, opacity)
        return
    width = laid[0] if laid else node.width()
    style_ = style(node)
    box_width, height = box_size(runs(node), style_, width)
    left = -box_width / 2
    if laid is None:  # x is the box's left edge, centre or right edge
        left = {"left": 0.0, "right": -box_width}.get(node.align(), left)
    top = -(laid[1] if laid else height) / 2
    shown = _revealed(node, opacity)
    stroke, stroke_width = node.stroke(), node.stroke_width()
    if stroke.a > 0 and stroke_width > 0:
        outline = tuple(Run(r.text, r.font, r.size, r.weight, r.italic,
                            _scale_alpha(stroke.to_argb32(opacity), (r.argb >> 24) / 255))
                        for r in shown)  # fades with the fill, character by character
        paragraph(outline, style_, width, 2 * stroke_width).paint(canvas, left, top)
    paragraph(shown, style_, width).paint(canvas, left, top)


def _revealed(node: Text, opacity: float) -> tuple[Run, ...]:
    """The runs with the unrevealed part transparent (kept, so that nothing reflows) and
    the fading part split into runs of its own alpha."""
    all_runs = runs(node, opacity)
    reveal = node.reveal()
    if reveal >= 1:
        return all_runs
    text = "".join(r.text for r in all_runs)
    parts = units(text, node.reveal_by())
    fade = max(node.reveal_fade(), 1e-9)
    shown_at = reveal * (len(parts) + fade) - fade  # unit i is fully shown at shown_at >= i
    alphas = [min(1.0, max(0.0, (shown_at - i) / fade + 1)) if fade > 1e-9 else
              float(shown_at >= i) for i in range(len(parts))]
    cuts = sorted({0, len(text), *(i for p in parts for i in p),
                   *_run_edges(all_runs)})
    out = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        run = _run_at(all_runs, start)
        unit = next((k for k, (a, b) in enumerate(parts) if a <= start < b), None)
        alpha = alphas[unit] if unit is not None else (1.0 if shown_at >= len(parts) else 0.0)
        argb = _scale_alpha(run.argb, alpha)
        out.append(Run(text[start:end], run.font, run.size, run.weight, run.italic, argb))
    return tuple(out)


def _run_edges(all_runs: tuple[Run, ...]) -> list[int]:
    edges, at = [], 0
    for run in all_runs:
        at += len(run.text)
        edges.append(at)
    return edges


def _run_at(all_runs: tuple[Run, ...], index: int) -> Run:
    at = 0
    for run in all_runs:
        at += len(run.text)
        if index < at:
            return run
    return all_runs[-1]


def _scale_alpha(argb: int, alpha: float) -> int:
    return (round((argb >> 24) * alpha) << 24) | (argb & 0xFFFFFF)


def _paint_plain(node: Text, canvas: skia.Canvas, opacity: float) -> None:
    font, lines = plain_font(node), node.plain_text().split("\n")
    ascent = -font.getMetrics().fAscent
    step = node.size() * node.line_height()
    baseline = -plain_size(node)[1] / 2 + ascent
    paint = skia.Paint(AntiAlias=True, Color=solid(node.fill()).to_argb32(opacity))
    align = node.align()
    for line in lines:
        width = font.measureText(line)
        x = -width / 2 if align in ("center", "justify") else -width if align == "right" else 0.0
        canvas.drawString(line, x, baseline, font, paint)
        baseline += step
