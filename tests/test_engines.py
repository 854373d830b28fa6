"""The same seam, audio and failure tests against every engine: local processes, the Lambda
engine on the dev stack (SeaweedFS and the local Lambda endpoint), and Ray on a real local
Ray cluster. A render on any engine equals a single-pass local render."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import parareel
from parareel import ParareelError, Project, Rect, wait
from parareel.media.encode import Encoding
from parareel.plan import plan
from parareel.scene.audio import decode as decode_audio
from tests.conftest import EXAMPLES, SUITE, decode

HELLO = str(EXAMPLES / "hello" / "project.py")

LOSSLESS = Encoding(lossless=True, preset="ultrafast")
ENGINES = ["local", "lambda", "ray"]


@pytest.fixture(params=ENGINES)
def engine(request):
    """A factory of fresh engines of one kind, with its servers or cluster running."""
    if request.param == "local":
        from parareel.engines.local import LocalEngine

        return LocalEngine
    if request.param == "lambda":
        from parareel.engines.aws_lambda import LambdaEngine

        stack = request.getfixturevalue("stack")
        return lambda: LambdaEngine("parareel", stack.bucket, retries=3)
    from parareel.engines.ray import RayEngine

    request.getfixturevalue("ray_cluster")
    return RayEngine


@pytest.fixture(scope="module")
def single_pass(tmp_path_factory):
    """Lossless single-chunk local renders of each case, decoded: the reference."""
    out = {}
    for case in ("seed", "sound"):
        path = tmp_path_factory.mktemp("ref") / f"{case}.mp4"
        parareel.render(SUITE, path, variables={"case": case}, encoding=LOSSLESS)
        out[case] = decode(path)[1], decode_audio(str(path))
    return out


@pytest.mark.parametrize(("workers", "chunk_frames"), [(3, None), (2, 10)])
def test_chunks_joined_equal_a_single_pass(engine, single_pass, tmp_path, workers, chunk_frames):
    out = tmp_path / "out.mp4"
    result = parareel.render(SUITE, out, variables={"case": "seed"}, workers=workers,
                             chunk_frames=chunk_frames, encoding=LOSSLESS, engine=engine())
    assert len(result.chunks) == len(plan(45, workers, chunk_frames)) > 1
    pts, frames, _ = decode(out)
    reference, _ = single_pass["seed"]
    assert pts == list(range(45)) and len(frames) == len(reference)
    for i, (a, b) in enumerate(zip(frames, reference, strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"
    assert list(tmp_path.iterdir()) == [out]  # no segment or workspace left behind


def test_audio_is_the_single_pass_audio_at_every_seam(engine, single_pass, tmp_path):
    out = tmp_path / "out.mp4"
    parareel.render(SUITE, out, variables={"case": "sound"}, workers=3, encoding=LOSSLESS,
                    engine=engine())
    frames, audio = decode(out)[1], decode_audio(str(out))
    reference_frames, reference_audio = single_pass["sound"]
    assert np.array_equal(audio, reference_audio) and np.abs(audio).max() > 0.1
    assert all(np.array_equal(a, b) for a, b in zip(frames, reference_frames, strict=True))


def test_a_scene_error_in_one_chunk_fails_the_render_and_leaves_nothing(engine, tmp_path):
    with pytest.raises(ParareelError, match="scene 'suite' failed at frame 30: ZeroDivision"):
        parareel.render(SUITE, tmp_path / "out.mp4", variables={"case": "draw-error"},
                        workers=3, engine=engine())
    assert list(tmp_path.iterdir()) == []


def test_a_worker_that_dies_once_is_retried(engine, single_pass, tmp_path):
    marker = tmp_path / "crashed"
    out = tmp_path / "out.mp4"
    parareel.render(SUITE, out, variables={"case": "crash-once", "marker": str(marker)},
                    workers=3, encoding=LOSSLESS, engine=engine())
    assert marker.exists()  # it did die once
    frames = decode(out)[1]
    reference = single_pass["sound"][0]  # the same picture: box, message and dot
    assert len(frames) == 45 and all(np.array_equal(a, b) for a, b in
                                     zip(frames, reference, strict=True))


def test_an_engine_runs_no_more_chunks_at_once_than_the_workers_asked(tmp_path):
    log = tmp_path / "drawn.log"

    def logged(scene):
        box = scene.add(Rect(width=20, height=20))
        box.x(lambda: _log_drawing(log, scene.frame))
        yield from wait(50 / 30)

    result = parareel.render(Project(scenes=[logged], size=(64, 36)), tmp_path / "out.mp4",
                             workers=2, chunk_frames=10)
    drawers = {int(line.split()[0]) for line in log.read_text().splitlines()} - {os.getpid()}
    assert len(result.chunks) == 5 and 1 <= len(drawers) <= 2  # never a third process
    assert set(result.timings) == {"plan", "render", "audio", "merge"}


def _log_drawing(log, frame: int) -> float:
    with open(log, "a") as file:
        file.write(f"{os.getpid()} {frame}\n")
    return 0.0


def test_a_segment_changed_after_its_chunk_wrote_it_is_never_joined(tmp_path):
    from pathlib import Path

    from parareel.engines.local import LocalEngine
    from parareel.errors import RenderError
    from parareel.pipeline import execute, prepare
    from parareel.storage import local_path

    class Tampered(LocalEngine):
        """Chunks render as usual; then something rewrites one segment."""

        def run(self, jobs, report):
            results = super().run(jobs, report)
            segment = Path(local_path(results[1].segment))
            segment.write_bytes(segment.read_bytes()[:-10] + b"0123456789")
            return results

    prepared = prepare(SUITE, {"case": "seed"}, workers=3)
    with pytest.raises(RenderError, match="segment 1 is not the file its chunk wrote"):
        execute(prepared, Tampered(), tmp_path / "out.mp4")
    assert list(tmp_path.iterdir()) == []


def test_a_ray_cluster_the_engine_starts_leaves_no_session_behind(tmp_path):
    def sessions() -> set[str]:
        found = set(glob.glob("/tmp/parareel-ray-*"))
        return found | set(glob.glob("/tmp/ray/session_*"))

    before = sessions()
    code = (f"import parareel; parareel.render({HELLO!r}, {str(tmp_path / 'out.mp4')!r}, "
            "engine='ray', workers=2, frame_range=(0, 30))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.mp4").stat().st_size > 0
    assert sessions() - before == set()  # its sessions, logs and sockets are gone


def slow_to_draw(scene):
    """A scene whose frames take 60 ms each to draw (a computed property waits)."""
    box = scene.add(parareel.Rect(width=20, height=20))
    box.x(lambda: time.sleep(0.06) or 0.0)
    yield from parareel.wait(3.0)


def test_ray_reports_frames_as_its_tasks_draw_them(ray_cluster, tmp_path):
    from parareel.engines.ray import RayEngine

    told: list[int] = []
    project = parareel.Project(scenes=[slow_to_draw], size=(64, 64), fps=30)
    result = parareel.render(project, tmp_path / "out.mp4", engine=RayEngine(), workers=2,
                             progress=told.append)  # two chunks of ~2.7 s
    assert sum(told) == 90 and len(result.chunks) == 2
    assert any(0 < n < 45 for n in told[:-1]), told  # counted while drawn, not per chunk


def test_ray_renders_reuse_blocks_from_the_cache(ray_cluster, tmp_path):
    import hashlib

    from parareel.engines.ray import RayEngine

    cache = tmp_path / "cache"
    first = parareel.render(SUITE, tmp_path / "a.mp4", engine=RayEngine(), workers=2,
                            variables={"hold": 2.5}, cache=cache)  # 4 s: 2 blocks
    again = parareel.render(SUITE, tmp_path / "b.mp4", engine=RayEngine(), workers=2,
                            variables={"hold": 2.5}, cache=cache)
    assert (first.reused, again.reused) == (0, 2)
    digests = {hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.mp4",
                                                                                 "b.mp4")}
    assert len(digests) == 1


def test_a_worker_told_to_stop_stops_quietly():
    """Workers do not take the command's SIGTERM handling (raise and print a traceback,
    one per worker still stopping when a render with many of them ends): the signal
    ends them as it ends any process."""
    import signal

    from parareel.cli.app import _terminate
    from parareel.engines.local import LocalEngine
    from tests.conftest import small_project

    before = signal.signal(signal.SIGTERM, _terminate)  # as `parareel render` has it
    engine = LocalEngine()
    try:
        engine.start(small_project(), 2)
        worker = next(iter(engine._pool._processes.values()))  # noqa: SLF001
        os.kill(worker.pid, signal.SIGTERM)
        worker.join(10)
        assert worker.exitcode == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, before)
        engine.stop()
