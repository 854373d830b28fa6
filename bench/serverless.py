"""Serverless overhead on the local dev stack (SeaweedFS + the dev Lambda endpoint).

    python bench/serverless.py

- the hello example rendered through the dev stack (fan-out, S3 upload, join,
  download) against a direct local render with the same number of workers;
- per-invocation overhead: cold (a new environment importing the handler) and warm
  (a no-op invocation on a warm environment). Goals: cold import < 1 s, warm < 50 ms;
- a main whose chunks find no capacity, at concurrency 1 and 2 (the main holding one
  slot): rendering throttled chunks itself, each in a child process, against waiting
  for capacity.
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

from common import HELLO, ROOT, scratch, timer

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
    throttled(work)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import parareel.aws.handler, parareel.worker"],
                   check=True)
    print(f"           a fresh interpreter importing the handler and the render path "
          f"(skia, PyAV, numpy): {time.perf_counter() - began:.3f}s")


def throttled(work: Path) -> None:
    """The main runs here (as the handler would) and holds no slot of the dev function, so
    the function gets one slot fewer than the concurrency it stands for."""
    from parareel.aws.handler import handler
    from parareel.engines.aws_lambda import LambdaEngine

    defaults = LambdaEngine.__init__.__kwdefaults__
    os.chdir(ROOT)  # the folder a deployment would copy: the project's assets are inside
    for concurrency in (1, 2):
        with DevStack(work / f"throttled-{concurrency}", HELLO,
                      concurrency=concurrency - 1) as stack:
            os.environ.update({**stack.env, "PARAREEL_PROJECT": HELLO,
                               "AWS_LAMBDA_FUNCTION_NAME": "parareel"})
            seconds = {}
            for here in (True, False):
                if concurrency == 1 and not here:
                    continue  # no slot ever frees: waiting never ends
                defaults["render_here"] = here
                began = time.perf_counter()
                body = handler({"jobType": "fullRender", "jobId": f"t{concurrency}{here}",
                                "numWorkers": 4})
                assert body["status"] == "done", body
                seconds[here] = time.perf_counter() - began
            defaults["render_here"] = True
        waited = (f"waiting for capacity {seconds[False]:.2f}s, ratio "
                  f"{seconds[True] / seconds[False]:.2f}x" if False in seconds
                  else "waiting for capacity never ends (the main holds the only slot)")
        print(f"throttled  concurrency {concurrency}: rendered by the main "
              f"{seconds[True]:.2f}s; {waited}")


if __name__ == "__main__":
    with scratch() as work:
        main(work)
