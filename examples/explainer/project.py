"""An explainer, laid out rather than positioned: about 40 s at 1080p30.

    parareel render examples/explainer/project.py -o explainer.mp4 --workers auto

1. A title card: a flexbox column (title, a subtitle that wraps, a row of tags that pop
   in one by one and make room for each other), its box sized by its content.
2. Code edited on screen: a loop becomes a parallel map; kept tokens move, the rest fade;
   then the line that matters is picked out, with a note kept beside the code block.
3. An equation drawn on glyph by glyph, its terms coloured as they are explained.
4. Captions over a clip: word timings with the spoken word highlighted.
Nothing here has a hand-placed offset inside a box: layouts and `next_to` place it all.
"""

from parareel import (
    Captions,
    Code,
    Layout,
    Math,
    Project,
    Rect,
    Text,
    Video,
    easing,
    parallel,
    sequence,
    wait,
)

INK, PAPER, ACCENT, SOFT = "#f6f7eb", "#1b1b2f", "#f6ae2d", "#33a1a0"

BEFORE = """\
frames = []
for i in range(total):
    frames.append(draw(i))
video = join(frames)"""
AFTER = """\
chunks = plan(total, workers=8)
parts = pool.map(render, chunks)
video = join(parts)  # stream copy"""


def title(scene):
    title_text = scene.variables.get("title", "Rendering in parallel")
    card = scene.add(Layout(direction="column", gap=28, padding=(56, 72), align="center",
                            fill="#26264a", radius=36, opacity=0, y=40,
                            shadow=("#00000080", 40, 0, 18)))
    card.add(Text(title_text, size=96, weight="bold", fill=INK))
    card.add(Text("Split the frames into chunks, draw each chunk in its own worker, and "
                  "join the pieces without encoding them again.", size=40, fill="#c9c9d9",
                  width=1100, line_height=1.35))
    tags = card.add(Layout(gap=20))
    pills = []
    for word, colour in (("plan", "#e94f37"), ("render", ACCENT), ("join", SOFT)):
        pill = tags.add(Layout(padding=(12, 30), radius=30, fill=colour, presence=0))
        pill.add(Text(word, size=36, weight="bold", fill=PAPER))
        pills.append(pill)
    yield from parallel(card.opacity.to(1, 0.8), card.y.to(0, 0.8, easing.out_cubic))
    yield from sequence(0.35, *(p.presence.to(1, 0.6, easing.out_back) for p in pills))
    yield from wait(1.5)
    yield from card.gap.to(44, 0.8)  # the card grows around its content
    yield from wait(1.2)
    yield from parallel(card.opacity.to(0, 0.6), card.scale.to(0.96, 0.6))


def code(scene):
    block = scene.add(Code(BEFORE, size=40, line_numbers=True, theme="one-dark", x=-260,
                           opacity=0))
    note = scene.add(Layout(padding=(20, 28), radius=18, fill="#26264a", opacity=0))
    label = note.add(Text("one frame after another", size=34, fill=INK))
    note.next_to(block, "right", gap=48)
    yield from block.opacity.to(1, 0.6)
    yield from note.opacity.to(1, 0.4)
    yield from wait(1.5)
    label.text = "chunks, side by side"
    yield from block.edit(AFTER, 1.6)
    yield from wait(0.8)
    label.text = "each chunk in its own worker"
    yield from block.select([2], 0.5)
    yield from wait(2.0)
    label.text = "joined by stream copy"
    yield from block.select([3], 0.5)
    yield from wait(2.0)
    yield from parallel(block.opacity.to(0, 0.6), note.opacity.to(0, 0.6))


def equation(scene):
    formula = scene.add(Math(r"T_{\mathrm{parallel}} = \frac{T}{n} + t_{\mathrm{join}}",
                             size=110, progress=0, y=-60))
    caption = scene.add(Text("", size=44, fill="#c9c9d9", width=1200))
    caption.next_to(formula, "below", gap=70)
    yield from formula.progress.to(1, 2.2, easing.linear)
    caption.text = "n workers share the drawing..."
    formula.fills = dict.fromkeys(range(10, 13), ACCENT)  # glyphs 10-12: T, n and the bar
    yield from wait(2.0)
    caption.text = "...and the join costs almost nothing: no frame is encoded twice."
    formula.fills = dict.fromkeys(range(14, 19), SOFT)  # t and "join"
    yield from wait(2.5)
    yield from parallel(formula.opacity.to(0, 0.6), caption.opacity.to(0, 0.6))


def captions(scene):
    clip = scene.add(Video(scene.variables.get("video", "../seed/media/background.mp4"),
                           width=scene.width, height=scene.height, loop=True, muted=True))
    clip.play()
    scene.add(Rect(width=scene.width, height=scene.height, fill="#00000040"))
    spoken = scene.add(Captions(words="words.json", y=scene.height / 2 - 150, text_size=60,
                                highlight=ACCENT))
    yield from wait(spoken.cues[-1].end + 0.8)


project = Project(scenes=[title, code, equation, captions], size=(1920, 1080), fps=30,
                  background=PAPER)
