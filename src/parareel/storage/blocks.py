"""The block cache: encoded blocks of earlier renders, by key.

Each block is two objects: its segment (`{key}.{ext}`) and, written after it, what the
join needs to know of it (`{key}.json`: frames, bytes, SHA-256, decode delay). A block
counts only when both are there and the segment's bytes hash as recorded: a block half
written by a killed worker or damaged since (a flipped byte) is not used, is deleted,
and is rendered again.

- FolderCache: a bounded local folder (blocks/ of PARAREEL_CACHE, or ~/.cache/parareel/blocks),
  the blocks used least recently deleted first. Files are written under temporary
  names and renamed, so two renders can share it.
- BucketCache: the `cache/blocks/` prefix of a bucket, shared by every render of a
  Lambda deployment (and by Ray renders that store there), expired by the bucket's
  lifecycle rule. A block is copied in by the server once its render has it whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from parareel.errors import StorageError
from parareel.storage import cache_root, local_path, locate, sha256
from parareel.storage.keys import CACHE
from parareel.storage.s3 import S3Storage

OWN = re.compile(r"\.?[0-9a-f]{32}[.-]")  # the names of the cache's files
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


class BlockCache(Protocol):
    def take(self, key: str, ext: str, to: Path) -> CachedBlock | None:
        """Put the block's segment at `to` and say what it is; None when there is no
        sound copy (a damaged one is deleted)."""

    def put(self, key: str, ext: str, segment: str, block: CachedBlock) -> None:
        """Keep a finished segment (a path or storage URL, its bytes as `block` says)."""


def open_cache(where: str | os.PathLike | None = None) -> FolderCache | BucketCache:
    """The cache at `where`: a folder (None: the default one), or s3://bucket."""
    text = "" if where is None else str(where)
    if text.startswith("s3://"):
        return BucketCache(S3Storage(text[5:].split("/")[0]))
    return FolderCache(where)


def default_folder() -> Path:
    return cache_root() / "blocks"


def _checked(to: Path, block: CachedBlock) -> bool:
    return to.stat().st_size == block.bytes and sha256(to) == block.sha256


class FolderCache:
    def __init__(self, folder: str | os.PathLike | None = None,
                 limit_mb: int | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.limit = (limit_mb if limit_mb is not None
                      else int(os.environ.get("PARAREEL_CACHE_MB", LIMIT_MB))) * 1_000_000

    def take(self, key: str, ext: str, to: Path) -> CachedBlock | None:
        # a hard link where it can: the cache may delete its own copy meanwhile
        meta, data = self._paths(key, ext)
        try:
            block = CachedBlock(**json.loads(meta.read_text()))
            link_or_copy(data, to)
        except (OSError, ValueError, TypeError):
            return None
        if not _checked(to, block):
            to.unlink()
            for path in (meta, data):  # damaged: rendered again, and kept again then
                path.unlink(missing_ok=True)
            return None
        with contextlib.suppress(OSError):  # used now: the last to be deleted (the clock's
            now = time.time()               # time: finer than the file system's own stamps)
            os.utime(meta, (now, now))
        return block

    def put(self, key: str, ext: str, segment: str, block: CachedBlock) -> None:
        meta, data = self._paths(key, ext)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}-{uuid.uuid4().hex[:8]}.partial"
        try:
            path = local_path(segment)
            if path is None:
                storage, name = locate(segment)
                storage.get_file(name, temporary)
            else:
                link_or_copy(path, temporary)
            os.replace(temporary, data)
            temporary.write_text(json.dumps(asdict(block)))
            os.replace(temporary, meta)
        except (OSError, StorageError):  # a full disk or a read-only folder: the render
            temporary.unlink(missing_ok=True)  # goes on without keeping it
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
        """Delete every block (the folder's other files stay; an emptied folder goes)."""
        for path in self._files():
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.folder.rmdir()

    def _paths(self, key: str, ext: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.json", self.folder / f"{key}.{ext}"

    def _files(self) -> list[Path]:
        """The cache's own files: {key}.json, {key}.{ext} and .{key}-....partial."""
        if not self.folder.is_dir():
            return []
        return [path for path in self.folder.iterdir() if OWN.match(path.name)]


class BucketCache:
    def __init__(self, storage: S3Storage) -> None:
        self.storage = storage

    def take(self, key: str, ext: str, to: Path) -> CachedBlock | None:
        meta, data = f"{CACHE}{key}.json", f"{CACHE}{key}.{ext}"
        try:
            found = self.storage.get_bytes(meta)
            if found is None:
                return None
            block = CachedBlock(**json.loads(found))
            to.parent.mkdir(parents=True, exist_ok=True)
            self.storage.get_file(data, to)
        except (StorageError, OSError, ValueError, TypeError):
            return None
        if not _checked(to, block):
            to.unlink()
            with contextlib.suppress(StorageError):
                self.storage.delete_prefix(f"{CACHE}{key}.")
            return None
        return block

    def put(self, key: str, ext: str, segment: str, block: CachedBlock) -> None:
        data = f"{CACHE}{key}.{ext}"
        with contextlib.suppress(StorageError):  # a render goes on without keeping it
            storage, name = locate(segment)
            if isinstance(storage, S3Storage) and storage.bucket == self.storage.bucket:
                self.storage.copy(storage.key(name), data)  # by the server
            else:
                path = local_path(segment)
                if path is None:
                    return
                self.storage.put_file(path, data)
            self.storage.put_bytes(f"{CACHE}{key}.json", json.dumps(asdict(block)).encode())


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copyfile(source, target)
