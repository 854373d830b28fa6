"""Variables: plain JSON data that parameterises a project, never evaluated as code."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from difflib import get_close_matches
from typing import Any

from parareel.errors import VariableError

MAX_BYTES = 256 * 1024  # variables travel inside Lambda events, which are bounded


def check_variables(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-clean copy of `values`, or VariableError saying what is wrong."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        kind = type(values).__name__
        raise VariableError(f"variables must be a JSON object (a dict), not {kind}")
    for name in values:
        if not isinstance(name, str) or not name:
            raise VariableError(f"variable names must be non-empty strings, got {name!r}")
    try:
        text = json.dumps(dict(values), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise VariableError(f"variables must be plain JSON data: {exc}") from None
    if len(text) > MAX_BYTES:
        raise VariableError(f"variables take {len(text)} bytes as JSON; the limit is {MAX_BYTES}")
    return json.loads(text)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a command-line `name=value`; the value is JSON if it parses, else a string."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise VariableError(f"bad variable {text!r}: write name=value, e.g. --var message=Hi")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


class Variables(Mapping[str, Any]):
    """What a scene reads with `scene.variables.get(name, default)`.

    Records each name read and its default, so a project can list its variables and
    a misspelt one given by the user is caught.
    """

    def __init__(self, values: Mapping[str, Any], reads: dict[str, Any]) -> None:
        self._values = dict(values)
        self._reads = reads

    def get(self, name: str, default: Any = None) -> Any:
        self._reads.setdefault(name, default)
        if name not in self._values:
            return default
        value = self._values[name]
        if isinstance(default, str) and isinstance(value, int | float | bool):
            return json.dumps(value)  # `--var message=42` still means the text "42"
        wants_number = isinstance(default, int | float) and not isinstance(default, bool)
        if wants_number and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise VariableError(
                f"variable {name!r} must be a number like its default {default!r}, got {value!r}"
            )
        return value

    def __getitem__(self, name: str) -> Any:
        self._reads.setdefault(name, None)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def check_known(given: Mapping[str, Any], known: Mapping[str, Any]) -> None:
    """Refuse variables that the project never reads (usually a typo)."""
    for name in given:
        if name not in known:
            close = get_close_matches(name, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            names = ", ".join(sorted(known)) or "none"
            raise VariableError(
                f"unknown variable {name!r}{hint} (this project reads: {names})"
            )
