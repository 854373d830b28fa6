"""`parareel render`, `still` and `info`: rendering on this machine (or a Ray cluster)."""

from __future__ import annotations

import json

import click

from parareel.cli.app import main
from parareel.cli.options import WORKERS, encoding_of, variables, with_encoding, with_variables
from parareel.cli.options import frame_range as parse_range
from parareel.engines import ENGINES


@main.command()
@click.argument("project")
@click.option("-o", "--output", default="out.mp4", show_default=True,
              help="The file to write; its name picks the format: .mp4 .mov .webm .gif, a "
                   "folder of PNG frames (out/ or out/%05d.png), or the sound alone "
                   "(.m4a .wav).")
@with_variables
@click.option("--workers", type=WORKERS, default="auto", show_default=True,
              help="Chunks rendered at once: a number, or 'auto': one per core, but none "
                   "shorter than 15 frames. On 2 cores auto rendered examples/hello (10 s) "
                   "in 0.86x the time of 1 worker, and a 2 s video as fast as 1 (1 chunk).")
@click.option("--chunk-frames", type=click.IntRange(min=1),
              help="Frames per chunk (default: one chunk per worker).")
@click.option("--range", "frame_range", metavar="START:END", help="Render only these frames.")
@with_encoding
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="Who renders the chunks: local processes, or Ray tasks.")
@click.option("--address", help="With --engine ray: the cluster (default: start a local one).")
@click.option("--batch", type=click.Path(dir_okay=False),
              help="A JSON Lines file: one video per line of variables, named by -o with "
                   "the line's fields (-o 'out/{name}.mp4'; {line} is its number), drawn "
                   "by one pool of workers, each block alike drawn once.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse the blocks (2 s each) of earlier renders that draw the same, and "
                   "keep this one's (see `parareel cache info`). --no-cache renders one "
                   "chunk per worker, keeps nothing, and makes a smaller file (fewer "
                   "keyframes).")
def render(project: str, output: str, assignments, vars_json, workers: int | str,
           chunk_frames: int | None, frame_range: str | None, engine: str,
           address: str | None, batch: str | None, cache: bool, **settings) -> None:
    """Render PROJECT (a .py file or module:attr) to a video, frames or its sound."""
    from parareel.api import render as render_video
    from parareel.media.formats import output_format

    encoding = encoding_of(output_format(output).name, settings)
    if batch is not None:
        _render_batch(project, batch, output, workers, encoding, engine, address, cache)
        return
    result = render_video(
        project, output, variables=variables(assignments, vars_json),
        workers=workers, chunk_frames=chunk_frames,
        frame_range=parse_range(frame_range), encoding=encoding, progress=True,
        engine=engine, address=address, cache=cache and chunk_frames is None,
    )
    phases = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    count = len(result.chunks)
    pieces = (f"{count} chunk{'s' * (count != 1)}" if result.reused is None
              else f"{count} block{'s' * (count != 1)}, {result.reused} reused")
    click.echo(f"wrote {result.output} ({result.frames} frames, {result.duration:.2f}s of video, "
               f"{pieces}; {phases})")


def _render_batch(project: str, batch: str, output: str, workers: int | str, encoding,
                  engine: str, address: str | None, cache: bool) -> None:
    from parareel.batch import read_batch, render_batch
    from parareel.engines import get_engine

    def done(variant, result) -> None:
        reused = "" if result.reused is None else f", {result.reused} reused"
        click.echo(f"wrote {variant.output} (line {variant.line}: {len(result.chunks)} "
                   f"blocks{reused})")

    chosen = get_engine(engine, **({"address": address} if address else {}))
    results = render_batch(project, read_batch(batch), output, workers=workers,
                           encoding=encoding, engine=chosen, cache=cache, progress=True,
                           on_video=done)
    drawn = sum(len(r.chunks) - (r.reused or 0) for r in results)
    blocks = sum(len(r.chunks) for r in results)
    click.echo(f"{len(results)} videos: {drawn} of {blocks} blocks drawn, the rest reused")


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
@click.option("--workers", type=WORKERS, default=None,
              help="Also show how N workers (or 'auto') would split it.")
@click.option("--chunk-frames", type=click.IntRange(min=1),
              help="Also show the plan for this chunk size.")
def info(project: str, assignments, vars_json, workers: int | str | None,
         chunk_frames: int | None) -> None:
    """Show PROJECT's size, frame rate, length, variables and (optionally) its plan."""
    from parareel.load import load_project
    from parareel.plan import plan, workers_for

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
        chunks = plan(survey.frames, workers_for(survey.frames, workers or 1), chunk_frames)
        click.echo(f"plan      {len(chunks)} chunks")
        for c in chunks:
            click.echo(f"  chunk {c.index:>3}  frames {c.start}:{c.end}  ({c.frames})")
