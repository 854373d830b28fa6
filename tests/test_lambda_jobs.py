"""Lambda renders on the dev stack: a jobId owned by one render, chunks taken only for
their own render, asynchronous starts, cancel, and the exact state every end leaves."""

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
    download,
    invoke,
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


def test_a_warning_raised_in_the_function_reaches_the_caller(stack, s3, roomy):
    body = handler({**SEED_EVENT, "jobId": "warned", "numWorkers": 5}, None)  # 45 frames
    assert body["status"] == "done", body
    said = [w for w in body["warnings"] if "5 workers for 45 frames make chunks of 9" in w]
    assert len(said) == 1 and said[0].endswith("--workers 3 gives chunks of 15 frames or more")
    assert said[0] in progress_of(s3, stack, "warned")["warnings"]


def test_progress_counts_frames_as_the_chunks_draw_them(stack, s3, roomy):
    seen: list[int] = []
    result = {}
    event = {**SEED_EVENT, "jobId": "counted", "numWorkers": 1,  # one chunk of 4.5 s or more
             "variables": {"case": "slow"}}
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
