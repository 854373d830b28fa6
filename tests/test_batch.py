"""Variant batches: one video per line of variables, each block alike drawn once."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

import parareel
from parareel import ParareelError, Project, Rect, Text, VariableError, wait
from parareel.batch import read_batch, render_batch


def card(scene):
    """A name card for the first 2 s, then 4 s the same for everyone: 3 blocks at 10 fps."""
    name = scene.variables.get("name", "Someone")
    label = scene.add(Text(f"Hello {name}", size=16, fill="white"))
    yield from wait(2.0)
    label.opacity = 0
    box = scene.add(Rect(width=20, height=20, fill="#e94f37", x=-60))
    yield from box.x.to(60, 4.0)


CARD = Project(scenes=[card], size=(160, 90), fps=10, variables={"name": "Someone"})


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_batch_draws_the_shared_blocks_once_and_each_video_is_a_render_of_its_own(tmp_path):
    lines = [{"name": "Alice"}, {"name": "Bob"}, {"name": "Carol"}]
    results = render_batch(CARD, lines, str(tmp_path / "out" / "{name}.mp4"), workers=2,
                           cache=tmp_path / "cache")
    assert [r.reused for r in results] == [0, 2, 2]  # only each name card is drawn again
    for line in lines:
        alone = tmp_path / f"alone-{line['name']}.mp4"
        parareel.render(CARD, alone, variables=line, workers=2, cache=tmp_path / "other")
        assert digest(tmp_path / "out" / f"{line['name']}.mp4") == digest(alone)


def test_fields_only_the_name_uses_are_not_variables_and_line_numbers_name_too(tmp_path):
    lines = [{"name": "Ann", "customer_id": 7}, {"name": "Ben", "customer_id": 8}]
    render_batch(CARD, lines, str(tmp_path / "{customer_id}-{line}.mp4"), workers=1,
                 cache=tmp_path / "cache")
    assert sorted(p.name for p in tmp_path.glob("*.mp4")) == ["7-1.mp4", "8-2.mp4"]


@pytest.mark.parametrize(("lines", "output", "error", "message"), [
    ([{"name": "A"}, {"name": "A"}], "{name}.mp4", ParareelError,
     "batch lines 1 and 2 would both write '.*A.mp4'"),
    ([{"name": "A"}], "out.mp4", ParareelError, "would name every video the same"),
    ([{"name": "A"}, {"nmae": "B"}], "{line}.mp4", VariableError,
     "unknown variable 'nmae'; did you mean 'name'"),
    ([{"name": "A"}], "{who}.mp4", ParareelError, "names 'who' which the line does not have"),
    ([{"name": "A"}, {"name": "../../escaped"}], "{name}.mp4", ParareelError,
     r"batch line 2: name '../../escaped' cannot be part of a file name \(it has a '/'\)"),
    ([{"name": ".."}], "{name}/out.mp4", ParareelError,
     r"batch line 1: name '..' cannot be part of a file name"),
    ([{"name": ""}], "out-{name}.mp4", ParareelError,
     r"batch line 1: name '' cannot be part of a file name \(it is empty\)"),
])
def test_a_bad_line_stops_the_batch_before_anything_is_drawn(tmp_path, lines, output, error,
                                                             message):
    with pytest.raises(error, match=message):
        render_batch(CARD, lines, str(tmp_path / output), cache=tmp_path / "cache")
    assert not list(tmp_path.glob("*.mp4")) and not (tmp_path / "cache").exists()


def test_the_batch_file_is_read_line_by_line_with_clear_errors(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"name": "A"}\n\n{"name": "B"}\n')
    assert read_batch(good) == [{"name": "A"}, {"name": "B"}]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "A"}\n["B"]\n')
    with pytest.raises(ParareelError, match="bad.jsonl, line 2: a line is an object"):
        read_batch(bad)
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(ParareelError, match="has no lines"):
        read_batch(tmp_path / "empty.jsonl")
    with pytest.raises(ParareelError, match="cannot read the batch"):
        read_batch(tmp_path / "missing.jsonl")
    (tmp_path / "sound.m4a").write_bytes(bytes(range(256)))
    with pytest.raises(ParareelError, match=r"the batch '.*sound.m4a' is not JSON Lines "
                       r"\(it is not text\)"):
        read_batch(tmp_path / "sound.m4a")


def test_the_render_command_takes_a_batch(tmp_path):
    project = tmp_path / "card.py"
    project.write_text(
        "from parareel import Project, Text, wait\n"
        "def card(scene):\n"
        "    scene.add(Text(scene.variables.get('name', 'x'), size=16))\n"
        "    yield from wait(0.5)\n"
        "project = Project(scenes=[card], size=(160, 90), fps=10)\n")
    batch = tmp_path / "people.jsonl"
    batch.write_text('{"name": "Ann"}\n{"name": "Ben"}\n')
    run = subprocess.run([sys.executable, "-c", "from parareel.cli import run; run()",
                          "render", str(project), "--batch", str(batch), "-o",
                          str(tmp_path / "out" / "{name}.mp4")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout and "2 videos: 2 of 2 blocks drawn" in run.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["Ann.mp4", "Ben.mp4"]


def boom(scene):
    name = scene.variables.get("name", "x")
    box = scene.add(Rect(width=20, height=20))
    box.x = lambda: 1 / 0 if name == "boom" else 0.0  # fails when read, not in the logic
    yield from wait(0.5)


def test_a_video_that_fails_stops_the_batch_and_the_rest_is_not_begun(tmp_path):
    project = Project(scenes=[boom], size=(64, 64), fps=10, variables={"name": "x"})
    lines = [{"name": n} for n in ("a", "b", "boom", "c", "d", "e")]
    with pytest.raises(ParareelError, match="batch line 3: scene 'boom' failed at frame 0: "
                                            "ZeroDivisionError"):
        render_batch(project, lines, str(tmp_path / "{name}.mp4"), workers=1,
                     cache=tmp_path / "cache")
    written = {p.stem for p in tmp_path.glob("*.mp4")}
    assert {"a", "b"} <= written and not written & {"boom", "d", "e"}
