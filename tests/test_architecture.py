"""The layout holds: imports follow the pipeline without cycles, scenes never draw, and
what crosses a module boundary between pipeline, engines and workers is typed."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import typing
from pathlib import Path

import parareel

SRC = Path(parareel.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def runtime_nodes(tree: ast.AST):
    """Every node, except inside `if TYPE_CHECKING:` (imports for annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        yield node
        yield from runtime_nodes(node)


def imports(name: str) -> set[str]:
    """Every parareel module `name` imports when it runs, at the top or inside a function."""
    found = set()
    for node in runtime_nodes(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name) for name in MODULES}


def cycles() -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for start in sorted(GRAPH):
        if start not in state:
            visit(start, [start])
    return found


def test_no_import_cycles():
    assert cycles() == []


def test_the_cycle_check_finds_a_cycle():
    GRAPH["parareel.plan"].add("parareel.pipeline")  # pipeline imports plan
    try:
        assert cycles()
    finally:
        GRAPH["parareel.plan"].discard("parareel.pipeline")


def test_scenes_never_import_drawing_or_media():
    for name, targets in GRAPH.items():
        if name.startswith("parareel.scene"):
            outside = {t for t in targets if not t.startswith("parareel.scene")}
            assert outside <= {"parareel.errors", "parareel.assets"}, (name, outside)


def raw(annotation) -> bool:
    """A plain dict of Any (or Any itself): data whose shape no type states."""
    if annotation is typing.Any:
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict and (not args or typing.Any in args):
        return True
    return any(raw(a) for a in args)


def test_the_contract_is_typed():
    contract = importlib.import_module("parareel.contract")
    classes = [c for c in vars(contract).values()
               if dataclasses.is_dataclass(c) and c.__module__ == contract.__name__]
    assert {"ChunkJob", "ChunkResult", "FullRender", "Progress", "Report"} <= \
        {c.__name__ for c in classes}
    for cls in classes:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name != "variables":  # the user's JSON data, untyped by nature
                assert not raw(hints[f.name]), f"{cls.__name__}.{f.name} is a raw dict"


def test_engines_and_pipeline_hand_over_typed_values():
    from parareel.engines import Engine

    modules = ["parareel.pipeline", "parareel.worker", "parareel.engines.local",
               "parareel.engines.aws_lambda", "parareel.engines.ray"]
    checked = 0
    for name in modules:
        module = importlib.import_module(name)
        for value in vars(module).values():
            functions = [value] if callable(value) and not isinstance(value, type) else [
                v for v in vars(value).values() if callable(v)] if isinstance(value, type) else []
            for function in functions:
                if getattr(function, "__module__", None) != name:
                    continue
                if function.__name__.startswith("_"):
                    continue
                hints = typing.get_type_hints(function, vars(module))
                assert not any(raw(h) for n, h in hints.items() if n != "variables"), \
                    f"{name}.{function.__qualname__} takes or returns a raw dict"
                checked += 1
    assert checked >= 10
    assert typing.get_type_hints(Engine.run)["return"] == list[importlib.import_module(
        "parareel.contract").ChunkResult]
