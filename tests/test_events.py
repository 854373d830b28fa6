"""Strict events: a misspelt field, a string where a boolean goes or a boolean where a
number goes is refused with a message that says what to write, never guessed at."""

from __future__ import annotations

import pytest

from parareel.contract import ChunkJob, EventError, FullRender, parse_event
from parareel.media.formats import Encoding
from parareel.plan import Chunk


def full(**fields):
    return {"jobType": "fullRender", "jobId": "strict", **fields}


@pytest.mark.parametrize("value", ["false", "no", 1, 0, [], {}, None.__class__.__name__])
def test_lossless_takes_only_true_or_false(value):
    with pytest.raises(EventError, match=r"lossless must be true or false \(got "):
        parse_event(full(lossless=value))


def test_a_boolean_is_not_a_number():
    for value in (True, "2"):
        with pytest.raises(EventError, match="scale must be from 0.05 to 8"):
            parse_event(full(scale=value))


@pytest.mark.parametrize(("wrong", "right"), [("numworkers", "numWorkers"),
                                              ("chunk_frames", "chunkFrames"),
                                              ("Codec", "codec"),
                                              ("pixel_format", "pixelFormat")])
def test_a_misspelt_field_is_refused_with_the_right_spelling(wrong, right):
    with pytest.raises(EventError) as caught:
        parse_event(full(**{wrong: 2}))
    assert str(caught.value) == (f"fullRender has no field {wrong!r}; did you mean "
                                 f"{right!r}?")


def test_partial_renders_and_their_parts_are_strict_too():
    job = ChunkJob("strict", "project.py", Chunk(0, 0, 10), "s3://b/k", {},
                   Encoding(), 0).to_event()
    assert parse_event(job) == ChunkJob.from_event(job)  # as the client writes it
    with pytest.raises(EventError, match="partialRender has no field 'segement'; did you "
                                         "mean 'segment'"):
        parse_event({**job, "segement": job["segment"]})
    with pytest.raises(EventError, match="chunk has no field 'stop'; it has: index, start, "
                                         "end"):
        parse_event({**job, "chunk": {**job["chunk"], "stop": 3}})
    with pytest.raises(EventError, match="webhook has no field 'secrte'"):
        parse_event(full(webhook={"url": "https://example.org/hook", "secret": "s",
                                  "secrte": "s"}))


def test_what_the_client_writes_is_accepted():
    for render in (FullRender("strict", 3, {"a": 1}, chunk_frames=30,
                              encoding=Encoding(crf=20, lossless=False, scale=0.5)),
                   FullRender("strict", 1, {}, encoding=Encoding(lossless=True), replace=True,
                              presign=False)):
        assert parse_event(render.to_event()) == render


def test_the_cache_flag_is_a_boolean_and_excludes_chunk_frames():
    cached = FullRender("strict", 3, {}, cache=True)
    assert parse_event(cached.to_event()) == cached
    with pytest.raises(EventError, match="presign, replace and cache must be true or false"):
        parse_event(full(cache="yes"))
    with pytest.raises(EventError, match="give cache or chunkFrames, not both"):
        parse_event(full(cache=True, chunkFrames=30))


def test_a_chunks_block_key_is_32_hexadecimal_digits():
    job = ChunkJob("strict", "project.py", Chunk(0, 0, 10), "s3://b/k", {}, key="0f" * 16)
    assert parse_event(job.to_event()) == job
    for wrong in ("0F" * 16, "0f" * 15, "../../x", 7):
        with pytest.raises(EventError, match="key must be a block's key: 32 hexadecimal"):
            parse_event({**job.to_event(), "key": wrong})


def test_test_faults_are_refused_by_a_function_not_deployed_for_tests(monkeypatch, tmp_path):
    from parareel.aws.handler import handler
    from tests.conftest import SUITE

    monkeypatch.setenv("PARAREEL_PROJECT", SUITE)
    monkeypatch.setenv("PARAREEL_BUCKET", "any-bucket")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "parareel")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # nothing leaves
    monkeypatch.delenv("PARAREEL_TEST_FAULTS", raising=False)
    chunk = ChunkJob("r1", SUITE, Chunk(0, 0, 10), "s3://any-bucket/x", fault="crash")
    for event in ({"jobType": "fullRender", "jobId": "j", "testFaults": {"0": "crash"}},
                  chunk.to_event()):
        body = handler(event)
        assert body["errorType"] == "InvalidEvent", body
        assert "only a function with PARAREEL_TEST_FAULTS=1" in body["errorMessage"], body
