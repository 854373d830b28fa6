"""The studio's latencies, measured in headless Chromium against `parareel studio`.

    python bench/studio.py        (needs Debian's chromium: apt-get install chromium)

1. Scrub latency: from asking the page for a frame it has not shown before to its
   pixels on the canvas (request, draw, JPEG, decode, paint), at half and full scale,
   for examples/hello and for the seed example with its clip playing.
   Goal: median <= 25 ms at half scale, <= 45 ms at full scale.
2. Save to new frame: from writing the project file to the page showing a frame of
   the new version. Goal: median <= 300 ms.
3. Playback at half scale: frames shown a second against the project's fps, for hello.
   Goal: >= 0.95.
Also: JPEG encoding of a 1080p frame by OpenCV (what the studio uses) against Pillow.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CLI = [sys.executable, "-c", "from parareel.cli import run; run()"]


def start(project: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([*CLI, "studio", str(project), "--no-open"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline()).group(0)
    for _ in range(200):
        try:
            if httpx.get(url + "api/project", timeout=10).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    return process, url


def scrub(page, frames: list[int], scale: float) -> list[float]:
    """Milliseconds from asking for each frame to its pixels on the canvas."""
    return page.evaluate("""async ([frames, scale]) => {
        const viewer = document.getElementById('viewer');
        const times = [];
        for (const n of frames) {
            const started = performance.now();
            studio.show(n, false, scale);
            while (viewer.dataset.shown !== String(n) || viewer.dataset.scale !== String(scale))
                await new Promise((done) => setTimeout(done, 1));
            times.push(studio.state.drawnAt - started);  // when drawImage returned
        }
        return times; }""", [frames, scale])


def opened(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(url)
    page.wait_for_function("document.getElementById('viewer').dataset.shown === '0'")
    return page


def scrubbing(browser, name: str, project: Path) -> None:
    process, url = start(project)
    try:
        page = opened(browser, url)
        total = page.evaluate("studio.state.info.frames")
        half = sorted(set(np.linspace(1, total - 1, 40).astype(int).tolist()))
        full = [n + 1 for n in half[:-1]]
        half_ms, full_ms = scrub(page, half, 0.5), scrub(page, full, 1.0)
        print(f"scrub {name}: median {statistics.median(half_ms):.1f} ms at half scale "
              f"(goal <= 25), {statistics.median(full_ms):.1f} ms at full scale (goal <= 45)")
        page.close()
    finally:
        process.terminate()
        process.wait()


def saving(browser) -> None:
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "examples" / "hello", folder / "hello")
    shutil.copytree(ROOT / "examples" / "sounds", folder / "sounds")
    project = folder / "hello" / "project.py"
    process, url = start(project)
    try:
        page = opened(browser, url)
        source, latencies = project.read_text(), []
        for i in range(8):
            version = page.evaluate("studio.state.info.version")
            started = time.perf_counter()
            project.write_text(source + f"\n# save {i}\n")
            page.wait_for_function(f"document.getElementById('viewer').dataset.version > "
                                   f"'{version}'", polling=5, timeout=10_000)
            latencies.append((time.perf_counter() - started) * 1000)
            page.wait_for_timeout(200)
        print(f"save to new frame (hello): median {statistics.median(latencies):.0f} ms "
              "(goal <= 300)")

        page.keyboard.press("Home")
        drawn, sharp = page.evaluate("[studio.state.drawn, studio.state.sharp]")
        page.evaluate("studio.state.muted = true")  # the page's clock: no audio device here
        page.set_viewport_size({"width": 1200, "height": 800})  # shown at half scale
        page.wait_for_timeout(300)
        page.keyboard.press("Space")
        page.wait_for_timeout(4000)
        page.keyboard.press("Space")
        shown, sharp = (a - b for a, b in zip(page.evaluate(
            "[studio.state.drawn, studio.state.sharp]"), (drawn, sharp), strict=True))
        fps = page.evaluate("studio.state.info.fps")
        print(f"playback (hello, half scale): {shown / 4:.1f} frames a second against "
              f"{fps:.0f}: {shown / 4 / fps:.2f} (goal >= 0.95); {sharp / max(1, shown):.0%} "
              "of them at half scale, the rest at draft scale")
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(folder)


def jpeg_encoders() -> None:
    from PIL import Image

    from parareel.draw.frames import render_still
    from parareel.load import load_project

    pixels = render_still(load_project(str(ROOT / "examples" / "hello" / "project.py")), 60)
    bgr = cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGR)
    rgb = np.ascontiguousarray(pixels[..., :3])

    def best(function, rounds: int = 20) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return min(times) * 1000

    import io

    opencv = best(lambda: cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85]))
    pillow = best(lambda: Image.fromarray(rgb).save(io.BytesIO(), "JPEG", quality=85))
    print(f"JPEG of a 1080p frame: OpenCV {opencv:.1f} ms, Pillow {pillow:.1f} ms")


def main() -> None:
    from playwright.sync_api import sync_playwright

    jpeg_encoders()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        scrubbing(browser, "hello", ROOT / "examples" / "hello" / "project.py")
        scrubbing(browser, "seed (clip playing)", ROOT / "examples" / "seed" / "project.py")
        saving(browser)
        browser.close()


if __name__ == "__main__":
    main()
