"""The Python API: render a project to a file, or one frame to a PNG."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parareel.errors import ParareelError
from parareel.executors.local import LocalExecutor, auto_workers
from parareel.job import ChunkJob, ChunkResult
from parareel.load import load_project
from parareel.media.audio import render_audio
from parareel.media.encode import Encoding
from parareel.media.join import join_segments
from parareel.plan import Chunk, plan
from parareel.progress import FrameProgress
from parareel.scene.player import Cue
from parareel.scene.project import Project


@dataclass
class RenderResult:
    output: Path
    frames: int
    duration: float  # seconds of video
    chunks: list[ChunkResult]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase


def resolve_workers(workers: int | str) -> int:
    if workers == "auto":
        return auto_workers()
    count = int(workers)
    if count < 1:
        raise ParareelError(f"workers must be 'auto' or at least 1, got {workers!r}")
    return count


def render(project: str | Project, output: str | os.PathLike, *,
           variables: Mapping[str, Any] | None = None, workers: int | str = 1,
           chunk_frames: int | None = None, frame_range: tuple[int, int] | None = None,
           encoding: Encoding | None = None, progress: bool | Callable[[int], None] = False,
           ) -> RenderResult:
    """Render `project` to an MP4 at `output`, in chunks on `workers` local processes.

    `project` is a Project or a reference (`path/to/project.py`, `module:attr`).
    The output appears only when the render succeeds; temporary segments are
    always removed. `progress=True` shows a progress bar; a callable is told how
    many more frames are done.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    # local workers inherit the loaded project, so an in-memory one needs no reference
    ref = project if isinstance(project, str) else "<in memory>"
    loaded = load_project(project)
    survey = loaded.survey(variables)
    values = loaded.resolve(variables)
    first, last = frame_range or (0, survey.frames)
    if not 0 <= first < last <= survey.frames:
        raise ParareelError(
            f"frame range {first}:{last} is not inside the video's 0:{survey.frames}")
    count = resolve_workers(workers)
    chunks = [Chunk(c.index, c.start + first, c.end + first)
              for c in plan(last - first, count, chunk_frames)]
    timings["plan"] = _lap(clock)

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    parts = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        encoding = encoding or Encoding()
        jobs = [ChunkJob(ref, c, str(parts / f"chunk-{c.index:05d}.mp4"), values, encoding)
                for c in chunks]
        cues = [Cue(c.frame - first, c.sound) for c in survey.cues]
        clock = time.perf_counter()
        with LocalExecutor(min(count, len(jobs)), loaded) as executor, \
                ThreadPoolExecutor(1) as background:  # audio is mixed while chunks render
            audio = background.submit(_timed, render_audio, cues, last - first, loaded.fps,
                                      parts / "audio.m4a")
            with FrameProgress(last - first, "rendering", enabled=progress is True) as advance:
                on_frames = progress if callable(progress) else advance
                results = executor.run(jobs, on_frames)
            timings["render"] = _lap(clock)
            audio_path, timings["audio"] = audio.result()
        clock = time.perf_counter()
        join_segments([r.output for r in results], output, loaded.fps, audio_path)
        timings["merge"] = _lap(clock)
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    frames = last - first
    return RenderResult(output, frames, frames / loaded.fps, results, timings)


def still(project: str | Project, frame: int, output: str | os.PathLike, *,
          variables: Mapping[str, Any] | None = None) -> Path:
    """Render frame `frame` to a PNG file."""
    import skia

    from parareel.draw.frames import render_still

    loaded = load_project(project)
    total = loaded.frame_count(variables)
    if not 0 <= frame < total:
        raise ParareelError(f"frame {frame} is outside the video: it has frames 0 to {total - 1}")
    pixels = render_still(loaded, frame, variables)
    output = Path(output)
    image = skia.Image.fromarray(pixels, colorType=skia.kRGBA_8888_ColorType)
    output.write_bytes(bytes(image.encodeToData(skia.kPNG, 100)))
    return output


def _timed(function, *args):
    start = time.perf_counter()
    return function(*args), _lap(start)


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 4)
