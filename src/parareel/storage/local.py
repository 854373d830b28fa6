"""Storage in a local folder (also what tests and single machines use)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from parareel.storage.files import written_whole


class LocalStorage:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()
        self.url = self.root.as_uri()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"key {key!r} points outside the storage folder")
        return path

    def put_file(self, path: str | os.PathLike, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with written_whole(target) as partial:
            shutil.copyfile(path, partial)

    def get_file(self, key: str, path: str | os.PathLike) -> None:
        shutil.copyfile(self._path(key), path)

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with written_whole(target) as partial:
            partial.write_bytes(data)

    def get_bytes(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def list_keys(self, prefix: str) -> list[str]:
        """The keys under `prefix`, as put (relative to the folder)."""
        folder, _, start = prefix.rpartition("/")
        base = self._path(folder) if folder else self.root
        if not base.is_dir():
            return []
        return [f"{folder}/{p.name}" if folder else p.name for p in base.iterdir()
                if p.name.startswith(start) and p.is_file()]

    def delete_prefix(self, prefix: str) -> None:
        path = self._path(prefix)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)

    def link(self, key: str, expires: int = 3600) -> str:
        return self._path(key).as_uri()
