"""Files that appear whole: written under a hidden name, renamed when complete."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from parareel.errors import ParareelError


@contextmanager
def written_whole(path: str | os.PathLike) -> Iterator[Path]:
    """A hidden sibling of `path` to write; it becomes `path` only when the block ends
    without an error (and is removed when it does not): a reader never sees half a file."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def refuse_link(path: Path, named: str, folder: bool = False) -> None:
    """An output (the file `named`, or its frame `folder`) is never written through a
    symbolic link, to whatever it points at."""
    if path.is_symlink():
        what, other = (f"its folder {str(path)!r}", "folder") if folder else ("it", "file")
        raise ParareelError(f"cannot write {named!r}: {what} is a symbolic link; remove it "
                            f"or name another {other}")
