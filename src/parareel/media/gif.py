"""GIF segments joined into one GIF: one header, one palette, one loop, one trailer.

FFmpeg's stream copy of GIF segments repeats each segment's header and trailer, and
strict readers (browsers, Pillow) stop at the first trailer. Every chunk of a render
shares one palette (chosen before the chunks start), so the join keeps the first
segment's header, screen and global palette, and appends every segment's frames: their
graphic-control extensions (delays) and images, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from parareel.errors import RenderError
from parareel.storage.files import written_whole

TRAILER = b"\x3b"
EXTENSION, IMAGE = 0x21, 0x2C
GRAPHIC_CONTROL, APPLICATION = 0xF9, 0xFF


def _table_size(packed: int) -> int:
    """Bytes of the colour table a packed field announces (0 when it has none)."""
    return 3 * 2 ** ((packed & 0x07) + 1) if packed & 0x80 else 0


def _sub_blocks(data: bytes, at: int) -> int:
    """Where the data sub-blocks starting at `at` end (after their zero terminator)."""
    while True:
        if at >= len(data):
            raise RenderError("GIF segment is cut short inside a block")
        size = data[at]
        at += 1 + size
        if size == 0:
            return at


def blocks(data: bytes) -> tuple[bytes, list[tuple[int, bytes]]]:
    """The head (header, screen descriptor, global palette) and each block after it as
    (kind, bytes): kind is an extension's label, or IMAGE. The trailer ends the list."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise RenderError("not a GIF segment: no GIF87a/GIF89a header")
    head_end = 13 + _table_size(data[10])
    found, at = [], head_end
    while at < len(data) and data[at:at + 1] != TRAILER:
        start = at
        if data[at] == EXTENSION:
            kind = data[at + 1]
            at = _sub_blocks(data, at + 2)
        elif data[at] == IMAGE:
            kind = IMAGE
            at += 10 + _table_size(data[at + 9])  # descriptor, then its local palette
            at = _sub_blocks(data, at + 1)  # after the LZW minimum code size
        else:
            raise RenderError(f"GIF segment has an unknown block 0x{data[at]:02x}")
        found.append((kind, data[start:at]))
    return data[:head_end], found


def frames_of(data: bytes) -> Iterator[bytes]:
    """Each frame's bytes: its graphic-control extension (if any) and its image."""
    pending = b""
    for kind, block in blocks(data)[1]:
        if kind == GRAPHIC_CONTROL:
            pending = block
        elif kind == IMAGE:
            yield pending + block
            pending = b""


def join_gifs(segments: Iterable[str | os.PathLike], output: str | os.PathLike) -> Path:
    """One GIF from segments that share a screen size and palette; loops for ever."""
    with written_whole(output) as partial, open(partial, "wb") as out:
        for index, path in enumerate(segments):
            data = Path(path).read_bytes()
            if index == 0:
                head, found = blocks(data)
                out.write(head)
                loop = next((b for k, b in found if k == APPLICATION
                             and b[3:14] == b"NETSCAPE2.0"), None)
                out.write(loop or b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")
            for frame in frames_of(data):
                out.write(frame)
        out.write(TRAILER)
    return Path(output)
