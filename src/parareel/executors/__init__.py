"""Executors: who renders the chunks. Each runs `parareel.job.run_chunk` on every job.

Local processes live here; on AWS Lambda the fan-out is `parareel.aws.fanout`, which
sends the same job as a partialRender event to the function itself.
"""

from __future__ import annotations

from collections.abc import Callable

OnFrames = Callable[[int], None]  # told how many more frames are done
