"""HLS: a playlist of fMP4 segments, one per block, published while the video renders.

    out.m3u8          the playlist: an event playlist while blocks arrive, then finished
    out-init.mp4      the streams' set-up, which every segment refers to
    out-00000.m4s     one segment per block (2 s), video and sound

A browser (hls.js, Safari) can start playing as soon as the first segment is listed.
Each segment is written aside and renamed, so a listed segment is always whole.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

SEGMENT_SECONDS = 2  # a block's length: each block starts a segment


def options(playlist: Path) -> dict[str, str]:
    stem = playlist.stem
    return {"hls_time": str(SEGMENT_SECONDS), "hls_segment_type": "fmp4",
            "hls_playlist_type": "event", "hls_list_size": "0",
            "hls_flags": "independent_segments+temp_file",
            "hls_fmp4_init_filename": f"{stem}-init.mp4",
            "hls_segment_filename": str(playlist.with_name(f"{stem}-%05d.m4s"))}


def files(playlist: Path) -> list[Path]:
    """The playlist and every file of its stream, as written so far."""
    stem = playlist.stem
    found = [playlist, playlist.with_name(f"{stem}-init.mp4"),
             *sorted(playlist.parent.glob(f"{stem}-[0-9]*.m4s"))]
    return [path for path in found if path.exists()]


def remove(playlist: Path) -> None:
    """Take back a stream that failed (its files, and those written aside)."""
    for path in [*files(playlist), *playlist.parent.glob(f"{playlist.stem}-*.tmp")]:
        with contextlib.suppress(OSError):
            path.unlink()
