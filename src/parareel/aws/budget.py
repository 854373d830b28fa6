"""What a render asks of the function, checked before any chunk starts: time per chunk
(each must fit well inside an invocation) and the main's disk for the join.

Both are estimates on the generous side, from what bench/encoders.py measures on 2
cores (4-25 ms a 1080p frame drawn and encoded, 0.02-0.07 bits a pixel at the default
quality): a Lambda of 2048 MB has about 1.2 vCPU.
"""

from __future__ import annotations

import math
import shutil
import tempfile

from parareel.errors import ParareelError
from parareel.media.formats import Encoding
from parareel.pipeline import Prepared
from parareel.scene.project import Project

SECONDS_PER_FRAME = 0.04  # a 1080p frame at 2048 MB: drawn, encoded, uploaded
FULL_HD = 1920 * 1080
BITS_PER_PIXEL = {"lossy": 0.15, "lossless": 6.0}  # per frame


def frames_within(project: Project, encoding: Encoding, memory_mb: int,
                  seconds: float) -> int:
    """The most frames a chunk should take to finish within `seconds` (at least 1); a
    frame's time grows with its pixels and shrinks with memory (Lambda's CPU share)."""
    per_frame = SECONDS_PER_FRAME * _pixels(project, encoding) / FULL_HD * 2048 / memory_mb
    return max(1, math.floor(seconds / per_frame))


def disk_needed(prepared: Prepared) -> int:
    """Bytes the main needs while joining: the output and two segments (one joined, one
    fetched meanwhile)."""
    kind = "lossless" if prepared.encoding.lossless else "lossy"
    per_frame = _pixels(prepared.project, prepared.encoding) * BITS_PER_PIXEL[kind] / 8
    largest = max(c.frames for c in prepared.chunks)
    return math.ceil(per_frame * (prepared.frames + 2 * largest))


def check_disk(prepared: Prepared, free: int | None = None) -> None:
    """Refuse a render whose join would fill the main's disk, before it starts."""
    free = shutil.disk_usage(tempfile.gettempdir()).free if free is None else free
    needed = disk_needed(prepared)
    if needed > free:
        raise ParareelError(
            f"this render needs about {needed / 2**20:.0f} MB of disk to join its video and "
            f"the function has {free / 2**20:.0f} MB free: redeploy with a larger --disk "
            f"(up to 10240 MB), or render fewer frames, smaller or at a lower quality")


def _pixels(project: Project, encoding: Encoding) -> float:
    return project.width * project.height * encoding.scale ** 2
