"""Serverless rendering end to end: the seed's event through boto3, the dev stack's real
S3 server (SeaweedFS) and Lambda endpoint, and the real handler in worker processes."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import numpy as np
import pytest
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
from tests.lambda_tools import SEED_EVENT, download, invoke, keys_of, progress_of


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


@pytest.mark.slow
def test_crashed_worker_is_retried_with_the_same_output(lam, seed_render, tmp_path, s3, stack,
                                                       roomy):
    errors = stack.lambda_server.stats.errors
    body = invoke(lam, {**SEED_EVENT, "jobId": "crash-once", "testFaults": {"3": "crashOnce"}})
    assert body["status"] == "done", body
    assert stack.lambda_server.stats.errors > errors  # the crash happened and was reported
    progress = progress_of(s3, stack, "crash-once")
    assert progress["retries"] >= 1
    _, again, _ = decode(download(body["url"], tmp_path / "again.mp4"))
    _, first, _ = decode(seed_render[1])
    assert all(np.array_equal(a, b) for a, b in zip(again, first, strict=True))


def test_always_failing_worker_fails_the_job_cleanly(lam, s3, stack, roomy):
    body = invoke(lam, {**SEED_EVENT, "jobId": "doomed", "numWorkers": 4,
                        "testFaults": {"2": "crash"}})
    assert body["status"] == "error" and body["errorType"] == "Runtime.ExitError"
    assert "chunk 2 failed" in body["errorMessage"] and "after 4 attempts:" in body["errorMessage"]
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


def test_the_encoding_travels_with_the_event(lam, tmp_path):
    body = invoke(lam, {**SEED_EVENT, "jobId": "hevc", "numWorkers": 3, "codec": "h265",
                        "quality": "draft", "scale": 0.5})
    assert body["status"] == "done", body
    video = download(body["url"], tmp_path / "hevc.mp4")
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_tag) == ("hevc", "hvc1")
        assert (stream.width, stream.height) == (160, 90)
        assert stream.frames == body["frames"]


def test_low_concurrency_still_completes(lam, stack):
    function = stack.lambda_server.functions["parareel"]
    throttles, function.concurrency = stack.lambda_server.stats.throttles, 2
    try:
        body = invoke(lam, {**SEED_EVENT, "jobId": "throttled", "numWorkers": 4})
    finally:
        function.concurrency = 6
    assert body["status"] == "done", body
    assert stack.lambda_server.stats.throttles > throttles


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
    kept = render_on_lambda("parareel", variables={"message": "again"}, job_id="client-kept",
                            cache=True)
    reused = render_on_lambda("parareel", variables={"message": "again"}, job_id="client-re",
                              cache=True)
    assert kept["status"] == reused["status"] == "done"
    assert all(c["seconds"] == 0 for c in reused["chunks"])  # every block taken, none drawn


HANDWRITTEN = [
    None, [], "fullRender", {"jobType": "fullRender", "jobId": "../etc", "numWorkers": 2},
    {"jobType": "fullRender", "jobId": "a/b", "numWorkers": 2},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 0},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 10**6},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": "25"},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "variables": [1, 2]},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "variables": {"m": "x" * 300000}},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "preset": "instant"},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "crf": 99},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "codec": "vp9"},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "crf": "20"},
    {"jobType": "fullRender", "jobId": "ok", "numWorkers": 2, "lossless": True, "codec": "av1"},
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
    assert body["status"] == "error" and body["errorType"] == "DiskFull"
    progress = progress_of(s3, stack, "disk-full")
    assert progress["phase"] == "failed"
    assert progress["errors"][0].startswith("no room left on the disk of /")
    assert progress["failure"]["reason"] == "DiskFull" and progress["failure"]["chunk"] is None
    assert sorted(keys_of(s3, stack, "disk-full")) == ["progress.json", "result.json"]


def test_the_main_joins_with_room_for_two_segments_not_all(stack, monkeypatch):
    import parareel.pipeline
    from parareel.media.join import join_segments

    held: list[int] = []

    def counting(segments, *args, **kwargs):
        def watched():
            for path in segments:
                held.append(len(list(path.parent.glob("segment-*"))))  # as they are named
                yield path
        return join_segments(watched(), *args, **kwargs)

    monkeypatch.setattr(parareel.pipeline, "join_segments", counting)
    body = handler({**SEED_EVENT, "jobId": "streamed", "numWorkers": 6}, None)
    assert body["status"] == "done", body
    assert len(held) == 6 and max(held) <= 2  # the one joined and the one coming
    assert min(held) >= 1  # the count sees the segments at all


def test_a_download_cut_short_leaves_neither_the_video_nor_a_partial_file(http, tmp_path):
    from parareel.aws.client import _download
    from parareel.errors import ParareelError
    from tests.media_server import MEDIA

    whole = MEDIA["bg.mp4"].read_bytes()

    def short(request) -> None:  # promises every byte, sends a fifth, hangs up
        request.send_response(200)
        request.send_header("Content-Length", str(len(whole)))
        request.end_headers()
        request.wfile.write(whole[:len(whole) // 5])
        request.close_connection = True

    http.special["/cut.mp4"] = short
    keep = tmp_path / "out.mp4"
    keep.write_bytes(b"the video downloaded before")
    with pytest.raises(ParareelError, match=r"the download of .*/cut.mp4 was cut short "
                       r"\([\d,]+ of [\d,]+ bytes\); the video is still in the bucket"):
        _download(f"{http.url}/cut.mp4", keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]
    assert keep.read_bytes() == b"the video downloaded before"
    with pytest.raises(ParareelError, match=r"cannot save .*/bg.mp4 as '.*/no/such/"
                       r"folder/out.mp4': No such file or directory; the video is still"):
        _download(f"{http.url}/bg.mp4", tmp_path / "no" / "such" / "folder" / "out.mp4")
    _download(f"{http.url}/bg.mp4", keep)
    assert keep.read_bytes() == whole


def test_a_download_into_a_link_is_refused_before_the_render_starts(stack, tmp_path):
    from parareel.aws.client import render_on_lambda
    from parareel.errors import ParareelError

    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    (tmp_path / "link.mp4").symlink_to(keep)
    invocations = stack.lambda_server.stats.invocations
    with pytest.raises(ParareelError, match="it is a symbolic link"):
        render_on_lambda("parareel", workers=1, download=tmp_path / "link.mp4")
    assert stack.lambda_server.stats.invocations == invocations and \
        keep.read_text() == "precious"
