"""Webhooks: signed, retried, checked by the example receiver; no redirect followed and
no receiver able to hold the main."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest

from parareel.aws.handler import handler
from tests.lambda_tools import (
    SEED_EVENT,
    free_port,
    receiver_module,
)


def test_webhooks_are_signed_retried_and_verified_by_the_example_receiver(stack, monkeypatch):
    import time

    receiver, port, received = receiver_module(), free_port(), []
    monkeypatch.setenv("PARAREEL_ASSET_HOSTS", f"127.0.0.1:{port}")  # a local receiver
    url = f"http://127.0.0.1:{port}/hook"

    def start_late() -> None:  # the receiver is down when the first attempt comes
        time.sleep(1.5)
        server = receiver.make_server(port, "s3cret", received.append)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    servers: list = []
    late = threading.Thread(target=start_late)
    late.start()
    webhook = {"url": url, "secret": "s3cret"}
    body = handler({**SEED_EVENT, "jobId": "hooked", "numWorkers": 2, "webhook": webhook},
                   None)
    late.join()
    assert body["status"] == "done"
    failed = handler({**SEED_EVENT, "jobId": "hooked-bad", "variables": {"mesage": "x"},
                      "webhook": webhook}, None)
    assert failed["status"] == "error"
    try:
        assert [(e["event"], e["jobId"]) for e in received] == [("done", "hooked"),
                                                                 ("failed", "hooked-bad")]
        assert received[0]["url"] == body["url"] and "mesage" in received[1]["errorMessage"]
        forged = urllib.request.Request(url, data=b'{"event": "done"}', method="POST",
                                        headers={"X-Parareel-Signature": "sha512=00"})
        with pytest.raises(urllib.error.HTTPError, match="401"):
            urllib.request.urlopen(forged)
        assert len(received) == 2
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    bad = handler({**SEED_EVENT, "jobId": "hooked-x", "webhook": {"url": "ftp://x"}}, None)
    assert bad["errorType"] == "InvalidEvent" and "webhook must be" in bad["errorMessage"]


@pytest.mark.slow
def test_a_webhook_follows_no_redirect_and_cannot_hold_the_main(monkeypatch):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from parareel.aws import webhooks

    posts: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            posts.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/moved":  # a 302 would turn the POST into a bodiless GET
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
            elif self.path == "/silent":
                time.sleep(5)
            elif self.path == "/drip":  # its status line a byte at a time
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.send_response(200)
                self.end_headers()

        def do_GET(self):  # noqa: N802
            posts.append(f"GET {self.path}")

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):  # closing does not wait for the silent receivers
        daemon_threads, block_on_close = True, False

    server = Server(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(webhooks, "ATTEMPT_SECONDS", 1.0)
    monkeypatch.setattr(webhooks, "BUDGET", 2.5)
    monkeypatch.setattr(webhooks, "FIRST_WAIT", 0.1)
    answer = {"status": "done", "jobId": "hook"}
    try:
        assert webhooks.deliver(f"{base}/ok", "s", answer)
        for path in ("/moved", "/silent", "/drip"):
            started = time.monotonic()
            assert not webhooks.deliver(f"{base}{path}", "s", answer), path
            assert time.monotonic() - started < 3.5, path  # the budget, not the receiver
        assert "/elsewhere" not in posts and "GET /elsewhere" not in posts
    finally:
        server.shutdown()
        server.server_close()
