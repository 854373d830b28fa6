"""Downloads of http(s):// and s3:// assets into a file, whole or not at all.

Every hop of an http(s) download is checked by the asset policy and connected to the
very address that was checked (a name cannot resolve to a public address for the
check and a private one for the connection). The received length must be the
announced one (and the checksum, where the server sends one); a download that is
cut short, too large or too slow leaves nothing behind.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import socket
import ssl
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import ParseResult, urljoin, urlparse

from parareel.assets.policy import AssetPolicy
from parareel.errors import AssetError

REDIRECTS = 5
CONNECT_TIMEOUT = 30.0
REDIRECT_CODES = (301, 302, 303, 307, 308)


class Deadline:
    """The time a download has left, and its size limit."""

    def __init__(self, url: str, policy: AssetPolicy) -> None:
        self.url, self.policy = url, policy
        self.end = time.monotonic() + policy.seconds
        self.why = f"it took longer than {policy.seconds:.0f} s"
        if policy.deadline is not None and policy.deadline < self.end:
            self.end, self.why = policy.deadline, "the render ran out of time while fetching it"

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise AssetError(f"cannot fetch {self.url}: {self.why}")
        return left

    def check_size(self, size: int) -> None:
        if size > self.policy.max_bytes:
            raise AssetError(f"cannot fetch {self.url}: it is larger than the "
                             f"{self.policy.max_bytes / 1024**2:.0f} MB an asset may be")


def fetch_http(url: str, known: dict, target: Path, policy: AssetPolicy) -> dict | None:
    """Download `url` into `target` unless the validators in `known` still match;
    the new validators, or None if the copy is current."""
    deadline = Deadline(url, policy)
    headers = {"User-Agent": "parareel"}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("modified"):
        headers["If-Modified-Since"] = known["modified"]
    hop = url
    for _ in range(REDIRECTS + 1):
        connection = connect(hop, policy, min(CONNECT_TIMEOUT, deadline.left()))
        try:
            parsed = urlparse(hop)
            path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status in REDIRECT_CODES and response.getheader("Location"):
                hop = urljoin(hop, response.getheader("Location"))
                continue
            if response.status == 304 and known:
                return None
            if response.status != 200:
                raise AssetError(f"cannot fetch {url}: HTTP {response.status} {response.reason}")
            length = response.getheader("Content-Length")
            if length is not None:
                deadline.check_size(int(length))
            write(target, _read(response, connection, deadline), deadline,
                  int(length) if length is not None else None,
                  _md5_of(response.getheader("Content-MD5")))
            return {"etag": response.getheader("ETag"),
                    "modified": response.getheader("Last-Modified")}
        except (OSError, http.client.HTTPException) as exc:
            raise AssetError(f"cannot fetch {url}: {exc or type(exc).__name__}") from None
        finally:
            connection.close()
    raise AssetError(f"cannot fetch {url}: more than {REDIRECTS} redirects")


def connect(url: str, policy: AssetPolicy, timeout: float) -> http.client.HTTPConnection:
    """A connection for `url` to an address of its host that `policy` allows (the very
    address checked: a name cannot resolve one way for the check, another to connect)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise AssetError(f"cannot fetch {url}: only http:// and https:// are followed")
    port = port_of(parsed)
    address = policy.check_addresses(url, parsed.hostname, port)[0]
    if parsed.scheme == "https":
        connection = _SecureTo(address, parsed.hostname, port, timeout=timeout,
                               context=ssl.create_default_context())
    else:
        connection = _PlainTo(address, parsed.hostname, port, timeout=timeout)
    try:
        connection.connect()
    except OSError as exc:
        raise AssetError(f"cannot reach {url}: {exc.strerror or exc}") from None
    return connection


def port_of(parsed: ParseResult) -> int:
    return parsed.port or (443 if parsed.scheme == "https" else 80)


class _PlainTo(http.client.HTTPConnection):
    """A connection to `address`, the checked address of `host` (sent as Host)."""

    def __init__(self, address: str, host: str, port: int, **options) -> None:
        super().__init__(host, port, **options)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _SecureTo(http.client.HTTPSConnection):
    def __init__(self, address: str, host: str, port: int, context: ssl.SSLContext,
                 **options) -> None:
        super().__init__(host, port, context=context, **options)
        self.address, self.tls = address, context

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _read(response: http.client.HTTPResponse, connection: http.client.HTTPConnection,
          deadline: Deadline) -> Iterable[bytes]:
    while True:
        if connection.sock is not None:  # a server sending a byte at a time is cut off too
            connection.sock.settimeout(min(CONNECT_TIMEOUT, deadline.left()))
        block = response.read1(1 << 20)
        if not block:
            return
        yield block


def _md5_of(header: str | None) -> str | None:
    try:
        return base64.b64decode(header).hex() if header else None
    except ValueError:
        return None


def fetch_s3(url: str, known: dict, target: Path, policy: AssetPolicy) -> dict | None:
    from botocore.exceptions import BotoCoreError, ClientError

    from parareel.storage.s3 import S3Storage

    parsed = urlparse(url)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    policy.check_bucket(url, bucket, key)
    deadline = Deadline(url, policy)
    client = S3Storage(bucket).client
    conditional = {"IfNoneMatch": known["etag"]} if known.get("etag") else {}
    try:
        response = client.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED",
                                     **conditional)
        deadline.check_size(response["ContentLength"])
        write(target, response["Body"].iter_chunks(1 << 20), deadline,
              response["ContentLength"], sha256_b64=response.get("ChecksumSHA256"))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("304", "NotModified"):
            return None
        if policy.confined:  # whether it exists is not the caller's to know
            raise AssetError(f"cannot fetch {url}: no such object, or access refused") \
                from None
        reason = {"404": "no such object", "NoSuchKey": "no such object",
                  "NoSuchBucket": "no such bucket", "403": "access refused",
                  "AccessDenied": "access refused"}.get(code, code)
        raise AssetError(f"cannot fetch {url}: {reason}") from None
    except BotoCoreError as exc:
        raise AssetError(f"cannot reach S3 for {url}: {exc}") from None
    return {"etag": response.get("ETag")}


def write(target: Path, blocks: Iterable[bytes], deadline: Deadline, length: int | None,
          md5: str | None = None, sha256_b64: str | None = None) -> None:
    """Write `blocks` to `target` whole: the announced `length` and checksums must hold,
    or nothing is left (not even the partial file)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    received, md5_sum, sha = 0, hashlib.md5(usedforsecurity=False), hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for block in blocks:
                received += len(block)
                deadline.check_size(received)
                deadline.left()
                out.write(block)
                md5_sum.update(block)
                sha.update(block)
        if length is not None and received != length:
            raise AssetError(f"cannot fetch {deadline.url}: the download was cut short "
                             f"({received:,} of {length:,} bytes)")
        if (md5 and md5 != md5_sum.hexdigest()) or (
                sha256_b64 and base64.b64decode(sha256_b64) != sha.digest()):
            raise AssetError(f"cannot fetch {deadline.url}: its checksum does not match")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
