"""The Lambda image, proven: its entry point runs in the image's root file system against
a minimal Lambda Runtime API served here, and renders a real chunk into a real S3 server.

`make image-check` (deploy/image-check.sh) builds the image with podman from a Debian
root made by debootstrap, unpacks it and runs this test with PARAREEL_IMAGE_ROOT set;
without that variable there is no image to check and the test is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import parareel
from parareel.aws.dev.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedS3
from parareel.contract import ChunkJob, Plan
from parareel.plan import Chunk
from tests.conftest import EXAMPLES, decode, psnr

ROOT = os.environ.get("PARAREEL_IMAGE_ROOT")
pytestmark = pytest.mark.skipif(not ROOT, reason="no image to check: run `make image-check`")

SEED = "examples/seed/project.py"  # the project the image was built with
VARIABLES = {"message": "image"}
EVENT = ChunkJob("image-check", SEED, Chunk(0, 40, 55),
                 "s3://image-check/renders/image-check/chunks/chunk-00000.mp4",
                 VARIABLES).to_event()


class RuntimeApi:
    """The Lambda Runtime API's invocation endpoints, serving one event."""

    def __init__(self, event: dict) -> None:
        self.event, self.answers, self.served = event, [], threading.Event()
        self.done = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if not self.path.endswith("/runtime/invocation/next") or api.served.is_set():
                    api.done.wait(120)  # no more events: hold the long poll
                    return self._send(500, b"{}")
                api.served.set()
                body = json.dumps(api.event).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", "request-1")
                deadline = int(time.time() * 1000) + 600_000
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:000000000000:function:parareel")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-0000000000000001")
                # awslambdaric's native client needs it: without it the runtime crashes
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                api.answers.append((self.path, json.loads(body or b"null")))
                self._send(202, b'{"status": "OK"}')
                api.done.set()

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.done.set()
        self.server.shutdown()


def image_config() -> dict:
    return json.loads((Path(ROOT).parent / "image.json").read_text())[0]["Config"]


def in_image(command: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    """Run `command` chrooted into the image's root, with the image's working dir."""
    workdir = image_config().get("WorkingDir") or "/"
    return subprocess.Popen(command, env=env, cwd="/",
                            preexec_fn=lambda: (os.chroot(ROOT), os.chdir(workdir)), **kwargs)


@pytest.fixture(scope="module")
def mounts():
    for name, args in (("proc", ["-t", "proc", "proc"]), ("dev", ["--bind", "/dev"])):
        subprocess.run(["mount", *args, str(Path(ROOT) / name)], check=True)
    yield
    for name in ("proc", "dev"):
        subprocess.run(["umount", "-l", str(Path(ROOT) / name)], check=False)


def test_entry_point_renders_a_chunk_into_s3(mounts, tmp_path):
    s3 = SeaweedS3(tmp_path / "s3").start()
    api = RuntimeApi(EVENT)
    try:
        import boto3

        client = boto3.client("s3", endpoint_url=s3.endpoint, region_name="us-east-1",
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        client.create_bucket(Bucket="image-check")
        # the chunk belongs to an open render, as when the main invocation sent it
        plan = Plan.of([ChunkJob.from_event(EVENT)])
        client.put_object(Bucket="image-check", Key="renders/image-check/plan.json",
                          Body=json.dumps(plan.to_json()).encode())
        config = image_config()
        env = dict(item.split("=", 1) for item in config["Env"])
        env.update(AWS_LAMBDA_RUNTIME_API=api.address, AWS_LAMBDA_FUNCTION_NAME="parareel",
                   AWS_LAMBDA_FUNCTION_MEMORY_SIZE="2048", AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL_S3=s3.endpoint, AWS_ACCESS_KEY_ID=ACCESS_KEY,
                   AWS_SECRET_ACCESS_KEY=SECRET_KEY, PARAREEL_BUCKET="image-check",
                   PARAREEL_PROJECT=SEED)
        process = in_image([*config["Entrypoint"], *config["Cmd"]], env)
        try:
            assert api.done.wait(300), "the runtime never answered"
        finally:
            process.kill()
            process.wait()
        (path, answer), = api.answers
        assert path == "/2018-06-01/runtime/invocation/request-1/response", answer
        assert answer["status"] == "done" and answer["frames"] == 15
        assert answer["segment"] == EVENT["segment"]
        client.download_file("image-check", "renders/image-check/chunks/chunk-00000.mp4",
                             str(tmp_path / "segment.mp4"))
        pts, frames, stream = decode(tmp_path / "segment.mp4")
        assert len(frames) == 15 and (stream.width, stream.height) == (1920, 1080)
        here = parareel.frames(str(EXAMPLES / "seed" / "project.py"), 40, 55, VARIABLES)
        for shown, local in zip(frames, here, strict=True):  # the clip and the message
            assert psnr(shown, local[..., :3]) > 30
    finally:
        api.close()
        s3.stop()


def test_cold_import_inside_the_image(mounts):
    env = dict(item.split("=", 1) for item in image_config()["Env"])
    code = ("import sys, time; t = time.perf_counter(); import parareel.aws.handler, "
            "parareel.worker; print(time.perf_counter() - t); "
            "print(' '.join(m for m in ('skia', 'av', 'boto3') if m in sys.modules))")
    process = in_image(["python", "-c", code], env, stdout=subprocess.PIPE, text=True)
    seconds, loaded = process.communicate(timeout=120)[0].splitlines()
    print(f"cold import of the handler and render path inside the image: {float(seconds):.3f}s")
    assert process.returncode == 0
    assert loaded.split() == ["skia", "av"]  # the render path was timed; boto3 comes later
