"""Storage: where segments and outputs live, behind one small interface.

    open_storage("file:///srv/renders")      # a local folder
    open_storage("s3://my-bucket/prefix")    # S3, or anything S3-compatible (boto3 settings)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from parareel.errors import StorageError


class Storage(Protocol):
    url: str

    def put_file(self, path: str | os.PathLike, key: str) -> None: ...

    def get_file(self, key: str, path: str | os.PathLike) -> None: ...

    def put_bytes(self, key: str, data: bytes, content_type: str = ...) -> None: ...

    def get_bytes(self, key: str) -> bytes | None:
        """The object's bytes, or None if there is no such object."""
        ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def delete_prefix(self, prefix: str) -> None: ...

    def link(self, key: str, expires: int = 3600) -> str:
        """A URL that reads the object (presigned for S3: the bucket stays private)."""
        ...


def cache_root() -> Path:
    """Where parareel keeps what it may throw away: PARAREEL_CACHE, else the user's cache
    folder (on Lambda, where only /tmp is writable, /tmp). Each cache has a folder of its
    own inside (assets/, blocks/)."""
    if os.environ.get("PARAREEL_CACHE"):
        return Path(os.environ["PARAREEL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or (
        tempfile.gettempdir() if os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        else Path.home() / ".cache")
    return Path(base) / "parareel"


def open_storage(url: str | os.PathLike) -> Storage:
    """A Storage for `file://...`, `s3://bucket/prefix` or a plain folder path."""
    text = str(url)
    parsed = urlparse(text)
    if parsed.scheme == "s3":
        from parareel.storage.s3 import S3Storage

        if not parsed.netloc:
            raise StorageError(f"{text!r} names no bucket: write s3://bucket/prefix")
        return S3Storage(parsed.netloc, parsed.path.lstrip("/"))
    if parsed.scheme in ("", "file"):
        from parareel.storage.local import LocalStorage

        return LocalStorage(Path(unquote(parsed.path) if parsed.scheme else text))
    raise StorageError(f"unsupported storage {text!r}: use file://FOLDER or s3://BUCKET/PREFIX")


def locate(url: str) -> tuple[Storage, str]:
    """The storage that holds the object at `url`, and its key there."""
    folder, _, key = str(url).rpartition("/")
    if not key:
        raise StorageError(f"{url!r} names a folder, not an object")
    return open_storage(folder), key


def local_path(url: str) -> Path | None:
    """The file behind a file:// URL (or plain path), None for remote storage."""
    parsed = urlparse(str(url))
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path(url) if not parsed.scheme else None


def sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256, hex: what a segment was when written, checked before a join."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
