"""Assets: one resolver for every file a project names (images, sounds, clips, fonts).

    path      relative to the project file's folder (absolute paths as they are)
    http(s):// and s3://   downloaded once into a bounded cache, then used from disk

Assets are resolved while the scene logic runs, so the survey (before any chunk
starts) fetches and checks every one of them: a 404, an unreachable host or a
refused object is an AssetError naming the asset. A worker that resolves the same
URL again uses its cached copy; it asks the server whether the object changed
(ETag / Last-Modified) at most every REVALIDATE seconds, and downloads it again
only if it did. Concurrent requests for one asset download it once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import urlparse

from parareel.errors import AssetError

REVALIDATE = 30.0  # seconds a checked copy is used without asking again
CACHE_BYTES = 2 * 1024**3  # the cache's bound; least recently used copies go first
TIMEOUT = 30

# the folder relative paths start from: the project file's, while its scenes run
project_folder: ContextVar[Path | None] = ContextVar("parareel_project_folder", default=None)

_checked: dict[str, tuple[float, str]] = {}  # url -> (when checked, local path)
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def cache_folder() -> Path:
    folder = os.environ.get("PARAREEL_CACHE")
    if folder:
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or (  # on Lambda only /tmp is writable
        tempfile.gettempdir() if os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        else Path.home() / ".cache")
    return Path(base) / "parareel" / "assets"


def resolve(src: str | os.PathLike, kind: str = "file") -> str:
    """A local path for `src`; `kind` ("image", "sound", "clip") words the errors."""
    text = str(src)
    scheme = urlparse(text).scheme
    if scheme in ("http", "https", "s3"):
        return _remote(text, kind)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (project_folder.get() or Path.cwd()) / path
    if not path.is_file():
        raise AssetError(f"{kind} {text!r} does not exist (looked for {str(path)!r}; "
                         "relative paths start at the project file's folder)")
    return str(path.resolve())


def forget() -> None:
    """Ask the servers again on the next resolve (as a fresh worker would)."""
    _checked.clear()


def _remote(url: str, kind: str) -> str:
    with _guard:
        lock = _locks.setdefault(url, threading.Lock())
    with lock:  # one download per URL in this process...
        checked = _checked.get(url)
        if checked and time.monotonic() - checked[0] < REVALIDATE and Path(checked[1]).is_file():
            return checked[1]
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        data, meta = folder / key, folder / f"{key}.json"
        with open(folder / f"{key}.lock", "w") as held:  # ...and across processes
            fcntl.flock(held, fcntl.LOCK_EX)
            known = json.loads(meta.read_text()) if meta.is_file() and data.is_file() else {}
            fetch = _fetch_s3 if url.startswith("s3://") else _fetch_http
            try:
                fresh = fetch(url, known, data)
            except AssetError:
                raise
            except Exception as exc:  # noqa: BLE001 - any transport error names the asset
                raise AssetError(f"cannot fetch {kind} {url}: {exc}") from None
            if fresh is not None:
                meta.write_text(json.dumps(fresh))
            os.utime(data)  # recently used
        _checked[url] = (time.monotonic(), str(data))
        _trim(folder)
        return str(data)


def _fetch_http(url: str, known: dict, target: Path) -> dict | None:
    """Download into `target` unless `known` validators still match; new validators or None."""
    request = urllib.request.Request(url)
    if known.get("etag"):
        request.add_header("If-None-Match", known["etag"])
    if known.get("modified"):
        request.add_header("If-Modified-Since", known["modified"])
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None
        raise AssetError(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise AssetError(f"cannot reach {url}: {exc.reason}") from None
    with response:
        _write(target, iter(lambda: response.read(1 << 20), b""))
        return {"etag": response.headers.get("ETag"),
                "modified": response.headers.get("Last-Modified")}


def _fetch_s3(url: str, known: dict, target: Path) -> dict | None:
    from botocore.exceptions import BotoCoreError, ClientError

    from parareel.storage.s3 import S3Storage

    parsed = urlparse(url)
    client = S3Storage(parsed.netloc).client
    conditional = {"IfNoneMatch": known["etag"]} if known.get("etag") else {}
    try:
        response = client.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"),
                                     **conditional)
        _write(target, response["Body"].iter_chunks(1 << 20))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("304", "NotModified"):
            return None
        reason = {"404": "no such object", "NoSuchKey": "no such object",
                  "NoSuchBucket": "no such bucket", "403": "access refused",
                  "AccessDenied": "access refused"}.get(code, code)
        raise AssetError(f"cannot fetch {url}: {reason}") from None
    except BotoCoreError as exc:
        raise AssetError(f"cannot reach S3 for {url}: {exc}") from None
    return {"etag": response.get("ETag")}


def _write(target: Path, blocks) -> None:
    partial = target.with_name(f".{target.name}.partial")
    with open(partial, "wb") as out:
        for block in blocks:
            out.write(block)
    os.replace(partial, target)


def _trim(folder: Path) -> None:
    """Delete least recently used copies beyond CACHE_BYTES."""
    files = [p for p in folder.iterdir() if p.suffix == "" and p.is_file()]
    total = sum(p.stat().st_size for p in files)
    for path in sorted(files, key=lambda p: p.stat().st_mtime):
        if total <= CACHE_BYTES:
            break
        total -= path.stat().st_size
        with contextlib.suppress(OSError):
            path.unlink()
            path.with_suffix(".json").unlink(missing_ok=True)
