"""Blocks: the fixed pieces a cached render is made of, and the keys that name them.

The frames are grouped into blocks of BLOCK_SECONDS, aligned to frame 0 of the video;
each block is encoded as its own segment starting on a keyframe, so any block joins
next to any other by stream copy. A block's key is a hash of everything that decides
its encoded bytes: the print of each of its frames (parareel.draw.fingerprint: what is
drawn, without drawing), the output's size and frame rate, the background, the
encoding, and the versions of everything that draws and encodes. A block with a frame
that cannot be printed has no key: it is always rendered, never kept.

A cached render draws only the blocks the cache lacks, each distinct one once (a
looping background makes the same block again and again), and keeps them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from parareel.contract import ChunkJob, ChunkResult
from parareel.draw.fingerprint import Unprintable, file_print, frame_print, value_print
from parareel.draw.frames import drawn
from parareel.media.formats import Encoding
from parareel.plan import Chunk
from parareel.scene.audio import Cue
from parareel.scene.clock import Rate
from parareel.scene.player import play
from parareel.scene.project import Project
from parareel.storage import local_path
from parareel.storage.blocks import BlockCache, CachedBlock

BLOCK_SECONDS = 2


def block_frames(project: Project) -> int:
    return max(1, round(BLOCK_SECONDS * project.fps))


def blocks(project: Project, first: int, last: int) -> list[Chunk]:
    """The blocks of frames [first, last): cut where whole blocks of the video start."""
    size = block_frames(project)
    bounds = [first, *range((first // size + 1) * size, last, size), last]
    return [Chunk(i, a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]


def block_keys(project: Project, variables: Mapping[str, Any], encoding: Encoding,
               chunks: list[Chunk]) -> list[str | None]:
    """Each block's key (hex), or None for a block with a frame that has no print."""
    base = hashlib.blake2b(digest_size=16)
    base.update(json.dumps({"environment": environment(), "size": project.size,
                            "fps": str(project.fps), "background": project.background_color,
                            "encoding": encoding.to_json()}, sort_keys=True).encode())
    prints = frame_prints(project, variables, chunks[-1].end)
    keys: list[str | None] = []
    for chunk in chunks:
        shown = prints[chunk.start:chunk.end]
        if None in shown:
            keys.append(None)
            continue
        key = base.copy()
        for one in shown:
            key.update(one)
        keys.append(key.hexdigest())
    return keys


def sound_key(cues: Sequence[Cue], frames: int, fps: Rate, codec: str) -> str | None:
    """The key of a video's sound track: every cue (its file's bytes, when, how loud,
    how fast) and the track's length and codec; None if a cue cannot be printed."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps({"environment": environment(), "frames": frames,
                              "fps": str(fps), "codec": codec}, sort_keys=True).encode())
    try:
        for cue in cues:
            digest.update(file_print(cue.sound.src) + value_print(cue))
    except (Unprintable, OSError):
        return None
    return digest.hexdigest()


def frame_prints(project: Project, variables: Mapping[str, Any],
                 end: int) -> list[bytes | None]:
    """The print of every frame before `end`, from the logic alone."""
    prints: list[bytes | None] = []
    for index, scene in enumerate(play(project, project.resolve(variables))):
        with drawn(scene, index):
            prints.append(frame_print(scene))
        if len(prints) >= end:
            break
    return prints


@functools.cache
def environment() -> dict[str, Any]:
    """What draws and encodes, by version: a new one may draw or encode otherwise."""
    import av
    import skia

    from parareel.version import __version__

    return {"parareel": __version__, "code": _code(), "skia": skia.__version__,
            "av": av.__version__,
            "ffmpeg": {name: list(version) for name, version
                       in sorted(av.library_versions.items())},
            "fonts": _fonts()}


def _code() -> str:
    """parareel's own source, by content: an install from a checkout draws as its code
    says, whatever its version number (the same code hashes alike on every machine)."""
    root = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _fonts() -> str:
    """The installed fonts (each file's path, size and time): a family name may find
    another font once fonts are installed or removed."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True,
                                text=True, timeout=30, check=True).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(filter(None, listed)):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass
class Reuse:
    """A cached render's chunks sorted out: those the cache has (results already, their
    segments in the workspace or where the job said), those to draw, and twins of a
    block drawn now (by index: the index drawn for it; its segment serves both)."""

    cache: BlockCache
    keys: tuple[str | None, ...]
    ext: str
    taken: dict[int, ChunkResult] = field(default_factory=dict)
    drawn: list[ChunkJob] = field(default_factory=list)
    twins: dict[int, int] = field(default_factory=dict)

    @classmethod
    def sort_out(cls, jobs: list[ChunkJob], keys: tuple[str | None, ...], cache: BlockCache,
                 ext: str, workspace: Path) -> Reuse:
        reuse, first = cls(cache, keys, ext), {}
        for job, key in zip(jobs, keys, strict=True):
            index = job.chunk.index
            if key is None:
                reuse.drawn.append(job)
                continue
            path = local_path(job.segment) or workspace / f"reused-{index:05d}.{ext}"
            if (block := cache.take(key, ext, path)) is not None:
                reuse.taken[index] = ChunkResult(index, block.frames, block.bytes, 0.0,
                                                 str(path), block.sha256, block.delay)
            elif key in first:
                reuse.twins[index] = first[key]
            else:
                first[key] = index
                reuse.drawn.append(job)
        return reuse

    def finish(self, jobs: list[ChunkJob], results: list[ChunkResult]) -> list[ChunkResult]:
        """Keep each block drawn now: every chunk's result, in order."""
        done = {r.index: r for r in results}
        for result in results:
            if (key := self.keys[result.index]) is not None:
                self.cache.put(key, self.ext, result.segment, CachedBlock(
                    result.frames, result.bytes, result.sha256, result.delay))
        for index, original in self.twins.items():
            done[index] = replace(done[original], index=index, seconds=0.0)
        return [self.taken.get(job.chunk.index) or done[job.chunk.index] for job in jobs]
