"""Shared pieces of the benchmarks: a heavy scene and a timer."""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from parareel import Circle, Group, Project, Rect, Text, easing, loop, parallel
from parareel import Path as SvgPath

ROOT = Path(__file__).resolve().parent.parent
HELLO = str(ROOT / "examples" / "hello" / "project.py")


def heavy(scene):
    """Hundreds of moving, rotating, semi-transparent shapes and lines of text.

    The motion repeats every 2 s, so every stretch of the video costs the same to
    draw and encode, and chunks late in the video differ only by what they replay.
    """
    seconds = scene.variables.get("seconds", 4.0)
    field = scene.add(Group())
    dots = [field.add(Circle(radius=18, fill=(40 + i % 200, 120, 220 - i % 180, 0.7),
                             x=-900 + (i % 30) * 62, y=-500 + (i // 30) * 70,
                             stroke="white", stroke_width=2)) for i in range(180)]
    stars = [field.add(SvgPath("M 0 -40 L 12 -12 L 40 -12 L 18 6 L 26 36 L 0 18 L -26 36 "
                               "L -18 6 L -40 -12 L -12 -12 Z", fill="#ffd166", x=-800 + 160 * i,
                               y=300)) for i in range(11)]
    labels = [field.add(Text(f"line {i}: the quick brown fox", size=28, y=-420 + 60 * i, x=500,
                             opacity=0.8)) for i in range(12)]
    card = field.add(Rect(width=600, height=300, radius=30, fill="#ef476f", opacity=0.6))

    base = [d.y() for d in dots]

    def cycle(_: int):
        for there in (True, False):
            yield from parallel(
                *(d.y.to(base[i] + (40 * math.sin(i) if there else 0), 1.0, easing.in_out_sine)
                  for i, d in enumerate(dots)),
                *(s.rotation.to(180 if there else 360, 1.0) for s in stars),
                *(t.x.to(-500 if there else 500, 1.0) for t in labels),
                card.rotation.to(90 if there else 0, 1.0),
            )
        for star in stars:
            star.rotation(0)  # the same as 360: the next cycle starts where this one began

    yield from loop(round(seconds / 2), cycle)


def heavy_project(seconds: float = 4.0) -> Project:
    return Project(scenes=[heavy], size=(1920, 1080), fps=30, background="#073b4c",
                   variables={"seconds": seconds})


def run_chunk(project, chunk, path: Path, threads: int = 0) -> None:
    """Render one chunk of `project` to `path`, as a worker does."""
    from parareel.contract import ChunkJob
    from parareel.load import reference
    from parareel.worker import render_chunk

    job = ChunkJob("bench", reference(project), chunk, Path(path).resolve().as_uri())
    render_chunk(job, project, threads=threads)


def first_and_last(project, work: Path, chunks: int = 10) -> tuple[float, float]:
    """Seconds to render the first and the last of `chunks` equal chunks (the best of two
    for the first: its first run also warms caches)."""
    from parareel.plan import plan

    planned, t = plan(project.frame_count(), chunks), {}
    for name, chunk in (("first", planned[0]), ("last", planned[-1]), ("first2", planned[0])):
        with timer(t, name):
            run_chunk(project, chunk, work / f"{name}.mp4")
    return min(t["first"], t["first2"]), t["last"]


@contextmanager
def scratch():
    """A temporary folder for a benchmark's files, removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix="parareel-bench-"))
    try:
        yield work
    finally:
        shutil.rmtree(work)


@contextmanager
def timer(results: dict, name: str):
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start
