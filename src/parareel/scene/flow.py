"""Flow: compose generators in time. Each `yield` of a generator is one frame.

    yield from parallel(box.x.to(300, 1), box.opacity.to(1, 0.5))   # lasts 1 s
    yield from chain(box.x.to(300, 1), box.y.to(200, 1))            # lasts 2 s
    yield from sequence(0.1, *(dot.scale.to(2, 0.5) for dot in dots))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterable, Iterator
from inspect import isgeneratorfunction

from parareel.scene.clock import frames_for

Task = Generator[None, None, None]


def _start(task: Iterable[None]) -> Iterator[None]:
    if isgeneratorfunction(task):
        raise TypeError(f"{task.__name__} is a generator function: call it, {task.__name__}(...)")
    return iter(task)


def wait(seconds: float) -> Task:
    """Do nothing for `seconds` (rounded to whole frames)."""
    for _ in range(frames_for(seconds)):
        yield


def parallel(*tasks: Iterable[None]) -> Task:
    """Run tasks side by side; lasts as long as the longest."""
    running = [_start(t) for t in tasks]
    while running:
        running = [t for t in running if next(t, StopIteration) is not StopIteration]
        if running:
            yield


def chain(*tasks: Iterable[None]) -> Task:
    """Run tasks one after another; lasts the sum of their durations."""
    for task in tasks:
        yield from _start(task)


def delay(seconds: float, task: Iterable[None]) -> Task:
    """Wait `seconds`, then run `task`."""
    yield from wait(seconds)
    yield from _start(task)


def sequence(stagger: float, *tasks: Iterable[None]) -> Task:
    """Start each task `stagger` seconds after the previous one; they overlap."""
    yield from parallel(*(delay(i * stagger, task) for i, task in enumerate(tasks)))


def loop(count: int, make: Callable[[int], Iterable[None]] | Callable[[], Iterable[None]]
         ) -> Task:
    """Run `make(i)` for i in 0..count-1, one after another (`make()` if it takes no index)."""
    if count < 0:
        raise ValueError(f"loop count cannot be negative (got {count})")
    with_index = _takes_an_argument(make)
    for i in range(count):
        yield from _start(make(i) if with_index else make())


def _takes_an_argument(function: Callable) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: assume it does
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in parameters)
