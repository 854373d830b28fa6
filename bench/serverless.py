"""Serverless overhead on the local dev stack (SeaweedFS + the dev Lambda endpoint).

    python bench/serverless.py

- the hello example rendered through the dev stack (fan-out, S3 upload, join,
  download) against a direct local render with the same number of workers;
- per-invocation overhead: cold (a new environment importing the handler) and warm
  (a no-op invocation on a warm environment). Goals: cold import < 1 s, warm < 50 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import HELLO, scratch, timer

import parareel
from parareel.aws.dev import DevStack
from parareel.engines.aws_lambda import lambda_client

WORKERS = 2


def main(work: Path) -> None:
    t: dict[str, float] = {}
    with timer(t, "local"):
        parareel.render(HELLO, work / "local.mp4", workers=WORKERS)
    with DevStack(work / "dev", HELLO, concurrency=WORKERS + 1) as stack:
        os.environ.update(stack.env)
        client = lambda_client()
        event = {"jobType": "fullRender", "jobId": "bench", "numWorkers": WORKERS}
        with timer(t, "lambda"):
            response = client.invoke(FunctionName="parareel", Payload=json.dumps(event))
            body = json.loads(response["Payload"].read())
            with urllib.request.urlopen(body["url"]) as video:
                (work / "lambda.mp4").write_bytes(video.read())
        print(f"dev stack  local render {t['local']:.2f}s  through the dev stack "
              f"{t['lambda']:.2f}s  ratio {t['lambda'] / t['local']:.2f}x")
        timings = body["timings"]
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in timings.items())
        chunks = ", ".join(f"{c['seconds']:.2f}s" for c in body["chunks"])
        print(f"           where the time goes: {phases}, download and invoke round trip "
              f"{t['lambda'] - timings['total']:.2f}s; chunk invocations {chunks}")

        stats = stack.lambda_server.stats
        warm = []
        for _ in range(20):  # an invalid event: answered right after validation
            began = time.perf_counter()
            client.invoke(FunctionName="parareel", Payload=b'{"jobType": "noop"}')
            warm.append(time.perf_counter() - began)
        print(f"invocation cold: environment start + handler import "
              f"{max(stats.init_seconds):.3f}s at most over {len(stats.init_seconds)} "
              f"environments (goal < 1 s)")
        print(f"           warm: {statistics.median(warm) * 1000:.1f}ms median round trip "
              f"(goal < 50 ms)")
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import parareel.aws.handler, parareel.worker"],
                   check=True)
    print(f"           a fresh interpreter importing the handler and the render path "
          f"(skia, PyAV, numpy): {time.perf_counter() - began:.3f}s")


if __name__ == "__main__":
    with scratch() as work:
        main(work)
