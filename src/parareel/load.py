"""Find a project from a reference: a path to a .py file, or `module:attribute`."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from pathlib import Path

from parareel.errors import ProjectError
from parareel.scene.project import Project

FILE_MODULE_PREFIX = "parareel_project_"  # modules made from project files
MEMORY = "memory:"  # references to projects made in code, not loaded from a file
_in_memory: dict[str, Project] = {}


def load_project(ref: str | Project) -> Project:
    """The Project named by `ref` (cached per process, so workers load it once)."""
    if isinstance(ref, Project):
        return ref
    ref = str(ref)
    if ref.startswith(MEMORY):
        if ref not in _in_memory:
            raise ProjectError(f"{ref!r} is a project made in another process's memory: "
                               "name it by a .py path or module:attr to render it elsewhere")
        return _in_memory[ref]
    return _load(ref)


def reference(project: str | Project) -> str:
    """A reference that loads `project` again: its path or module:attr, or for a project
    made in code, a `memory:` reference that resolves in this process and the worker
    processes it forks (engines that ship objects, like Ray, carry the project along)."""
    if isinstance(project, str):
        return project
    if project.ref is None:
        project.ref = f"{MEMORY}{id(project):x}"
        _in_memory[project.ref] = project
    return project.ref


def adopt(ref: str, project: Project) -> None:
    """Make `ref` resolve to `project` in this process (a worker given the object)."""
    if ref.startswith(MEMORY):
        _in_memory[ref] = project


@cache
def _load(ref: str) -> Project:
    target, sep, attr = ref.rpartition(":")
    if not sep or not attr.isidentifier():  # no attribute named: use `project`
        target, attr = ref, "project"
    if target.endswith(".py"):
        module = _import_file(Path(target))
    elif sep:
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            raise ProjectError(f"cannot import module {target!r} for project {ref!r}: {exc}. "
                               "Is it installed, or on PYTHONPATH?") from None
    else:
        raise ProjectError(f"{ref!r} is not a project: give a .py file (examples/hello/project.py) "
                           "or module:attribute (mypkg.video:project)")
    project = getattr(module, attr, None)
    if project is None:
        raise ProjectError(f"{ref!r} has no attribute {attr!r}: define "
                           f"`{attr} = Project(scenes=[...])` in it")
    if not isinstance(project, Project):
        raise ProjectError(f"{attr!r} in {ref!r} is a {type(project).__name__}, not a Project")
    project.ref = ref
    if getattr(module, "__file__", None):
        project.folder = Path(module.__file__).resolve().parent
    return project


def _import_file(path: Path):
    if not path.is_file():
        raise ProjectError(f"project file {str(path)!r} does not exist")
    name = f"{FILE_MODULE_PREFIX}{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ProjectError(f"cannot load {str(path)!r} as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # lets worker processes unpickle what it defines
    sys.path.insert(0, str(path.resolve().parent))  # its sibling modules and assets
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise ProjectError(f"loading {str(path)!r} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.pop(0)
    return module
