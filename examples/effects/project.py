"""Paint and motion: gradients, shadows, springs, blur, masks, filters, blend modes, the
camera, morphs, sound-driven bars and transitions between scenes (9 s at 1280x720).

    parareel render examples/effects/project.py -o effects.mp4 --workers auto
"""

from pathlib import Path

from parareel import (
    Audio,
    Circle,
    ConicGradient,
    Group,
    LinearGradient,
    Project,
    RadialGradient,
    Rect,
    Text,
    Video,
    easing,
    parallel,
    sequence,
    wait,
)
from parareel import Path as SvgPath

HERE = Path(__file__).parent
CLIP = HERE.parent / "seed" / "media" / "background.mp4"
BEAT = HERE.parent / "sounds" / "beat.wav"
STAR = "M 0 -100 L 29 -40 L 95 -31 L 47 15 L 59 81 L 0 50 L -59 81 L -47 15 L -95 -31 L -29 -40 Z"


def paint(scene):
    scene.add(Rect(width=1280, height=720, fill=LinearGradient("#1b1b3a", "#3a1c71", angle=160)))
    title = scene.add(Text("Paint & motion", size=72, weight="bold", y=-250,
                           fill=LinearGradient("#ffd166", "#ef476f", angle=90)))
    cards = [scene.add(Rect(width=260, height=180, radius=28, x=-330 + 330 * i, y=460,
                            fill=fill, shadow=("#00000099", 30, 0, 14)))
             for i, fill in enumerate((RadialGradient("#ffd166", "#f78c6b"),
                                       LinearGradient("#06d6a0", "#118ab2", angle=45),
                                       ConicGradient("#ef476f", "#ffd166", "#06d6a0", "#118ab2",
                                                     "#ef476f")))]
    ring = scene.add(Circle(radius=60, fill=None, stroke="#f6f7eb", stroke_width=8, y=230,
                            progress=0))
    yield from parallel(
        title.scale.spring(1.1, stiffness=160, damping=10),
        sequence(0.12, *(card.y.spring(20, stiffness=140, damping=11) for card in cards)),
        ring.progress.to(1, 1.4, easing.bezier(0.3, 0, 0.2, 1)),
    )
    yield from wait(0.4)


def lens(scene):
    scene.add(Video(CLIP, width=1280, height=720, blur=14, brightness=0.8))
    window = Circle(radius=170)
    sharp = scene.add(Group(Video(CLIP, width=1280, height=720), mask=window))
    ring = scene.add(Circle(radius=170, fill=None, stroke="#ffffffcc", stroke_width=6))
    ring.x(lambda: window.x())
    ring.y(lambda: window.y())
    label = scene.add(Text("blur · mask · filters", size=44, weight="bold", y=290,
                           blend="difference", fill="#ffffff"))
    yield from parallel(scene.transition("push", 0.7, direction="left"),
                        window.move_along("M -400 0 C -200 -260 200 260 400 0", 2.4))
    yield from parallel(sharp.grayscale.to(1, 0.6), label.y.to(250, 0.6))
    yield from parallel(scene.camera.zoom.to(1.6, 0.9), scene.camera.x.to(window.x(), 0.9))
    yield from parallel(scene.camera.zoom.to(1, 0.6), sharp.grayscale.to(0, 0.6))


def sound(scene):
    scene.add(Rect(width=1280, height=720, fill=RadialGradient("#26264a", "#0b0b1a")))
    scene.play(Audio(BEAT, volume=0.8))
    bars = [scene.add(Rect(width=44, height=20, radius=8, x=-450 + 60 * i, y=120,
                           fill=LinearGradient("#06d6a0", "#ffd166")))
            for i in range(16)]
    for i, bar in enumerate(bars):
        bar.height(lambda i=i: 20 + 300 * scene.audio.spectrum(len(bars))[i])
    pulse = scene.add(Circle(radius=60, fill="#ef476f", y=-170))
    pulse.scale(lambda: 1 + 0.6 * scene.audio.level())
    shape = scene.add(SvgPath(STAR, fill="#ffd166", x=420, y=-170, scale=0.8))
    yield from scene.transition("wipe", 0.6, direction="right")
    yield from shape.data.to(Circle(radius=90), 1.0)
    yield from shape.data.to(STAR, 1.0, easing.out_back)
    yield from wait(0.6)


project = Project(scenes=[paint, lens, sound], size=(1280, 720), fps=30,
                  background="#0b0b1a")
