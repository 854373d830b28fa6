"""The Ray engine: chunks rendered as Ray tasks, on a local Ray cluster or one at an address.

    parareel render project.py -o out.mp4 --engine ray --workers 8 [--address ray://head:10001]

Each task renders one chunk. A segment bound for local storage (the driver's
workspace) comes back through Ray's object store, so workers need no shared
folder; a segment bound for s3:// is written there by the task directly. Tasks
that die (a node lost, a worker killed) are retried by Ray; a task that raises
is retried when its error is retryable. Ctrl-C or a failed chunk cancels the rest.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from parareel.contract import ChunkJob, ChunkResult, Report
from parareel.engines.base import OnReport
from parareel.engines.drawn import FRAMES_EVERY, FramesDrawn, teller
from parareel.errors import ParareelError, RenderError
from parareel.load import FILE_MODULE_PREFIX, adopt
from parareel.scene.project import Project
from parareel.storage import local_path, open_storage
from parareel.storage.keys import RenderKeys, render_folder
from parareel.storage.scratch import Workspace

POLL_SECONDS = 0.2


def _ray():
    try:
        import ray
    except ImportError:
        raise ParareelError("the Ray engine needs Ray: pip install 'parareel[ray]'") from None
    return ray


class RayEngine:
    name = "ray"

    def __init__(self, address: str | None = None, retries: int = 3,
                 storage: str | None = None) -> None:
        self.address, self.retries = address, retries
        self.storage = storage.rstrip("/") if storage else None  # s3://bucket/prefix, shared
        self._started_ray = False
        self._session: str | None = None  # the local cluster's folder, removed when it stops
        self._project = None  # the project in Ray's object store
        self._threads = 0

    def start(self, project: Project, workers: int) -> None:
        ray = _ray()
        if not ray.is_initialized():
            options = {}
            if self.address is None:  # a local cluster: its sessions go in a folder of ours,
                # short, as Ray's own /tmp/ray is: its socket paths must fit in 107 bytes
                self._session = tempfile.mkdtemp(prefix="parareel-ray-",
                                                 dir="/tmp" if os.path.isdir("/tmp") else None)
                options["_temp_dir"] = self._session
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False, **options)
            self._started_ray = True
        _ship_by_value(project)
        cores = int(ray.cluster_resources().get("CPU", 1))
        self._threads = max(1, cores // max(1, min(workers, cores)))
        self._project = ray.put(project)

    def segment_folder(self, render_id: str, workspace: Path) -> str:
        if self.storage:
            return f"{self.storage}/{RenderKeys.of(render_id).prefix.rstrip('/')}"
        return workspace.as_uri()

    def run(self, jobs: Sequence[ChunkJob], report: OnReport) -> list[ChunkResult]:
        ray = _ray()
        task = ray.remote(_render_task).options(
            num_cpus=1, max_retries=self.retries, retry_exceptions=[RenderError, OSError])
        pending = {task.remote(job, self._project, self._threads): job for job in jobs}
        results: dict[int, ChunkResult] = {}
        drawn, storage = FramesDrawn(list(jobs)), open_storage(render_folder(jobs[0].segment))
        looked = time.monotonic()
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=POLL_SECONDS)
                if time.monotonic() - looked >= FRAMES_EVERY:  # frames the tasks have drawn
                    looked = time.monotonic()
                    report(drawn.poll(storage, RenderKeys()))
                for ref in ready:
                    job = pending.pop(ref)
                    result, data = _get(ray, ref)
                    if data is not None:
                        path = local_path(job.segment)
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(data)
                    results[job.chunk.index] = result
                    report(Report(frames=drawn.drew(job.chunk.index, result.frames),
                                  done=result))
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
        return [results[job.chunk.index] for job in jobs]

    def stop(self) -> None:
        if self._started_ray:
            _ray().shutdown()
            self._started_ray = False
        if self._session is not None:
            shutil.rmtree(self._session, ignore_errors=True)
            self._session = None


def _ship_by_value(project: Project) -> None:
    """A project loaded from a .py file lives in a module no worker can import by name:
    pickle what it defines by value, so that any node of the cluster can run it."""
    from ray import cloudpickle

    for scene in project.scenes:
        module = sys.modules.get(getattr(scene, "__module__", ""))
        if module is not None and module.__name__.startswith(FILE_MODULE_PREFIX):
            cloudpickle.register_pickle_by_value(module)


def _get(ray, ref):
    """The task's value, or the error it raised as itself (not wrapped by Ray)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        raise exc.as_instanceof_cause() if exc.cause is None else exc.cause from None


def _render_task(job: ChunkJob, project: Project, threads: int) -> tuple[ChunkResult, bytes | None]:
    from parareel.worker import render_chunk

    adopt(job.project, project)
    folder = render_folder(job.segment)
    if local_path(job.segment) is None:  # shared storage: the task writes it itself
        told = teller(open_storage(folder), RenderKeys(), job)
        return render_chunk(job, project, told, threads=threads), None
    here = local_path(folder)  # the main's workspace, if this node has it
    told = teller(open_storage(folder), RenderKeys(), job) if here.is_dir() else None
    with Workspace("parareel-task-", here if here.is_dir() else None) as work:
        segment = work / "segment.mp4"
        result = render_chunk(replace(job, segment=segment.as_uri()), project, told,
                              threads=threads)
        return replace(result, segment=job.segment), segment.read_bytes()
