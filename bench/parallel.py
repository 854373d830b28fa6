"""Parallel rendering: speedup, join cost and seek cost, measured side by side.

    python bench/parallel.py

- speedup of 2 workers over 1 on the same 20 s 1080p video (goal >= 1.8x on 2 cores);
- join cost: joining the 20 segments of a 60 s 1080p video over rendering it (goal <= 2%);
- seek cost: the last of 10 equal chunks of a 60 s video over the first (goal <= 1.1).
"""

from __future__ import annotations

from pathlib import Path

from common import first_and_last, heavy_project, run_chunk, scratch, timer

import parareel
from parareel.media.join import join_segments
from parareel.plan import plan


def speedup(work: Path) -> None:
    project = heavy_project(20.0)
    t: dict[str, float] = {}
    with timer(t, "one"):
        parareel.render(project, work / "one.mp4", workers=1)
    with timer(t, "two"):
        parareel.render(project, work / "two.mp4", workers=2)
    print(f"speedup  1 worker {t['one']:.1f}s  2 workers {t['two']:.1f}s  "
          f"ratio {t['one'] / t['two']:.2f}x (goal >= 1.8x)")
    # The single worker above already spreads x264 over every core; this is the scaling
    # of the chunk pipeline itself, each worker's encoder held to one thread.
    chunks = plan(project.frame_count(), 2)
    with timer(t, "serial"):
        for chunk in chunks:
            run_chunk(project, chunk, work / f"s{chunk.index}.mp4", threads=1)
    print(f"         same chunks one after another, 1 encoder thread each {t['serial']:.1f}s  "
          f"ratio {t['serial'] / t['two']:.2f}x")


def join_and_seek(work: Path) -> None:
    project = heavy_project(60.0)
    frames = project.frame_count()
    t: dict[str, float] = {}
    with timer(t, "render"):
        result = parareel.render(project, work / "sixty.mp4", workers=2, chunk_frames=frames // 20)
    segments = work / "segments"
    segments.mkdir()
    paths = []
    for chunk in plan(frames, chunk_frames=frames // 20):
        paths.append(str(segments / f"{chunk.index}.mp4"))
    # re-create the 20 segments once, then time the join alone
    for chunk, path in zip(plan(frames, chunk_frames=frames // 20), paths, strict=True):
        run_chunk(project, chunk, path)
    with timer(t, "join"):
        join_segments(paths, work / "joined.mp4", project.fps)
    print(f"join     render {t['render']:.1f}s ({len(result.chunks)} chunks)  "
          f"join {t['join'] * 1000:.0f}ms  ratio {t['join'] / t['render'] * 100:.2f}% "
          f"(goal <= 2%)")
    first, last = first_and_last(project, work)
    print(f"seek     first chunk {first:.2f}s  last chunk {last:.2f}s  "
          f"ratio {last / first:.3f} (goal <= 1.1)")


if __name__ == "__main__":
    with scratch() as work:
        speedup(work)
        join_and_seek(work)
