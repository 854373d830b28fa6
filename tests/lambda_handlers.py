"""Handlers for testing the dev Lambda endpoint itself."""

import os
import time


def echo(event, context):
    return {"event": event, "function": context.function_name, "pid": os.getpid(),
            "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
            "remaining_ms": context.get_remaining_time_in_millis()}


def boom(event, context):
    raise ValueError("the handler failed")


def crash(event, context):
    os._exit(2)


def sleep(event, context):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"], "pid": os.getpid()}
