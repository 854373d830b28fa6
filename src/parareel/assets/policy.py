"""What a render may open: the asset policy.

Locally a project is its user's own code, and TRUSTED opens any path, address or
bucket. On Lambda, assets also come from callers' variables, so every asset a render
opens there (named by code or by a variable) goes through a confined policy:

    paths     inside the deployed folder (`root`: the function's /var/task, the copy
              of the folder deployed from): a path, however written (absolute, with
              .., through a symbolic link), that leads out of it is refused; no ~
    http(s)   public addresses only: every address of every hop, redirects included;
              loopback, private, link-local (cloud metadata), shared, multicast and
              reserved addresses are refused unless their "address:port" is in `hosts`
    s3://     only the buckets (or bucket/prefix) in `buckets`, never PROTECTED's prefixes

A refusal says "not allowed by the asset policy", never whether the thing exists.
Downloads are capped in size (`max_bytes`) and in total time (`seconds`), whatever
the policy.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parareel.errors import AssetError
from parareel.storage.keys import CACHE, JOBS, RENDERS

MAX_BYTES = 2 * 1024**3  # one download, at most
SECONDS = 300.0  # one download's total time, however slowly the server sends
PROTECTED = (RENDERS, JOBS, CACHE)  # the function's own files: never an asset


@dataclass(frozen=True)
class AssetPolicy:
    confined: bool = False  # False: any path, address or bucket (a user's own project)
    root: Path | None = None  # where confined paths must lead (default: the current folder)
    buckets: tuple[str, ...] = ()  # "bucket" or "bucket/prefix": what s3:// may read
    hosts: frozenset[str] = field(default_factory=frozenset)  # "address:port" allowed anyway
    max_bytes: int = MAX_BYTES
    seconds: float = SECONDS
    deadline: float | None = None  # time.monotonic() by which every download must be done

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> AssetPolicy:
        """The Lambda function's policy: PARAREEL_ASSET_BUCKETS and PARAREEL_ASSET_HOSTS
        (comma separated), PARAREEL_ASSET_MAX_MB."""
        env = dict(os.environ if env is None else env)

        def listed(name: str) -> list[str]:
            return [part.strip() for part in env.get(name, "").split(",") if part.strip()]

        megabytes = env.get("PARAREEL_ASSET_MAX_MB")
        return cls(True, Path(env.get("LAMBDA_TASK_ROOT") or os.getcwd()),
                   tuple(b.strip("/") for b in listed("PARAREEL_ASSET_BUCKETS")),
                   frozenset(listed("PARAREEL_ASSET_HOSTS")),
                   int(megabytes) * 1024**2 if megabytes else MAX_BYTES)

    def to_json(self) -> dict:
        return {"confined": self.confined, "root": self.root and str(self.root),
                "buckets": list(self.buckets), "hosts": sorted(self.hosts),
                "max_bytes": self.max_bytes, "seconds": self.seconds}  # a deadline stays here

    @classmethod
    def from_json(cls, data: dict) -> AssetPolicy:
        return cls(data["confined"], data["root"] and Path(data["root"]),
                   tuple(data["buckets"]), frozenset(data["hosts"]), data["max_bytes"],
                   data["seconds"])

    def check_path(self, text: str, folder: Path, shown: str | None = None) -> Path:
        """The file `text` names, relative to the project's `folder` (`shown`: how the
        project or caller wrote it, for the refusal)."""
        if not self.confined:
            return folder / Path(text).expanduser()  # an absolute path stays as it is
        path = folder / text
        # resolving follows .. and symbolic links: where the file really is must be inside
        if text.startswith("~") or not path.resolve().is_relative_to(
                (self.root or Path.cwd()).resolve()):
            raise refused(shown or text)
        return path

    def check_bucket(self, url: str, bucket: str, key: str) -> None:
        if not self.confined:
            return
        allowed = any(bucket == entry or f"{bucket}/{key}".startswith(f"{entry}/")
                      for entry in self.buckets)
        if not allowed or key.startswith(PROTECTED) or ".." in key.split("/"):
            raise refused(url)

    def check_addresses(self, url: str, host: str, port: int) -> list[str]:
        """The addresses `host` resolves to, if every one of them may be reached."""
        try:
            found = lookup(host, port)
        except OSError as exc:
            raise AssetError(f"cannot reach {url}: {exc}") from None
        if self.confined:
            for address in found:
                if not _public(address) and f"{address}:{port}" not in self.hosts:
                    raise refused(url)
        return found


TRUSTED = AssetPolicy()


class NotAllowed(AssetError):
    """The asset policy refuses it: asking again would be refused again."""


def refused(what: str) -> NotAllowed:
    return NotAllowed(f"{what} is not allowed by the asset policy (see 'Assets' in the README)")


def lookup(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (tests put their own resolver here)."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM)))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


_current = TRUSTED


def current() -> AssetPolicy:
    return _current


@contextlib.contextmanager
def applied(policy: AssetPolicy) -> Iterator[AssetPolicy]:
    """Open assets under `policy` in this process until the block ends (a Lambda
    environment runs one invocation at a time; its threads share the policy)."""
    global _current
    before, _current = _current, policy
    try:
        yield policy
    finally:
        _current = before
