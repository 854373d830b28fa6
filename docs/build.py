"""Build the reference into docs/site (or the folder given): every page comes from the
code's docstrings and the CLI's own --help, so the reference cannot drift from the code.

    python docs/build.py [FOLDER]        # make docs

Pages: parareel (nodes and their properties, flow, signals, Project), parareel.api
(render, still, frames), the output formats and encodings, easings, the Lambda client,
cli.html (every command's --help) and nodes.html (a picture of each node, drawn by
parareel from the code shown beside it).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import click
import pdoc
import pdoc.render

import parareel
from parareel import api
from parareel.scene.signal import prop

MODULES = ["parareel", "parareel.api", "parareel.media.formats", "parareel.scene.easing",
           "parareel.scene.flow", "parareel.scene.signal", "parareel.scene.project",
           "parareel.scene.transition", "parareel.scene.listen", "parareel.aws.client"]


def build(folder: Path) -> list[Path]:
    """Write the reference into `folder`; returns the pages written."""
    # render, still and frames are imported on first use (to keep `import parareel`
    # quick); the reference shows them where users call them
    for name in ("render", "still", "frames", "RenderResult"):
        setattr(parareel, name, getattr(api, name))
    # A node property is a descriptor without __set__ (after the first read, reads skip it:
    # the painter reads thousands a frame), which pdoc would list as a method; the
    # reference shows it as the variable it is, with its meaning and default.
    prop.__set__ = lambda self, node, value: None
    try:
        pdoc.render.configure(docformat="markdown", show_source=False,
                              footer_text=f"parareel {parareel.__version__}")
        pdoc.pdoc(*MODULES, output_directory=folder)
    finally:
        del prop.__set__  # nodes made from here on work as always
    (folder / "cli.html").write_text(cli_page())
    (folder / "nodes.html").write_text(nodes_page(folder / "images"))
    return sorted(folder.rglob("*.html"))


NODES = {  # each node as a user writes it; the picture is drawn from this very code
    "Rect": 'Rect(width=150, height=80, radius=16, fill="#e94f37")',
    "Circle": 'Circle(radius=45, fill="#f6f7eb", stroke="#3f88c5", stroke_width=6)',
    "Ellipse": 'Ellipse(width=170, height=70, fill="#ffd166")',
    "Line": 'Line(start=(-80, 30), end=(80, -30), stroke="#06d6a0", stroke_width=8, '
            'cap="round")',
    "Polyline": 'Polyline(points=[(-90, 30), (-45, -30), (0, 30), (45, -30), (90, 30)], '
                'stroke="#118ab2", stroke_width=6, join="round")',
    "Path": 'Path("M 0 -45 L 13 -14 L 45 -14 L 19 6 L 28 40 L 0 20 L -28 40 L -19 6 '
            'L -45 -14 L -13 -14 Z", fill="#ef476f")',
    "Text": 'Text("Hello", size=56, weight="bold", fill="#f6f7eb")',
    "Group": 'Group(Rect(width=60, height=60, fill="#8338ec", x=-40), '
             'Circle(radius=30, fill="#ffd166", x=40), rotation=15)',
    "Image": 'Image("logo.png", height=110)',  # beside examples/showcase/project.py
    "Layout": 'Layout(Rect(width=40, height=40, fill="#e94f37"), '
              'Rect(width=40, height=40, fill="#f6ae2d", grow=1), '
              'Circle(radius=20, fill="#33a1a0"), width=200, gap=10, padding=12, '
              'align="center", fill="#2e2e4a", radius=14)',
    "Text, wrapped": 'Text("Lines wrap at the width, breaking at words", size=22, '
                     'width=190, align="left", x=-95)',
    "Text, spans and outline": 'Text("**Bold**, [#f6ae2d]gold[/], *slanted*", markup=True, '
                               'size=19, stroke="#e94f37", stroke_width=2)',
    "Text, revealed": 'Text("Typed on, softly", size=26, reveal=0.6, reveal_fade=4)',
    "Shadow": 'Rect(width=150, height=70, radius=14, fill="#f6f7eb", '
              'shadow=("black", 18, 0, 8))',
    "Code": 'Code("def add(a, b):\\n    return a + b", size=15, line_numbers=True)',
    "Math": 'Math(r"e^{i\\pi} + 1 = 0", size=40)',
    "Captions": 'Captions(cues=[(0, 5, "Captions, boxed to fit their text")], '
                'text_size=20, wrap_width=200)',
    "LinearGradient": 'Rect(width=190, height=100, radius=18, '
                      'fill=LinearGradient("#ff0080", "#7928ca", angle=90))',
    "RadialGradient": 'Circle(radius=55, fill=RadialGradient("#ffd166", "#ef476f"))',
    "ConicGradient": 'Circle(radius=55, fill=ConicGradient("#ef476f", "#ffd166", "#06d6a0", '
                     '"#118ab2", "#ef476f"))',
    "Filters": 'Group(Image("logo.png", height=100, x=-60), Image("logo.png", height=100, '
               'x=60, sepia=1, contrast=1.3))',
    "Blur": 'Group(Rect(width=120, height=70, fill="#f6f7eb"), blur=6)',
    "Blend": 'Group(Circle(radius=45, fill="#ef476f", x=-25), Circle(radius=45, '
             'fill="#06d6a0", x=25, blend="screen"))',
    "Clip": 'Rect(Circle(radius=70, fill="#ffd166", x=60, y=30), width=170, height=100, '
            'radius=30, fill="#3a3a5a", clip=True)',
    "Mask": 'Rect(width=200, height=110, fill=LinearGradient("#06d6a0", "#118ab2"), '
            'mask=Text("MASK", size=60, weight="bold"))',
    "Progress": 'Rect(width=170, height=90, radius=20, fill=None, stroke="#ffd166", '
                'stroke_width=8, progress=0.6)',
    "Morph": 'Path(Circle(radius=50), fill="#ffd166")',
}
MOMENTS = {  # effects in time: the code of a scene, and the frame pictured
    "Transition: push": ("""def first(s):
    s.add(Rect(width=120, height=80, fill="#ef476f"))
    yield from wait(0.2)

def second(s):
    s.add(Circle(radius=40, fill="#06d6a0"))
    yield from s.transition("push", 0.5, direction="left")
""", 13),
    "Camera": ("""def zoom(s):
    s.add(Rect(width=60, height=40, fill="#ef476f", x=-50))
    dot = s.add(Circle(radius=10, fill="#ffd166", x=40, y=20))
    yield from s.camera.zoom.to(2.5, 0.5)
    s.camera.follow(dot)
    yield
""", 15),
}
MEDIA = Path(__file__).resolve().parent.parent / "examples" / "showcase"


def nodes_page(images: Path) -> str:
    """A picture of each node, drawn by parareel from the code shown beside it."""
    images.mkdir(parents=True, exist_ok=True)
    names = {name: getattr(parareel, name) for name in parareel.__all__}
    rows = []
    for node, code in NODES.items():
        def scene(s, code=code):
            s.add(eval(code, dict(names)))  # the code shown is the code drawn
            yield

        project = parareel.Project(scenes=[scene], size=(240, 140), background="#1b1b2f")
        project.folder = MEDIA  # where relative media paths start, as for a project file
        file = node.replace(",", "").replace(" ", "-")
        parareel.still(project, 0, images / f"{file}.png")
        rows.append(f"<tr><td><img src='images/{file}.png' width='240' height='140' "
                    f"alt='{node}'></td><td><a href='parareel.html#{node.split(',')[0]}'>"
                    f"{node}</a><pre>{html.escape(code)}</pre></td></tr>")
    for name, (code, frame) in MOMENTS.items():
        space = dict(names)
        exec(code, space)  # the code shown is the code drawn
        scenes = [v for k, v in space.items() if k not in names and callable(v)]
        project = parareel.Project(scenes=scenes, size=(240, 140), background="#1b1b2f")
        file = name.replace(":", "").replace(" ", "-")
        parareel.still(project, frame, images / f"{file}.png")
        rows.append(f"<tr><td><img src='images/{file}.png' width='240' height='140' "
                    f"alt='{name}'></td><td>{html.escape(name)} (frame {frame})"
                    f"<pre>{html.escape(code)}</pre></td></tr>")
    return ("<!doctype html><meta charset='utf-8'><title>parareel: nodes</title>"
            "<h1>Nodes and effects</h1><p>Each picture is drawn by parareel from the code "
            "beside it; the reference lists every property.</p><table>" + "\n".join(rows)
            + "</table>")


def cli_page() -> str:
    """Every command's --help, as click prints it."""
    from parareel.cli import main

    sections = []
    for path, command in _commands(main, ["parareel"]):
        with click.Context(command, info_name=" ".join(path)) as context:
            text = command.get_help(context)
        sections.append(f"<h2 id='{'-'.join(path[1:]) or 'parareel'}'>{' '.join(path)}</h2>"
                        f"<pre>{html.escape(text)}</pre>")
    return ("<!doctype html><meta charset='utf-8'><title>parareel: the command line</title>"
            "<h1>The command line</h1>" + "\n".join(sections))


def _commands(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _commands(command.commands[name], [*path, name])


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "site"
    pages = build(target)
    print(f"wrote {len(pages)} pages to {target}")
