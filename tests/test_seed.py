"""The seed's project (examples/seed) through `parareel dev` with the seed's event unchanged:
a background clip, music and the message, rendered in 25 Lambda chunks."""

from __future__ import annotations

import json
import urllib.request

import av
import boto3
import numpy as np
import pytest
from botocore.config import Config

import parareel
from parareel.aws.dev import DevStack
from tests.conftest import EXAMPLES, psnr

SEED = str(EXAMPLES / "seed" / "project.py")
SEED_EVENT = {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
              "variables": {"message": "Hello from Revideo!"}}


@pytest.fixture(scope="module")
def seed_stack(tmp_path_factory):
    with DevStack(tmp_path_factory.mktemp("seed"), SEED, bucket="seed", concurrency=4,
                  timeout=600) as stack:
        yield stack


def test_the_seed_event_renders_the_seed_project(seed_stack, tmp_path):
    client = boto3.client("lambda", endpoint_url=seed_stack.lambda_server.endpoint,
                          region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x",
                          config=Config(read_timeout=900, retries={"max_attempts": 1}))
    response = client.invoke(FunctionName="parareel", Payload=json.dumps(SEED_EVENT))
    body = json.loads(response["Payload"].read())
    assert body["status"] == "done", body
    assert body["frames"] == 900 and body["duration"] == 30 and len(body["chunks"]) == 25
    video = tmp_path / "seed.mp4"
    with urllib.request.urlopen(body["url"]) as answer:
        video.write_bytes(answer.read())
    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1 and container.streams.video[0].frames == 900
        shown = {}
        for i, frame in enumerate(container.decode(video=0)):
            if i in (15, 450, 899):
                shown[i] = frame.to_ndarray(format="rgb24")
    for i, pixels in shown.items():  # the clip and the message, as a local still shows them
        local = next(parareel.frames(SEED, i, i + 1, SEED_EVENT["variables"]))
        assert psnr(pixels, local[..., :3]) > 30, i
    centre = shown[450][500:580, 600:1320]
    assert (centre.min(axis=2) > 235).mean() > 0.05  # white text over the clip
    assert not np.array_equal(shown[15], shown[450])  # the clip plays
