"""HLS: a playlist of fMP4 segments, one per block, published while the video renders.

    out.m3u8          the playlist: an event playlist while blocks arrive, then finished
    out-init.mp4      the streams' set-up, which every segment refers to
    out-00000.m4s     one segment per block (2 s), video and sound

A browser (hls.js, Safari) can start playing as soon as the first segment is listed.
Each segment is written aside and renamed, so a listed segment is always whole. A
stream bound for storage (S3) is written here and mirrored there as it grows.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from parareel.errors import StorageError

SEGMENT_SECONDS = 2  # a block's length: each block starts a segment


def options(playlist: Path) -> dict[str, str]:
    stem = playlist.stem
    return {"hls_time": str(SEGMENT_SECONDS), "hls_segment_type": "fmp4",
            "hls_playlist_type": "event", "hls_list_size": "0",
            "hls_flags": "independent_segments+temp_file",
            "hls_fmp4_init_filename": f"{stem}-init.mp4",
            "hls_segment_filename": str(playlist.with_name(f"{stem}-%05d.m4s"))}


def files(playlist: Path) -> list[Path]:
    """The playlist and every file of its stream, as written so far (links too)."""
    stem = playlist.stem
    found = [playlist, playlist.with_name(f"{stem}-init.mp4"),
             *sorted(playlist.parent.glob(f"{stem}-[0-9]*.m4s"))]
    return [path for path in found if path.exists() or path.is_symlink()]


def remove(playlist: Path) -> None:
    """Take back a stream that failed (its files, and those written aside)."""
    for path in [*files(playlist), *playlist.parent.glob(f"{playlist.stem}-*.tmp")]:
        with contextlib.suppress(OSError):
            path.unlink()


class Mirror:
    """A stream written here, copied to `storage` (under its file names) as it grows:
    each segment once, before the first playlist that lists it."""

    def __init__(self, playlist: Path, storage: Any) -> None:
        self.playlist, self.storage = playlist, storage
        self.sent: set[str] = set()
        self._listed = b""

    def sync(self) -> None:
        if not self.playlist.exists():
            return
        listing = self.playlist.read_bytes()  # first: it lists only what is already here
        if listing == self._listed:
            return
        names = [f"{self.playlist.stem}-init.mp4", *(
            line for line in listing.decode().splitlines() if line and not line.startswith("#"))]
        for name in names:
            if name not in self.sent:
                self.storage.put_file(self.playlist.with_name(name), name)
                self.sent.add(name)
        self.storage.put_bytes(self.playlist.name, listing, "application/vnd.apple.mpegurl")
        self.sent.add(self.playlist.name)
        self._listed = listing

    def remove(self) -> None:
        for name in self.sent:
            with contextlib.suppress(StorageError):
                self.storage.delete_prefix(name)
