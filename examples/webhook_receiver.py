"""A webhook receiver for parareel's Lambda renders, with the standard library alone.

    PARAREEL_WEBHOOK_SECRET=s3cret python examples/webhook_receiver.py 8080

Send renders with `"webhook": {"url": "https://your.host/...", "secret": "s3cret"}`.
Each POST is checked before it is believed: X-Parareel-Signature must be `sha512=` and
the hex HMAC-SHA512 of the exact body under the secret (compared in constant time).
A forged or altered request gets 401; a good one 204, and its event is printed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    expected = "sha512=" + hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature)


def make_server(port: int, secret: str, on_event=print) -> ThreadingHTTPServer:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify(secret, body, self.headers.get("X-Parareel-Signature")):
                self.send_response(401)
                self.end_headers()
                return
            on_event(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Receiver)


if __name__ == "__main__":
    def show(event: dict) -> None:
        print(f"job {event['jobId']}: {event['event']} {event.get('url', '')}", flush=True)

    server = make_server(int(sys.argv[1]) if len(sys.argv) > 1 else 8080,
                         os.environ["PARAREEL_WEBHOOK_SECRET"], show)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
