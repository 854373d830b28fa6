"""Frames drawn so far, told by chunks that run elsewhere (Lambda, Ray) to the main.

A chunk leaves an empty object `chunks/frames-{index}-{count}-{memory}` in the render's
storage every FRAMES_EVERY seconds (its peak memory too: a chunk killed for memory is
then known as one); the main lists them (one request for every chunk, however
many) and reports the frames that are new. The objects go with the chunks' folder.
"""

from __future__ import annotations

import contextlib
import resource
import threading
import time
from collections.abc import Callable

from parareel.contract import ChunkJob, Report
from parareel.errors import ParareelError
from parareel.storage.keys import RenderKeys, parse_frames_key

FRAMES_EVERY = 1.0  # seconds: how often a chunk tells how far it is


def teller(storage, keys: RenderKeys, job: ChunkJob) -> Callable[[int], None]:
    """An on_frames for a chunk that leaves its count and memory in `storage` at a
    bounded rate."""
    drawn, last = 0, time.monotonic()

    def on_frames(count: int) -> None:
        nonlocal drawn, last
        drawn += count
        if time.monotonic() - last >= FRAMES_EVERY and drawn < job.chunk.frames:
            last = time.monotonic()
            with contextlib.suppress(ParareelError):  # progress is not worth a failed chunk
                storage.put_bytes(keys.frames(job.chunk.index, drawn, peak_memory()), b"")

    return on_frames


def peak_memory() -> int:
    """This process's peak resident memory so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KB on Linux


class FramesDrawn:
    """The main's count of each chunk's frames: from what chunks leave, and their ends.
    A chunk's count never goes back (a retry starts again from 0)."""

    def __init__(self, jobs: list[ChunkJob]) -> None:
        self.sizes = {job.chunk.index: job.chunk.frames for job in jobs}
        self.memory: dict[int, int] = {}  # the most each chunk said it used, MB
        self._counted: dict[int, int] = {}
        self._lock = threading.Lock()

    def drew(self, index: int, total: int) -> int:
        """Chunk `index` has drawn `total` frames: how many of them are new."""
        with self._lock:
            new = max(0, total - self._counted.get(index, 0))
            self._counted[index] = self._counted.get(index, 0) + new
            return new

    def poll(self, storage, render: RenderKeys) -> Report:
        """The frames drawn since the last look (a Report even when none are: a listener
        may write what it held back)."""
        try:
            keys = storage.list_keys(render.frames_drawn)
        except ParareelError:
            keys = []  # progress only: the chunks' own ends count them in the end
        furthest: dict[int, int] = {}
        for key in keys:
            parsed = parse_frames_key(key)
            if parsed and parsed[0] in self.sizes:
                index, count, memory = parsed
                furthest[index] = max(furthest.get(index, 0), count)
                self.memory[index] = max(self.memory.get(index, 0), memory)
        # the last frame is counted by the chunk's end, which reports it with its result
        return Report(frames=sum(self.drew(i, min(n, self.sizes[i] - 1))
                                 for i, n in furthest.items()))
