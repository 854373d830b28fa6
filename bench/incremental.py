"""Incremental renders: what a render costs again after a small edit, with the block cache.

    python bench/incremental.py [--minutes 5] [--variants 20]

A 1080p30 video of `--minutes` (default 5): a title card for its first 3 s, then a
clock, a progress bar and shapes that move on every frame (no two blocks alike), over
looping music. Rendered with 2 workers into an empty cache (the full render), then
again after a one-word change of the title, then after a change in the middle (a
colour shown for 2 s at half time): the wall time of each re-render as a ratio to the
full render (goal for the title: <= 0.10). Then the cost of printing every frame (the
logic replayed, every frame's print worked out: what a re-render pays before drawing)
against the full render (goal <= 0.05).

Then a batch: `--variants` videos of 60 s that differ in their title card (3 s), as one
batch (one pool of warm workers, the cache empty at its start) against as many
separate renders without the cache (goal <= 0.15).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from common import ROOT

import parareel
from parareel import Audio, Circle, Project, Rect, Text, easing, parallel, wait
from parareel.batch import render_batch
from parareel.blocks import frame_prints

MUSIC = ROOT / "examples" / "sounds" / "beat.wav"


def long_scene(scene):
    minutes = scene.variables.get("minutes", 5.0)
    title = scene.variables.get("title", "Quarterly results")
    accent = scene.variables.get("accent", "#f6ae2d")
    scene.play(Audio(MUSIC, loop=True, volume=0.6))
    card = scene.add(Text(title, size=120, weight="bold", fill="white"))
    yield from wait(3.0)
    card.opacity = 0
    seconds = minutes * 60 - 3
    scene.add(Text(lambda: f"{scene.time:6.1f} s", size=64, fill="white", y=-380))
    scene.add(Rect(width=lambda: 1600 * scene.time / (seconds + 3), height=24,
                         fill="#33a1a0", y=420))
    dots = [scene.add(Circle(radius=40, fill="#e94f37", x=-700 + 350 * i)) for i in range(5)]
    marker = scene.add(Rect(width=300, height=120, radius=20, fill=accent, opacity=0, y=200))
    half, step = seconds / 2, 0.0
    while step < seconds:
        if abs(step - half) < 1.0:
            marker.opacity = 1
        else:
            marker.opacity = 0
        yield from parallel(*(d.y.to(-200 if (i + round(step)) % 2 else 200, 1.0,
                                     easing.in_out_sine) for i, d in enumerate(dots)))
        step += 1.0


def project(minutes: float) -> Project:
    return Project(scenes=[long_scene], size=(1920, 1080), fps=30, background="#102030",
                   variables={"minutes": minutes})


def timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--variants", type=int, default=20)
    args = parser.parse_args()
    incremental(args.minutes)
    batch(args.variants)


def batch(count: int) -> None:
    work = Path(tempfile.mkdtemp())
    video = project(1.0)
    names = [f"Customer {i:02d}" for i in range(count)]
    try:
        together = timed(lambda: render_batch(
            video, [{"title": n} for n in names],
            str(work / "batch-{line}.mp4"), workers=2, cache=work / "cache"))
        apart = timed(lambda: [parareel.render(video, work / "one.mp4", workers=2,
                                               variables={"title": n}) for n in names])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{count} variants of 60 s differing in a 3 s title card:")
    print(f"  one batch              {together:7.2f} s")
    print(f"  separate, no cache     {apart:7.2f} s  batch / separate {together / apart:.3f} "
          f"(goal <= 0.15: {'met' if together / apart <= 0.15 else 'NOT met'})")


def incremental(minutes: float) -> None:
    work = Path(tempfile.mkdtemp())
    cache = work / "cache"
    video = project(minutes)

    def render(**variables) -> parareel.RenderResult:
        return parareel.render(video, work / "out.mp4", workers=2, cache=cache,
                               variables={"minutes": minutes, **variables})

    try:
        full = timed(render)
        title = timed(lambda: render(title="Quarterly figures"))
        middle = timed(lambda: render(title="Quarterly figures", accent="#e94f37"))
        printing = timed(lambda: frame_prints(video, {"minutes": minutes},
                                              video.frame_count({"minutes": minutes})))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{minutes:g} min at 1080p30, 2 workers, blocks of 2 s:")
    print(f"  full render            {full:7.2f} s")
    print(f"  title changed          {title:7.2f} s  {title / full:.3f} of the full render "
          f"(goal <= 0.10: {'met' if title / full <= 0.10 else 'NOT met'})")
    print(f"  middle changed         {middle:7.2f} s  {middle / full:.3f}")
    print(f"  printing every frame   {printing:7.2f} s  {printing / full:.3f} "
          f"(goal <= 0.05: {'met' if printing / full <= 0.05 else 'NOT met'})")


if __name__ == "__main__":
    main()
