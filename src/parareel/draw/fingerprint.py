"""What a frame would draw, as a hash, worked out from the scene's state without drawing.

Two frames with the same print draw the same pixels (at the same size and background):
a frame that prints as the one before is a hold, handed to the encoder again without
drawing. The print covers everything the painter reads: the scene's look (transition,
camera), and each node in draw order with every property value as it resolves at this
frame (computed ones evaluated), the content of every file a node shows (image, clip,
font) and the clip time shown. A value it cannot read exactly (an object of unknown
kind) makes the frame unprintable: None, never a print that could be wrong.
"""

from __future__ import annotations

import dataclasses
import hashlib
import numbers
import os
from collections.abc import Callable
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from parareel.scene.nodes import Node
from parareel.scene.player import Scene
from parareel.scene.signal import Signal, prop
from parareel.scene.video import Video
from parareel.storage import sha256

FILE_PROPS = frozenset({"src", "font"})  # props naming a file whose bytes are drawn


class Unprintable(Exception):
    """A value whose effect on the pixels cannot be told from what it is."""


def frame_print(scene: Scene, contents: bool = True) -> bytes | None:
    """The print of the frame `scene` is at (call it inside `scene.drawing()`, as the
    painter is); None when some value cannot be printed exactly (the painter then says
    what is wrong with it, if anything is).

    A file counts by its bytes; with `contents` False by which file it is (path, size,
    time, inode): enough to compare frames within one process (holds), without reading
    a 100 MB clip in every worker. Keys that outlive the process need the bytes."""
    digest = hashlib.blake2b(digest_size=16)
    token = _files.set(file_print if contents else _file_identity)
    try:
        _scene(digest.update, scene)
    except (Unprintable, RecursionError):  # a mask inside itself: drawing refuses it
        return None
    finally:
        _files.reset(token)
    return digest.digest()


def value_print(value: Any) -> bytes:
    """The hash of a value, as a frame's print takes it (raises Unprintable)."""
    digest = hashlib.blake2b(digest_size=16)
    _value(digest.update, value)
    return digest.digest()


def _scene(feed, scene: Scene) -> None:
    look = scene.look()
    _value(feed, look)
    if look is not None and scene.previous is not None:
        with scene.previous.drawing():
            _view(feed, scene.previous)
    _view(feed, scene)


def _view(feed, scene: Scene) -> None:
    _value(feed, scene.camera_view())
    _node(feed, scene.root)


def _node(feed, node: Node) -> None:
    opacity = node.opacity()
    feed(b"<" + type(node).__qualname__.encode())
    if (opacity <= 0 or not node.shown()) and not _in_layout(node):
        feed(b"hidden>")  # drawn as nothing, and taking no room
        return
    _value(feed, (opacity, node.shown()))
    kind = type(node)
    for name, signal in sorted(node.__dict__.items()):
        if isinstance(signal, Signal):
            value = signal.get()
            if _default(value, getattr(kind, name, None)):
                continue  # as if never read: the painter makes a property's signal on reading
            feed(name.encode())
            if name in FILE_PROPS and isinstance(value, str) and _is_file(value):
                feed(b"file" + _files.get()(value))
            else:
                _value(feed, value)
    if isinstance(node, Video):
        _value(feed, node.source_time(node.current_frame()))
    if not type(node).__module__.startswith("parareel."):  # a project's own kind of node
        for name, value in sorted(vars(node).items()):
            if not name.startswith("_") and not isinstance(value, Signal | Node) \
                    and name not in ("children", "parent"):
                feed(name.encode())
                _value(feed, value)
    for child in sorted(node.children, key=lambda c: c.z()):
        _node(feed, child)
    feed(b">")


def _default(value: Any, declared: Any) -> bool:
    if not isinstance(declared, prop):
        return False
    default = declared.clean_default()
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):  # a comparison that is not a yes or no
        return False


def _in_layout(node: Node) -> bool:
    """A hidden child of a layout may still take room among its siblings."""
    return node.parent is not None and node.parent._lays_out


def _value(feed, value: Any) -> None:
    """Feed a value with its kind, so that 1, 1.0, "1" and (1,) all differ."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str, Fraction):
        feed(f"{kind.__name__}:{value!r};".encode())
    elif isinstance(value, numbers.Integral):  # NumPy's numbers, as the painter reads them
        feed(f"int:{int(value)!r};".encode())
    elif isinstance(value, numbers.Real):
        feed(f"float:{float(value)!r};".encode())
    elif isinstance(value, Node):  # a mask: drawn like a node
        _node(feed, value)
    elif isinstance(value, tuple | list):
        feed(f"{kind.__qualname__}[{len(value)}".encode())
        for item in value:
            _value(feed, item)
        feed(b"]")
    elif isinstance(value, dict):
        feed(f"dict[{len(value)}".encode())
        for key in sorted(value, key=repr):
            _value(feed, key)
            _value(feed, value[key])
        feed(b"]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        feed(f"{kind.__qualname__}(".encode())
        for field in dataclasses.fields(value):
            _value(feed, getattr(value, field.name))
        feed(b")")
    else:
        raise Unprintable(kind.__qualname__)


def _is_file(value: str) -> bool:
    return os.path.isabs(value) and os.path.isfile(value)


_FILES: dict[tuple, bytes] = {}
_files: ContextVar[Callable[[str], bytes]] = ContextVar("files")  # how a file is printed


def _file_identity(path: str) -> bytes:
    stat = os.stat(path)
    return repr((path, stat.st_size, stat.st_mtime_ns, stat.st_ino)).encode()


def file_print(path: str) -> bytes:
    """The SHA-256 of a file's bytes, worked out once while the file stays as it was."""
    stat = os.stat(path)
    key = (path, stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _FILES:
        _FILES[key] = bytes.fromhex(sha256(path))
    return _FILES[key]
