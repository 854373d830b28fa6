"""The seed's project (examples/seed) through `parareel dev` with the seed's event unchanged:
a background clip, music and the message, rendered in 25 Lambda chunks; and again with its
media from the S3 server and from an HTTP server."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import av
import boto3
import numpy as np
import pytest
from botocore.config import Config

import parareel
from parareel.aws.dev import DevStack
from parareel.aws.dev.seaweed import ACCESS_KEY, SECRET_KEY
from parareel.scene.audio import decode as decode_audio
from tests.conftest import EXAMPLES, psnr

pytestmark = pytest.mark.slow  # the seed's 25-chunk event, twice

S3_SETTINGS = {"region_name": "us-east-1", "aws_access_key_id": ACCESS_KEY,
               "aws_secret_access_key": SECRET_KEY}

SEED = str(EXAMPLES / "seed" / "project.py")
SEED_EVENT = {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
              "variables": {"message": "Hello from Revideo!"}}


@pytest.fixture(scope="module")
def seed_stack(tmp_path_factory, http):
    # the function may fetch from the tests' media server (as --asset-host allows)
    allowed = {"PARAREEL_ASSET_HOSTS": http.url.removeprefix("http://")}
    with DevStack(tmp_path_factory.mktemp("seed"), SEED, bucket="seed", concurrency=4,
                  timeout=600, extra_env=allowed) as stack:
        yield stack


def run_event(stack, event: dict, video: Path) -> dict:
    client = boto3.client("lambda", endpoint_url=stack.lambda_server.endpoint,
                          region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x",
                          config=Config(read_timeout=900, retries={"max_attempts": 1}))
    response = client.invoke(FunctionName="parareel", Payload=json.dumps(event))
    body = json.loads(response["Payload"].read())
    assert body["status"] == "done", body
    assert body["frames"] == 900 and body["duration"] == 30 and len(body["chunks"]) == 25
    with urllib.request.urlopen(body["url"]) as answer:
        video.write_bytes(answer.read())
    return body


def check_seed_video(video: Path, variables: dict) -> None:
    """900 frames with sound, showing what a local still shows: the clip and the message."""
    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1 and container.streams.video[0].frames == 900
        shown = {}
        for i, frame in enumerate(container.decode(video=0)):
            if i in (15, 450, 899):
                shown[i] = frame.to_ndarray(format="rgb24")
    for i, pixels in shown.items():
        local = next(parareel.frames(SEED, i, i + 1, variables))
        assert psnr(pixels, local[..., :3]) > 30, i
    centre = shown[450][500:580, 600:1320]
    assert (centre.min(axis=2) > 235).mean() > 0.05  # white text over the clip
    assert not np.array_equal(shown[15], shown[450])  # the clip plays
    music = decode_audio(str(video))
    assert np.abs(music[48_000:96_000]).max() > 0.05  # the music plays


def test_the_seed_event_renders_the_seed_project(seed_stack, tmp_path):
    run_event(seed_stack, SEED_EVENT, tmp_path / "seed.mp4")
    check_seed_video(tmp_path / "seed.mp4", SEED_EVENT["variables"])


def test_the_seed_renders_with_its_media_from_s3_and_http(seed_stack, http, tmp_path):
    s3 = boto3.client("s3", endpoint_url=seed_stack.s3.endpoint, **S3_SETTINGS)
    s3.upload_file(str(EXAMPLES / "seed" / "media" / "background.mp4"), "seed", "in/bg.mp4")
    variables = {**SEED_EVENT["variables"], "video": "s3://seed/in/bg.mp4",
                 "music": f"{http.url}/music.m4a"}
    run_event(seed_stack, {**SEED_EVENT, "jobId": "from-urls", "variables": variables},
              tmp_path / "seed.mp4")
    check_seed_video(tmp_path / "seed.mp4", SEED_EVENT["variables"])  # as from local files
    # fetched once, by the survey: every chunk uses the copy it pinned
    assert http.sent["/music.m4a", 200] == 1
