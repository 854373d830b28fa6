"""`parareel studio`: a live preview of a project in the browser."""

from __future__ import annotations

import socket
import threading
import webbrowser

import click

from parareel.cli.app import main
from parareel.cli.options import variables, with_variables


@main.command()
@click.argument("project")
@with_variables
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="The port on 127.0.0.1 (default: a free one).")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def studio(project: str, assignments, vars_json, port: int, no_open: bool) -> None:
    """Preview PROJECT in the browser while you write it: a timeline, playback with sound,
    variables, stills and renders; saving the file reloads it. Ctrl-C stops it.
    Needs `pip install 'parareel[studio]'`."""
    try:
        import uvicorn

        from parareel.studio.server import make_app
    except ImportError as exc:
        raise click.ClickException(f"the studio needs its extra: pip install "
                                   f"'parareel[studio]' ({exc.name} is missing)") from None
    from pathlib import Path

    if project.endswith(".py") and not Path(project).is_file():
        raise click.ClickException(f"no project file {project!r}")
    app = make_app(project, variables(assignments, vars_json))
    listener = socket.socket()
    # without it a frame under ~40 KB waits for a delayed ACK on a kept-alive connection:
    # 44 ms instead of 1 ms (accepted connections inherit it)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", port))  # bound here, so the printed address is the real one
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    click.echo(f"parareel studio: {url} (Ctrl-C stops it)")
    if not no_open:
        threading.Timer(0.5, webbrowser.open, (url,)).start()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[listener])
