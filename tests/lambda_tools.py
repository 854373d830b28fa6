"""Talking to the dev stack's Lambda function as a client would, for the serverless tests."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from parareel.storage.keys import RenderKeys, job_key

SEED_EVENT = {"jobId": "12345", "numWorkers": 25, "jobType": "fullRender",
              "variables": {"message": "Hello from Revideo!"}}


def invoke(lam, event):
    response = lam.invoke(FunctionName="parareel", Payload=json.dumps(event))
    assert "FunctionError" not in response
    return json.loads(response["Payload"].read())


def render_of(s3, stack, job: str) -> str:
    """The render that owns a jobId."""
    key = job_key(job)
    return json.loads(s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read())["renderId"]


def progress_of(s3, stack, job: str) -> dict:
    key = RenderKeys.of(render_of(s3, stack, job)).progress
    return json.loads(s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read())


def keys_of(s3, stack, job: str) -> list[str]:
    """The keys of the job's render, relative to its prefix."""
    prefix = RenderKeys.of(render_of(s3, stack, job)).prefix
    return [o["Key"][len(prefix):] for o in
            s3.list_objects_v2(Bucket=stack.bucket, Prefix=prefix).get("Contents", [])]


def download(url: str, path: Path) -> Path:
    with urllib.request.urlopen(url) as response:
        path.write_bytes(response.read())
    return path


def invoke_when_free(lam, event) -> dict:
    """A client that retries a throttled invocation, as AWS's SDKs do."""
    while True:
        try:
            return invoke(lam, event)
        except lam.exceptions.TooManyRequestsException:
            time.sleep(0.2)


class Deadline:
    """A Lambda context whose invocation ends `seconds` from now."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.end - time.monotonic()) * 1000)


def receiver_module():
    """examples/webhook_receiver.py, imported."""
    import importlib.util

    from tests.conftest import EXAMPLES

    spec = importlib.util.spec_from_file_location("receiver", EXAMPLES / "webhook_receiver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A port free on 127.0.0.1 now (for a server a test starts late)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
