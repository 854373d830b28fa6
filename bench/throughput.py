"""Render throughput against the encoder alone, and logic replay against drawing.

    python bench/throughput.py

Prints, for the hello example and a heavy scene at 1920x1080, 30 fps:
- render fps / encode-only fps (goal >= 0.85): the same frames, same settings, in one
  run; encode-only feeds frames drawn beforehand to the same writer.
- logic-replay fps / drawn fps (goal >= 50): how cheaply a worker seeks to its chunk.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import HELLO, heavy_project

from parareel.draw.frames import render_frames
from parareel.load import load_project
from parareel.media.encode import VideoWriter
from parareel.scene.player import play

FRAMES = 120


def measure(name: str, project, start: int) -> None:
    out = Path(tempfile.mkdtemp()) / "bench.mp4"
    end = start + FRAMES
    frames = [p.copy() for p in render_frames(project, start, end)]  # for encode-only
    size = (project.width, project.height, project.fps)

    def encode_only() -> None:
        with VideoWriter(out, *size) as writer:
            for f in frames:
                writer.write(f)

    def render() -> None:
        with VideoWriter(out, *size) as writer:
            for pixels in render_frames(project, start, end):
                writer.write(pixels)

    def draw_only() -> None:
        for _ in render_frames(project, start, end):
            pass

    runs: dict[str, list[float]] = {"encode": [], "render": [], "draw": []}
    for _ in range(2):  # interleaved, best of two: the machine is shared and noisy
        for key, step in (("encode", encode_only), ("render", render), ("draw", draw_only)):
            began = time.perf_counter()
            step()
            runs[key].append(time.perf_counter() - began)
    values = project.resolve({})
    began = time.perf_counter()
    replayed = sum(1 for _ in play(project, values))
    replay_fps = replayed / (time.perf_counter() - began)
    render_fps, encode_fps, draw_fps = (FRAMES / min(runs[k]) for k in ("render", "encode", "draw"))
    print(f"{name:6}  render {render_fps:6.1f} fps  encode-only {encode_fps:6.1f} fps  "
          f"ratio {render_fps / encode_fps:.2f} (goal >= 0.85)")
    print(f"{'':6}  replay {replay_fps:8.0f} fps  draw-only {draw_fps:6.1f} fps  "
          f"ratio {replay_fps / draw_fps:.0f}x (goal >= 50x)")


if __name__ == "__main__":
    measure("hello", load_project(HELLO), 30)
    measure("heavy", heavy_project(), 0)
