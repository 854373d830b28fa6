"""The encoders' speed / size / quality front, and the quality profiles chosen on it.

    python bench/encoders.py [--frames 60] [--profiles | --front | --holds]

For three kinds of 1080p30 scene (shapes and text: the hello example; a photograph
panned and zoomed; a video clip: the seed example), every frame is drawn once, then
encoded with each setting through the writer a render uses (the RGBA -> YUV
conversion included). Printed per setting: encode ms a frame, kb/s, and SSIM
(luma, against the exact frames). Then each profile (--quality draft|standard|high)
renders the shapes scene as a worker does (drawing overlaps encoding), one worker:
ms a frame, as a ratio to drawing alone, against the goal for `standard`: <= 5.5 ms
a frame at >= 0.995 SSIM and <= 550 kb/s.

The front (--front, also run last by default): whole renders, 2 workers, of the hello
example (10 s of shapes and text) and the seed example (30 s: a 1080p clip, music, a
growing message) with the standard profile, tuned for what the survey says is drawn,
against the profile before it (x264's ultrafast with CABAC, crf 23), interleaved, best
of 3: file size (goals: <= 648 KB and <= 9.4 MB, Revideo's files for the same work),
SSIM(Y) against a lossless render (goals: >= 0.999 graphics, >= 0.995 footage) and wall
time as a ratio (goal <= 1.15). Then x264 alone, one thread, on the same frames at each
setting: how close a render comes to the encoder's own speed.

Holds (--holds): a frame that prints as the one before (parareel.draw.fingerprint) is
not drawn again. Whole videos, one worker, standard profile, with and without that,
interleaved, best of 3: wall time as a ratio, and the cost of printing every frame
against drawing it, on the seed example where no frame is a hold.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import pairwise
from pathlib import Path

import av
import cv2
import numpy as np
from common import HELLO, ROOT

from parareel import Image, Project, easing, parallel
from parareel.draw.frames import render_frames
from parareel.load import load_project
from parareel.media.encode import VideoWriter
from parareel.media.formats import Encoding

SETTINGS = [  # (codec, preset, crf, extra)
    *[("h264", p, c) for p in ("ultrafast", "superfast", "veryfast") for c in (18, 23, 28)],
    ("h265", "ultrafast", 26), ("h265", "superfast", 26),
    ("av1", "12", 35), ("av1", "10", 35),
    ("vp9", "8", 33), ("vp9", "6", 33),
]


def photo_project(folder: Path) -> Project:
    """A synthetic photograph (soft structure at several scales, fine grain) panned and
    zoomed: what a slideshow of real photographs costs an encoder."""
    rng = np.random.default_rng(7)
    layers = [cv2.resize(rng.random((2 ** k, 2 ** k * 2, 3), np.float32), (2400, 1350),
                         interpolation=cv2.INTER_CUBIC) / 2 ** (5 - k) for k in range(1, 6)]
    image = sum(layers) / sum(1 / 2 ** (5 - k) for k in range(1, 6))
    image += rng.normal(0, 0.006, image.shape).astype(np.float32)  # sensor grain
    path = folder / "photo.png"
    cv2.imwrite(str(path), np.clip(image * 255, 0, 255).astype(np.uint8))

    def slideshow(scene):
        picture = scene.add(Image(str(path), width=2400, height=1350))
        yield from parallel(picture.scale.to(1.2, 4.0, easing.linear),
                            picture.x.to(-150, 4.0, easing.linear))

    return Project(scenes=[slideshow], size=(1920, 1080), fps=30, background="black")


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two grey images (Wang et al. 2004, 11x11 Gaussian window)."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)  # noqa: E731
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    score = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / \
        ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return float(score.mean())


def grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY)


def encode(frames: list[np.ndarray], encoding: Encoding, out: Path,
           threads: int = 0) -> tuple[float, float, float]:
    """(ms a frame, kb/s, SSIM) of these frames encoded so."""
    began = time.perf_counter()
    with VideoWriter(out, 1920, 1080, 30, encoding, threads=threads) as writer:
        for frame in frames:
            writer.write(frame)
    ms = (time.perf_counter() - began) * 1000 / len(frames)
    kbps = out.stat().st_size * 8 / (len(frames) / 30) / 1000
    with av.open(str(out)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    score = min(ssim(grey(a), grey(b)) for a, b in zip(decoded, frames, strict=True))
    return ms, kbps, score


def render_ms(project: Project, start: int, count: int, encoding: Encoding | None,
              out: Path) -> float:
    """ms a frame to draw (and with `encoding`, encode) frames as a worker does."""
    began = time.perf_counter()
    if encoding is None:
        for _ in render_frames(project, start, start + count):
            pass
    else:
        with VideoWriter(out, project.width, project.height, project.fps, encoding) as writer:
            for pixels in render_frames(project, start, start + count):
                writer.write(pixels)
    return (time.perf_counter() - began) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--profiles", action="store_true", help="only the profiles")
    parser.add_argument("--front", action="store_true", help="only the front")
    parser.add_argument("--holds", action="store_true", help="only the holds")
    args = parser.parse_args()
    count = args.frames
    work = Path(tempfile.mkdtemp())
    if args.front:
        front(work, count)
        return
    if args.holds:
        holds(work)
        return
    scenes = {"shapes+text": (load_project(HELLO), 30),
              "photo": (photo_project(work), 0),
              "clip": (load_project(str(ROOT / "examples" / "seed" / "project.py")), 40)}
    print(f"{'scene':12} {'codec':5} {'preset':9} {'crf':>3}  {'ms/frame':>8}  {'kb/s':>6}  "
          f"{'SSIM':>6}")
    for name, (project, start) in scenes.items() if not args.profiles else ():
        frames = [f.copy() for f in render_frames(project, start, start + count)]
        for codec, preset, crf in SETTINGS:
            fmt = "webm" if codec == "vp9" else "mp4"
            ms, kbps, score = encode(frames, Encoding(format=fmt, codec=codec, preset=preset,
                                                      crf=crf), work / f"out.{fmt}")
            print(f"{name:12} {codec:5} {preset:9} {crf:3}  {ms:8.2f}  {kbps:6.0f}  {score:.4f}")
        del frames
    project, start = scenes["shapes+text"]
    print("\nprofiles, shapes+text, one worker (drawing overlaps encoding), best of 2:")
    draw = min(render_ms(project, start, count, None, work / "x.mp4") for _ in range(2))
    for quality in ("draft", "standard", "high"):
        encoding = Encoding(quality=quality)
        ms = min(render_ms(project, start, count, encoding, work / "p.mp4") for _ in range(2))
        frames = [f.copy() for f in render_frames(project, start, start + count)]
        _, kbps, score = encode(frames, encoding, work / "q.mp4")
        crf, preset = encoding.rate_control()
        goal = (f"  goal <= 5.5 ms, >= 0.995, <= 550 kb/s: "
                f"{'met' if ms <= 5.5 and score >= 0.995 and kbps <= 550 else 'not met'}"
                if quality == "standard" else "")
        print(f"  {quality:8} ({preset} crf {crf})  {ms:6.2f} ms/frame = {ms / draw:.2f} x "
              f"drawing alone ({draw:.2f} ms)  {kbps:5.0f} kb/s  SSIM {score:.4f}{goal}")
    front(work, count)


BEFORE = Encoding(preset="ultrafast")  # the standard profile before it was tuned
FRONT = {"hello": (HELLO, 648, 0.999, "graphics"),  # goal kB (1000 bytes), goal SSIM
         "seed": (str(ROOT / "examples" / "seed" / "project.py"), 9400, 0.995, "footage")}


def luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [cv2.cvtColor(f.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2GRAY_I420)
                for f in container.decode(video=0)]


def front(work: Path, count: int, rounds: int = 3) -> None:
    import parareel

    print("\nthe standard profile against the one before it: whole renders, 2 workers, "
          f"best of {rounds}")
    for name, (ref, goal_kb, goal_ssim, content) in FRONT.items():
        parareel.render(ref, work / "exact.mp4", workers=2,
                        encoding=Encoding(lossless=True, pix_fmt="yuv420p"))
        exact = luma(work / "exact.mp4")
        walls: dict[str, list[float]] = {"before": [], "standard": []}
        for _ in range(rounds):
            for label, encoding in (("before", BEFORE), ("standard", Encoding())):
                began = time.perf_counter()
                parareel.render(ref, work / f"{label}.mp4", workers=2, encoding=encoding,
                                progress=False)
                walls[label].append(time.perf_counter() - began)
        for label in walls:
            kb = (work / f"{label}.mp4").stat().st_size / 1000
            score = float(np.mean([ssim(a, b) for a, b in zip(luma(work / f"{label}.mp4"),
                                                              exact, strict=True)]))
            goals = (f"  goals: <= {goal_kb:.0f} kB {'met' if kb <= goal_kb else 'NOT met'}, "
                     f"SSIM >= {goal_ssim} {'met' if score >= goal_ssim else 'NOT met'}"
                     if label == "standard" else "")
            print(f"  {name:6} {label:9} {kb:8.0f} kB  SSIM(Y) {score:.5f}  "
                  f"{min(walls[label]):6.2f} s{goals}")
        ratio = min(walls["standard"]) / min(walls["before"])
        print(f"  {name:6} wall time standard / before: {ratio:.2f} (goal <= 1.15: "
              f"{'met' if ratio <= 1.15 else 'NOT met'}); tuned for {content}")
    print(f"\nx264 alone, one thread, {count} frames of each (ms a frame, kb/s):")
    for name, (ref, _, _, content) in FRONT.items():
        frames = [f.copy() for f in render_frames(load_project(ref), 30, 30 + count)]
        for label, encoding in (("before", BEFORE), ("standard", Encoding(content=content)),
                                ("superfast", Encoding(preset="superfast")),
                                ("veryfast", Encoding(preset="veryfast"))):
            ms = min(encode(frames, encoding, work / "alone.mp4", threads=1)[0]
                     for _ in range(2))
            kbps = (work / "alone.mp4").stat().st_size * 8 / (count / 30) / 1000
            print(f"  {name:6} {label:9} {ms:6.2f} ms  {kbps:6.0f} kb/s")
        del frames


def holds(work: Path, rounds: int = 3) -> None:
    from parareel.contract import ChunkJob
    from parareel.draw import fingerprint, frames
    from parareel.plan import Chunk
    from parareel.scene.player import play
    from parareel.worker import render_chunk

    print(f"\nholds not drawn again: whole videos, one worker, best of {rounds}")
    examples = ROOT / "examples"
    for name in ("hello", "explainer", "chart"):
        ref = str(examples / name / "project.py")
        project = load_project(ref)
        count = project.frame_count()
        job = ChunkJob("bench", ref, Chunk(0, 0, count), str(work / "holds.mp4"), {},
                       Encoding())
        walls: dict[str, list[float]] = {"drawn": [], "held": []}
        for _ in range(rounds):
            for label in walls:
                frames.frame_print = (fingerprint.frame_print if label == "held"
                                      else (lambda scene, contents=True: None))
                began = time.perf_counter()
                render_chunk(job, project)
                walls[label].append(time.perf_counter() - began)
        frames.frame_print = fingerprint.frame_print
        prints = []
        for scene in play(project, project.resolve({})):
            with scene.drawing():
                prints.append(fingerprint.frame_print(scene))
        held = sum(a == b for a, b in pairwise(prints))
        print(f"  {name:9} {held:4} of {count:4} frames held: {min(walls['held']):6.2f} s "
              f"against {min(walls['drawn']):6.2f} s drawing every frame "
              f"({min(walls['held']) / min(walls['drawn']):.2f})")
    project = load_project(str(examples / "seed" / "project.py"))
    began = time.perf_counter()
    for scene in play(project, project.resolve({})):
        with scene.drawing():
            fingerprint.frame_print(scene)
    printing = time.perf_counter() - began
    began = time.perf_counter()
    for _ in render_frames(project):
        pass
    drawing = time.perf_counter() - began
    print(f"  seed: printing every frame (logic included) {printing:.2f} s against drawing "
          f"them {drawing:.2f} s ({printing / drawing:.3f})")


if __name__ == "__main__":
    main()
