"""The `parareel` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from parareel.errors import ParareelError, VariableError
from parareel.scene.variables import parse_assignment


def _variables(assignments: tuple[str, ...], vars_json: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if vars_json:
        inline = vars_json.lstrip().startswith("{")
        text = vars_json if inline or not Path(vars_json).is_file() else Path(vars_json).read_text()
        try:
            values = json.loads(text)
        except ValueError as exc:
            raise VariableError(f"--vars must be a JSON object or a JSON file: {exc}") from None
        if not isinstance(values, dict):
            raise VariableError("--vars must be a JSON object, like '{\"message\": \"Hi\"}'")
    for text in assignments:
        name, value = parse_assignment(text)
        values[name] = value
    return values


def _frame_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    start, sep, end = text.partition(":")
    try:
        return int(start or 0), int(end)
    except ValueError:
        raise ParareelError(f"bad --range {text!r}: write START:END in frames, e.g. 0:90") from None


var_options = [
    click.option("--var", "assignments", multiple=True, metavar="NAME=VALUE",
                 help="Set a variable (repeatable). VALUE is JSON if it parses, else text."),
    click.option("--vars", "vars_json", metavar="JSON|FILE",
                 help="Variables as a JSON object, or a file holding one."),
]


def with_variables(command):
    for option in reversed(var_options):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="parareel")
def main() -> None:
    """Programmatic video in Python, rendered in parallel."""


@main.command()
@click.argument("project")
@click.option("-o", "--output", default="out.mp4", show_default=True, help="The MP4 to write.")
@with_variables
@click.option("--workers", default="1", show_default=True,
              help="Local worker processes: a number, or 'auto' for one per core.")
@click.option("--chunk-frames", type=int, help="Frames per chunk (default: one chunk per worker).")
@click.option("--range", "frame_range", metavar="START:END", help="Render only these frames.")
@click.option("--crf", type=int, default=20, show_default=True, help="Quality: lower is better.")
@click.option("--preset", default="veryfast", show_default=True, help="x264 speed/size preset.")
@click.option("--lossless", is_flag=True, help="Encode losslessly (qp 0): exact, large files.")
def render(project: str, output: str, assignments, vars_json, workers: str,
           chunk_frames: int | None, frame_range: str | None, crf: int, preset: str,
           lossless: bool) -> None:
    """Render PROJECT (a .py file or module:attr) to an MP4."""
    from parareel.api import render as render_video
    from parareel.media.encode import Encoding

    result = render_video(
        project, output, variables=_variables(assignments, vars_json),
        workers=workers if workers == "auto" else int(workers), chunk_frames=chunk_frames,
        frame_range=_frame_range(frame_range),
        encoding=Encoding(crf=crf, preset=preset, qp=0 if lossless else None), progress=True,
    )
    phases = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    click.echo(f"wrote {result.output} ({result.frames} frames, {result.duration:.2f}s of video, "
               f"{len(result.chunks)} chunks; {phases})")


@main.command()
@click.argument("project")
@click.option("--frame", type=int, default=0, show_default=True, help="Which frame.")
@click.option("-o", "--output", default="frame.png", show_default=True, help="The PNG to write.")
@with_variables
def still(project: str, frame: int, output: str, assignments, vars_json) -> None:
    """Render one frame of PROJECT to a PNG."""
    from parareel.api import still as render_still

    path = render_still(project, frame, output, variables=_variables(assignments, vars_json))
    click.echo(f"wrote {path}")


@main.command()
@click.argument("project")
@with_variables
@click.option("--workers", default=None, help="Also show how N workers would split it.")
@click.option("--chunk-frames", type=int, help="Also show the plan for this chunk size.")
def info(project: str, assignments, vars_json, workers: str | None,
         chunk_frames: int | None) -> None:
    """Show PROJECT's size, frame rate, length, variables and (optionally) its plan."""
    from parareel.api import resolve_workers
    from parareel.load import load_project
    from parareel.plan import plan

    loaded = load_project(project)
    values = _variables(assignments, vars_json)
    survey = loaded.survey(values)
    click.echo(f"size      {loaded.width}x{loaded.height}")
    click.echo(f"fps       {loaded.fps}")
    click.echo(f"frames    {survey.frames}")
    click.echo(f"duration  {survey.frames / loaded.fps:.3f} s")
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


def run() -> None:
    """Entry point: user errors print one clear line, not a traceback."""
    import parareel.aws.cli  # noqa: F401 - registers `lambda` and `dev`

    try:
        main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("stopped", err=True)  # renders leave nothing half-written behind
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ParareelError, OSError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
