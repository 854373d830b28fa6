"""Video clips: render speed against the transcode limit, seek cost, and memory.

    python bench/media.py

- a 1080p clip full frame under a text overlay: parareel's render fps against a plain
  PyAV decode-and-encode of the same clip with the same encoder settings (goal >= 0.8);
- seek: the last of 10 equal chunks of a 60 s clip-backed video against the first
  (goal <= 1.1);
- peak memory of one worker rendering 1080p with two clips playing (goal <= 400 MB).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
from common import ROOT, first_and_last, scratch, timer

import parareel
from parareel import Project, Text, Video, wait
from parareel.media.encode import Encoding, VideoWriter

BACKGROUND = ROOT / "examples" / "seed" / "media" / "background.mp4"


def make_clip(path: Path, size: tuple[int, int], seconds: int) -> None:
    """The example background, scaled and looped to `size` and `seconds`."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30, options={"crf": "23", "preset": "veryfast",
                                                            "g": "60"})
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        index = 0
        while index < seconds * 30:
            with av.open(str(BACKGROUND)) as source:
                for frame in source.decode(video=0):
                    if index == seconds * 30:
                        break
                    scaled = frame.reformat(*size, format="yuv420p")
                    scaled.pts, scaled.time_base = index, Fraction(1, 30)
                    index += 1
                    out.mux(stream.encode(scaled))
        out.mux(stream.encode(None))


def clip_project(path: Path, seconds: float, size=(1920, 1080), clips: int = 1) -> Project:
    def scene(s):
        for i in range(clips):
            clip = s.add(Video(path, width=s.width // (i + 1), height=s.height // (i + 1)))
            clip.play()
        s.add(Text("parareel: text over a clip", size=72, fill="white"))
        yield from wait(seconds)

    return Project(scenes=[scene], size=size, fps=30)


def transcode(clip: Path, out: Path, encoding: Encoding, own_types: bool) -> None:
    """Decode and encode with the same settings; frames go straight to the encoder.

    A decoded frame carries its picture type (I, P, B) and libx264 follows it: the
    plain transcode skips x264's own frame-type decisions, which a render (frames
    drawn, not decoded) cannot. `own_types` clears them to measure that part.
    """
    with av.open(str(clip)) as source, VideoWriter(out, 1920, 1080, 30, encoding) as writer:
        stream = writer._stream
        for frame in source.decode(video=0):
            frame.pts = None
            if own_types:
                frame.pict_type = av.video.frame.PictureType.NONE
            writer._container.mux(stream.encode(frame))


def transcode_limit(work: Path) -> None:
    clip = work / "clip1080.mp4"
    make_clip(clip, (1920, 1080), 6)
    encoding = Encoding()
    t: dict[str, float] = {}
    for round_ in range(2):
        with timer(t, f"transcode{round_}"):
            transcode(clip, work / "plain.mp4", encoding, own_types=False)
        with timer(t, f"own{round_}"):
            transcode(clip, work / "plain.mp4", encoding, own_types=True)
        with timer(t, f"render{round_}"):
            parareel.render(clip_project(clip, 6.0), work / "render.mp4", encoding=encoding)
    plain, own, render = (min(t[f"{k}0"], t[f"{k}1"]) for k in ("transcode", "own", "render"))
    print(f"clip     1080p clip + text, 180 frames: transcode {180 / plain:.1f} fps  "
          f"render {180 / render:.1f} fps  ratio {plain / render:.2f} (goal >= 0.8)")
    print(f"         against a transcode whose x264 picks its own frame types "
          f"({180 / own:.1f} fps): ratio {own / render:.2f}")


def seek(work: Path) -> None:
    clip = work / "clip60.mp4"
    make_clip(clip, (640, 360), 60)
    first, last = first_and_last(clip_project(clip, 60.0, size=(640, 360)), work)
    print(f"seek     60 s clip-backed video, 10 chunks: first {first:.2f}s  last {last:.2f}s"
          f"  ratio {last / first:.3f} (goal <= 1.1)")


MEMORY = """
import sys
sys.path.insert(0, {bench!r})
from media import clip_project
import parareel
parareel.render(clip_project({clip!r}, 4.0, clips=2), {out!r})
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over the exec)
print(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1])
"""


def memory(work: Path) -> None:
    clip = work / "clip1080.mp4"
    code = MEMORY.format(bench=str(Path(__file__).parent), clip=str(clip),
                         out=str(work / "two.mp4"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    peak = int(result.stdout.split()[-1]) / 1024
    print(f"memory   one worker, 1080p, two 1080p clips playing: peak {peak:.0f} MB "
          f"(goal <= 400 MB)")


if __name__ == "__main__":
    with scratch() as work:
        transcode_limit(work)
        memory(work)
        seek(work)
