"""The local engine: chunks rendered by worker processes on this machine."""

from __future__ import annotations

import gc
import multiprocessing as mp
import signal
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.engines.base import OnReport
from parareel.errors import RenderError
from parareel.plan import cores
from parareel.scene.project import Project
from parareel.worker import render_chunk

POLL_SECONDS = 0.05


class LocalEngine:
    """A pool of worker processes, each rendering one chunk at a time.

    Workers are forked where the platform allows, so they inherit the loaded
    project (even one defined in a notebook) instead of importing it again; the
    pipeline starts the engine before any thread of its own, since a fork copies
    only the calling thread. A worker that dies (killed, out of memory) loses the
    chunks in flight: the pool is started again and they are retried, up to
    `retries` times. One worker renders in this process, with no pool.
    """

    name = "local"

    def __init__(self, retries: int = 3) -> None:
        self.retries = retries
        self.project: Project | None = None
        self.workers = 1
        self._pool: ProcessPoolExecutor | None = None
        self._progress = None

    def start(self, project: Project, workers: int) -> None:
        self.project, self.workers = project, workers
        if workers > 1:
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        self._progress = ctx.SimpleQueue()
        threads = max(1, cores() // self.workers)  # share the cores out
        pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(self.project, self._progress, threads))
        # Garbage is freed here, and what is left is frozen: a worker that freed an
        # inherited clip decoder would wait forever for decoding threads it does not have.
        gc.collect()
        gc.freeze()
        try:
            pool.submit(int).result()  # fork every worker now, before the pipeline's threads
        finally:
            gc.unfreeze()
        return pool

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        return workspace.as_uri()

    def run(self, jobs: Sequence[ChunkJob], report: OnReport) -> list[ChunkResult]:
        if self._pool is None:
            results = []
            for job in jobs:
                results.append(render_chunk(job, self.project, lambda n: report(Report(n))))
                report(Report(done=results[-1]))
            return results
        results: dict[int, ChunkResult] = {}
        running: dict[Future, ChunkJob] = {self._pool.submit(_work, j): j for j in jobs}
        crashes = 0
        while running:
            done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            self._drain(report)
            for future in done:
                job = running.pop(future)
                try:
                    result = future.result()  # raises the worker's error here
                except BrokenProcessPool:
                    running[future] = job  # lost with the pool: started again below
                    break
                results[job.chunk.index] = result
                report(Report(done=result))
            else:
                continue
            crashes += 1
            if crashes > self.retries:
                raise RenderError(f"a worker process died {crashes} times (killed, or out of "
                                  "memory?); the render stops")
            lost = list(running.values())
            report(Report(retry=f"a worker died; {len(lost)} chunk(s) started again"))
            self.stop()
            self._pool = self._new_pool()
            running = {self._pool.submit(_work, j): j for j in lost}
        return [results[job.chunk.index] for job in jobs]

    def _drain(self, report: OnReport) -> None:
        while not self._progress.empty():
            report(Report(self._progress.get()))

    def stop(self) -> None:
        if self._pool is not None:
            # on error or Ctrl-C stop every worker now, not after its chunk
            for process in list(self._pool._processes.values()):  # noqa: SLF001
                process.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_worker: dict = {}  # what each worker process was started with


def _init_worker(project: Project, progress, threads: int) -> None:
    # a worker is stopped by its main: SIGTERM ends it at once, whatever handler the
    # main had (the command's raises to stop a render, and would print a traceback here)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker.update(project=project, progress=progress, threads=threads)


def _work(job: ChunkJob) -> ChunkResult:
    return render_chunk(job, _worker["project"], _worker["progress"].put, _worker["threads"])
