"""The Python API: render a project to a file, one frame to an image, or frames as arrays."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parareel.contract import Report
from parareel.engines import Engine, get_engine
from parareel.errors import ParareelError
from parareel.load import load_project
from parareel.media.formats import Encoding, check_scale, output_format
from parareel.pipeline import RenderResult, execute, prepare
from parareel.progress import FrameProgress
from parareel.scene.project import Project
from parareel.storage.blocks import BlockCache, open_cache
from parareel.storage.files import refuse_link, written_whole

if TYPE_CHECKING:
    import numpy as np


def render(project: str | Project, output: str | os.PathLike, *,
           variables: Mapping[str, Any] | None = None, workers: int | str = "auto",
           chunk_frames: int | None = None, frame_range: tuple[int, int] | None = None,
           encoding: Encoding | None = None, engine: str | Engine = "local",
           address: str | None = None,
           progress: bool | Callable[[int], None] = False,
           cache: bool | str | os.PathLike = False) -> RenderResult:
    """Render `project` to `output` (a path, or s3://bucket/key.mp4), in chunks.

    The output's name picks the format: .mp4, .mov, .webm, .gif, a folder of PNG
    frames (out/ or out/%05d.png), or the sound alone (.m4a, .wav); `encoding` sets
    the codec and its settings (parareel.Encoding).
    `project` is a Project or a reference (`path/to/project.py`, `module:attr`).
    `engine` runs the chunks: "local" processes (default) or "ray" (a local Ray
    cluster, or the one at `address`), or an Engine object. The output appears
    only when the render succeeds; temporary segments are always removed.
    `workers` is how many chunks render at once: "auto" (the default) is one per core,
    but no more than keeps chunks 15 frames or longer. `progress=True` shows a progress
    bar; a callable is told how many more frames are done.
    `cache` reuses blocks of earlier renders and keeps this one's (parareel.blocks):
    True for the cache folder (blocks/ of PARAREEL_CACHE, or ~/.cache/parareel/blocks), a folder
    of its own, or s3://bucket (its cache/blocks/, shared by whoever renders there).
    """
    encoding = replace(encoding or Encoding(), format=output_format(str(output)).name)
    prepared = prepare(project, variables, frame_range=frame_range,
                       workers=workers, chunk_frames=chunk_frames,
                       encoding=encoding, cache=_block_cache(cache))
    options = {"address": address} if address else {}
    chosen = get_engine(engine, **options)
    bar = FrameProgress(prepared.frames, "rendering", enabled=progress is True)
    with bar as advance:
        on_frames = progress if callable(progress) else advance

        def on_report(report: Report) -> None:
            if report.reused and not callable(progress):
                bar.skip(report.frames, f"rendering ({report.reused}/{len(prepared.chunks)} "
                         "reused)")
            elif report.frames:
                on_frames(report.frames)

        return execute(prepared, chosen, output, on_report=on_report)


def _block_cache(cache: bool | str | os.PathLike) -> BlockCache | None:
    if cache is False or cache is None:
        return None
    return open_cache(None if cache is True else cache)


STILLS = {"png": "kPNG", "jpg": "kJPEG", "jpeg": "kJPEG", "webp": "kWEBP"}


def still(project: str | Project, frame: int, output: str | os.PathLike, *,
          variables: Mapping[str, Any] | None = None, quality: int = 90,
          scale: float = 1.0) -> Path:
    """Render frame `frame` to an image: PNG, JPEG or WebP, by the output's extension.

    `quality` (1-100) is JPEG's and WebP's; `scale` multiplies the size.
    """
    import skia

    from parareel.draw.frames import render_still

    output = Path(output)
    kind = STILLS.get(output.suffix.lower().lstrip("."))
    if kind is None:
        raise ParareelError(f"cannot tell what to write from the name {str(output)!r}: a still "
                            "is a .png, .jpg or .webp")
    if not 1 <= quality <= 100:
        raise ParareelError(f"quality must be from 1 to 100, got {quality}")
    check_scale(scale)
    loaded = load_project(project)
    if kind == "kJPEG" and loaded.background_color.a < 1:
        raise ParareelError("JPEG has no alpha channel, and the project has no background: "
                            "write a .png or .webp, or give the project a background")
    total = loaded.frame_count(variables)
    if not 0 <= frame < total:
        raise ParareelError(f"frame {frame} is outside the video: it has frames 0 to {total - 1}")
    refuse_link(output, str(output))
    pixels = render_still(loaded, frame, variables, scale)
    output.parent.mkdir(parents=True, exist_ok=True)  # as render does
    image = skia.Image.fromarray(pixels, colorType=skia.kRGBA_8888_ColorType,
                                 alphaType=skia.kUnpremul_AlphaType)
    with written_whole(output) as partial:
        partial.write_bytes(bytes(image.encodeToData(getattr(skia.EncodedImageFormat, kind),
                                                     100 if kind == "kPNG" else quality)))
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
