"""The `parareel` command: one group (cli.app), commands in one module per topic."""

from parareel.cli import aws, cache, render, studio  # noqa: F401 - importing registers their commands
from parareel.cli.app import main, run

__all__ = ["main", "run"]
