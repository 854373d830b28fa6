"""Storage against a real S3 server (SeaweedFS) and a local folder."""

from __future__ import annotations

import http.client
import os
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from parareel.aws.dev.seaweed import ACCESS_KEY, SECRET_KEY, SeaweedS3
from parareel.errors import ParareelError
from parareel.storage import StorageError, open_storage
from parareel.storage.local import LocalStorage
from parareel.storage.s3 import S3Storage


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = SeaweedS3(tmp_path_factory.mktemp("s3")).start()
    import boto3

    client = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                          aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    client.create_bucket(Bucket="storage-tests")
    yield server, client
    server.stop()


def test_s3_round_trip_multipart_and_presigned_link(s3, tmp_path):
    server, client = s3
    storage = S3Storage("storage-tests", "renders/a", client=client)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(40 * 1024 * 1024 + 123))  # over the multipart threshold
    storage.put_file(big, "big.bin")
    head = client.head_object(Bucket="storage-tests", Key="renders/a/big.bin")
    assert "-" in head["ETag"]  # a multipart upload's ETag names its parts
    storage.get_file("big.bin", tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()

    storage.put_bytes("progress.json", b'{"ok": true}')
    assert storage.get_bytes("progress.json") == b'{"ok": true}'
    assert storage.get_bytes("missing.json") is None
    with urllib.request.urlopen(storage.link("progress.json", expires=60)) as response:
        assert response.read() == b'{"ok": true}'
    with pytest.raises(urllib.error.HTTPError) as denied:  # the bucket itself stays private
        urllib.request.urlopen(f"{server.endpoint}/storage-tests/renders/a/progress.json")
    assert denied.value.code == 403

    storage.delete_prefix("")
    assert client.list_objects_v2(Bucket="storage-tests", Prefix="renders/a/").get("KeyCount") == 0


def test_unknown_bucket_says_what_to_do(s3, tmp_path):
    _, client = s3
    storage = S3Storage("no-such-bucket", client=client)
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist: create it"):
        storage.put_bytes("x", b"1")
    with pytest.raises(StorageError, match="does not exist"):
        S3Storage("storage-tests", client=client).get_file("nope.mp4", tmp_path / "x")


class FlakyProxy:
    """Forwards to the S3 server, but answers 503 to the first `failures` requests."""

    def __init__(self, target_port: int, failures: int) -> None:
        self.failures, self.failed, self.forwarded = failures, 0, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.failed < proxy.failures:
                    proxy.failed += 1
                    error = b"<Error><Code>SlowDown</Code><Message>busy</Message></Error>"
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(error)))
                    self.end_headers()
                    self.wfile.write(error)
                    return
                proxy.forwarded += 1
                upstream = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                upstream.request(self.command, self.path, body=body, headers=dict(self.headers))
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_s3_errors_are_retried(s3, tmp_path, monkeypatch):
    server, _ = s3
    proxy = FlakyProxy(server.port, failures=3)
    try:
        for name, value in {"AWS_ENDPOINT_URL_S3": proxy.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                            "AWS_SECRET_ACCESS_KEY": SECRET_KEY}.items():
            monkeypatch.setenv(name, value)
        storage = S3Storage("storage-tests", "retry")  # boto3's own settings find the proxy
        (tmp_path / "seg.mp4").write_bytes(b"segment" * 1000)
        storage.put_file(tmp_path / "seg.mp4", "seg.mp4")
        assert storage.get_bytes("seg.mp4") == b"segment" * 1000
        assert proxy.failed == 3 and proxy.forwarded >= 2
    finally:
        proxy.close()


def test_local_storage_and_urls(tmp_path):
    storage = open_storage(f"file://{tmp_path}/store")
    assert isinstance(storage, LocalStorage)
    (tmp_path / "a.txt").write_text("hi")
    storage.put_file(tmp_path / "a.txt", "x/a.txt")
    assert storage.get_bytes("x/a.txt") == b"hi" and storage.get_bytes("x/b.txt") is None
    assert storage.link("x/a.txt").startswith("file://")
    with pytest.raises(ValueError, match="outside the storage folder"):
        storage.put_bytes("../escape", b"no")
    storage.delete_prefix("x")
    assert storage.get_bytes("x/a.txt") is None
    assert isinstance(open_storage("s3://bucket/some/prefix"), S3Storage)
    with pytest.raises(StorageError, match="unsupported storage"):
        open_storage("ftp://host/x")


def test_a_second_server_on_a_folder_in_use_says_so(s3, monkeypatch):
    from parareel.aws.dev import seaweed

    server, _ = s3
    monkeypatch.setattr(seaweed, "FOLDER_WAIT", 1.0)
    log = (server.folder / "weed.log").stat().st_size
    with pytest.raises(ParareelError, match=rf"SeaweedFS cannot use {server.folder}: another "
                       r"SeaweedFS \(another parareel dev\?\) has it open; stop that one or "
                       r"choose another --folder") as caught:
        SeaweedS3(server.folder).start(timeout=30)
    assert "\n" not in str(caught.value)
    assert server.process.poll() is None  # the first one serves on, its log whole
    assert (server.folder / "weed.log").stat().st_size >= log


def test_workspaces_of_dead_processes_go_when_the_next_is_made(tmp_path):
    """What a Lambda invocation cut off at its timeout leaves in /tmp: the next one
    there removes it; a live process's workspace and other folders stay."""
    import signal
    import subprocess
    import sys

    from parareel.storage.scratch import Workspace

    def holder() -> tuple[subprocess.Popen, Path]:
        child = subprocess.Popen([sys.executable, "-c", (
            "import sys, time; from parareel.storage.scratch import Workspace; "
            f"w = Workspace('parareel-chunk-', {str(tmp_path)!r}); "
            "(w.path / '.segment.partial').write_bytes(b'x' * 1000); "
            "print(w.path, flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
        return child, Path(child.stdout.readline().strip())

    (dead, dead_path), (alive, alive_path) = holder(), holder()
    (tmp_path / "parareel-not-a-workspace").mkdir()
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait()
        assert (dead_path / ".segment.partial").exists()  # nothing cleaned up after it
        with Workspace("parareel-chunk-", tmp_path) as mine:
            assert mine.is_dir() and alive_path.is_dir() and not dead_path.exists()
        assert not mine.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [alive_path.name, "parareel-not-a-workspace"])
    finally:
        alive.kill()
        alive.wait()


def test_a_workspace_on_a_file_system_without_locks_works_and_is_never_swept(tmp_path,
                                                                               monkeypatch):
    import errno

    from parareel.storage import scratch

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(scratch.fcntl, "flock", no_locks)
    with scratch.Workspace("parareel-chunk-", tmp_path) as work:
        (work / "segment").write_bytes(b"x")
        assert list(work.iterdir()) == [work / "segment"]  # no mark: nothing sweeps it
        assert scratch.sweep(tmp_path) == 0 and work.is_dir()
    assert list(tmp_path.iterdir()) == []
