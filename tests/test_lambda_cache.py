"""Lambda renders with the block cache: blocks kept in the bucket's cache/blocks/ and
reused by later renders of the deployment, which invoke nothing for them."""

from __future__ import annotations

import hashlib
import json

import pytest

from parareel.aws.handler import handler
from parareel.storage.keys import CACHE
from tests.conftest import SUITE, decode
from tests.lambda_tools import SEED_EVENT, download

EVENT = {**SEED_EVENT, "numWorkers": 4, "cache": True}  # with HOLD: 5.5 s, 3 blocks
HOLD = 4.0


def cached_blocks(s3, stack) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix=CACHE).get("Contents", [])
    return {o["Key"][len(CACHE):]: s3.get_object(Bucket=stack.bucket, Key=o["Key"])["Body"].read()
            for o in listed}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_second_render_takes_every_block_from_the_bucket(stack, s3, tmp_path):
    variables = {"message": "kept in the bucket", "hold": HOLD}
    first = handler({**EVENT, "jobId": "cache-1", "variables": variables})
    assert first["status"] == "done", first
    assert len(first["chunks"]) == 3
    invoked = stack.lambda_server.stats.invocations
    second = handler({**EVENT, "jobId": "cache-2", "variables": variables})
    assert second["status"] == "done", second
    assert stack.lambda_server.stats.invocations == invoked  # no chunk invoked at all
    a, b = download(first["url"], tmp_path / "a.mp4"), download(second["url"], tmp_path / "b.mp4")
    assert digest(a) == digest(b)


def test_a_damaged_block_in_the_bucket_is_drawn_again(stack, s3, tmp_path):
    variables = {"message": "damaged later", "hold": HOLD}
    others = set(cached_blocks(s3, stack))  # kept by renders before this test
    first = handler({**EVENT, "jobId": "damaged-1", "variables": variables})
    assert first["status"] == "done", first
    again = handler({**EVENT, "jobId": "damaged-0", "variables": variables})
    assert again["status"] == "done"
    # the message's blocks are this render's own: flip a byte in one of them
    mine = sorted(k for k in set(cached_blocks(s3, stack)) - others if k.endswith(".mp4"))
    key = CACHE + mine[0]
    data = bytearray(s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read())
    data[len(data) // 2] ^= 0x10
    s3.put_object(Bucket=stack.bucket, Key=key, Body=bytes(data))
    invoked = stack.lambda_server.stats.invocations
    third = handler({**EVENT, "jobId": "damaged-2", "variables": variables})
    assert third["status"] == "done", third
    assert stack.lambda_server.stats.invocations > invoked  # something was drawn again
    a, c = download(first["url"], tmp_path / "a.mp4"), download(third["url"], tmp_path / "c.mp4")
    assert digest(a) == digest(c)
    assert s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read() != bytes(data)  # mended


def test_the_blocks_do_not_depend_on_the_workers_asked_for(stack, s3, tmp_path):
    variables = {"message": "any number of workers", "hold": HOLD}
    first = handler({**EVENT, "jobId": "workers-1", "numWorkers": 2, "variables": variables})
    invoked = stack.lambda_server.stats.invocations
    second = handler({**EVENT, "jobId": "workers-2", "numWorkers": 7, "variables": variables})
    assert first["status"] == second["status"] == "done"
    assert stack.lambda_server.stats.invocations == invoked
    assert len(decode(download(second["url"], tmp_path / "b.mp4"))[1]) == second["frames"]


def test_a_chunk_whose_block_the_bucket_has_copies_it_and_draws_nothing(stack, s3,
                                                                         monkeypatch):
    from parareel.contract import ChunkJob
    from parareel.draw import frames
    from parareel.plan import Chunk
    from parareel.worker import render_chunk

    variables = {"message": "kept meanwhile", "hold": HOLD}
    first = handler({**EVENT, "jobId": "meanwhile-1", "variables": variables})
    assert first["status"] == "done", first
    kept = sorted(k for k in cached_blocks(s3, stack) if k.endswith(".json"))
    key = next(k[:-5] for k in kept
               if json.loads(s3.get_object(Bucket=stack.bucket, Key=CACHE + k)["Body"].read())
               ["frames"] == 60)
    monkeypatch.setattr(frames.Playhead, "frames", lambda *a: pytest.fail("drew a frame"))
    segment = f"s3://{stack.bucket}/renders/meanwhile/chunks/chunk-00000.mp4"
    job = ChunkJob("meanwhile", SUITE, Chunk(0, 0, 60), segment, variables, key=key)
    result = render_chunk(job)
    copied = s3.get_object(Bucket=stack.bucket, Key="renders/meanwhile/chunks/chunk-00000.mp4")
    data = copied["Body"].read()
    assert result.bytes == len(data) and result.sha256 == hashlib.sha256(data).hexdigest()
    assert data == s3.get_object(Bucket=stack.bucket, Key=f"{CACHE}{key}.mp4")["Body"].read()


def test_a_forged_chunk_cannot_name_another_block(stack):
    from parareel.contract import ChunkJob, Plan
    from parareel.plan import Chunk

    job = ChunkJob("r", SUITE, Chunk(0, 0, 60), "s3://b/k", {}, key="a" * 32)
    plan = Plan.of([job])
    assert plan.admits(job, 0) is None
    forged = ChunkJob("r", SUITE, Chunk(0, 0, 60), "s3://b/k", {}, key="b" * 32)
    assert "block key is not the render's" in plan.admits(forged, 0)
    assert Plan.from_json(plan.to_json()) == plan


def test_a_batch_on_lambda_draws_what_its_videos_share_once(stack, tmp_path):
    from parareel.aws.client import render_batch_on_lambda

    lines = [{"message": "batch", "hold": HOLD, "badge": name} for name in ("ann", "ben", "cy")]
    told = []
    bodies = render_batch_on_lambda("parareel", lines, job_id="batch",
                                    download=str(tmp_path / "{badge}.mp4"),
                                    on_video=lambda line, body: told.append(line))
    assert [b["jobId"] for b in bodies] == ["batch-1", "batch-2", "batch-3"]
    assert told[0] == 1 and sorted(told) == [1, 2, 3]
    drawn = [sum(c["seconds"] > 0 for c in b["chunks"]) for b in bodies]
    assert drawn[0] == 3 and drawn[1:] == [1, 1]  # only the badge's block again
    for name, body in zip(("ann", "ben", "cy"), bodies, strict=True):
        assert len(decode(tmp_path / f"{name}.mp4")[1]) == body["frames"]
