"""Lambda renders under load, on the dev stack: a jobId owned by one render, chunks taken
only for their own render, mains that hold every slot, time budgets, asynchronous
starts, cancel and webhooks."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

import parareel
from parareel.aws.handler import handler
from parareel.contract import ChunkJob
from parareel.storage.keys import RenderKeys
from tests.conftest import SUITE, decode, psnr
from tests.lambda_tools import (
    SEED_EVENT,
    Deadline,
    download,
    invoke,
    invoke_when_free,
    keys_of,
    progress_of,
    render_of,
)

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


def test_forged_chunks_and_refused_events_never_touch_a_running_render(lam, stack, s3, roomy,
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
                Key=RenderKeys.of(render_of(s3, stack, "target")).plan)["Body"].read())
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
    assert late["errorType"] == "InvalidEvent" and "no such render" in late["errorMessage"]
    unknown = ChunkJob("nosuchrender", SUITE, Chunk(0, 0, 5),
                       f"s3://{stack.bucket}/renders/nosuchrender/chunks/chunk-00000.mp4")
    assert "no such render is running" in handler(unknown.to_event(), None)["errorMessage"]


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


def test_cancel_stops_a_running_render_and_leaves_nothing(lam, stack, s3, roomy):
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
    assert sorted(keys_of(s3, stack, "to-cancel")) == ["progress.json", "result.json"]
    with pytest.raises(parareel.RenderError, match="not rendering"):
        client.cancel_render("to-cancel")


def test_cancel_while_joining_stops_the_join_and_leaves_nothing(stack, s3, monkeypatch):
    import parareel.pipeline
    from parareel.aws import client

    join = parareel.pipeline.join_segments

    def cancelled_then_joined(*args, **kwargs):  # the cancel lands as the join starts
        client.cancel_render("cancel-join")
        return join(*args, **kwargs)

    monkeypatch.setattr(parareel.pipeline, "join_segments", cancelled_then_joined)
    body = handler({**SEED_EVENT, "jobId": "cancel-join", "numWorkers": 3}, None)
    assert body["status"] == "cancelled" and "while its video was joined" in body["errorMessage"]
    assert progress_of(s3, stack, "cancel-join")["phase"] == "cancelled"
    assert sorted(keys_of(s3, stack, "cancel-join")) == ["progress.json", "result.json"]


# -- exact end states ------------------------------------------------------------------------

def seed_chunk(stack, render_id: str, index: int = 0, **changes) -> ChunkJob:
    from parareel.plan import Chunk

    return ChunkJob(render_id, SUITE, Chunk(index, 0, 15),
                    f"s3://{stack.bucket}/renders/{render_id}/chunks/chunk-{index:05d}.mp4",
                    SEED_EVENT["variables"], **changes)


def test_a_chunk_finishing_after_its_render_ended_leaves_no_segment(stack, s3):
    from parareel.aws.handler import partial_render
    from parareel.aws.settings import Settings

    body = handler({**SEED_EVENT, "jobId": "ended-early", "numWorkers": 2}, None)
    assert body["status"] == "done", body
    # a chunk admitted while the render was open, ending after the join (a hung attempt,
    # a replayed event): it uploads, finds the render over and takes its segment back
    late = partial_render(seed_chunk(stack, body["renderId"]), Settings.from_env())
    assert late["errorType"] == "Cancelled", late
    assert sorted(keys_of(s3, stack, "ended-early")) == ["out.mp4", "progress.json",
                                                         "result.json"]


def test_a_cancel_before_the_plan_starts_no_chunk(stack, s3, monkeypatch):
    import parareel.pipeline
    from parareel.aws import client

    prepare = parareel.pipeline.prepare

    def cancelled_while_surveyed(*args, **kwargs):
        prepared = prepare(*args, **kwargs)
        client.cancel_render("early-cancel")  # lands before the plan is written
        return prepared

    monkeypatch.setattr(parareel.pipeline, "prepare", cancelled_while_surveyed)
    invocations = stack.lambda_server.stats.invocations
    body = handler({**SEED_EVENT, "jobId": "early-cancel", "numWorkers": 3}, None)
    assert body["status"] == "cancelled", body
    assert stack.lambda_server.stats.invocations == invocations  # no chunk was invoked
    assert sorted(keys_of(s3, stack, "early-cancel")) == ["progress.json", "result.json"]


def test_a_dead_or_cancelled_render_takes_no_chunk(stack, s3):
    from parareel.contract import Plan

    for name, plan_changes, cancel in (("dead", {"ends_at": time.time() - 1}, False),
                                       ("cancelled", {}, True)):
        job, keys = seed_chunk(stack, f"left-{name}"), RenderKeys.of(f"left-{name}")
        plan = Plan.of([job], **plan_changes)
        s3.put_object(Bucket=stack.bucket, Key=keys.plan, Body=json.dumps(plan.to_json()))
        if cancel:
            s3.put_object(Bucket=stack.bucket, Key=keys.cancel, Body=b"x")
        body = handler(job.to_event(), None)
        assert body["errorType"] == "InvalidEvent", body
        assert ("time is over" if name == "dead" else "was cancelled") in body["errorMessage"]
        listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix=keys.chunks)
        assert listed.get("KeyCount") == 0


def test_claims_live_apart_from_renders(stack, s3):
    from parareel.aws import jobs
    from parareel.storage.s3 import S3Storage

    jobs.claim(S3Storage(stack.bucket), "plan", "someone", 60)  # jobs/plan.json
    assert s3.get_object(Bucket=stack.bucket, Key="jobs/plan.json")
    body = handler(seed_chunk(stack, "jobs").to_event(), None)  # renders/jobs/ is no render
    assert body["errorType"] == "InvalidEvent" and "no such render" in body["errorMessage"]


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


@pytest.mark.slow
def test_a_webhook_follows_no_redirect_and_cannot_hold_the_main(monkeypatch):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from parareel.aws import webhooks

    posts: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            posts.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/moved":  # a 302 would turn the POST into a bodiless GET
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
            elif self.path == "/silent":
                time.sleep(5)
            elif self.path == "/drip":  # its status line a byte at a time
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.send_response(200)
                self.end_headers()

        def do_GET(self):  # noqa: N802
            posts.append(f"GET {self.path}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(webhooks, "ATTEMPT_SECONDS", 1.0)
    monkeypatch.setattr(webhooks, "BUDGET", 2.5)
    monkeypatch.setattr(webhooks, "FIRST_WAIT", 0.1)
    answer = {"status": "done", "jobId": "hook"}
    try:
        assert webhooks.deliver(f"{base}/ok", "s", answer)
        for path in ("/moved", "/silent", "/drip"):
            started = time.monotonic()
            assert not webhooks.deliver(f"{base}{path}", "s", answer), path
            assert time.monotonic() - started < 3.5, path  # the budget, not the receiver
        assert "/elsewhere" not in posts and "GET /elsewhere" not in posts
    finally:
        server.shutdown()
        server.server_close()


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
    with pytest.raises(ChunkFailed, match="Timeout.*ran out of time"):
        engine._render_here(job.to_event())
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix="renders/late/")
    assert listed.get("KeyCount", 0) == 0  # nothing uploaded


@pytest.mark.slow
def test_one_deadline_ends_a_render_stuck_anywhere_and_says_so_everywhere(stack, s3,
                                                                          monkeypatch):
    import parareel.pipeline
    from parareel.aws import jobs
    from parareel.storage.s3 import S3Storage

    receiver, port, received = receiver_module(), free_port(), []
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
        progress = progress_of(s3, stack, "stuck")
        assert progress["phase"] == "failed" and progress["failure"]["reason"] == "Timeout"
        assert jobs.owner(S3Storage(stack.bucket), "stuck").state == "failed"
        assert [e["event"] for e in received] == ["timeout"]
    finally:
        release.set()  # the abandoned render goes on, finds itself over, and says nothing
        server.shutdown()
        server.server_close()
    time.sleep(2)
    assert progress_of(s3, stack, "stuck")["phase"] == "failed"
    assert sorted(keys_of(s3, stack, "stuck")) == ["progress.json", "result.json"]


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
    assert progress_of(s3, stack, "here-hang")["phase"] == "failed"
    assert sorted(keys_of(s3, stack, "here-hang")) == ["progress.json", "result.json"]


def test_a_warning_raised_in_the_function_reaches_the_caller(stack, s3, roomy):
    body = handler({**SEED_EVENT, "jobId": "warned", "numWorkers": 5}, None)  # 45 frames
    assert body["status"] == "done", body
    said = [w for w in body["warnings"] if "5 workers for 45 frames make chunks of 9" in w]
    assert len(said) == 1 and said[0].endswith("--workers 3 gives chunks of 15 frames or more")
    assert said[0] in progress_of(s3, stack, "warned")["warnings"]


def test_progress_counts_frames_as_the_chunks_draw_them(stack, s3, roomy):
    seen: list[int] = []
    result = {}
    event = {**SEED_EVENT, "jobId": "counted", "numWorkers": 1, "scale": 8,  # one slow chunk
             "preset": "veryslow"}
    main = threading.Thread(target=lambda: result.update(handler(event, None)))
    main.start()
    while main.is_alive():
        with contextlib.suppress(Exception):  # before the render has a progress file
            seen.append(progress_of(s3, stack, "counted")["frames"]["done"])
        time.sleep(0.1)
    main.join()
    assert result["status"] == "done", result
    final = progress_of(s3, stack, "counted")["frames"]
    assert final["done"] == final["total"] == 45
    between = sorted({n for n in seen if 0 < n < 45})
    assert between, (seen, result["chunks"], result["timings"])  # counted while drawn
    assert seen == sorted(seen)  # never backwards
    assert not [k for k in keys_of(s3, stack, "counted") if "/chunks/" in k]  # cleaned up
