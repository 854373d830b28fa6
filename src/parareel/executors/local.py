"""Render chunks in local processes (or in this process when there is one worker)."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Sequence

from parareel.executors import OnFrames
from parareel.job import ChunkJob, ChunkResult, run_chunk
from parareel.scene.project import Project


def auto_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class LocalExecutor:
    """A pool of worker processes, each rendering one chunk at a time.

        with LocalExecutor(workers, project) as executor:   # the workers start here
            results = executor.run(jobs, on_frames)

    Workers are forked where the platform allows, so they inherit the loaded
    project (even one defined in a notebook) instead of importing it again. Start
    the pool before starting threads of your own: a fork copies only the calling
    thread. One worker renders in this process, with no pool at all.
    """

    def __init__(self, workers: int, project: Project | None = None) -> None:
        self.workers = max(1, workers)
        self.project = project
        self._pool = None
        self._progress = None

    def __enter__(self) -> LocalExecutor:
        if self.workers > 1:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            ctx = mp.get_context(method)
            self._progress = ctx.SimpleQueue()
            threads = max(1, auto_workers() // self.workers)  # share the cores out
            self._pool = ctx.Pool(self.workers, initializer=_init_worker,
                                  initargs=(self.project, self._progress, threads))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.terminate()  # on error or Ctrl-C: stop every worker now
            self._pool.join()
            self._pool = None

    def run(self, jobs: Sequence[ChunkJob], on_frames: OnFrames) -> list[ChunkResult]:
        if self._pool is None:
            return [run_chunk(job, self.project, on_frames) for job in jobs]
        pending = [self._pool.apply_async(_work, (job,)) for job in jobs]
        while not all(p.ready() for p in pending):
            time.sleep(0.05)
            _drain(self._progress, on_frames)
            for p in pending:
                if p.ready() and not p.successful():
                    p.get()  # raises the worker's error here
        _drain(self._progress, on_frames)
        return [p.get() for p in pending]


_worker: dict = {}  # what each worker process was started with


def _init_worker(project: Project | None, progress, threads: int) -> None:
    _worker.update(project=project, progress=progress, threads=threads)


def _work(job: ChunkJob) -> ChunkResult:
    return run_chunk(job, _worker["project"], _worker["progress"].put, _worker["threads"])


def _drain(progress, on_frames: OnFrames) -> None:
    while not progress.empty():
        on_frames(progress.get())
