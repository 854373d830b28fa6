"""Lambda renders with the block cache: blocks kept in the bucket's cache/blocks/ and
reused by later renders of the deployment, which invoke nothing for them."""

from __future__ import annotations

import hashlib

from parareel.aws.handler import handler
from parareel.storage.keys import CACHE
from tests.conftest import decode
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
    first = handler({**EVENT, "jobId": "damaged-1", "variables": variables})
    assert first["status"] == "done", first
    before = set(cached_blocks(s3, stack))
    again = handler({**EVENT, "jobId": "damaged-0", "variables": variables})
    assert again["status"] == "done"
    # the message's blocks are this render's own: flip a byte in one of them
    mine = sorted(k for k in before if k.endswith(".mp4"))
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
