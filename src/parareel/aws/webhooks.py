"""Webhooks: the main invocation tells a URL how its render ended.

An event may carry `"webhook": {"url": "https://...", "secret": "..."}`. When the
render ends (done, failed, timeout or cancelled) the main POSTs its answer as JSON,
with `"event"` saying which, signed in the X-Parareel-Signature header:
`sha512=` and the hex HMAC-SHA512 of the body under the secret. A receiver that is
down or answers an error is tried again with backoff, within the main's time.
See examples/webhook_receiver.py for a receiver that checks the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

HEADER = "X-Parareel-Signature"
ATTEMPTS = 5
FIRST_WAIT = 1.0  # seconds before the second attempt; doubles each time


def sign(secret: str, body: bytes) -> str:
    return "sha512=" + hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def event_of(answer: dict[str, Any]) -> str:
    """done, failed, timeout or cancelled."""
    if answer.get("status") in ("done", "cancelled"):
        return answer["status"]
    return "timeout" if answer.get("errorType") == "Timeout" else "failed"


def deliver(url: str, secret: str, answer: dict[str, Any],
            give_up_at: float | None = None) -> bool:
    """POST the signed answer; True once the receiver took it (2xx)."""
    body = json.dumps({"event": event_of(answer), **answer}).encode()
    headers = {"Content-Type": "application/json", HEADER: sign(secret, body)}
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10):
                return True  # urlopen raises for anything but 2xx and redirects
        except (urllib.error.URLError, OSError):
            pass
        wait = FIRST_WAIT * 2**attempt
        if attempt + 1 == ATTEMPTS or (give_up_at and time.monotonic() + wait > give_up_at):
            break
        time.sleep(wait)
    return False
