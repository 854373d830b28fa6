"""`parareel cache info|clear`: the blocks earlier renders kept for reuse."""

from __future__ import annotations

import click

from parareel.cli.app import main


@main.group()
def cache() -> None:
    """The block cache: encoded blocks of earlier renders, reused by later ones (its
    folder: blocks/ of PARAREEL_CACHE, or ~/.cache/parareel/blocks; its size:
    PARAREEL_CACHE_MB)."""


@cache.command()
def info() -> None:
    """Where the cache is, how many blocks it holds and how large it is."""
    from parareel.storage.blocks import FolderCache

    blocks = FolderCache()
    count, tracks, size = blocks.info()
    click.echo(f"folder  {blocks.folder}")
    click.echo(f"blocks  {count} (and {tracks} sound track{'s' * (tracks != 1)})")
    click.echo(f"size    {size / 1e6:.1f} MB of {blocks.limit / 1e6:.0f} MB (the least "
               "recently used go first)")


@cache.command()
def clear() -> None:
    """Delete every block: the next render draws everything again."""
    from parareel.storage.blocks import FolderCache

    blocks = FolderCache()
    count, tracks, size = blocks.info()
    blocks.clear()
    click.echo(f"deleted {count} blocks and {tracks} sound tracks ({size / 1e6:.1f} MB) "
               f"from {blocks.folder}")
