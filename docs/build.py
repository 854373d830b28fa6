"""Build the reference into docs/site (or the folder given): every page comes from the
code's docstrings and the CLI's own --help, so the reference cannot drift from the code.

    python docs/build.py [FOLDER]        # make docs

Pages: parareel (nodes and their properties, flow, signals, Project), parareel.api
(render, still, frames), the output formats and encodings, easings, the Lambda client,
and cli.html (every command's --help).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import click
import pdoc
import pdoc.render

import parareel
from parareel import api

MODULES = ["parareel", "parareel.api", "parareel.media.formats", "parareel.scene.easing",
           "parareel.scene.flow", "parareel.scene.signal", "parareel.scene.project",
           "parareel.aws.client"]


def build(folder: Path) -> list[Path]:
    """Write the reference into `folder`; returns the pages written."""
    # render, still and frames are imported on first use (to keep `import parareel`
    # quick); the reference shows them where users call them
    for name in ("render", "still", "frames", "RenderResult"):
        setattr(parareel, name, getattr(api, name))
    pdoc.render.configure(docformat="markdown", show_source=False,
                          footer_text=f"parareel {parareel.__version__}")
    pdoc.pdoc(*MODULES, output_directory=folder)
    (folder / "cli.html").write_text(cli_page())
    return sorted(folder.rglob("*.html"))


def cli_page() -> str:
    """Every command's --help, as click prints it."""
    from parareel.cli import main

    sections = []
    for path, command in _commands(main, ["parareel"]):
        with click.Context(command, info_name=" ".join(path)) as context:
            text = command.get_help(context)
        sections.append(f"<h2 id='{'-'.join(path[1:]) or 'parareel'}'>{' '.join(path)}</h2>"
                        f"<pre>{html.escape(text)}</pre>")
    return ("<!doctype html><meta charset='utf-8'><title>parareel: the command line</title>"
            "<h1>The command line</h1>" + "\n".join(sections))


def _commands(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from _commands(command.commands[name], [*path, name])


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "site"
    pages = build(target)
    print(f"wrote {len(pages)} pages to {target}")
