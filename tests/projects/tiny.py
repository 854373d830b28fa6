"""A small project for the serverless tests: the seed's `message` variable and a sound."""

from pathlib import Path

from parareel import Audio, Project, Rect, Text, easing, parallel, wait

SOUNDS = Path(__file__).resolve().parents[2] / "examples" / "sounds"


def tiny(scene):
    message = scene.variables.get("message", "Hello from parareel!")
    box = scene.add(Rect(width=60, height=60, fill="#e94f37", x=-120))
    scene.add(Text(message, size=18, y=-60))
    scene.play(Audio(SOUNDS / "blip.wav"))
    yield from parallel(box.x.to(120, 1.0, easing.linear), box.rotation.to(90, 1.0))
    yield from wait(0.5)


project = Project(scenes=[tiny], size=(320, 180), fps=30, background="#1b1b2f")
