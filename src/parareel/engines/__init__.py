"""Engines run chunk jobs; everything else about a render is the pipeline's.

An engine is anything with these four methods. The pipeline calls `start`
before it starts threads of its own (a local engine forks its workers there),
asks where the segments go, hands over the jobs, and always calls `stop`.

    local   worker processes on this machine (parareel.engines.local)
    ray     tasks on a Ray cluster, local or at an address (parareel.engines.ray)
    lambda  partialRender invocations of an AWS Lambda function (parareel.engines.aws_lambda)
"""

from __future__ import annotations

from parareel.engines.base import Engine, OnReport
from parareel.errors import ParareelError

__all__ = ["ENGINES", "Engine", "OnReport", "get_engine"]

ENGINES = ("local", "ray")


def get_engine(name: str | Engine, **options) -> Engine:
    """An engine by name ('local', 'ray'), or the engine given."""
    if not isinstance(name, str):
        return name
    if name == "local":
        from parareel.engines.local import LocalEngine

        return LocalEngine(**options)
    if name == "ray":
        from parareel.engines.ray import RayEngine

        return RayEngine(**options)
    raise ParareelError(f"unknown engine {name!r}: use one of {', '.join(ENGINES)} "
                        "(Lambda renders go through `parareel lambda render`)")
