"""The Lambda handler: `parareel.aws.handler.handler`.

One function does both jobs of the seed: a `fullRender` event plans the chunks,
invokes this same function once per chunk with `partialRender`, joins the
segments and returns a URL; a `partialRender` event renders one segment into the
bucket. Endpoints come from boto3's standard settings, so the same code runs on
AWS and against `parareel dev`.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from parareel.aws.events import EventError, FullRender, PartialRender, parse_event
from parareel.aws.settings import Settings
from parareel.errors import ParareelError


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    try:
        settings = Settings.from_env()
    except ParareelError as exc:
        return {"status": "error", "errorType": "Configuration", "errorMessage": str(exc)}
    try:
        request = parse_event(event, settings.max_workers)
    except EventError as exc:
        return {"status": "error", "errorType": "InvalidEvent", "errorMessage": str(exc)}
    if isinstance(request, FullRender):
        from parareel.aws.fanout import full_render

        return full_render(request, settings)
    return partial_render(request, settings)


def partial_render(request: PartialRender, settings: Settings) -> dict[str, Any]:
    """Render one chunk and upload its segment; raises (a function error) on failure."""
    from parareel.job import ChunkJob, run_chunk
    from parareel.load import load_project
    from parareel.storage.s3 import S3Storage

    started = time.perf_counter()
    storage = S3Storage(settings.bucket, f"renders/{request.job_id}")
    if request.fault and settings.faults_enabled:
        _inject(request, storage)
    project = load_project(settings.project)
    key = f"chunks/chunk-{request.chunk.index:05d}.mp4"
    with tempfile.TemporaryDirectory(prefix="parareel-") as work:
        segment = Path(work) / "segment.mp4"
        job = ChunkJob(settings.project, request.chunk, str(segment), request.variables,
                       request.encoding)
        result = run_chunk(job, project)
        storage.put_file(segment, key)
    return {"status": "done", "index": request.chunk.index, "frames": result.frames,
            "bytes": result.bytes, "key": key, "renderSeconds": round(result.seconds, 3),
            "seconds": round(time.perf_counter() - started, 3)}


def _inject(request: PartialRender, storage) -> None:
    """Test-only faults, honoured when the function has PARAREEL_TEST_FAULTS=1."""
    marker = f"faults/chunk-{request.chunk.index:05d}"
    if request.fault == "crash" or (request.fault == "crashOnce" and
                                    storage.get_bytes(marker) is None):
        storage.put_bytes(marker, b"crashed")
        os._exit(3)  # like a worker killed mid-flight
    if request.fault == "hang":
        time.sleep(3600)
