"""`parareel dev` and `parareel lambda ...` as a user runs them, in separate processes."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import decode

pytestmark = pytest.mark.slow  # whole `parareel dev` stacks in their own processes

SUITE = str(Path(__file__).parent / "projects" / "suite.py")


def parareel(*args: str) -> list[str]:
    return [sys.executable, "-c", "from parareel.cli import run; run()", *args]


def weed_leftovers() -> set[str]:
    """SeaweedFS's sockets and logs in the machine's temporary folder."""
    return {p.name for p in Path(tempfile.gettempdir()).iterdir()
            if p.name.startswith(("seaweedfs-", "weed."))}


def test_dev_stack_cli_round_trip(tmp_path):
    # the project from the function's own setting; a data folder of its own, removed at exit
    before = weed_leftovers()
    dev = subprocess.Popen(parareel("dev", "--concurrency", "4"),
                           env={**os.environ, "PARAREEL_PROJECT": SUITE},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    folder = None
    try:
        exports = {}
        deadline = time.monotonic() + 90
        while "AWS_ENDPOINT_URL_LAMBDA" not in exports:
            assert time.monotonic() < deadline and dev.poll() is None, dev.stderr.read()
            line = dev.stdout.readline()
            if line.startswith("# parareel dev: S3 data in "):
                folder = Path(line.split(" in ", 1)[1].split(";")[0])
            if line.startswith("export "):
                name, _, value = line[len("export "):].strip().partition("=")
                exports[name] = value
        assert {"AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "PARAREEL_BUCKET"} <= set(exports)
        assert all(v.startswith("http://127.0.0.1:") for k, v in exports.items()
                   if k.startswith("AWS_ENDPOINT_URL"))
        env = {**os.environ, **exports}
        out = tmp_path / "out.mp4"
        assert folder is not None and folder.is_dir()
        render = subprocess.run(parareel("lambda", "render", "--region", "us-east-1",
                                         "--function", "parareel",
                                         "--workers", "3", "--var", "message=Hi", "--job-id",
                                         "cli-job", "--download", str(out)),
                                env=env, capture_output=True, text=True, timeout=300)
        assert render.returncode == 0, render.stderr
        assert "X-Amz-Signature" in render.stdout and len(decode(out)[1]) == 45
        progress = subprocess.run(parareel("lambda", "progress", "cli-job"), env=env,
                                  capture_output=True, text=True, timeout=60)
        assert json.loads(progress.stdout)["phase"] == "done"
        missing = subprocess.run(parareel("lambda", "progress", "nope"), env=env,
                                 capture_output=True, text=True, timeout=60)
        assert missing.returncode == 1 and "no job 'nope'" in missing.stderr
        lines = tmp_path / "people.jsonl"
        lines.write_text('{"message": "Hi", "badge": "ann"}\n{"message": "Hi", "badge": "bo"}\n')
        batch = subprocess.run(parareel("lambda", "render", "--function", "parareel",
                                        "--batch", str(lines), "--job-id", "cli-batch",
                                        "--download", str(tmp_path / "{badge}.mp4")),
                               env=env, capture_output=True, text=True, timeout=300)
        assert batch.returncode == 0, batch.stderr
        assert "line 2: job cli-batch-2" in batch.stdout and "2 videos" in batch.stdout
        assert len(decode(tmp_path / "bo.mp4")[1]) == 45
    finally:
        os.killpg(dev.pid, signal.SIGINT)  # Ctrl-C
        dev.wait(timeout=60)
    time.sleep(0.5)
    leftover = subprocess.run(["pgrep", "-g", str(dev.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""  # SeaweedFS and every environment are gone
    assert not folder.exists()  # and its data folder
    assert weed_leftovers() <= before  # and SeaweedFS's sockets and logs


def test_estimate_prints_cost():
    result = subprocess.run(parareel("lambda", "estimate", "--frames", "900", "--workers", "10",
                                     "--memory", "2048", "--fps", "15", "--overhead", "0"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # 10 chunks of 90 frames at 15 fps: 6 s each, plus a 6 s orchestrator: 66 s at 2 GB
    assert "132.00 GB-s" in result.stdout


def test_a_killed_dev_stack_takes_seaweedfs_with_it():
    dev = subprocess.Popen(parareel("dev"), env={**os.environ, "PARAREEL_PROJECT": SUITE},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    folder = None
    try:
        deadline = time.monotonic() + 90
        while folder is None or not _weed_of(folder):
            assert time.monotonic() < deadline and dev.poll() is None, dev.stderr.read()
            line = dev.stdout.readline()
            if line.startswith("# parareel dev: S3 data in "):
                folder = Path(line.split(" in ", 1)[1].split(";")[0])
        weed = _weed_of(folder)
        os.kill(dev.pid, signal.SIGKILL)  # no Ctrl-C: nothing of its own runs to clean up
        dev.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in weed):
            assert time.monotonic() < deadline, f"SeaweedFS {weed} outlived parareel dev"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(dev.pid, signal.SIGKILL)
        for pid in _weed_of(folder) if folder else []:
            os.kill(pid, signal.SIGKILL)
        if folder is not None and folder.name.startswith("parareel-dev-"):
            shutil.rmtree(folder, ignore_errors=True)  # what `parareel dev` made


def _weed_of(folder: Path) -> list[int]:
    """The SeaweedFS processes serving `folder`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and command[0].endswith(b"weed") and \
                    any(str(folder).encode() in part for part in command):
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
