"""Checking the fields of an event: whole numbers in range, variables, and field names
(a misspelt one is refused with the right spelling, never ignored)."""

from __future__ import annotations

import difflib
from typing import Any

from parareel.errors import ParareelError, VariableError
from parareel.scene.variables import check_variables


class EventError(ParareelError):
    """The event is not one this function accepts; nothing was started."""


def variables_of(event: dict[str, Any]) -> dict[str, Any]:
    try:
        return check_variables(event.get("variables"))  # missing or null: none
    except VariableError as exc:
        raise EventError(str(exc)) from None


def integer(data: dict, name: str, low: int, high: int, default: int | None = None) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EventError(f"{name} must be a whole number from {low} to {high} (got {value!r})")
    return value


def known(data: dict[str, Any], fields: tuple[str, ...], what: str) -> None:
    """Refuse a field `what` does not have: a misspelt setting silently ignored renders
    something other than what was asked."""
    for name in data:
        if name in fields:
            continue
        close = [f for f in fields if _plain(f) == _plain(name)] or difflib.get_close_matches(
            _plain(name), [_plain(f) for f in fields], 1, 0.75)
        if close:
            right = next(f for f in fields if _plain(f) == _plain(close[0]))
            raise EventError(f"{what} has no field {name!r}; did you mean {right!r}?")
        raise EventError(f"{what} has no field {name!r}; it has: {', '.join(fields)}")


def _plain(name: Any) -> str:
    """A field's name as people misspell it alike: pixel_format, PixelFormat, pixelformat."""
    return str(name).replace("_", "").replace("-", "").lower()
