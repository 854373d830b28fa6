"""The Python API: render a project to a file, one frame to a PNG, or frames as arrays."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parareel.contract import Report
from parareel.engines import Engine, get_engine
from parareel.engines.local import auto_workers
from parareel.errors import ParareelError
from parareel.load import load_project
from parareel.media.encode import Encoding
from parareel.pipeline import RenderResult, execute, prepare
from parareel.progress import FrameProgress
from parareel.scene.project import Project

if TYPE_CHECKING:
    import numpy as np


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
           encoding: Encoding | None = None, engine: str | Engine = "local",
           address: str | None = None,
           progress: bool | Callable[[int], None] = False) -> RenderResult:
    """Render `project` to an MP4 at `output` (a path, or s3://bucket/key.mp4), in chunks.

    `project` is a Project or a reference (`path/to/project.py`, `module:attr`).
    `engine` runs the chunks: "local" processes (default) or "ray" (a local Ray
    cluster, or the one at `address`), or an Engine object. The output appears
    only when the render succeeds; temporary segments are always removed.
    `progress=True` shows a progress bar; a callable is told how many more frames
    are done.
    """
    prepared = prepare(project, variables, frame_range=frame_range,
                       workers=resolve_workers(workers), chunk_frames=chunk_frames,
                       encoding=encoding)
    options = {"address": address} if address else {}
    chosen = get_engine(engine, **options)
    with FrameProgress(prepared.frames, "rendering", enabled=progress is True) as advance:
        on_frames = progress if callable(progress) else advance

        def on_report(report: Report) -> None:
            if report.frames:
                on_frames(report.frames)

        return execute(prepared, chosen, output, on_report=on_report)


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
    output.parent.mkdir(parents=True, exist_ok=True)  # as render does
    image = skia.Image.fromarray(pixels, colorType=skia.kRGBA_8888_ColorType)
    output.write_bytes(bytes(image.encodeToData(skia.kPNG, 100)))
    return output


def frames(project: str | Project, start: int = 0, end: int | None = None,
           variables: Mapping[str, Any] | None = None) -> Iterator[np.ndarray]:
    """Yield frames [start, end) as (height, width, 4) RGBA arrays.

    Earlier frames are replayed as logic only, so a range equals the same slice of
    a full pass pixel for pixel.
    """
    from parareel.draw.frames import render_frames

    loaded = load_project(project)
    loaded.survey(variables)  # refuses misspelt variables before any drawing
    for pixels in render_frames(loaded, start, end, variables):
        yield pixels.copy()  # the renderer reuses its buffer
