"""What a Lambda render is given and keeps to, on the dev stack: capacity (mains that hold
every slot render chunks themselves, in a child process), one deadline over everything,
the time a chunk may take, the disk for the join, and memory."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from pathlib import Path

import pytest

import parareel
from parareel.aws.handler import handler
from parareel.contract import ChunkJob
from tests.conftest import SUITE, decode, psnr
from tests.lambda_tools import (
    SEED_EVENT,
    Deadline,
    download,
    free_port,
    invoke_when_free,
    keys_of,
    progress_of,
    receiver_module,
)

# -- capacity: a main renders throttled chunks itself ------------------------------------

@pytest.mark.parametrize(("concurrency", "jobs"), [(1, 1), (2, 3)])
def test_mains_holding_every_slot_render_their_chunks_themselves(lam, stack, tmp_path,
                                                                  concurrency, jobs):
    # every slot held by a main whose chunks are throttled: without help, no chunk runs
    function = stack.lambda_server.functions["parareel"]
    function.concurrency = concurrency
    bodies: dict[str, dict] = {}

    def run(job: str) -> None:
        bodies[job] = invoke_when_free(lam, {**SEED_EVENT, "jobId": job, "numWorkers": 3})

    try:
        threads = [threading.Thread(target=run, args=(f"slots-{concurrency}-{i}",))
                   for i in range(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        function.concurrency = 6
    assert len(bodies) == jobs and {b["status"] for b in bodies.values()} == {"done"}, bodies
    body = next(iter(bodies.values()))
    frames = decode(download(body["url"], tmp_path / "out.mp4"))[1]
    local = list(parareel.frames(SUITE, variables=SEED_EVENT["variables"]))
    assert len(frames) == len(local) and psnr(frames[-1], local[-1][..., :3]) > 35


@pytest.fixture
def no_capacity(stack):
    """Every invocation throttled: the main renders every chunk itself."""
    function = stack.lambda_server.functions["parareel"]
    function.concurrency = 0
    yield
    function.concurrency = 6


def test_a_chunk_crashing_in_the_main_takes_only_its_process_and_is_retried(stack, s3,
                                                                           no_capacity, tmp_path):
    marker = tmp_path / "crashed"
    body = handler({**SEED_EVENT, "jobId": "here-crash", "numWorkers": 2,
                    "variables": {"case": "crash-once", "marker": str(marker)}}, None)
    assert body["status"] == "done", body
    assert marker.exists() and progress_of(s3, stack, "here-crash")["retries"] == 1
    assert stack.lambda_server.stats.throttles > 0


@pytest.mark.slow
def test_a_chunk_hanging_in_the_main_ends_the_render_at_its_deadline(stack, s3, no_capacity):
    started = time.monotonic()
    body = handler({**SEED_EVENT, "jobId": "here-hang", "numWorkers": 2,
                    "variables": {"case": "hang"}}, Deadline(12))
    assert time.monotonic() - started < 12  # before the invocation would be cut off
    assert body["status"] == "error" and body["errorType"] == "Timeout", body
    # the engine's own deadline ended it (the hung chunk's, or its throttled sibling's a
    # second earlier, whichever comes first), not the watchdog's over the whole main
    assert "the render ran out of time" in body["errorMessage"], body
    # the hung chunk was one attempt; its throttled sibling never began one
    assert re.search(r"\(Timeout\) (after 1 attempt: .*rendered this chunk itself|before any "
                     r"attempt: .*did not finish)", body["errorMessage"]), body
    assert progress_of(s3, stack, "here-hang")["phase"] == "failed"
    assert sorted(keys_of(s3, stack, "here-hang")) == ["progress.json", "result.json"]
    assert not chunks_rendered_here()  # the hung child was killed, not left behind


@pytest.mark.slow
def test_a_render_that_stops_answers_only_once_its_own_chunk_is_killed(stack, no_capacity):
    """A throttled chunk runs out of time first (its deadline is a second earlier) while
    the chunk the main renders itself hangs (whichever of the two that is): the engine
    answers after that chunk's process is gone."""
    from parareel.engines.aws_lambda import LambdaEngine
    from parareel.errors import ChunkFailed
    from parareel.load import load_project
    from parareel.plan import Chunk

    engine = LambdaEngine("parareel", stack.bucket, deadline=time.monotonic() + 4)
    engine.start(load_project(SUITE), 2)
    jobs = [ChunkJob("stopping", SUITE, Chunk(i, 5 * i, 5 * i + 15),  # both draw frame 10
                     f"s3://{stack.bucket}/renders/stopping/chunks/chunk-{i:05d}.mp4",
                     {"case": "hang"}) for i in range(2)]
    with pytest.raises(ChunkFailed, match="Timeout"):
        engine.run(jobs, lambda report: None)
    assert not chunks_rendered_here()  # at once: not some moments later


def chunks_rendered_here() -> list[int]:
    """The processes rendering a chunk for a main (python -m parareel.aws.here)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and b"parareel.aws.here" in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


def test_a_chunk_the_main_renders_itself_stops_at_the_deadline(stack, s3):
    import time

    from parareel.engines.aws_lambda import LambdaEngine
    from parareel.errors import ChunkFailed
    from parareel.load import load_project
    from parareel.plan import Chunk

    engine = LambdaEngine("parareel", stack.bucket, deadline=time.monotonic())  # passed
    engine.start(load_project(SUITE), 1)
    job = ChunkJob("late", SUITE, Chunk(0, 0, 45),
                   f"s3://{stack.bucket}/renders/late/chunks/chunk-00000.mp4")
    with pytest.raises(ChunkFailed, match="Timeout.*ran out of time") as failed:
        engine._render_here(job.to_event())
    assert "(Timeout) after 1 attempt: " in str(failed.value)  # the main's own attempt
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix="renders/late/")
    assert listed.get("KeyCount", 0) == 0  # nothing uploaded


# -- time: the main keeps to its remaining time ---------------------------------------------

def test_a_hung_chunk_is_retried_within_the_mains_time(stack, s3, roomy):
    event = {**SEED_EVENT, "jobId": "hung-once", "numWorkers": 3, "testFaults": {"1": "hangOnce"}}
    body = handler(event, Deadline(16))
    assert body["status"] == "done", body
    assert progress_of(s3, stack, "hung-once")["retries"] >= 1


def test_a_main_that_runs_out_of_time_ends_failed_and_clean(stack, s3, roomy):
    import time

    started = time.monotonic()
    event = {**SEED_EVENT, "jobId": "out-of-time", "numWorkers": 3, "testFaults": {"1": "hang"}}
    body = handler(event, Deadline(10))
    assert time.monotonic() - started < 10  # it ended before its invocation would have
    assert body["status"] == "error" and body["errorType"] == "Timeout", body
    progress = progress_of(s3, stack, "out-of-time")
    assert progress["phase"] == "failed" and "ran out of time" in progress["errors"][0]
    assert sorted(keys_of(s3, stack, "out-of-time")) == ["progress.json", "result.json"]


@pytest.mark.slow
def test_one_deadline_ends_a_render_stuck_anywhere_and_says_so_everywhere(stack, s3,
                                                                          monkeypatch):
    import parareel.pipeline
    from parareel.aws import jobs
    from parareel.storage.s3 import S3Storage

    receiver, port, received = receiver_module(), free_port(), []
    monkeypatch.setenv("PARAREEL_ASSET_HOSTS", f"127.0.0.1:{port}")  # a local receiver
    server = receiver.make_server(port, "s3cret", received.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    release, prepare = threading.Event(), parareel.pipeline.prepare

    def stuck_in_the_survey(*args, **kwargs):  # an asset that never arrives, a slow scene
        release.wait(60)
        return prepare(*args, **kwargs)

    monkeypatch.setattr(parareel.pipeline, "prepare", stuck_in_the_survey)
    started = time.monotonic()
    try:
        body = handler({**SEED_EVENT, "jobId": "stuck", "numWorkers": 2,
                        "webhook": {"url": f"http://127.0.0.1:{port}/hook",
                                    "secret": "s3cret"}}, Deadline(8))
        assert time.monotonic() - started < 8  # the answer came before the cut-off
        assert body["status"] == "error" and body["errorType"] == "Timeout", body
        progress = final = progress_of(s3, stack, "stuck")
        assert progress["phase"] == "failed" and progress["failure"]["reason"] == "Timeout"
        assert jobs.owner(S3Storage(stack.bucket), "stuck").state == "failed"
        assert [e["event"] for e in received] == ["timeout"]
    finally:
        release.set()  # the abandoned render goes on, finds itself over, and says nothing
        server.shutdown()
        server.server_close()
    time.sleep(2)
    assert progress_of(s3, stack, "stuck") == final  # not a word more, from anything
    assert sorted(keys_of(s3, stack, "stuck")) == ["progress.json", "result.json"]


# -- what a render asks of the function: time per chunk, disk for the join ------------------

def test_chunks_are_made_small_enough_to_fit_the_time_left(stack, s3, roomy, monkeypatch):
    # 128 MB makes a frame of this 3x-scaled project cost ~0.16 s by the estimate: 45
    # frames in one chunk would not fit in half of the main's ~11 s (they take ~0.5 s)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
    event = {**SEED_EVENT, "jobId": "fit-time", "numWorkers": 1, "scale": 3}
    body = handler(event, Deadline(16))
    assert body["status"] == "done", body
    assert len(body["chunks"]) == 2 and sum(c["frames"] for c in body["chunks"]) == 45
    warnings = progress_of(s3, stack, "fit-time")["warnings"]
    assert len(warnings) == 1 and "chunks of up to 23 frames so that each fits" in warnings[0]


def test_a_render_too_big_for_the_disk_is_refused_before_any_chunk(stack, s3, monkeypatch):
    import collections

    import parareel.aws.budget

    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(parareel.aws.budget.shutil, "disk_usage",
                        lambda path: usage(2**30, 2**30 - 2**16, 2**16))  # 64 kB free
    invocations = stack.lambda_server.stats.invocations
    body = handler({**SEED_EVENT, "jobId": "no-room", "numWorkers": 3}, None)
    assert body["status"] == "error" and "needs about" in body["errorMessage"]
    assert "redeploy with a larger --disk" in body["errorMessage"]
    assert stack.lambda_server.stats.invocations == invocations  # no chunk was started
    assert progress_of(s3, stack, "no-room")["phase"] == "failed"
    assert sorted(keys_of(s3, stack, "no-room")) == ["progress.json", "result.json"]


def test_a_chunk_out_of_memory_is_not_retried_and_says_to_deploy_with_more(stack, s3, roomy):
    function = stack.lambda_server.functions["parareel"]
    function.memory_mb = 1200  # the environments are killed past this, as Lambda's are
    invocations = stack.lambda_server.stats.invocations
    try:
        body = handler({**SEED_EVENT, "jobId": "hog", "numWorkers": 1,
                        "variables": {"case": "memory-hog"}}, None)
    finally:
        function.memory_mb = 2048
    assert body["errorType"] == "OutOfMemory" and "--memory" in body["errorMessage"], body
    failure = progress_of(s3, stack, "hog")["failure"]
    assert failure["retryable"] is False and failure["attempts"] == 1
    assert stack.lambda_server.stats.invocations == invocations + 1  # tried once only


def test_chunks_say_how_much_memory_they_used(stack):
    body = handler({**SEED_EVENT, "jobId": "measured", "numWorkers": 2}, None)
    assert body["status"] == "done"
    assert all(100 < chunk["memory"] < 2048 for chunk in body["chunks"]), body["chunks"]
