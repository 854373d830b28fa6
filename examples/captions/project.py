"""Captions from an SRT file over a video clip with music (about 10 s at 1080p30).

    parareel render examples/captions/project.py -o captions.mp4 --workers auto
    parareel render examples/captions/project.py -o captions.mp4 --var captions=talk.srt

Each subtitle rises in at its start time, a thin bar under it runs out over the time it
is shown, and it fades at its end time. `captions` is an SRT file beside the project (or
an absolute path); `video` and `music` name the backdrop's media, as in examples/seed.
"""

import re
from pathlib import Path

from parareel import Audio, Project, Rect, Text, Video, easing, parallel, wait

HERE = Path(__file__).parent
TIME = re.compile(r"(\d+):(\d+):(\d+)[,.](\d+)\s*-->\s*(\d+):(\d+):(\d+)[,.](\d+)")


def read_srt(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of each subtitle, in seconds."""
    cues = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8-sig").strip()):
        lines = block.strip().splitlines()
        times = next((TIME.search(line) for line in lines if TIME.search(line)), None)
        if times is None:
            raise ValueError(f"{path}: a subtitle without a time line: {block!r}")
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in times.groups())
        text = "\n".join(lines[[i for i, line in enumerate(lines) if "-->" in line][0] + 1:])
        cues.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000,
                     h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, text))
    return cues


def captions(scene):
    source = HERE / scene.variables.get("captions", "captions.srt")
    video = scene.variables.get("video", "../seed/media/background.mp4")
    music = scene.variables.get("music", "../seed/media/music.m4a")
    clip = scene.add(Video(video, width=scene.width, height=scene.height, loop=True,
                           muted=True))
    clip.play()
    scene.play(Audio(music, loop=True, volume=0.5))
    scene.add(Rect(width=scene.width, height=260, y=scene.height / 2 - 130,
                   fill=(0, 0, 0, 0.45)))  # a band the words stay readable on
    cues = read_srt(source)
    for start, end, text in cues:
        yield from wait(max(0.0, start - scene.time))  # a fade may run past the next start
        line = scene.add(Text(text, size=64, weight=600, fill="white", opacity=0,
                              y=scene.height / 2 - 140))
        bar = scene.add(Rect(width=600, height=6, radius=3, fill="#ffd166", opacity=0,
                             y=scene.height / 2 - 80))
        shown = end - start
        yield from parallel(line.opacity.to(1, 0.25), line.y.to(line.y() - 20, 0.35,
                                                                 easing.out_back),
                            bar.opacity.to(1, 0.25),
                            bar.width.to(0, shown, easing.linear))
        yield from parallel(line.opacity.to(0, 0.25), bar.opacity.to(0, 0.25))
        line.remove()
        bar.remove()
    yield from wait(0.6)


project = Project(scenes=[captions], size=(1920, 1080), fps=30, background="black")
