"""`parareel render`, `still` and `info`: rendering on this machine (or a Ray cluster)."""

from __future__ import annotations

import json

import click

from parareel.cli.app import main
from parareel.cli.options import frame_range as parse_range
from parareel.cli.options import parse_rate, variables, with_variables
from parareel.engines import ENGINES
from parareel.media.formats import QUALITIES


@main.command()
@click.argument("project")
@click.option("-o", "--output", default="out.mp4", show_default=True,
              help="The file to write; its name picks the format: .mp4 .mov .webm .gif, a "
                   "folder of PNG frames (out/ or out/%05d.png), or the sound alone "
                   "(.m4a .wav).")
@with_variables
@click.option("--workers", default="1", show_default=True,
              help="Chunks rendered at once: a number, or 'auto' for one per core.")
@click.option("--chunk-frames", type=click.IntRange(min=1),
              help="Frames per chunk (default: one chunk per worker).")
@click.option("--range", "frame_range", metavar="START:END", help="Render only these frames.")
@click.option("--codec", help="mp4: h264 (default), h265, av1; mov: prores (default), h264, "
                              "h265; webm: vp9.")
@click.option("--quality", type=click.Choice(QUALITIES), default="standard", show_default=True,
              help="The codec's speed/size/quality profile (see the README's encoder table).")
@click.option("--crf", type=int, help="Constant quality, lower is better (h264/h265 0-51, "
                                      "av1 1-63, vp9 0-63); overrides --quality.")
@click.option("--preset", help="Encoder speed (x264/x265: ultrafast ... veryslow; av1: 13-0; "
                               "vp9: 8-0; prores: proxy, lt, standard, hq).")
@click.option("--lossless", is_flag=True, help="Encode exactly: large files (h264, h265, vp9).")
@click.option("--bitrate", metavar="RATE", help="Aim at a bitrate instead of a quality: 800k, 4M.")
@click.option("--gop", type=int, metavar="FRAMES", help="Frames between keyframes.")
@click.option("--pixel-format", help="yuv420p (default), yuv444p, or 10-bit: yuv420p10le.")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Multiply the size: 0.5 for a fast draft, 2 for a sharper one.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="Who renders the chunks: local processes, or Ray tasks.")
@click.option("--address", help="With --engine ray: the cluster (default: start a local one).")
def render(project: str, output: str, assignments, vars_json, workers: str,
           chunk_frames: int | None, frame_range: str | None, codec: str | None, quality: str,
           crf: int | None, preset: str | None, lossless: bool, bitrate: str | None,
           gop: int | None, pixel_format: str | None, scale: float, engine: str,
           address: str | None) -> None:
    """Render PROJECT (a .py file or module:attr) to a video, frames or its sound."""
    from parareel.api import render as render_video
    from parareel.media.formats import Encoding, output_format

    encoding = Encoding(format=output_format(output).name, codec=codec, quality=quality,
                        crf=crf, preset=preset, lossless=lossless, bitrate=parse_rate(bitrate),
                        gop=gop, pix_fmt=pixel_format, scale=scale)
    result = render_video(
        project, output, variables=variables(assignments, vars_json),
        workers=workers if workers == "auto" else int(workers), chunk_frames=chunk_frames,
        frame_range=parse_range(frame_range), encoding=encoding, progress=True,
        engine=engine, address=address,
    )
    phases = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    click.echo(f"wrote {result.output} ({result.frames} frames, {result.duration:.2f}s of video, "
               f"{len(result.chunks)} chunks; {phases})")


@main.command()
@click.argument("project")
@click.option("--frame", type=int, default=0, show_default=True, help="Which frame.")
@click.option("-o", "--output", default="frame.png", show_default=True,
              help="The image to write: .png, .jpg or .webp.")
@click.option("--quality", type=click.IntRange(1, 100), default=90, show_default=True,
              help="JPEG and WebP quality.")
@click.option("--scale", type=float, default=1.0, show_default=True, help="Multiply the size.")
@with_variables
def still(project: str, frame: int, output: str, quality: int, scale: float, assignments,
          vars_json) -> None:
    """Render one frame of PROJECT to an image."""
    from parareel.api import still as render_still

    path = render_still(project, frame, output, variables=variables(assignments, vars_json),
                        quality=quality, scale=scale)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("project")
@with_variables
@click.option("--workers", default=None, help="Also show how N workers would split it.")
@click.option("--chunk-frames", type=click.IntRange(min=1),
              help="Also show the plan for this chunk size.")
def info(project: str, assignments, vars_json, workers: str | None,
         chunk_frames: int | None) -> None:
    """Show PROJECT's size, frame rate, length, variables and (optionally) its plan."""
    from parareel.api import resolve_workers
    from parareel.load import load_project
    from parareel.plan import plan

    loaded = load_project(project)
    values = variables(assignments, vars_json)
    survey = loaded.survey(values)
    click.echo(f"size      {loaded.width}x{loaded.height}")
    click.echo(f"fps       {loaded.fps}")
    click.echo(f"frames    {survey.frames}")
    click.echo(f"duration  {float(survey.frames / loaded.fps):.3f} s")
    click.echo(f"scenes    {', '.join(getattr(s, '__name__', '?') for s in loaded.scenes)}")
    click.echo(f"sounds    {len(survey.cues)}")
    click.echo("variables" + ("" if survey.variables else "  none"))
    for name, default in sorted(survey.variables.items()):
        shown = f" = {json.dumps(values[name])}" if name in values else ""
        click.echo(f"  {name}  (default {json.dumps(default)}){shown}")
    if workers or chunk_frames:
        chunks = plan(survey.frames, resolve_workers(workers or 1), chunk_frames)
        click.echo(f"plan      {len(chunks)} chunks")
        for c in chunks:
            click.echo(f"  chunk {c.index:>3}  frames {c.start}:{c.end}  ({c.frames})")
