"""The render pipeline, the same for every engine.

    prepare:  load -> survey (logic only: frames, sounds, variables) -> plan -> jobs
    execute:  engine runs the jobs | audio mixed meanwhile -> join (stream copy) -> store

The output's format (parareel.media.formats) only changes the ends: an image sequence's
chunks write their frames in place (no join), a sound track needs no chunks at all.

`parareel.render` and the Lambda function's fullRender both call `prepare` and
`execute`; an engine only runs chunk jobs (see parareel.engines).
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from parareel import assets
from parareel.assets import Pinned
from parareel.blocks import Reuse, block_keys, blocks, sound_key
from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.engines.base import Engine
from parareel.errors import Cancelled, ParareelError, raise_if_disk_full, warn
from parareel.load import load_project, reference
from parareel.media import hls
from parareel.media.audio import render_audio
from parareel.media.formats import Encoding, frame_pattern
from parareel.media.join import join_segments
from parareel.merge import fetched, frames_url, publish_frames, stream
from parareel.plan import SHORT_CHUNK, Chunk, plan, workers_for
from parareel.scene.audio import Cue
from parareel.scene.project import Project
from parareel.storage import local_path, locate, open_storage, sha256
from parareel.storage.blocks import TRACK, BlockCache, BucketCache, CachedBlock
from parareel.storage.files import refuse_link
from parareel.storage.keys import RenderKeys, new_render_id
from parareel.storage.scratch import Workspace

PALETTE_SAMPLES = 12  # frames a GIF's palette is chosen from


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
    assets: tuple[Pinned, ...] = ()  # remote assets as the survey fetched them
    cache: BlockCache | None = None  # where blocks are reused from and kept (chunks: blocks)
    keys: tuple[str | None, ...] = ()  # each chunk's block key, with a cache

    @property
    def frames(self) -> int:
        return self.end - self.start

    def jobs(self, render_id: str, folder: str, pins: dict[str, str]) -> list[ChunkJob]:
        """One job per chunk, each writing its segment under the storage URL `folder`
        (an image sequence's chunks: `folder` is the output's folder and file pattern)
        and using the assets as pinned."""
        fmt, keys = self.encoding.container, RenderKeys()
        # a chunk in a bucket that keeps blocks looks there first: another render may
        # have kept its block since this one was planned
        blocks = self.keys if isinstance(self.cache, BucketCache) else (None,) * len(self.chunks)
        return [ChunkJob(render_id, self.ref, chunk, folder if fmt.name == "frames"
                         else f"{folder}/{keys.chunk(chunk.index, fmt.piece.name)}",
                         self.variables, self.encoding, assets=pins, key=key)
                for chunk, key in zip(self.chunks, blocks, strict=True)]


@dataclass
class RenderResult:
    """What a render made: where it went, its frames and length, each chunk's result,
    and seconds per phase (plan, render, audio, merge)."""

    output: str  # a local path, or the storage URL the video was stored at
    render_id: str
    frames: int
    duration: float  # seconds of video
    chunks: list[ChunkResult]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    reused: int | None = None  # blocks not drawn (in the cache, or the same as one drawn);
    # None: a render without the cache


def prepare(project: str | Project, variables: Mapping[str, Any] | None = None, *,
            frame_range: tuple[int, int] | None = None, workers: int | str = 1,
            chunk_frames: int | None = None, encoding: Encoding | None = None,
            max_chunks: int | None = None, max_chunk_frames: int | None = None,
            cache: BlockCache | None = None) -> Prepared:
    """Load and survey the project, check the request and plan its chunks.

    Raises before any work for a missing project, a bad variable, a scene that fails
    in its logic, or a range outside the video. `max_chunk_frames` splits the plan
    further when its chunks would be longer; `max_chunks` caps it, however it was
    asked for (by workers, by chunk size or by length). With a `cache`, the chunks are
    the video's blocks (parareel.blocks), each named by its key.
    """
    started = time.perf_counter()
    loaded = load_project(project)
    with assets.recorded() as fetched:  # the copies every chunk will use
        survey = loaded.survey(variables)
    if survey.frames == 0:
        raise ParareelError("the video has no frames: its scenes end without yielding "
                            "(each `yield` shows one frame)")
    first, last = frame_range or (0, survey.frames)
    if not 0 <= first < last <= survey.frames:
        raise ParareelError(
            f"frame range {first}:{last} is not inside the video's 0:{survey.frames}")
    try:
        workers = workers_for(last - first, workers)
    except ValueError as exc:
        raise ParareelError(str(exc)) from None
    if cache is not None and not _cached_format(encoding):
        cache = None  # frames written in place, or the sound alone: nothing to reuse
    blocked = cache is not None or (encoding or Encoding()).container.name == "m3u8"
    if blocked and chunk_frames is not None:
        raise ParareelError("a cached render, and HLS, are made of blocks of the video: "
                            "leave chunk_frames out (or render without the cache: --no-cache)")
    chunks = (blocks(loaded, first, last) if blocked
              else plan(last - first, workers, chunk_frames))
    shortest = min(c.frames for c in chunks)
    if not blocked and chunk_frames is None and len(chunks) > 1 and shortest < SHORT_CHUNK:
        fewer = (last - first) // SHORT_CHUNK
        advice = ("--workers 1 renders it as one chunk" if fewer <= 1 else
                  f"--workers {fewer} gives chunks of {SHORT_CHUNK} frames or more")
        warn(f"{workers} workers for {last - first} frames make chunks of {shortest} "
             "frame(s): each chunk starts on a keyframe and replays the scene logic, so chunks "
             f"this short make a larger file and cost more than they save; {advice}")
    if not blocked:
        if max_chunk_frames is not None and max(c.frames for c in chunks) > max_chunk_frames:
            chunks = plan(last - first, math.ceil((last - first) / max_chunk_frames))
        if max_chunks is not None and len(chunks) > max_chunks:
            chunks = plan(last - first, max_chunks)
        chunks = [Chunk(c.index, c.start + first, c.end + first) for c in chunks]
    cues = tuple(cue.shifted(first) for cue in survey.cues)
    values = loaded.resolve(variables)
    encoding = replace(encoding or Encoding(), content="footage" if survey.footage
                       else "graphics")
    encoding = _for_project(encoding, loaded, values, range(first, last))
    keys: list[str | None] = []
    if cache is not None:  # one encoder thread: a block is the same bytes on any machine
        encoding = replace(encoding, threads=1)
        keys = block_keys(loaded, values, encoding, chunks)
    return Prepared(loaded, reference(project), values, first, last, tuple(chunks), cues,
                    encoding, min(workers, len(chunks)), _lap(started),
                    tuple(fetched.values()), cache, tuple(keys))


def _cached_format(encoding: Encoding | None) -> bool:
    """Whether a render in this format is made of blocks that can be kept: a video file,
    not a folder of frames, nor the sound alone."""
    container = (encoding or Encoding()).container
    return container.frames and container.name != "frames"


def _for_project(encoding: Encoding, project: Project, variables: dict[str, Any],
                 frames: range) -> Encoding:
    """The encoding completed by what the project decides: alpha when it has no
    background, and a GIF's palette, chosen from frames spread over the render."""
    if project.background_color.a < 1 and encoding.container.frames:
        encoding = replace(encoding, alpha=True)  # refused here if the format has none
    if encoding.format == "gif" and encoding.palette is None:
        from parareel.draw.frames import draw_frames
        from parareel.media.palette import make_palette

        samples = sorted({frames[i * (len(frames) - 1) // (PALETTE_SAMPLES - 1)]
                          for i in range(PALETTE_SAMPLES)})
        encoding = replace(encoding, palette=make_palette(
            draw_frames(project, samples, variables, encoding.scale), encoding.alpha))
    return encoding


def execute(prepared: Prepared, engine: Engine, output: str | os.PathLike, *,
            render_id: str | None = None,
            on_report: Callable[[Report], None] | None = None,
            cancelled: Callable[[], bool] | None = None,
            drawing: contextlib.AbstractContextManager | None = None) -> RenderResult:
    """Run the chunks on `engine`, mix the audio meanwhile, join, and store the output.

    `output` is a local path or a storage URL (s3://bucket/key.mp4), of the format
    `prepared.encoding` names. It appears only when the render succeeds (an HLS stream
    grows while the video renders, and is taken back if it fails); segments and
    temporary files are removed whatever happens. `on_report` hears every Report
    (frames, chunks, retries, phases); `cancelled()` is asked before each segment is
    joined (the engine asks it while chunks run), and stops the render with Cancelled.
    `drawing` is entered while the chunks are sorted out and run (a batch: one video
    draws at a time, finding the blocks the one before kept, while another is joined).
    """
    render_id = render_id or new_render_id()
    report = on_report or (lambda _: None)
    timings = {"plan": prepared.seconds}
    fmt = prepared.encoding.container
    frames = fmt.name == "frames"  # the workers write the output: nothing to join
    target = local_path(str(output))
    if target is not None and not frames and target.is_dir():
        raise ParareelError(f"cannot write {str(output)!r}: it is a folder; name a file "
                            f"(e.g. {str(output).rstrip('/')}/out.{fmt.name}), or end it with "
                            "/ for a folder of PNG frames")
    if target is not None:
        refuse_link(Path(frame_pattern(str(output))[0]) if frames else target, str(output),
                    folder=frames)
        for beside in hls.files(target) if fmt.name == "m3u8" else ():  # a stream's others
            refuse_link(beside, str(beside))
    try:
        if target is not None:
            target = target.resolve()  # segments are named by file:// URLs: absolute
            if frames:  # the frame folder itself is written at the end, from beside it
                target = Path(frame_pattern(str(output))[0]).resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
        space = Workspace(f".parareel-{render_id}-", target.parent if target else None)
        workspace = space.path
    except OSError as exc:
        folder = target.parent if target else Path(tempfile.gettempdir())
        blocking = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        why = (f"{blocking} is a file, not a folder" if not blocking.is_dir()
               else f"{exc.strerror} in {folder}")
        raise ParareelError(f"cannot write {str(output)!r}: {why}; choose another "
                            "folder") from None
    store, results, reused = None, [], None
    try:
        clock = time.perf_counter()
        if not fmt.frames:  # the sound alone: no chunks
            finished = _sound_track(prepared, workspace / f"out.{fmt.name}")
            timings["audio"], clock = _lap(clock), time.perf_counter()
        else:
            staged = workspace / "frames"  # a local frame folder is written here first
            store = engine.segment_folder(render_id, workspace)
            folder = (frames_url(output, staged if target is not None else None) if frames
                      else store)
            pins = assets.keep(prepared.assets, store, workspace)
            jobs = prepared.jobs(render_id, folder, pins)
            if fmt.name == "m3u8":  # published while the chunks render, as they come
                playlist = target or workspace / "stream" / Path(str(output)).name
                mirror = (None if target is not None
                          else hls.Mirror(playlist, locate(str(output))[0]))
                results, _, reused = stream(
                    playlist, len(jobs), prepared.project.fps, workspace,
                    partial(_audio_track, prepared, workspace),
                    partial(_run, prepared, engine, jobs, workspace, report, timings,
                            drawing), mirror)
                timings["stream"] = _lap(clock)  # rendered and published together
                return _result(prepared, output, render_id, results, timings, reused)
            results, audio, reused = _run(prepared, engine, jobs, workspace, report, timings,
                                          drawing)
            if frames:
                if target is not None:
                    publish_frames(staged, target, frame_pattern(str(output))[1])
                return _result(prepared, output, render_id, results, timings, reused)
            clock = time.perf_counter()
            report(Report(phase="joining"))
            finished = join_segments(fetched(results, workspace, cancelled), workspace / "out",
                                     prepared.project.fps, audio,
                                     delay=max(r.delay for r in results),
                                     container=fmt.container)
        if cancelled is not None and cancelled():
            raise Cancelled("the render was cancelled before its video was stored")
        if target is None:
            storage, key = locate(str(output))
            storage.put_file(finished, key)
        else:
            os.replace(finished, target)
        timings["merge" if fmt.frames else "store"] = _lap(clock)
    except Exception as exc:
        raise_if_disk_full(exc, space.path.parent)  # the join's, the copy's, a chunk's
        raise
    finally:
        space.close()
        if store is not None and local_path(store) is None:
            remote = open_storage(store)
            remote.delete_prefix(RenderKeys().chunks)
            remote.delete_prefix(RenderKeys().assets)
    return _result(prepared, output, render_id, results, timings, reused)


def _run(prepared: Prepared, engine: Engine, jobs: list[ChunkJob], workspace: Path,
         report: Callable[[Report], None], timings: dict[str, float],
         drawing: contextlib.AbstractContextManager | None = None,
         arrived: Callable[[ChunkResult], None] | None = None
         ) -> tuple[list[ChunkResult], Path | None, int | None]:
    """Every chunk's result, the sound track, and how many blocks were reused (None
    without a cache): with a cache, only the blocks it lacks are drawn, each once; all
    within `drawing`.

    With `arrived` (a stream), each result is handed to it as soon as it is there, and
    the sound track is left to the stream."""
    def heard(told: Report) -> None:
        if told.done is not None and arrived is not None:
            arrived(told.done)
        report(told)

    with drawing or contextlib.nullcontext():
        if prepared.cache is None:
            return (*_run_chunks(prepared, engine, jobs, workspace, heard, timings,
                                 arrived is None), None)
        reuse = Reuse.sort_out(jobs, prepared.keys, prepared.cache,
                               prepared.encoding.container.piece.name, workspace)
        if reuse.taken:
            report(Report(frames=sum(r.frames for r in reuse.taken.values()),
                          reused=len(reuse.taken)))
            for result in reuse.taken.values():
                heard(Report(done=result))
        results, audio = _run_chunks(prepared, engine, reuse.drawn, workspace, heard,
                                     timings, arrived is None)
        reused = len(reuse.taken) + len(reuse.twins)
        if reuse.twins:
            report(Report(frames=sum(jobs[i].chunk.frames for i in reuse.twins), reused=reused))
        results = reuse.finish(jobs, results)
        for index in reuse.twins:
            heard(Report(done=results[index]))
        return results, audio, reused


def _run_chunks(prepared: Prepared, engine: Engine, jobs: list[ChunkJob], workspace: Path,
                report: Callable[[Report], None], timings: dict[str, float],
                mix: bool = True) -> tuple[list[ChunkResult], Path | None]:
    """Run every chunk on the engine while the sound track is mixed (unless not to
    `mix`): (the chunks' results, the sound track)."""
    clock = time.perf_counter()
    if jobs:
        engine.start(prepared.project, min(prepared.workers, len(jobs)))  # before threads
    try:
        with ThreadPoolExecutor(1) as background:  # audio is mixed while chunks render
            audio = background.submit(_timed, _audio_track, prepared, workspace) if mix \
                else None
            results = engine.run(jobs, report) if jobs else []
            timings["render"] = _lap(clock)
            track = None
            if audio is not None:
                track, timings["audio"] = audio.result()
    finally:
        engine.stop()
    return results, track


def _result(prepared: Prepared, output: str | os.PathLike, render_id: str,
            results: list[ChunkResult], timings: dict[str, float],
            reused: int | None = None) -> RenderResult:
    return RenderResult(str(output), render_id, prepared.frames,
                        float(prepared.frames / prepared.project.fps), results, timings,
                        reused)


def _audio_track(prepared: Prepared, workspace: Path) -> Path | None:
    """The video's sound track, in the format's audio codec; None if silent or the format
    has no sound (a GIF, PNG frames)."""
    codec = prepared.encoding.container.audio
    if codec is None:
        return None
    path, fps, cache = workspace / "audio", prepared.project.fps, prepared.cache
    key = None if cache is None else sound_key(prepared.cues, prepared.frames, fps, codec)
    if key is not None and cache.take(key, TRACK, path) is not None:
        return path  # the same sounds as a render before: mixed and encoded then
    track = render_audio(prepared.cues, prepared.frames, fps, path, codec)
    if key is not None and track is not None:
        cache.put(key, TRACK, str(track), CachedBlock(prepared.frames, track.stat().st_size,
                                                 sha256(track), 0))
    return track


def _sound_track(prepared: Prepared, path: Path) -> Path:
    """A sound-only output: the mix alone, no frame drawn."""
    fmt = prepared.encoding.container
    if not prepared.cues:
        raise ParareelError(f"the video has no sound: there is nothing to write to a "
                            f".{fmt.name} file (its scenes play no audio)")
    return render_audio(prepared.cues, prepared.frames, prepared.project.fps, path,
                        fmt.audio, fmt.container)


def _timed(function, *args):
    start = time.perf_counter()
    return function(*args), _lap(start)


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 4)
