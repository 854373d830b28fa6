"""Read the few MP4 boxes that hold durations: what a player reads, not what a decoder does."""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path

CONTAINERS = {"moov", "trak", "mdia", "edts"}


def _boxes(data: bytes, start: int, end: int):
    while start < end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[start + 8 : start + 16])[0], 16
        yield kind.decode(), data[start + header : start + size]
        start += size


def _find(data: bytes, kind: str) -> list[bytes]:
    found = []
    for name, body in _boxes(data, 0, len(data)):
        if name == kind:
            found.append(body)
        if name in CONTAINERS:
            found.extend(_find(body, kind))
    return found


def durations(path: str | Path) -> dict[str, Fraction]:
    """Seconds: the movie's (mvhd) and each track's edit ("edit0", "edit1", ...)."""
    data = Path(path).read_bytes()
    mvhd = _find(data, "mvhd")[0]
    if mvhd[0] == 1:
        scale, duration = struct.unpack(">IQ", mvhd[20:32])
    else:
        scale, duration = struct.unpack(">II", mvhd[12:20])
    out = {"movie": Fraction(duration, scale)}
    for i, trak in enumerate(_find(data, "trak")):
        elst = _find(trak, "elst")[0]
        length = struct.unpack(">Q", elst[8:16])[0] if elst[0] == 1 else \
            struct.unpack(">I", elst[8:12])[0]
        out[f"edit{i}"] = Fraction(length, scale)
    return out
