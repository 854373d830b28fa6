"""What the local CLI writes, under hostile conditions: links where the output goes, a
frame folder rendered into again or twice at once, and a SIGTERM mid-render."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from parareel.draw.frames import render_still
from parareel.load import load_project
from tests.conftest import EXAMPLES, SUITE

CLI = [sys.executable, "-c", "from parareel.cli import run; run()"]
HELLO = str(EXAMPLES / "hello" / "project.py")


def cli(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_an_output_that_is_a_link_is_refused_and_its_target_kept(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    (tmp_path / "link.mp4").symlink_to(keep)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "dangling.mp4").symlink_to(elsewhere / "new.mp4")
    for name in ("link.mp4", "dangling.mp4"):
        result = cli("render", SUITE, "-o", str(tmp_path / name), "--workers", "1")
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"error: cannot write {str(tmp_path / name)!r}: it is a symbolic link; remove it "
            "or name another file"]
    assert keep.read_text() == "precious" and list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.mp4", "elsewhere",
                                                          "keep.txt", "link.mp4"]


def frames_of(folder: Path) -> dict[str, np.ndarray]:
    return {p.name: cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB)
            for p in sorted(folder.glob("*.png"))}


FAILS_WHILE_DRAWING = """
from parareel import Project, Rect, wait

def scene(s):
    fail = s.variables.get("fail", False)
    box = s.add(Rect(width=40, height=40, fill="#e94f37"))
    box.x(lambda: 1 / 0 if fail and s.frame >= 30 else s.frame)  # read when drawn
    yield from wait(1.5)

project = Project(scenes=[scene], size=(160, 90))
"""


def test_a_failed_render_into_a_frame_folder_keeps_the_previous_frames(tmp_path):
    (tmp_path / "proj.py").write_text(FAILS_WHILE_DRAWING)
    folder = tmp_path / "frames"
    good = cli("render", str(tmp_path / "proj.py"), "-o", f"{folder}/", "--workers", "2")
    assert good.returncode == 0, good.stderr
    before = frames_of(folder)
    assert len(before) == 45
    bad = cli("render", str(tmp_path / "proj.py"), "-o", f"{folder}/", "--workers", "2",
              "--var", "fail=true")
    assert bad.returncode == 1 and "failed at frame 30: ZeroDivisionError" in bad.stderr
    after = frames_of(folder)
    assert after.keys() == before.keys()
    assert all(np.array_equal(after[n], before[n]) for n in before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames", "proj.py"]


def test_two_renders_into_one_frame_folder_never_interleave(tmp_path):
    folder = tmp_path / "frames"
    results = {}

    def render(message: str) -> None:
        results[message] = cli("render", SUITE, "-o", f"{folder}/", "--workers", "2",
                               "--var", f"message={message}")

    threads = [threading.Thread(target=render, args=(m,)) for m in ("AAAA", "BBBB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.returncode == 0 for r in results.values()), results
    written = frames_of(folder)
    assert len(written) == 45
    project = load_project(SUITE)
    whose = set()
    for name, pixels in written.items():
        n = int(Path(name).stem)
        for message in ("AAAA", "BBBB"):
            if np.array_equal(pixels, render_still(project, n, {"message": message})[..., :3]):
                whose.add(message)
                break
        else:
            raise AssertionError(f"{name} is neither render's frame")
    assert len(whose) == 1, whose  # every frame from the same render


def test_sigterm_stops_a_render_like_ctrl_c(tmp_path):
    process = subprocess.Popen([*CLI, "render", HELLO, "-o", str(tmp_path / "out.mp4"),
                                "--workers", "2"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".parareel-*")):  # the render is under way
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        time.sleep(1.0)  # its workers are drawing
        workers = _group(process.pid)
        assert len(workers) >= 3, workers  # the main and its workers
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 143
        time.sleep(0.5)
        assert _group(process.pid) == []  # no worker left behind
        assert list(tmp_path.iterdir()) == []  # no workspace, no output
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _group(pgid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry))
    return found


def test_a_frame_folder_that_is_a_link_is_refused_and_nothing_is_written(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for output in (f"{tmp_path / 'linked'}/", f"{tmp_path / 'dangling'}/%04d.png"):
        result = cli("render", SUITE, "-o", output, "--workers", "1")
        assert result.returncode == 1
        folder = output.rsplit("/", 1)[0]
        assert result.stderr.strip().splitlines() == [
            f"error: cannot write {output!r}: its folder {folder!r} is a symbolic link; "
            "remove it or name another folder"]
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "nowhere").exists()


def test_a_shorter_render_into_a_frame_folder_leaves_only_its_own_frames(tmp_path):
    (tmp_path / "proj.py").write_text(FAILS_WHILE_DRAWING.replace(
        "wait(1.5)", "wait(s.variables.get('seconds', 1.5))"))
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "cover.png").write_bytes(b"not a frame")
    for seconds, count in ((1.5, 45), (0.5, 15)):
        result = cli("render", str(tmp_path / "proj.py"), "-o", f"{folder}/", "--workers", "2",
                     "--var", f"seconds={seconds}")
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [f"{i:05d}.png" for i in range(count)] + ["cover.png", "notes.txt"])


def test_a_killed_renders_workspace_goes_with_the_next_render_there_not_a_live_one(tmp_path):
    """kill -9 leaves a render no chance to clean up: the next render beside it does,
    and leaves alone the workspace of a render still running there."""
    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen([*CLI, "render", SUITE, "-o", str(tmp_path / name),
                                 "--workers", "1", "--no-cache", "--var", "case=slow"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def workspace_of(process: subprocess.Popen, others: set[Path]) -> Path:
        deadline = time.monotonic() + 60
        while not (found := set(tmp_path.glob(".parareel-*")) - others):
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        return found.pop()

    killed, running = start("killed.mp4"), None
    try:
        dead = workspace_of(killed, set())
        time.sleep(1.0)  # it is drawing
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
        time.sleep(0.5)
        assert dead.is_dir()  # what kill -9 leaves
        running = start("running.mp4")
        alive = workspace_of(running, {dead})
        assert not dead.exists() and alive.is_dir()  # the dead one went, the live one stays
        result = cli("render", SUITE, "-o", str(tmp_path / "next.mp4"), "--workers", "1")
        assert result.returncode == 0, result.stderr
        assert alive.is_dir() and running.poll() is None
    finally:
        for process in (killed, running):
            if process is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def test_an_output_under_a_file_says_that_file_is_not_a_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("precious")
    output = tmp_path / "keep.txt" / "sub" / "out.mp4"
    result = cli("render", SUITE, "-o", str(output), "--workers", "1")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot write {str(output)!r}: {tmp_path / 'keep.txt'} is a file, not a "
        "folder; choose another folder"]
    assert (tmp_path / "keep.txt").read_text() == "precious"


def test_a_still_through_a_link_is_refused_and_its_target_kept(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    (tmp_path / "link.png").symlink_to(keep)
    result = cli("still", SUITE, "--frame", "3", "-o", str(tmp_path / "link.png"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: cannot write {str(tmp_path / 'link.png')!r}: it is a symbolic link; remove "
        "it or name another file"]
    assert keep.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "link.png"]


@pytest.fixture
def small_disk(tmp_path):
    """A 400 kB file system: room for some of a render's chunks, not for the rest."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a small disk cannot be mounted here: {mounted.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("output", ["out.mp4", "frames/"])
def test_a_full_disk_is_one_line_naming_the_folder_and_leaves_nothing(small_disk, output):
    result = cli("render", HELLO, "-o", f"{small_disk}/{output}", "--no-cache")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: no room left on the disk of {small_disk}: free some room there, or write "
        "the output elsewhere"]
    assert list(small_disk.iterdir()) == []
