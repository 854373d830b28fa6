"""The local engine: chunks rendered by worker processes on this machine."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from pathlib import Path

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.engines.base import OnReport
from parareel.scene.project import Project
from parareel.worker import render_chunk


def auto_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class LocalEngine:
    """A pool of worker processes, each rendering one chunk at a time.

    Workers are forked where the platform allows, so they inherit the loaded
    project (even one defined in a notebook) instead of importing it again; the
    pipeline starts the engine before any thread of its own, since a fork copies
    only the calling thread. One worker renders in this process, with no pool.
    """

    name = "local"

    def __init__(self) -> None:
        self.project: Project | None = None
        self._pool = None
        self._progress = None

    def start(self, project: Project, workers: int) -> None:
        self.project = project
        if workers > 1:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            ctx = mp.get_context(method)
            self._progress = ctx.SimpleQueue()
            threads = max(1, auto_workers() // workers)  # share the cores out
            self._pool = ctx.Pool(workers, initializer=_init_worker,
                                  initargs=(project, self._progress, threads))

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        return workspace.as_uri()

    def run(self, jobs: Sequence[ChunkJob], report: OnReport) -> list[ChunkResult]:
        if self._pool is None:
            results = []
            for job in jobs:
                results.append(render_chunk(job, self.project, lambda n: report(Report(n))))
                report(Report(done=results[-1]))
            return results
        pending = [self._pool.apply_async(_work, (job,)) for job in jobs]
        announced: set[int] = set()
        while len(announced) < len(pending):
            time.sleep(0.05)
            self._drain(report)
            for i, p in enumerate(pending):
                if p.ready() and i not in announced:
                    result = p.get()  # raises the worker's error here
                    self._drain(report)
                    report(Report(done=result))
                    announced.add(i)
        return [p.get() for p in pending]

    def _drain(self, report: OnReport) -> None:
        while not self._progress.empty():
            report(Report(self._progress.get()))

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.terminate()  # on error or Ctrl-C: stop every worker now
            self._pool.join()
            self._pool = None


_worker: dict = {}  # what each worker process was started with


def _init_worker(project: Project, progress, threads: int) -> None:
    _worker.update(project=project, progress=progress, threads=threads)


def _work(job: ChunkJob) -> ChunkResult:
    return render_chunk(job, _worker["project"], _worker["progress"].put, _worker["threads"])
