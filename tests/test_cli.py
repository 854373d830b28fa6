"""The command line, run as a user runs it: clear errors, nothing half-written."""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from parareel.draw.frames import render_still
from parareel.load import load_project
from tests.conftest import EXAMPLES, decode

HELLO = str(EXAMPLES / "hello" / "project.py")


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from parareel.cli import run; run()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_info_shows_variables_and_plan():
    result = cli("info", HELLO, "--workers", "4")
    assert result.returncode == 0, result.stderr
    assert "1920x1080" in result.stdout and "frames    300" in result.stdout
    assert 'message  (default "Hello from parareel!")' in result.stdout
    assert "4 chunks" in result.stdout and "frames 225:300  (75)" in result.stdout


def test_render_range_with_variables(tmp_path):
    out = tmp_path / "out.mp4"
    result = cli("render", HELLO, "-o", str(out), "--var", "message=Hi", "--range", "0:12",
                 "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and len(decode(out)[1]) == 12


def test_vars_from_a_json_file_and_inline(tmp_path):
    (tmp_path / "vars.json").write_text('{"message": "from a file"}')
    result = cli("info", HELLO, "--vars", str(tmp_path / "vars.json"))
    assert result.returncode == 0 and 'message  (default "Hello from parareel!") = "from a file"' \
        in result.stdout
    result = cli("info", HELLO, "--vars", '{"message": "inline"}', "--var", "message=last")
    assert '= "last"' in result.stdout  # --var wins over --vars


def test_still(tmp_path):
    result = cli("still", HELLO, "--frame", "45", "-o", str(tmp_path / "f.png"))
    assert result.returncode == 0
    written = cv2.cvtColor(cv2.imread(str(tmp_path / "f.png")), cv2.COLOR_BGR2RGB)
    drawn = render_still(load_project(HELLO), 45)[..., :3]
    assert np.array_equal(written, drawn)  # the frame itself, losslessly


@pytest.mark.parametrize(("args", "message"), [
    (["render", "nope.py"], "project file 'nope.py' does not exist"),
    (["render", "json:project"], "'json:project' has no attribute 'project'"),
    (["render", "no_such_module_xyz:project"], "cannot import module 'no_such_module_xyz'"),
    (["render", HELLO, "--var", "message"], "bad variable 'message': write name=value"),
    (["render", HELLO, "--var", "mesage=Hi"], "unknown variable 'mesage'; did you mean 'message'"),
    (["render", HELLO, "--vars", "[1, 2]"], "--vars must be a JSON object"),
    (["render", HELLO, "--vars", str(EXAMPLES / "seed" / "media" / "music.m4a")],
     "--vars: 'music.m4a' is not a JSON file (it is not text)"),
    (["render", HELLO, "--vars", "/"], "--vars: '/' is a folder, not a JSON file"),
    (["render", HELLO, "--range", "a:b"], "bad --range 'a:b'"),
    (["still", HELLO, "--frame", "300"], "frame 300 is outside the video"),
    (["still", HELLO, "-o", "frame.mp4"], "a still is a .png, .jpg or .webp"),
])
def test_errors_are_one_clear_line(tmp_path, args, message):
    out = tmp_path / ("out.png" if args[0] == "still" else "out.mp4")
    result = cli(*args, *([] if "-o" in args else ["-o", str(out)]), cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
