"""Webhooks: the main invocation tells a URL how its render ended.

An event may carry `"webhook": {"url": "https://...", "secret": "..."}`. When the
render ends (done, failed, timeout or cancelled) the main POSTs its answer as JSON,
with `"event"` saying which, signed in the X-Parareel-Signature header:
`sha512=` and the hex HMAC-SHA512 of the body under the secret. A receiver that is
down or answers an error is tried again with backoff, within the main's time and
within BUDGET seconds in all (a receiver that never answers, or answers a byte at a
time, cannot hold the main). Redirects are not followed: a 3xx is not a delivery.
The receiver's address is held to the asset policy's (assets/policy.py): on Lambda a
public address, or one the deployment allows; the event is refused otherwise.
See examples/webhook_receiver.py for a receiver that checks the signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlparse

from parareel.assets.download import connect, port_of
from parareel.assets.policy import TRUSTED, AssetPolicy, NotAllowed
from parareel.contract import EventError
from parareel.errors import AssetError

HEADER = "X-Parareel-Signature"
ATTEMPTS = 5
FIRST_WAIT = 1.0  # seconds before the second attempt; doubles each time
ATTEMPT_SECONDS = 10.0  # one attempt, from connecting to the answer's status
BUDGET = 30.0  # every attempt and wait together


def sign(secret: str, body: bytes) -> str:
    return "sha512=" + hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def event_of(answer: dict[str, Any]) -> str:
    """done, failed, timeout or cancelled."""
    if answer.get("status") in ("done", "cancelled"):
        return answer["status"]
    return "timeout" if answer.get("errorType") == "Timeout" else "failed"


def check(url: str, policy: AssetPolicy) -> None:
    """Refuse, before any work, a receiver whose address `policy` does not allow."""
    try:
        policy.check_addresses(url, urlparse(url).hostname or "", port_of(urlparse(url)))
    except AssetError as exc:
        raise EventError(f"webhook: {exc}") from None


def deliver(url: str, secret: str, answer: dict[str, Any], give_up_at: float | None = None,
            policy: AssetPolicy = TRUSTED) -> bool:
    """POST the signed answer; True once the receiver took it (2xx)."""
    body = json.dumps({"event": event_of(answer), **answer}).encode()
    headers = {"Content-Type": "application/json", HEADER: sign(secret, body)}
    end = time.monotonic() + BUDGET
    if give_up_at is not None:
        end = min(end, give_up_at)
    for attempt in range(ATTEMPTS):
        try:
            if _post(url, body, headers, min(ATTEMPT_SECONDS, end - time.monotonic()),
                     policy):
                return True
        except NotAllowed:  # the policy refuses its address: so would it the next time
            return False
        wait = FIRST_WAIT * 2**attempt
        if attempt + 1 == ATTEMPTS or time.monotonic() + wait >= end:
            break
        time.sleep(wait)
    return False


def _post(url: str, body: bytes, headers: dict[str, str], seconds: float,
          policy: AssetPolicy) -> bool:
    """One attempt, given up after `seconds` however the receiver behaves."""
    if seconds <= 0:
        return False
    parsed = urlparse(url)
    connections: list[http.client.HTTPConnection] = []
    status: list[int] = []
    refused: list[NotAllowed] = []

    def attempt() -> None:
        try:
            connections.append(connect(url, policy, seconds))
            connections[0].request("POST", (parsed.path or "/") + (
                f"?{parsed.query}" if parsed.query else ""), body, headers)
            status.append(connections[0].getresponse().status)
        except NotAllowed as exc:
            refused.append(exc)
        except (OSError, http.client.HTTPException, AssetError):  # down, or unreachable
            pass

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(seconds)
    for connection in connections:
        if connection.sock is not None:  # a receiver still dripping its answer is cut off
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
        connection.close()
    if refused:
        raise refused[0]
    return bool(status) and 200 <= status[0] < 300
