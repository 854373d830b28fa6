"""Engines side by side: Ray tasks against local worker processes, same video, same plan.

    python bench/engines.py

Prints the overhead of the Ray engine over the local process pool at 2 workers (goal:
within 10% of wall time), and how much code orchestrates a render now.
"""

from __future__ import annotations

from pathlib import Path

from common import HELLO, ROOT, scratch, timer

import parareel


def overhead(work: Path) -> None:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        t: dict[str, float] = {}
        for round_ in range(2):  # interleaved, best of two: the machine is shared and noisy
            for engine in ("local", "ray"):
                with timer(t, f"{engine}{round_}"):
                    parareel.render(HELLO, work / f"{engine}.mp4", workers=2, engine=engine)
        local = min(t["local0"], t["local1"])
        ray_ = min(t["ray0"], t["ray1"])
        print(f"engines  hello 1080p, 2 workers: local {local:.2f}s  ray {ray_:.2f}s  "
              f"ratio {ray_ / local:.3f} (goal <= 1.10; the cluster was started beforehand)")
    finally:
        ray.shutdown()


def orchestration_lines() -> None:
    src = ROOT / "src" / "parareel"
    files = ["pipeline.py", "aws/handler.py"]
    lines = sum(len((src / f).read_text().splitlines()) for f in files)
    keys = [p.relative_to(src) for p in src.rglob("*.py") if '"chunks/' in p.read_text()
            or "f\"renders/{" in p.read_text()]
    print(f"code     orchestration (pipeline + Lambda handler) {lines} lines; "
          f"modules that spell the storage layout: {', '.join(map(str, keys))}")


if __name__ == "__main__":
    orchestration_lines()
    with scratch() as work:
        overhead(work)
