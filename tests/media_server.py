"""A local HTTP server of media files with ETags, counting what it sends (the URL path of
assets; https is not possible here, http:// to 127.0.0.1 takes the same code)."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import EXAMPLES

MEDIA = {"bg.mp4": EXAMPLES / "seed" / "media" / "background.mp4",
         "music.m4a": EXAMPLES / "seed" / "media" / "music.m4a",
         "logo.png": EXAMPLES / "showcase" / "logo.png"}


class Files:
    """A local HTTP server of in-memory files with ETags, counting what it sends."""

    def __init__(self) -> None:
        self.files = {f"/{name}": path.read_bytes() for name, path in MEDIA.items()}
        self.files["/not-media.mp4"] = b"<html>not a video</html>"
        self.sent: Counter = Counter()  # (path, status)
        self.special: dict = {}  # path -> a function answering the request handler itself
        files = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                if self.path in files.special:
                    files.sent[self.path, "special"] += 1
                    files.special[self.path](self)
                    return
                body = files.files.get(self.path)
                if body is None:
                    files.sent[self.path, 404] += 1
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    files.sent[self.path, 304] += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                files.sent[self.path, 200] += 1
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
