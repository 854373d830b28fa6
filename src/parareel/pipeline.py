"""The render pipeline, the same for every engine.

    prepare:  load -> survey (logic only: frames, sounds, variables) -> plan -> jobs
    execute:  engine runs the jobs | audio mixed meanwhile -> join (stream copy) -> store

`parareel.render` and the Lambda function's fullRender both call `prepare` and
`execute`; an engine only runs chunk jobs (see parareel.engines).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parareel.contract import (
    CHUNKS,
    ChunkJob,
    ChunkResult,
    Report,
    chunk_key,
    new_render_id,
)
from parareel.engines.base import Engine
from parareel.errors import ParareelError, RenderError
from parareel.load import load_project, reference
from parareel.media.audio import render_audio
from parareel.media.encode import Encoding
from parareel.media.join import join_segments
from parareel.plan import Chunk, plan
from parareel.scene.audio import Cue
from parareel.scene.project import Project
from parareel.storage import local_path, locate, open_storage, sha256


@dataclass(frozen=True)
class Prepared:
    """A render planned and checked, before any chunk runs."""

    project: Project
    ref: str  # how workers load the project
    variables: dict[str, Any]
    start: int  # the frames [start, end) of the video this render outputs
    end: int
    chunks: tuple[Chunk, ...]
    cues: tuple[Cue, ...]  # sounds, their frames counted from `start`
    encoding: Encoding
    workers: int  # chunks rendered at once: as asked, and never more than there are chunks
    seconds: float  # spent preparing

    @property
    def frames(self) -> int:
        return self.end - self.start

    def jobs(self, render_id: str, folder: str) -> list[ChunkJob]:
        """One job per chunk, each writing its segment under the storage URL `folder`."""
        return [ChunkJob(render_id, self.ref, chunk, f"{folder}/{chunk_key(chunk.index)}",
                         self.variables, self.encoding) for chunk in self.chunks]


@dataclass
class RenderResult:
    output: str  # a local path, or the storage URL the video was stored at
    render_id: str
    frames: int
    duration: float  # seconds of video
    chunks: list[ChunkResult]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase


def prepare(project: str | Project, variables: Mapping[str, Any] | None = None, *,
            frame_range: tuple[int, int] | None = None, workers: int = 1,
            chunk_frames: int | None = None, encoding: Encoding | None = None,
            max_chunks: int | None = None) -> Prepared:
    """Load and survey the project, check the request and plan its chunks.

    Raises before any work for a missing project, a bad variable, a scene that fails
    in its logic, or a range outside the video. `max_chunks` caps the plan however it
    was asked for (by workers or by chunk size).
    """
    started = time.perf_counter()
    loaded = load_project(project)
    survey = loaded.survey(variables)
    if survey.frames == 0:
        raise ParareelError("the video has no frames: its scenes end without yielding "
                            "(each `yield` shows one frame)")
    first, last = frame_range or (0, survey.frames)
    if not 0 <= first < last <= survey.frames:
        raise ParareelError(
            f"frame range {first}:{last} is not inside the video's 0:{survey.frames}")
    chunks = plan(last - first, workers, chunk_frames)
    if max_chunks is not None and len(chunks) > max_chunks:
        chunks = plan(last - first, max_chunks)
    chunks = [Chunk(c.index, c.start + first, c.end + first) for c in chunks]
    cues = tuple(cue.shifted(first) for cue in survey.cues)
    return Prepared(loaded, reference(project), loaded.resolve(variables), first, last,
                    tuple(chunks), cues, encoding or Encoding(), min(workers, len(chunks)),
                    _lap(started))


def execute(prepared: Prepared, engine: Engine, output: str | os.PathLike, *,
            render_id: str | None = None,
            on_report: Callable[[Report], None] | None = None) -> RenderResult:
    """Run the chunks on `engine`, mix the audio meanwhile, join, and store the video.

    `output` is a local path or a storage URL (s3://bucket/key.mp4). It appears only
    when the render succeeds; segments and temporary files are removed whatever
    happens. `on_report` hears every Report (frames, chunks, retries, phases).
    """
    render_id = render_id or new_render_id()
    report = on_report or (lambda _: None)
    timings = {"plan": prepared.seconds}
    target = local_path(str(output))
    if target is not None:
        target = target.resolve()  # segments are named by file:// URLs, which are absolute
        target.parent.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix=f".parareel-{render_id}-",
                                      dir=target.parent if target else None))
    folder = None
    try:
        clock = time.perf_counter()
        engine.start(prepared.project, prepared.workers)  # before our own threads
        try:
            folder = engine.segment_folder(render_id, workspace)
            jobs = prepared.jobs(render_id, folder)
            with ThreadPoolExecutor(1) as background:  # audio is mixed while chunks render
                audio = background.submit(_timed, render_audio, prepared.cues, prepared.frames,
                                          prepared.project.fps, workspace / "audio.m4a")
                results = engine.run(jobs, report)
                timings["render"] = _lap(clock)
                audio_path, timings["audio"] = audio.result()
        finally:
            engine.stop()
        clock = time.perf_counter()
        report(Report(phase="joining"))
        joined = join_segments(_fetched(results, workspace), target or workspace / "out.mp4",
                               prepared.project.fps, audio_path,
                               delay=max(r.delay for r in results))
        if target is None:
            storage, key = locate(str(output))
            storage.put_file(joined, key)
        timings["merge"] = _lap(clock)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        if folder is not None and local_path(folder) is None:
            open_storage(folder).delete_prefix(CHUNKS)
    return RenderResult(str(output), render_id, prepared.frames,
                        float(prepared.frames / prepared.project.fps), results, timings)


def _fetched(results: list[ChunkResult], workspace: Path) -> Iterator[Path]:
    """Each segment's local path in turn, as the join reads them: a remote one is
    downloaded while the one before is joined, and deleted once joined, so the join
    needs room for the output and two segments, not for all of them."""
    def get(result: ChunkResult) -> Path:
        path = local_path(result.segment)
        if path is None:
            path = workspace / f"segment-{result.index:05d}.mp4"
            storage, key = locate(result.segment)
            storage.get_file(key, path)
        if path.stat().st_size != result.bytes or sha256(path) != result.sha256:
            raise RenderError(f"segment {result.index} is not the file its chunk wrote "
                              f"({result.segment} was changed after): the render stops")
        return path

    with ThreadPoolExecutor(1) as ahead:
        coming = ahead.submit(get, results[0])
        for result, following in zip(results, [*results[1:], None], strict=True):
            path = coming.result()
            if following is not None:
                coming = ahead.submit(get, following)
            yield path
            if local_path(result.segment) is None:
                path.unlink(missing_ok=True)


def _timed(function, *args):
    start = time.perf_counter()
    return function(*args), _lap(start)


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 4)
