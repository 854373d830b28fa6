"""Serverless rendering end to end: the seed's event through boto3, the dev stack's real
S3 server (SeaweedFS) and Lambda endpoint, and the real handler in worker processes."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import boto3
import numpy as np
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parareel
from parareel.aws.cost import PRICE_PER_GB_SECOND, PRICE_PER_REQUEST, cost_of
from parareel.aws.handler import handler
from parareel.contract import ChunkJob
from parareel.load import load_project
from parareel.media.join import join_segments
from parareel.plan import plan
from parareel.worker import render_chunk
from tests.conftest import SUITE, decode, psnr

SEED_EVENT = {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
              "variables": {"message": "Hello from Revideo!"}}


@pytest.fixture(scope="module")
def lam(stack):
    return boto3.client("lambda", config=Config(read_timeout=600,
                                                retries={"max_attempts": 1, "mode": "standard"}))


@pytest.fixture(scope="module")
def s3(stack):
    return boto3.client("s3")


def invoke(lam, event):
    response = lam.invoke(FunctionName="parareel", Payload=json.dumps(event))
    assert "FunctionError" not in response
    return json.loads(response["Payload"].read())


def render_of(s3, stack, job: str) -> str:
    """The render that owns a jobId."""
    key = f"renders/jobs/{job}.json"
    return json.loads(s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read())["renderId"]


def progress_of(s3, stack, job: str) -> dict:
    key = f"renders/{render_of(s3, stack, job)}/progress.json"
    return json.loads(s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read())


def keys_of(s3, stack, job: str) -> list[str]:
    prefix = f"renders/{render_of(s3, stack, job)}/"
    return [o["Key"][len(prefix):] for o in
            s3.list_objects_v2(Bucket=stack.bucket, Prefix=prefix).get("Contents", [])]


def download(url: str, path: Path) -> Path:
    with urllib.request.urlopen(url) as response:
        path.write_bytes(response.read())
    return path


@pytest.fixture(scope="module")
def seed_render(lam, tmp_path_factory):
    body = invoke(lam, SEED_EVENT)
    assert body["status"] == "done", body
    return body, download(body["url"], tmp_path_factory.mktemp("seed") / "out.mp4")


def test_seed_event_renders_and_matches_a_local_render(seed_render, tmp_path):
    body, video = seed_render
    project = load_project(SUITE)
    frames = project.frame_count(SEED_EVENT["variables"])
    assert body["frames"] == frames and len(body["chunks"]) == 25
    assert body["key"] == f"renders/{body['renderId']}/out.mp4" and body["jobId"] == "12345"
    assert "X-Amz-Signature" in body["url"]
    assert set(body["timings"]) == {"plan", "audio", "render", "merge", "total"}
    assert body["cost"]["invocations"] == 26 and body["cost"]["total_usd"] > 0
    pts, lambda_frames, _ = decode(video)
    assert pts == list(range(frames))
    # The same chunks rendered and joined locally, with the encoder's default threads as
    # in a Lambda environment (x264's bitstream depends on its thread count), give the
    # very same video: nothing about the backend changes a frame.
    segments = []
    for chunk in plan(frames, 25):
        path = tmp_path / f"{chunk.index}.mp4"
        render_chunk(ChunkJob("local", SUITE, chunk, path.as_uri(), SEED_EVENT["variables"]),
                     project)
        segments.append(path)
    join_segments(segments, tmp_path / "local.mp4", project.fps)
    _, local_frames, _ = decode(tmp_path / "local.mp4")
    for a, b in zip(lambda_frames, local_frames, strict=True):
        assert np.array_equal(a, b)
    exact = list(parareel.frames(project, variables=SEED_EVENT["variables"]))
    assert min(psnr(a, b[..., :3]) for a, b in zip(lambda_frames, exact, strict=True)) >= 35
    import av

    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1


def test_progress_json_and_private_bucket(seed_render, s3, stack):
    progress = progress_of(s3, stack, "12345")
    assert progress["phase"] == "done" and progress["chunks"] == {"total": 25, "done": 25}
    assert progress["frames"]["done"] == progress["frames"]["total"] and progress["errors"] == []
    assert progress["renderId"] == seed_render[0]["renderId"]
    keys = keys_of(s3, stack, "12345")
    assert "out.mp4" in keys and not any(k.startswith("chunks/") for k in keys)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{stack.s3.endpoint}/{stack.bucket}/{seed_render[0]['key']}")


def test_crashed_worker_is_retried_with_the_same_output(lam, seed_render, tmp_path, s3, stack):
    errors = stack.lambda_server.stats.errors
    body = invoke(lam, {**SEED_EVENT, "jobId": "crash-once", "testFaults": {"3": "crashOnce"}})
    assert body["status"] == "done", body
    assert stack.lambda_server.stats.errors > errors  # the crash happened and was reported
    progress = progress_of(s3, stack, "crash-once")
    assert progress["retries"] >= 1
    _, again, _ = decode(download(body["url"], tmp_path / "again.mp4"))
    _, first, _ = decode(seed_render[1])
    assert all(np.array_equal(a, b) for a, b in zip(again, first, strict=True))


def test_always_failing_worker_fails_the_job_cleanly(lam, s3, stack):
    body = invoke(lam, {**SEED_EVENT, "jobId": "doomed", "numWorkers": 4,
                        "testFaults": {"2": "crash"}})
    assert body["status"] == "error" and body["errorType"] == "Runtime.ExitError"
    assert "chunk 2 failed" in body["errorMessage"] and "after 4 attempt(s)" in body["errorMessage"]
    keys = keys_of(s3, stack, "doomed")
    assert "out.mp4" not in keys and not any(k.startswith("chunks/") for k in keys)
    progress = progress_of(s3, stack, "doomed")
    assert progress["phase"] == "failed" and "chunk 2 failed" in progress["errors"][0]
    failure = progress["failure"]
    assert (failure["reason"], failure["chunk"], failure["attempts"]) == \
        ("Runtime.ExitError", 2, 4)


def test_scene_error_fails_at_once_with_its_message(lam):
    body = invoke(lam, {**SEED_EVENT, "jobId": "typo", "variables": {"mesage": "x"}})
    assert body["status"] == "error" and body["errorType"] == "VariableError"
    assert "did you mean 'message'" in body["errorMessage"]


def test_low_concurrency_still_completes(lam, stack):
    function = stack.lambda_server.functions["parareel"]
    throttles, function.concurrency = stack.lambda_server.stats.throttles, 2
    try:
        body = invoke(lam, {**SEED_EVENT, "jobId": "throttled", "numWorkers": 4})
    finally:
        function.concurrency = 6
    assert body["status"] == "done", body
    assert stack.lambda_server.stats.throttles > throttles


def invoke_when_free(lam, event) -> dict:
    """A client that retries a throttled invocation, as AWS's SDKs do."""
    import time

    while True:
        try:
            return invoke(lam, event)
        except lam.exceptions.TooManyRequestsException:
            time.sleep(0.2)


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


def test_concurrent_jobs_do_not_interfere(lam, tmp_path):
    bodies: dict[str, dict] = {}

    def run(job: str, message: str) -> None:
        bodies[job] = invoke(lam, {**SEED_EVENT, "jobId": job, "numWorkers": 3,
                                   "variables": {"message": message}})

    threads = [threading.Thread(target=run, args=(f"job-{i}", m))
               for i, m in enumerate(["first message", "second, longer message"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {b["status"] for b in bodies.values()} == {"done"}
    videos = [decode(download(bodies[j]["url"], tmp_path / f"{j}.mp4"))[1] for j in sorted(bodies)]
    project = load_project(SUITE)
    for job, frames in zip(sorted(bodies), videos, strict=True):
        message = "first message" if job == "job-0" else "second, longer message"
        local = list(parareel.frames(project, 0, 1, {"message": message}))[0]
        assert np.abs(frames[0].astype(int) - local[..., :3].astype(int)).mean() < 3
    assert not np.array_equal(videos[0][0], videos[1][0])


def test_client_and_cli_render_with_progress(stack, tmp_path):
    from parareel.aws.client import job_progress, render_on_lambda

    out = tmp_path / "client.mp4"
    result = render_on_lambda("parareel", variables={"message": "client"}, workers=3,
                              job_id="client-job", download=out)
    assert result["status"] == "done" and len(decode(out)[1]) == result["frames"]
    assert job_progress("client-job").phase == "done"
    with pytest.raises(parareel.RenderError, match="rendered already.*replace"):
        render_on_lambda("parareel", variables={"message": "client"}, job_id="client-job")
    again = render_on_lambda("parareel", variables={"message": "again"}, workers=2,
                             job_id="client-job", replace=True)
    assert job_progress("client-job").render_id == again["renderId"] != result["renderId"]


HANDWRITTEN = [
    None, [], "fullRender", {"jobType": "fullRender", "jobId": "../etc", "numWorkers": 2},
    {"jobType": "fullRender", "jobId": "a/b", "numWorkers": 2},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 0},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 10**6},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": "25"},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "variables": [1, 2]},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "variables": {"m": "x" * 300000}},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "preset": "instant"},
    {"jobType": "destroy", "jobId": "ok"},
    {"jobType": "partialRender", "jobId": "ok", "chunk": {"index": 0, "start": 5, "end": 5}},
]


def _refused_without_invocations(stack, event) -> None:
    before = stack.lambda_server.stats.invocations
    body = handler(event, None)
    assert body["status"] == "error" and body["errorType"] == "InvalidEvent", body
    assert stack.lambda_server.stats.invocations == before


@pytest.mark.parametrize("event", HANDWRITTEN)
def test_invalid_events_are_refused_before_any_work(stack, event):
    _refused_without_invocations(stack, event)


bad_job_ids = st.one_of(
    st.text(min_size=1, max_size=80).filter(lambda s: "/" in s or ".." in s or len(s) > 64),
    st.just(""), st.integers(), st.none().map(lambda _: None))
bad_workers = st.one_of(st.integers(max_value=0), st.integers(min_value=201), st.floats(),
                        st.text(), st.booleans())
bad_variables = st.one_of(st.lists(st.integers()), st.text(min_size=1), st.integers(),
                          st.just({"big": "x" * 300_000}))


generated = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
VALID = {"jobType": "fullRender", "jobId": "gen", "numWorkers": 2, "variables": {}}


@generated
@given(job_id=bad_job_ids)
def test_generated_bad_job_ids(stack, job_id):
    _refused_without_invocations(stack, {**VALID, "jobId": job_id})


@generated
@given(workers=bad_workers)
def test_generated_bad_worker_counts(stack, workers):
    _refused_without_invocations(stack, {**VALID, "numWorkers": workers})


@generated
@given(variables=bad_variables)
def test_generated_bad_variables(stack, variables):
    _refused_without_invocations(stack, {**VALID, "variables": variables})


def test_cost_matches_hand_computed_values():
    cost = cost_of([10.0, 2.5, 2.5], memory_mb=2048, arch="x86_64")
    assert cost.gb_seconds == 30.0  # 15 s at 2 GB
    assert cost.compute_usd == pytest.approx(30 * 0.0000166667)
    assert cost.requests_usd == pytest.approx(3 * 0.0000002)
    arm = cost_of([1.0], memory_mb=1024, arch="arm64")
    assert arm.total_usd == pytest.approx(PRICE_PER_GB_SECOND["arm64"] + PRICE_PER_REQUEST)


def test_chunk_frames_cannot_exceed_the_worker_cap(stack, monkeypatch):
    monkeypatch.setenv("PARAREEL_MAX_WORKERS", "2")
    before = stack.lambda_server.stats.invocations
    body = handler({**SEED_EVENT, "jobId": "capped", "numWorkers": 2, "chunkFrames": 1}, None)
    assert body["status"] == "done", body
    assert len(body["chunks"]) == 2 and stack.lambda_server.stats.invocations - before == 2


def test_an_error_answer_from_a_chunk_fails_the_job_with_its_message(stack):
    from parareel.contract import ChunkJob
    from parareel.engines.aws_lambda import LambdaEngine
    from parareel.errors import ChunkFailed
    from parareel.plan import Chunk

    # a chunk for another project: the function answers InvalidEvent, not a chunk result
    job = ChunkJob("wrong-project", "other/project.py", Chunk(0, 0, 5),
                   f"s3://{stack.bucket}/renders/wrong-project/chunks/chunk-00000.mp4")
    engine = LambdaEngine("parareel", stack.bucket)
    engine.start(load_project(SUITE), 1)
    with pytest.raises(ChunkFailed, match="InvalidEvent.*renders .*suite.py"):
        engine.run([job], lambda report: None)


def test_any_failure_while_joining_ends_failed_with_no_chunks_left(stack, s3, monkeypatch):
    import parareel.pipeline

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parareel.pipeline, "join_segments", full_disk)
    body = handler({**SEED_EVENT, "jobId": "disk-full", "numWorkers": 3}, None)
    assert body["status"] == "error" and body["errorType"] == "OSError"
    progress = progress_of(s3, stack, "disk-full")
    assert progress["phase"] == "failed" and "No space left" in progress["errors"][0]
    assert progress["failure"]["reason"] == "OSError" and progress["failure"]["chunk"] is None
    assert sorted(keys_of(s3, stack, "disk-full")) == ["plan.json", "progress.json", "result.json"]


# -- jobs are isolated: a jobId is owned by one render, chunks only join their own render --

def test_one_job_id_renders_once_at_a_time_and_is_replaced_only_when_asked(lam, stack, s3,
                                                                            tmp_path):
    event = {**SEED_EVENT, "jobId": "twice", "numWorkers": 3}
    bodies: list[dict] = []
    threads = [threading.Thread(target=lambda: bodies.append(invoke(lam, event)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [b for b in bodies if b["status"] == "done"]
    refused = [b for b in bodies if b["status"] == "error"]
    assert len(done) == 1 and len(refused) == 1, bodies
    assert refused[0]["errorType"] == "JobRunning" and "is rendering" in refused[0]["errorMessage"]
    first = download(done[0]["url"], tmp_path / "first.mp4").read_bytes()

    again = invoke(lam, {**event, "variables": {"message": "another"}})
    assert again["status"] == "error" and again["errorType"] == "JobExists"
    assert '"replace": true' in again["errorMessage"]
    assert download(done[0]["url"], tmp_path / "still.mp4").read_bytes() == first  # untouched

    replaced = invoke(lam, {**event, "variables": {"message": "another"}, "replace": True})
    assert replaced["status"] == "done" and replaced["renderId"] != done[0]["renderId"]
    assert render_of(s3, stack, "twice") == replaced["renderId"]
    old = s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"renders/{done[0]['renderId']}/")
    assert old.get("KeyCount") == 0  # the replaced render's files went once the new was done
    frame = decode(download(replaced["url"], tmp_path / "new.mp4"))[1][0]
    local = next(parareel.frames(SUITE, 0, 1, {"message": "another"}))
    assert psnr(frame, local[..., :3]) > 35


def test_forged_chunks_and_refused_events_never_touch_a_running_render(lam, stack, s3,
                                                                      tmp_path):
    import time

    from parareel.plan import Chunk

    event = {**SEED_EVENT, "jobId": "target", "numWorkers": 3,
             "testFaults": {"1": "crashOnce"}}  # a retry keeps it running a little longer
    answer: dict = {}
    runner = threading.Thread(target=lambda: answer.update(invoke(lam, event)))
    runner.start()
    while True:  # until its plan is written
        try:
            plan = json.loads(s3.get_object(
                Bucket=stack.bucket,
                Key=f"renders/{render_of(s3, stack, 'target')}/plan.json")["Body"].read())
            break
        except Exception:  # noqa: BLE001 - not claimed or planned yet
            time.sleep(0.05)
    render_id = render_of(s3, stack, "target")
    index, start, end = plan["chunks"][0]
    forged = ChunkJob(render_id, SUITE, Chunk(index, start, end),
                      f"s3://{stack.bucket}/renders/{render_id}/chunks/chunk-{index:05d}.mp4",
                      {**plan["variables"], "message": "forged"}).to_event()
    body = handler(forged, None)
    assert body["status"] == "error" and body["errorType"] == "InvalidEvent"
    shifted = {**forged, "variables": plan["variables"],
               "chunk": {"index": index, "start": start, "end": end + 1}}
    assert handler(shifted, None)["errorType"] == "InvalidEvent"
    # a refused event with the running job's id: refused for the id, nothing deleted
    bad = handler({**SEED_EVENT, "jobId": "target", "variables": {"mesage": "x"}}, None)
    assert bad["status"] == "error" and bad["errorType"] == "JobRunning"
    runner.join()
    assert answer["status"] == "done", answer
    frame = decode(download(answer["url"], tmp_path / "target.mp4"))[1][0]
    local = next(parareel.frames(SUITE, 0, 1, SEED_EVENT["variables"]))
    assert psnr(frame, local[..., :3]) > 35
    late = handler({**forged, "variables": plan["variables"]}, None)  # the render is done
    assert late["errorType"] == "InvalidEvent" and "takes no more chunks" in late["errorMessage"]
    unknown = ChunkJob("nosuchrender", SUITE, Chunk(0, 0, 5),
                       f"s3://{stack.bucket}/renders/nosuchrender/chunks/chunk-00000.mp4")
    assert "no render 'nosuchrender' is running" in handler(unknown.to_event(), None)[
        "errorMessage"]


# -- time: the main keeps to its remaining time ---------------------------------------------

class Deadline:
    """A Lambda context whose invocation ends `seconds` from now."""

    def __init__(self, seconds: float) -> None:
        import time

        self.end = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        import time

        return int((self.end - time.monotonic()) * 1000)


def test_a_hung_chunk_is_retried_within_the_mains_time(stack, s3):
    event = {**SEED_EVENT, "jobId": "hung-once", "numWorkers": 3, "testFaults": {"1": "hangOnce"}}
    body = handler(event, Deadline(16))
    assert body["status"] == "done", body
    assert progress_of(s3, stack, "hung-once")["retries"] >= 1


def test_a_main_that_runs_out_of_time_ends_failed_and_clean(stack, s3):
    import time

    started = time.monotonic()
    event = {**SEED_EVENT, "jobId": "out-of-time", "numWorkers": 3, "testFaults": {"1": "hang"}}
    body = handler(event, Deadline(10))
    assert time.monotonic() - started < 10  # it ended before its invocation would have
    assert body["status"] == "error" and body["errorType"] == "Timeout", body
    progress = progress_of(s3, stack, "out-of-time")
    assert progress["phase"] == "failed" and "ran out of time" in progress["errors"][0]
    assert not any(k.startswith("chunks/") for k in keys_of(s3, stack, "out-of-time"))


# -- asynchronous start, follow from anywhere, cancel --------------------------------------

def test_a_render_started_asynchronously_is_followed_by_a_new_client(stack, s3):
    from parareel.aws import client

    started = client.start_render("parareel", variables={"message": "async"}, workers=3,
                                  job_id="async-job")
    assert started.job_id == "async-job"  # returned at once: the render goes on
    body = client.follow("async-job", progress=False)  # as a restarted client would
    assert body["status"] == "done" and body["frames"] > 0
    mine = client.video_url("async-job", expires=3600)  # signed with this client's keys
    assert "X-Amz-Expires=3600" in mine
    with urllib.request.urlopen(mine) as a, urllib.request.urlopen(body["url"]) as b:
        assert a.read() == b.read()
    assert progress_of(s3, stack, "async-job")["phase"] == "done"


def test_cancel_stops_a_running_render_and_leaves_nothing(lam, stack, s3):
    import time

    from parareel.aws import client

    # chunk 1 hangs, so the render is still running when it is cancelled
    event = {**SEED_EVENT, "jobId": "to-cancel", "numWorkers": 3, "testFaults": {"1": "hang"}}
    lam.invoke(FunctionName="parareel", InvocationType="Event", Payload=json.dumps(event))
    while (state := client.job_progress("to-cancel")) is None or state.chunks_done < 2:
        time.sleep(0.05)
    started = time.monotonic()
    client.cancel_render("to-cancel")
    with pytest.raises(parareel.RenderError, match="cancelled"):
        client.follow("to-cancel", progress=False)
    assert time.monotonic() - started < 10  # not after the hung chunk (30 s)
    assert progress_of(s3, stack, "to-cancel")["phase"] == "cancelled"
    keys = keys_of(s3, stack, "to-cancel")
    assert "out.mp4" not in keys and not any(k.startswith("chunks/") for k in keys)
    with pytest.raises(parareel.RenderError, match="not rendering"):
        client.cancel_render("to-cancel")


# -- webhooks ---------------------------------------------------------------------------------

def receiver_module():
    import importlib.util

    from tests.conftest import EXAMPLES

    spec = importlib.util.spec_from_file_location("receiver", EXAMPLES / "webhook_receiver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_webhooks_are_signed_retried_and_verified_by_the_example_receiver(stack):
    import time

    receiver, port, received = receiver_module(), free_port(), []
    url = f"http://127.0.0.1:{port}/hook"

    def start_late() -> None:  # the receiver is down when the first attempt comes
        time.sleep(1.5)
        server = receiver.make_server(port, "s3cret", received.append)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    servers: list = []
    late = threading.Thread(target=start_late)
    late.start()
    webhook = {"url": url, "secret": "s3cret"}
    body = handler({**SEED_EVENT, "jobId": "hooked", "numWorkers": 2, "webhook": webhook},
                   None)
    late.join()
    assert body["status"] == "done"
    failed = handler({**SEED_EVENT, "jobId": "hooked-bad", "variables": {"mesage": "x"},
                      "webhook": webhook}, None)
    assert failed["status"] == "error"
    try:
        assert [(e["event"], e["jobId"]) for e in received] == [("done", "hooked"),
                                                                 ("failed", "hooked-bad")]
        assert received[0]["url"] == body["url"] and "mesage" in received[1]["errorMessage"]
        forged = urllib.request.Request(url, data=b'{"event": "done"}', method="POST",
                                        headers={"X-Parareel-Signature": "sha512=00"})
        with pytest.raises(urllib.error.HTTPError, match="401"):
            urllib.request.urlopen(forged)
        assert len(received) == 2
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    bad = handler({**SEED_EVENT, "jobId": "hooked-x", "webhook": {"url": "ftp://x"}}, None)
    assert bad["errorType"] == "InvalidEvent" and "webhook must be" in bad["errorMessage"]


def test_the_main_joins_with_room_for_two_segments_not_all(stack, monkeypatch):
    import parareel.pipeline
    from parareel.media.join import join_segments

    held: list[int] = []

    def counting(segments, *args, **kwargs):
        def watched():
            for path in segments:
                held.append(len(list(path.parent.glob("segment-*.mp4"))))
                yield path
        return join_segments(watched(), *args, **kwargs)

    monkeypatch.setattr(parareel.pipeline, "join_segments", counting)
    body = handler({**SEED_EVENT, "jobId": "streamed", "numWorkers": 6}, None)
    assert body["status"] == "done", body
    assert len(held) == 6 and max(held) <= 2  # the one joined and the one coming
