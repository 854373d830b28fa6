"""The hello example: a card slides in and a message fades in (about 10 s at 1080p30).

    parareel render examples/hello/project.py -o hello.mp4 --var message="Hi there"
"""

from pathlib import Path

from parareel import Audio, Circle, Project, Rect, Text, chain, easing, parallel, wait

SOUNDS = Path(__file__).parent.parent / "sounds"


def hello(scene):
    message = scene.variables.get("message", "Hello from parareel!")
    card = scene.add(Rect(width=520, height=320, radius=40, fill="#e94f37", x=-700))
    dot = scene.add(Circle(radius=60, fill="#f6f7eb", y=300, scale=0))
    title = scene.add(Text(message, size=96, fill="white", opacity=0.0, y=-300))
    scene.play(Audio(SOUNDS / "beat.wav", volume=0.6, loop=True))
    yield from parallel(
        card.x.to(700, 2.0, easing.in_out_cubic),
        title.opacity.to(1.0, 1.0),
    )
    scene.play(Audio(SOUNDS / "blip.wav"))
    yield from chain(
        dot.scale.to(1.0, 0.6, easing.out_back),
        parallel(card.rotation.to(180, 2.0), card.x.to(0, 2.0), card.fill.to("#3f88c5", 2.0)),
        dot.x.to(-600, 1.5, easing.in_out_sine),
        dot.x.to(600, 2.0, easing.in_out_sine),
    )
    yield from parallel(title.opacity.to(0.0, 1.0), dot.scale.to(0.0, 1.0, easing.in_back))
    yield from wait(0.9)


project = Project(scenes=[hello], size=(1920, 1080), fps=30, background="#1b1b2f")
