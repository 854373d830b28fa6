"""A chunk the main invocation renders itself, in a process of its own.

When the function has no capacity left, the main renders throttled chunks itself
(engines/aws_lambda.py). It does so in this child process, so that a chunk that
crashes (`os._exit`, out of memory) or hangs on a frame takes the child down, not the
main: the main kills it when the render stops or its deadline passes, and counts a
crash as a failed attempt to retry.

    python -m parareel.aws.here RESULT_FILE < {"event": partialRender, "policy": {...}}

The chunk's segment and its frame counts go to the bucket as a partialRender's do;
its result is written to RESULT_FILE.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlparse


def main() -> None:
    from parareel.assets import AssetPolicy, applied
    from parareel.contract import ChunkJob
    from parareel.engines.drawn import teller
    from parareel.load import load_project
    from parareel.storage.keys import RenderKeys
    from parareel.storage.s3 import S3Storage
    from parareel.worker import render_chunk

    asked = json.loads(sys.stdin.buffer.read())
    job = ChunkJob.from_event(asked["event"])
    bucket = S3Storage(urlparse(job.segment).netloc)
    try:
        with applied(AssetPolicy.from_json(asked["policy"])):
            answer = render_chunk(job, load_project(job.project),
                                  teller(bucket, RenderKeys.of(job.render_id), job)).to_json()
    except Exception as exc:  # noqa: BLE001 - answered as the function would answer it
        answer = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
    Path(sys.argv[1]).write_text(json.dumps(answer))


if __name__ == "__main__":
    main()
