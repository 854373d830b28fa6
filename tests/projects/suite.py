"""The project of the engine tests and the serverless tests, one case per `case` variable.

    seed        the seed's shape: `message` as text over a moving box, a sound
    sound       a looping beat and a blip that starts exactly on a chunk boundary
    draw-error  logic is fine; drawing frame 30 raises
    crash-once  the worker process dies while drawing frame 10, once (a marker file says so)
    hang        drawing frame 10 never ends
    slow        every frame takes 0.1 s to draw, however fast the machine
    memory-hog  drawing frame 10 takes memory, 100 MB at a time, up to 4 GB
    media       a clip, a sound and an image named by the `video`, `music` and `image`
                variables (paths relative to this file, http:// or s3:// URLs)

`hold` (seconds, 0.5 by default) is how long the last picture stays: 45 frames in all;
`badge` is a word shown for the first second only.
"""

import os
import time
from pathlib import Path

from parareel import Audio, Circle, Image, Project, Rect, Text, Video, easing, parallel, wait

SOUNDS = Path(__file__).resolve().parents[2] / "examples" / "sounds"
EXAMPLES = "../../examples"  # relative paths start at this file's folder


def suite(scene):
    case = scene.variables.get("case", "seed")
    message = scene.variables.get("message", "Hello from parareel!")
    marker = scene.variables.get("marker", "")
    box = scene.add(Rect(width=60, height=60, fill="#e94f37", x=-120))
    scene.add(Text(message, size=18, y=-60))
    badge = scene.add(Text(scene.variables.get("badge", ""), size=14, y=70))
    dot = Circle(radius=10, fill="#00ff00", y=50)
    if case != "seed":  # the seed case keeps the seed's picture: a box and its message
        scene.add(dot)
    if case == "seed":
        scene.play(Audio(SOUNDS / "blip.wav"))
    if case == "sound":
        scene.play(Audio(SOUNDS / "beat.wav", volume=0.5, loop=True))
    if case == "media":
        video = scene.variables.get("video", f"{EXAMPLES}/seed/media/background.mp4")
        clip = scene.add(Video(video, width=scene.width, height=scene.height, z=-1))
        clip.play()
        scene.play(Audio(scene.variables.get("music", f"{EXAMPLES}/seed/media/music.m4a")))
        scene.add(Image(scene.variables.get("image", f"{EXAMPLES}/showcase/logo.png"),
                        width=40, x=120, y=60))
    if case == "crash-once":
        dot.radius(lambda: _crash_once(marker) if scene.frame == 10 else 10)
    if case == "hang":
        dot.radius(lambda: time.sleep(3600) if scene.frame == 10 else 10)
    if case == "slow":
        dot.radius(lambda: time.sleep(0.1) or 10)
    if case == "memory-hog":
        dot.radius(lambda: _hog() if scene.frame == 10 else 10)
    yield from parallel(box.x.to(120, 1.0, easing.linear), box.rotation.to(90, 1.0),
                        dot.x.to(100, 0.6))
    badge.opacity = 0  # shown for the first second only
    if case == "sound":
        scene.play(Audio(SOUNDS / "blip.wav"))  # at frame 30: a boundary of 3 chunks of 45
    if case == "draw-error":
        box.radius(lambda: 1 / 0 if scene.frame >= 20 else 0)
    yield from wait(scene.variables.get("hold", 0.5))  # seconds the last picture stays


def _hog() -> float:
    held = []
    for _ in range(40):
        held.append(bytearray(100 * 1024**2))  # zeroed: resident at once
        time.sleep(0.02)
    return 10


def _crash_once(marker: str) -> float:
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(3)  # like a worker killed mid-flight
    return 10


project = Project(scenes=[suite], size=(320, 180), fps=30, background="#1b1b2f")
