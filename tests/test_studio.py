"""The studio: its API against a real server started by `parareel studio`, then its page
in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

import parareel
from parareel.load import load_project
from tests.conftest import EXAMPLES, psnr

PROJECT = '''
from parareel import Audio, Circle, Project, Rect, Text, wait

BEAT = "beat.wav"


def intro(scene):
    scene.add(Rect(width=320, height=180, fill="#203040"))
    ball = scene.add(Circle(radius=20, fill="{colour}", x=-120))
    scene.add(Text(scene.variables.get("title", "Hello"), size=28, y=-60))
    scene.play(Audio(BEAT, volume=0.3))
    yield from ball.x.to(120, 2.0, "linear")


def outro(scene):
    scene.add(Text("bye", size=40))
    yield from scene.transition("fade", 0.3)
    yield from wait(0.7)


project = Project(scenes=[intro, outro], size=(320, 180), fps=30)
'''
CHROMIUM = Path("/usr/bin/chromium")
BROKEN_LINE = len(PROJECT.splitlines()) + 2  # a line added after a blank one
CLI = [sys.executable, "-c", "from parareel.cli import run; run()"]


def write(folder: Path, colour: str = "#ffd166", extra: str = "") -> None:
    (folder / "project.py").write_text(PROJECT.replace("{colour}", colour) + extra)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """`parareel studio` on a project of its own folder, as a user starts it."""
    folder = tmp_path_factory.mktemp("studio")
    shutil.copy(EXAMPLES / "sounds" / "beat.wav", folder / "beat.wav")
    write(folder)
    process = subprocess.Popen(
        [*CLI, "studio", str(folder / "project.py"),
         "--no-open"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert found, line
    url = found.group(0)
    for _ in range(100):  # until it answers
        try:
            if httpx.get(url + "api/project", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, folder, process
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)


def jpeg(data: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                        cv2.COLOR_BGR2RGB)


def fresh_still(folder: Path, n: int, scale: float = 1.0) -> np.ndarray:
    project = load_project(str(folder / "project.py"))
    from parareel.draw.frames import render_still

    return render_still(project, n, scale=scale)[..., :3]


class Events:
    """The server's events, read in a thread as the page reads them."""

    def __init__(self, url: str) -> None:
        self.seen: list[dict] = []
        self._stop = False
        threading.Thread(target=self._read, args=(url,), daemon=True).start()
        time.sleep(0.3)

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url + "api/events", timeout=None) as answer:
            for line in answer.iter_lines():
                if self._stop:
                    return
                if line.startswith("data: "):
                    self.seen.append(json.loads(line[6:]))

    def wait_for(self, kind: str, seconds: float) -> dict | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for event in self.seen:
                if event["type"] == kind:
                    return event
            time.sleep(0.02)
        return None

    def close(self) -> None:
        self._stop = True


def test_the_project_is_described(studio):
    url, _, _ = studio
    info = httpx.get(url + "api/project").json()
    assert (info["width"], info["height"], info["fps"]) == (320, 180, 30.0)
    assert info["frames"] == 60 + 30 and info["problem"] is None
    assert info["scenes"] == [{"name": "intro", "first": 0}, {"name": "outro", "first": 60}]
    assert [c["frame"] for c in info["cues"]] == [0.0] and info["cues"][0]["sound"] == "beat.wav"
    assert info["variables"] == {"title": "Hello"}


def test_a_frame_is_the_still_of_that_frame(studio):
    url, folder, _ = studio
    for n in (0, 30, 70):
        served = jpeg(httpx.get(url + f"api/frame/{n}?scale=1").content)
        assert psnr(served, fresh_still(folder, n)) >= 35


def test_frames_asked_in_any_order_are_the_fresh_stills(studio):
    url, folder, _ = studio
    order = list(range(0, 90, 7))
    random.Random(4).shuffle(order)
    for n in order:
        served = jpeg(httpx.get(url + f"api/frame/{n}?scale=0.5").content)
        assert served.shape == (90, 160, 3)
        assert psnr(served, fresh_still(folder, n, 0.5)) >= 35, n


def test_variables_come_from_the_query(studio):
    url, folder, _ = studio
    plain = jpeg(httpx.get(url + "api/frame/5?scale=1").content)
    titled = jpeg(httpx.get(url + "api/frame/5?scale=1&vars=" +
                            json.dumps({"title": "Other words"})).content)
    assert psnr(plain, titled) < 35  # the title changed
    bad = httpx.get(url + "api/frame/5?vars=" + json.dumps({"titel": "x"}))
    assert bad.status_code == 422 and "titel" in bad.json()["problem"]["message"]


def test_a_still_and_the_sound_are_served(studio):
    url, _, _ = studio
    still = httpx.get(url + "api/still/10")
    assert still.headers["content-type"] == "image/png" and "frame-10" in \
        still.headers["content-disposition"]
    sound = httpx.get(url + "api/audio")
    assert sound.status_code == 200 and sound.content[:4] == b"RIFF"


def test_only_files_inside_the_project_folder_are_served(studio):
    url, folder, _ = studio
    (folder.parent / "secret.txt").write_text("not yours")
    assert httpx.get(url + "files/beat.wav").status_code == 200
    for path in ("files/..%2Fsecret.txt", "files/%2e%2e/secret.txt", "files//etc/passwd",
                 "files/nothing.png"):
        answer = httpx.get(url + path)
        assert answer.status_code in (403, 404) and "not yours" not in answer.text, path


def test_only_its_own_pages_reach_the_studio(studio):
    """A web page elsewhere cannot use it: a name rebound to 127.0.0.1 (DNS rebinding)
    is refused whatever it asks, and so is a render asked for by another site."""
    url, folder, _ = studio
    renders = folder / "renders"
    before = set(renders.iterdir()) if renders.is_dir() else set()
    port = url.rsplit(":", 1)[1].rstrip("/")
    for path in ("api/project", "files/project.py", "api/frame/3"):
        answer = httpx.get(url + path, headers={"Host": f"attacker.example:{port}"})
        assert answer.status_code == 400 and "project" not in answer.text, path
    for origin in ("http://attacker.example", "null"):
        asked = httpx.post(url + "api/render", content='{"format": "mp4"}',
                           headers={"Origin": origin, "Content-Type": "text/plain"})
        assert asked.status_code == 403, origin
    assert httpx.get(url + "api/project", headers={"Host": f"localhost:{port}"}
                     ).status_code == 200
    time.sleep(0.5)
    assert (set(renders.iterdir()) if renders.is_dir() else set()) == before


def test_a_save_reloads_and_a_broken_save_is_shown_over_the_last_good_frame(studio):
    url, folder, _ = studio
    events = Events(url)
    try:
        before = httpx.get(url + "api/frame/20?scale=1").content
        write(folder, colour="#ef476f")
        assert events.wait_for("reload", 2.0), events.seen
        after = httpx.get(url + "api/frame/20?scale=1").content
        assert psnr(jpeg(before), jpeg(after)) < 40  # the ball's new colour

        events.seen.clear()
        write(folder, colour="#ef476f", extra="\nundefined_name + 1\n")
        problem = events.wait_for("problem", 3.0)
        assert problem, events.seen
        assert problem["file"].endswith("project.py") and problem["line"] == BROKEN_LINE
        assert problem["source"] == "undefined_name + 1" and "NameError" in problem["message"]
        kept = httpx.get(url + "api/frame/20?scale=1")
        assert kept.status_code == 200 and kept.content == after  # the last good version
        assert httpx.get(url + "api/project").json()["problem"]["line"] == BROKEN_LINE

        events.seen.clear()
        write(folder)  # fixed
        assert events.wait_for("reload", 3.0)
        assert httpx.get(url + "api/project").json()["problem"] is None
    finally:
        events.close()


def test_ctrl_c_stops_the_studio_and_its_project_processes(tmp_path):
    shutil.copy(EXAMPLES / "sounds" / "beat.wav", tmp_path / "beat.wav")
    write(tmp_path)
    process = subprocess.Popen([*CLI, "studio",
                                str(tmp_path / "project.py"), "--no-open", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline()).group(0)
    for _ in range(100):
        try:
            httpx.get(url + "api/project", timeout=5)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    children = _children(process.pid)
    assert children  # the project's own process
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) in (0, 130)
    time.sleep(0.3)
    assert not [pid for pid in children if _alive(pid)]


def test_a_missing_project_is_one_clear_line():
    result = subprocess.run([*CLI, "studio", "nowhere.py",
                             "--no-open"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["error: no project file 'nowhere.py'"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# The page, in a real browser

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not "
                                    "installed (apt-get install chromium; CI installs it)")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": str(CHROMIUM), "args": ["--no-sandbox"]}


def shown(page) -> int:
    value = page.get_by_test_id("viewer").get_attribute("data-shown")
    return -1 if value is None else int(value)


def counter(page) -> int:
    return int(re.match(r"frame (\d+) / \d+", page.get_by_test_id("frame").inner_text())[1])


@needs_chromium
def test_the_page_paints_steps_scrubs_plays_loops_and_renders(studio, page):
    url, folder, _ = studio
    page.goto(url)
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '0'")
    pixels = page.evaluate("""() => {
        const c = document.getElementById('viewer');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lit = 0; for (let i = 0; i < d.length; i += 4) lit += d[i] + d[i + 1] + d[i + 2];
        return lit; }""")
    assert pixels > 0  # the first frame is painted
    assert page.get_by_test_id("frame").inner_text() == "frame 0 / 90"

    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '1'")
    assert counter(page) == 1
    page.keyboard.press("Shift+ArrowRight")
    assert counter(page) == 31

    box = page.get_by_test_id("timeline").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 5, y)
    page.mouse.down()
    during = []
    for fraction in (0.2, 0.4, 0.6):
        page.mouse.move(box["x"] + box["width"] * fraction, y)
        page.wait_for_timeout(120)
        during.append(shown(page))
    assert len(set(during)) == 3 and during == sorted(during)  # the view follows the drag
    page.mouse.up()

    page.keyboard.press("Home")
    page.get_by_test_id("play").click()
    page.wait_for_timeout(700)
    page.get_by_test_id("play").click()
    assert 10 <= counter(page) <= 30  # about 0.7 s of a 30 fps video

    page.keyboard.press("Home")
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("o")
    page.keyboard.press("l")
    page.keyboard.press("Space")
    seen = []
    for _ in range(12):
        page.wait_for_timeout(100)
        seen.append(counter(page))
    page.keyboard.press("Space")
    assert all(40 <= n <= 50 for n in seen) and len(set(seen)) > 3, seen  # the loop holds

    page.locator("input[name=range]").check()
    page.get_by_test_id("render-start").click()
    page.wait_for_function("document.querySelector('[data-testid=render-result] a')",
                           timeout=60_000)
    href = page.locator("[data-testid=render-result] a").get_attribute("href")
    rendered = folder / href.removeprefix("/files/")
    assert rendered.exists() and parareel.RenderResult  # the file is there
    import av

    with av.open(str(rendered)) as video:
        assert video.streams.video[0].frames == 11


@needs_chromium
def test_the_page_keeps_its_frame_on_save_and_shows_errors(studio, page):
    url, folder, _ = studio
    page.goto(url)
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '0'")
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '12'")
    write(folder, colour="#06d6a0")
    page.wait_for_timeout(1500)
    assert counter(page) == 12 and shown(page) == 12

    write(folder, colour="#06d6a0", extra="\nraise ValueError('broken on purpose')\n")
    overlay = page.get_by_test_id("error")
    overlay.wait_for(state="visible", timeout=5000)
    assert f"project.py line {BROKEN_LINE}" in overlay.inner_text()
    assert "broken on purpose" in overlay.inner_text()
    write(folder)
    overlay.wait_for(state="hidden", timeout=5000)


@needs_chromium
def test_variables_edited_in_the_page_redraw_and_stay_in_its_url(studio, page):
    url, _, _ = studio
    page.goto(url)
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '0'")
    before = page.get_by_test_id("viewer").screenshot()
    field = page.get_by_test_id("variables").locator("input[name=title]")
    assert field.input_value() == "Hello"
    field.fill("Changed")
    field.press("Enter")
    page.wait_for_function("location.search.includes('Changed')")
    page.wait_for_timeout(500)
    assert page.get_by_test_id("viewer").screenshot() != before  # drawn with the new title
    page.reload()
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '0'")
    assert page.get_by_test_id("variables").locator("input[name=title]").input_value() == \
        "Changed"
