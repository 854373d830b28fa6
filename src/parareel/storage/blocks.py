"""The block cache: encoded blocks of earlier renders, by key, in a bounded local folder.

Each block is two files: its segment (`{key}.{ext}`) and, written after it, what the
join needs to know of it (`{key}.json`: frames, bytes, SHA-256, decode delay). A block
counts only when both are there and the segment's bytes hash as recorded: a block half
written by a killed worker (a temporary file never renamed) or damaged since (a flipped
byte) is not used, and is rendered again. Files are written under temporary names and
renamed, so two renders can share the folder. The folder is kept under its limit by
deleting the blocks used least recently.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from parareel.storage import sha256

LIMIT_MB = 2000  # the folder's size, unless PARAREEL_CACHE_MB says otherwise
STALE_SECONDS = 3600  # a temporary file this old was left by a worker that died
TRACK = "track"  # a video's sound track, kept like a block


@dataclass(frozen=True)
class CachedBlock:
    """What the join needs of a block's segment."""

    frames: int
    bytes: int
    sha256: str
    delay: int


def default_folder() -> Path:
    if os.environ.get("PARAREEL_CACHE"):
        return Path(os.environ["PARAREEL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "parareel" / "blocks"


class BlockCache:
    def __init__(self, folder: str | os.PathLike | None = None,
                 limit_mb: int | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.limit = (limit_mb if limit_mb is not None
                      else int(os.environ.get("PARAREEL_CACHE_MB", LIMIT_MB))) * 1_000_000

    def take(self, key: str, ext: str, to: Path) -> CachedBlock | None:
        """Put the block's segment at `to` (a hard link where it can: the cache may delete
        its own copy meanwhile) and say what it is; None when there is no sound copy."""
        meta, data = self._paths(key, ext)
        try:
            block = CachedBlock(**json.loads(meta.read_text()))
            link_or_copy(data, to)
        except (OSError, ValueError, TypeError):
            return None
        if to.stat().st_size != block.bytes or sha256(to) != block.sha256:
            to.unlink()
            for path in (meta, data):  # damaged: rendered again, and kept again then
                path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):  # used now: the last to be deleted (the clock's
            now = time.time()               # time: finer than the file system's own stamps)
            os.utime(meta, (now, now))
        return block

    def put(self, key: str, ext: str, segment: Path, block: CachedBlock) -> None:
        """Keep a finished segment (its bytes as `block` says) under `key`."""
        meta, data = self._paths(key, ext)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}-{uuid.uuid4().hex[:8]}.partial"
        try:
            link_or_copy(segment, temporary)
            os.replace(temporary, data)
            temporary.write_text(json.dumps(block.__dict__))
            os.replace(temporary, meta)
        except OSError:  # a full disk or a read-only folder: the render goes on without
            temporary.unlink(missing_ok=True)
            return
        self.trim()

    def trim(self) -> None:
        """Delete the blocks used least recently until the folder is under its limit, and
        temporary files left by workers that died."""
        entries, total = [], 0
        now = time.time()
        for path in self._files():
            with contextlib.suppress(OSError):
                stat = path.stat()
                if path.suffix == ".partial":
                    if now - stat.st_mtime > STALE_SECONDS:
                        path.unlink()
                    continue
                total += stat.st_size
                if path.suffix == ".json":
                    entries.append((stat.st_mtime, path))
        for _, meta in sorted(entries):
            if total <= self.limit:
                break
            for path in self.folder.glob(f"{meta.stem}.*"):
                with contextlib.suppress(OSError):
                    total -= path.stat().st_size
                    path.unlink()

    def info(self) -> tuple[int, int, int]:
        """(blocks, sound tracks, bytes) in the folder."""
        entries = tracks = size = 0
        for path in self._files():
            with contextlib.suppress(OSError):
                size += path.stat().st_size
                entries += path.suffix == ".json"
                tracks += path.suffix == f".{TRACK}"
        return entries - tracks, tracks, size

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _paths(self, key: str, ext: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.json", self.folder / f"{key}.{ext}"

    def _files(self) -> list[Path]:
        return list(self.folder.iterdir()) if self.folder.is_dir() else []


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copyfile(source, target)
