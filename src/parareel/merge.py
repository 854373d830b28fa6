"""The merge: segments in order into the output, by stream copy (a file, or an HLS
stream published as they come), or an image sequence's frames moved into their folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

from parareel.contract import ChunkResult
from parareel.errors import Cancelled, RenderError
from parareel.media import hls
from parareel.media.formats import frame_names, frame_pattern
from parareel.media.join import join_segments
from parareel.storage import local_path, locate, sha256

MIRROR_SECONDS = 0.25  # how often a stream bound for storage is copied there as it grows


def stream(playlist: Path, count: int, fps: int | Fraction, workspace: Path,
           track: Callable[[], Path | None],
           render: Callable[[Callable[[ChunkResult], None]], tuple[list[ChunkResult], ...]],
           mirror: hls.Mirror | None = None) -> tuple[list[ChunkResult], ...]:
    """`render(arrived)` the `count` chunks while an HLS stream publishes each as soon as
    those before it are out (and, with a `mirror`, copies it to storage as it grows);
    what `render` returns. A failed render takes its stream back."""
    arrivals, published = InOrder(count), threading.Event()

    def publish() -> None:
        try:
            sound = track()  # the sound goes into every segment
            join_segments((segment_path(r, workspace) for r in arrivals), playlist, fps,
                          sound, delay=arrivals.delay(), container="hls")
        finally:
            published.set()

    def copy() -> None:
        while not published.wait(MIRROR_SECONDS):
            mirror.sync()

    playlist.parent.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(2) as publishing:
        streaming = publishing.submit(publish)
        copying = publishing.submit(copy) if mirror is not None else None
        try:
            rendered = render(arrivals.add)
            streaming.result()
            if copying is not None:
                copying.result()
                mirror.sync()  # the finished playlist
        except BaseException:
            arrivals.stop()
            for work in (streaming, copying):
                with contextlib.suppress(BaseException):
                    if work is not None:
                        work.result()
            hls.remove(playlist)
            if mirror is not None:
                mirror.remove()
            raise
    return rendered


class InOrder:
    """Chunk results as they arrive, handed out in their order."""

    def __init__(self, count: int) -> None:
        self.count, self._got, self._stopped = count, {}, False
        self._changed = threading.Condition()

    def add(self, result: ChunkResult) -> None:
        with self._changed:
            self._got[result.index] = result
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def take(self, index: int) -> ChunkResult:
        with self._changed:
            self._changed.wait_for(lambda: index in self._got or self._stopped)
            if self._stopped:
                raise Cancelled("the render stopped")
            return self._got[index]

    def delay(self) -> int:
        """The frames decode times run ahead: the first blocks' (a later one is as long,
        or the last and shorter)."""
        return max(self.take(i).delay for i in range(min(2, self.count)))

    def __iter__(self) -> Iterator[ChunkResult]:
        return (self.take(i) for i in range(self.count))


def frames_url(output: str | os.PathLike, staged: Path | None) -> str:
    """Where an image sequence's files go: its folder's URL (a local one staged aside)
    and the file name pattern."""
    folder, pattern = frame_pattern(str(output))
    if staged is not None:
        staged.mkdir()
        return f"{staged.as_uri()}/{pattern}"
    return f"{folder}/{pattern}"


def publish_frames(staged: Path, folder: Path, pattern: str) -> None:
    """Move a finished image sequence into its folder, holding the folder's lock: two
    renders into one folder each land whole, one after the other, never interleaved; a
    failed render never got here, so the frames already there stay. Files named like
    frames of `pattern` that this render did not write (an earlier, longer render's)
    go: the folder holds one sequence. Other files stay."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # a file system without locks: unguarded
            fcntl.flock(handle, fcntl.LOCK_EX)
        written = {path.name for path in staged.iterdir()}
        for name in sorted(written):
            os.replace(staged / name, folder / name)
        named = frame_names(pattern)
        for path in folder.iterdir():
            if path.name not in written and named.fullmatch(path.name) and path.is_file():
                path.unlink()
    finally:
        os.close(handle)  # and with it the lock


def segment_path(result: ChunkResult, workspace: Path) -> Path:
    """The segment's local file (a remote one downloaded), checked to be the one its
    chunk wrote."""
    path = local_path(result.segment)
    if path is None:
        path = workspace / f"segment-{result.index:05d}"
        storage, key = locate(result.segment)
        storage.get_file(key, path)
    if path.stat().st_size != result.bytes or sha256(path) != result.sha256:
        raise RenderError(f"segment {result.index} is not the file its chunk wrote "
                          f"({result.segment} was changed after): the render stops")
    return path


def fetched(results: list[ChunkResult], workspace: Path,
             cancelled: Callable[[], bool] | None = None) -> Iterator[Path]:
    """Each segment's local path in turn, as the join reads them: a remote one is
    downloaded while the one before is joined, and deleted once joined, so the join
    needs room for the output and two segments, not for all of them."""
    def get(result: ChunkResult) -> Path:
        return segment_path(result, workspace)

    with ThreadPoolExecutor(1) as ahead:
        coming = ahead.submit(get, results[0])
        for result, following in zip(results, [*results[1:], None], strict=True):
            if cancelled is not None and cancelled():
                raise Cancelled("the render was cancelled while its video was joined")
            path = coming.result()
            if following is not None:
                coming = ahead.submit(get, following)
            yield path
            if local_path(result.segment) is None:
                path.unlink(missing_ok=True)
