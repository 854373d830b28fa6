"""Assets: one resolver for every file a project names (images, sounds, clips, fonts).

    path      relative to the project file's folder (or a file:// URL)
    http(s):// and s3://   downloaded once into a bounded cache, then used from disk

What may be opened is the asset policy's to say (assets/policy.py): anything
locally, the project's folder and allowed addresses and buckets on Lambda.

Assets are resolved while the scene logic runs, so the survey (before any chunk
starts) fetches and checks every one of them: a 404, an unreachable host or a
refused object is an AssetError naming the asset. The survey also pins each remote
asset: the render records the SHA-256 of the copy it fetched, stores that copy with
the render (`assets/{sha256}`), and its chunks use exactly that copy, so an object
that changes while a video renders cannot mix two versions in it. Elsewhere a copy is
used without asking the server again for REVALIDATE seconds, then revalidated
(ETag / Last-Modified). Concurrent requests for one asset download it once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from parareel.assets.download import fetch_http, fetch_s3
from parareel.assets.policy import AssetPolicy, applied, current
from parareel.errors import AssetError
from parareel.storage import cache_root, local_path, open_storage, sha256
from parareel.storage.keys import RenderKeys

__all__ = ["AssetPolicy", "Pinned", "applied", "current", "forget", "pinned", "recorded",
           "resolve"]

REVALIDATE = 30.0  # seconds a checked copy is used without asking again
CACHE_BYTES = 2 * 1024**3  # the cache's bound; least recently used copies go first...
CACHE_SHARE = 0.5  # ...and never more than this share of the disk's room (Lambda's /tmp)
STALE = 3600  # seconds after which a leftover partial download is removed

# the folder relative paths start from: the project file's, while its scenes run
project_folder: ContextVar[Path | None] = ContextVar("parareel_project_folder", default=None)


@dataclass(frozen=True)
class Pinned:
    """A remote asset as a render fetched it: the copy every chunk must use."""

    url: str
    sha256: str
    path: str  # the main's local copy
    inode: int  # of that copy: a newer download replaces the file, never writes into it


_seen: ContextVar[dict[str, Pinned] | None] = ContextVar("parareel_assets_seen", default=None)
# a chunk's pins: url -> the render's copy, .../assets/{sha256}
_pins: ContextVar[dict[str, str] | None] = ContextVar("parareel_pins", default=None)
_checked: dict[str, tuple[float, str]] = {}  # url -> (when checked, local path)
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def cache_folder() -> Path:
    return cache_root() / "assets"


def resolve(src: str | os.PathLike, kind: str = "file") -> str:
    """A local path for `src`; `kind` ("image", "sound", "clip") words the errors."""
    text = str(src)
    scheme = urlparse(text).scheme
    if scheme in ("http", "https", "s3"):
        pins = _pins.get()
        if pins and text in pins:
            return _pinned(text, pins[text])
        return _remote(text, kind)
    named = text
    if scheme == "file" and text.startswith("file://"):
        named = url2pathname(urlparse(text).path)
    elif "://" in text:
        raise AssetError(f"{kind} {text!r}: {scheme}:// is not a source parareel opens; "
                         "name a file, or an http(s):// or s3:// URL")
    path = current().check_path(named, project_folder.get() or Path.cwd(), text)
    if not path.is_file():
        raise AssetError(f"{kind} {text!r} does not exist (looked for {str(path)!r}; "
                         "relative paths start at the project file's folder)")
    return str(path.resolve())


def forget() -> None:
    """Ask the servers again on the next resolve (as a fresh worker would)."""
    _checked.clear()


@contextlib.contextmanager
def recorded() -> Iterator[dict[str, Pinned]]:
    """Record every remote asset resolved in the block, as the copy fetched."""
    seen: dict[str, Pinned] = {}
    token = _seen.set(seen)
    try:
        yield seen
    finally:
        _seen.reset(token)


@contextlib.contextmanager
def pinned(copies: dict[str, str]) -> Iterator[None]:
    """Resolve each URL in `copies` to exactly the render's copy it names (a storage URL
    ending in assets/{sha256}): a chunk of a render whose survey pinned them."""
    token = _pins.set(copies)
    try:
        yield
    finally:
        _pins.reset(token)


def keep(pinned: tuple[Pinned, ...], store: str, workspace: Path) -> dict[str, str]:
    """Keep the survey's copy of each remote asset with the render (in `store`'s
    assets/{sha256}): its chunks use exactly these. URL -> the copy's URL."""
    remote = open_storage(store) if local_path(store) is None else None
    keys = RenderKeys()
    copies, pins = workspace / keys.assets, {}
    for asset in pinned:
        copy = copies / asset.sha256
        if not copy.exists():
            copies.mkdir(exist_ok=True)
            try:  # the file as it is now, whatever replaces it later
                os.link(asset.path, copy)
                same = copy.stat().st_ino == asset.inode  # the very file the survey read
            except OSError:  # another file system: a copy, checked by its content
                shutil.copyfile(asset.path, copy)
                same = sha256(copy) == asset.sha256
            if not same:
                raise AssetError(f"{asset.url} changed while the render was starting: "
                                 "render again")
            if remote is not None:
                remote.put_file(copy, keys.asset(asset.sha256))
        pins[asset.url] = (f"{store}/{keys.asset(asset.sha256)}" if remote is not None
                           else copy.as_uri())
    return pins


def _remote(url: str, kind: str) -> str:
    key = hashlib.sha256(url.encode()).hexdigest()[:32]
    with _held(key) as (folder, meta):
        checked = _checked.get(url)
        data = folder / key
        if not (checked and time.monotonic() - checked[0] < REVALIDATE and data.is_file()):
            known = meta.get() if data.is_file() else {}
            fetch = fetch_s3 if url.startswith("s3://") else fetch_http
            try:
                fresh = fetch(url, known, data, current())
            except AssetError:
                raise
            except Exception as exc:  # noqa: BLE001 - any transport error names the asset
                raise AssetError(f"cannot fetch {kind} {url}: {exc}") from None
            if fresh is not None or "sha256" not in known:
                meta.put({**(fresh or known), "sha256": sha256(data)})
                _trim(folder)  # the cache grew: keep it to its bound
            _checked[url] = (time.monotonic(), str(data))
        if (seen := _seen.get()) is not None:
            seen[url] = Pinned(url, meta.get()["sha256"], str(data), data.stat().st_ino)
        return str(data)


def _pinned(url: str, stored: str) -> str:
    """The render's copy of `url` (`stored`, named by its SHA-256): itself when it is a
    local file, else a verified download of it, kept under its hash (a file whose
    content never changes, unlike the URL's own entry, which a newer version replaces)."""
    if (path := local_path(stored)) is not None and path.is_file():
        return str(path)
    sha = stored.rsplit("/", 1)[-1]
    with _held(f"pinned-{sha}") as (cache, _):
        copy = cache / f"pinned-{sha}"
        if not copy.is_file():
            from parareel.storage import locate

            storage, name = locate(stored)
            partial = copy.with_name(f".{copy.name}.{os.getpid()}.partial")
            try:
                storage.get_file(name, partial)
                if sha256(partial) != sha:
                    raise AssetError(f"the render's copy of {url} is damaged (its SHA-256 "
                                     "differs from the one the render pinned)")
                os.replace(partial, copy)
            finally:
                partial.unlink(missing_ok=True)
            _trim(cache)
        return str(copy)


class _Meta:
    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def put(self, data: dict) -> None:
        self.path.write_text(json.dumps(data))


@contextlib.contextmanager
def _held(key: str) -> Iterator[tuple[Path, _Meta]]:
    """The cache folder, with `key` locked in this process and across processes; the
    entry is marked recently used when the block ends."""
    with _guard:
        lock = _locks.setdefault(key, threading.Lock())
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with lock, open(folder / f"{key}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield folder, _Meta(folder / f"{key}.json")
        finally:
            with contextlib.suppress(OSError):
                os.utime(folder / key)
            if not (folder / key).is_file():  # nothing came of it: leave nothing
                (folder / f"{key}.lock").unlink(missing_ok=True)
                (folder / f"{key}.json").unlink(missing_ok=True)


def _trim(folder: Path) -> None:
    """Delete least recently used copies beyond the cache's bound, and stale leftovers."""
    now, files = time.time(), []
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.suffix == ".partial" and now - path.stat().st_mtime > STALE:
                path.unlink()
            elif not path.suffix and not path.name.startswith(".") and path.is_file():
                files.append((path.stat().st_mtime, path.stat().st_size, path))
    total = sum(size for _, size, _ in files)
    bound = min(CACHE_BYTES, CACHE_SHARE * (shutil.disk_usage(folder).free + total))
    for _, size, path in sorted(files):
        if total <= bound:
            break
        total -= size
        with contextlib.suppress(OSError):
            path.unlink()
            path.with_suffix(".json").unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
