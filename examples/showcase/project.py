"""A tour of every node type over three scenes (7.6 s at 1280x720, 30 fps).

    parareel render examples/showcase/project.py -o showcase.mp4 --workers auto
"""

from pathlib import Path

from parareel import (
    Audio,
    Circle,
    Ellipse,
    Group,
    Image,
    Line,
    Polyline,
    Project,
    Rect,
    Text,
    chain,
    easing,
    loop,
    parallel,
    sequence,
    wait,
)
from parareel import Path as SvgPath

HERE = Path(__file__).parent
BLIP = HERE.parent / "sounds" / "blip.wav"
STAR = "M 0 -100 L 29 -40 L 95 -31 L 47 15 L 59 81 L 0 50 L -59 81 L -47 15 L -95 -31 L -29 -40 Z"


def shapes(scene):
    title = scene.add(Text(scene.variables.get("title", "Shapes"), size=64, weight=700, y=-280))
    row = scene.add(Group(y=20))
    rect = row.add(Rect(width=180, height=180, radius=24, fill="#ef476f", x=-420, scale=0))
    circle = row.add(Circle(radius=90, fill="#ffd166", stroke="white", stroke_width=8, scale=0))
    ellipse = row.add(Ellipse(width=240, height=140, fill="rgba(6, 214, 160, 0.8)", x=420,
                              scale=0))

    def pop(node):
        scene.play(Audio(BLIP, volume=0.5))
        yield from node.scale.to(1, 0.6, easing.out_back)

    yield from sequence(0.2, *(pop(n) for n in (rect, circle, ellipse)))
    yield from parallel(rect.rotation.to(90, 1.0), row.y.to(60, 1.0, easing.in_out_sine),
                        ellipse.fill.to("#118ab2", 1.0), title.opacity.to(0.4, 1.0))
    yield from wait(0.5)


def lines(scene):
    zigzag = scene.add(Polyline(points=[(-500 + 100 * i, 60 * (-1) ** i) for i in range(11)],
                                stroke="#06d6a0", stroke_width=10, join="round", cap="round",
                                progress=0))
    dashed = scene.add(Line((-500, 200), (500, 200), stroke="#ffd166", stroke_width=6,
                            dash=(24, 12), progress=0))
    star = scene.add(SvgPath(STAR, fill="#ef476f", stroke="white", stroke_width=4, y=-200,
                             scale=0.8))
    yield from parallel(zigzag.progress.to(1, 1.5, easing.linear),
                        chain(wait(0.3), dashed.progress.to(1, 1.2)),
                        star.rotation.to(144, 1.5, easing.in_out_back))
    yield from loop(2, lambda i: star.scale.to(1.1 if i % 2 == 0 else 0.8, 0.4, easing.out_quad))
    yield from wait(0.3)


def picture(scene):
    logo = scene.add(Image(HERE / "logo.png", width=200, y=-40, opacity=0))
    caption = scene.add(Text("Images, text\nand several lines", size=40, align="center",
                             y=180, fill="#e0e0e0"))
    yield from parallel(logo.opacity.to(1, 0.8), logo.y.to(-80, 0.8, easing.out_cubic))
    yield from parallel(logo.scale.to(1.4, 1.0, easing.out_elastic),
                        caption.fill.to("#ffd166", 1.0))
    yield from wait(0.7)


project = Project(scenes=[shapes, lines, picture], size=(1280, 720), fps=30,
                  background="#073b4c")
