"""The reference (docs/build.py): built from the docstrings and the CLI's help, complete."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path

import parareel
from parareel import easing
from parareel.cli import main
from parareel.scene.nodes import Node

BUILD = Path(__file__).resolve().parent.parent / "docs" / "build.py"


def load_builder():
    spec = importlib.util.spec_from_file_location("docs_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lazy_names_are_listed_by_dir():
    assert {"render", "still", "frames", "RenderResult"} <= set(dir(parareel))


def test_every_public_name_and_node_property_is_documented():
    def documented(thing, name: str) -> bool:
        doc = inspect.getdoc(thing) or ""
        return bool(doc) and not doc.startswith(f"{name}(")  # not a dataclass's signature

    undocumented = [name for name in parareel.__all__
                    if not documented(getattr(parareel, name), name)]
    assert undocumented == []
    assert all(documented(easing.get(name), name) for name in easing.NAMES)
    nodes = [getattr(parareel, n) for n in parareel.__all__
             if isinstance(getattr(parareel, n), type) and issubclass(getattr(parareel, n), Node)]
    missing = [f"{node.__name__}.{name}" for node in nodes for name in node.property_names()
               if not getattr(node, name).doc]
    assert missing == []


def test_the_reference_builds_with_every_node_and_command(tmp_path):
    pages = load_builder().build(tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in pages}
    assert {"parareel.html", "parareel/api.html", "parareel/media/formats.html",
            "cli.html"} <= names
    reference = (tmp_path / "parareel.html").read_text()
    for node in ("Rect", "Circle", "Ellipse", "Line", "Polyline", "Path", "Text", "Image",
                 "Video", "Group", "Layout", "Code", "Math", "Captions"):
        assert f'id="{node}"' in reference, node
    assert "which point of the box x is" in reference  # Text.align, from its prop
    text = re.sub(r"<[^>]+>", " ", reference)
    assert not re.search(r"def\s+radius\(", text)  # a property, not a method
    assert "the corners' radius in pixels (default: 0.0)" in text
    assert "An animatable value: every property of a node is one" in text  # Signal's own
    for internal in ("note_volume", "Video.events", "Video.cues", "Video.clock"):
        assert f'id="{internal}"' not in reference and f"Video.{internal}" not in reference
    cli = (tmp_path / "cli.html").read_text()
    for command in ("render", "still", "info", "dev"):
        assert f"parareel {command}" in cli
    for command in main.commands["lambda"].commands:
        assert f"parareel lambda {command}" in cli
    assert "--pixel-format" in cli and "--reserved-concurrency" in cli
    gallery = (tmp_path / "nodes.html").read_text()
    for node in ("Rect", "Circle", "Text", "Path", "Image", "Layout", "Text-wrapped", "Code",
                 "Math", "Captions", "LinearGradient", "Filters", "Blur", "Blend", "Clip", "Mask",
                 "Progress", "Morph", "Transition-push", "Camera"):
        picture = tmp_path / "images" / f"{node}.png"
        assert f"images/{node}.png" in gallery and picture.stat().st_size > 500
