"""One execution environment of the dev Lambda endpoint: a process that runs the handler.

The endpoint starts it with Lambda's environment variables and sends it one
invocation at a time as a JSON line on stdin; it answers with one JSON line on
the pipe it was given. The handler's own prints go to stderr, as logs do.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback


class Context:
    """The parts of Lambda's context object that handlers use."""

    def __init__(self, request_id: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = (f"arn:aws:lambda:{region}:000000000000:function:"
                                     f"{self.function_name}")
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def main() -> None:
    answers = os.fdopen(int(sys.argv[2]), "w", buffering=1)
    module_name, _, function_name = sys.argv[1].rpartition(".")
    started = time.perf_counter()
    handler = getattr(importlib.import_module(module_name), function_name)
    answers.write(json.dumps({"ready": round(time.perf_counter() - started, 4)}) + "\n")
    sys.stdout = sys.stderr  # handler output is log output
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = handler(request["event"], Context(request["id"], request["deadline"]))
            answer = {"result": result}
        except Exception as exc:  # noqa: BLE001 - reported the way Lambda reports it
            answer = {"error": {"errorMessage": str(exc), "errorType": type(exc).__name__,
                                "stackTrace": traceback.format_tb(exc.__traceback__)}}
        answers.write(json.dumps(answer, default=str) + "\n")


if __name__ == "__main__":
    main()
