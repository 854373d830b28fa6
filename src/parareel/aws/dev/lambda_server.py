"""A Lambda-compatible endpoint on 127.0.0.1: the Invoke API, run by real handler processes.

    POST /2015-03-31/functions/{name}/invocations

Each function has execution environments (processes running `runtime.py`) that
behave like Lambda's: one invocation at a time each, warm ones reused, new ones
started under load up to the concurrency limit, 429 TooManyRequestsException
beyond it, a per-invocation timeout, a memory limit (an environment whose process
grows past the function's memory is killed, and the invocation answered as Lambda
answers it: Runtime.ExitError, "signal: killed"), and function errors reported with
X-Amz-Function-Error and an error payload. boto3 reaches it through
AWS_ENDPOINT_URL_LAMBDA, like any other Lambda endpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

MEMORY_POLL = 0.1  # seconds between looks at an environment's memory
INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")


@dataclass
class Function:
    name: str
    handler: str = "parareel.aws.handler.handler"
    env: dict[str, str] = field(default_factory=dict)
    memory_mb: int = 2048
    timeout: float = 900.0
    concurrency: int = 4


class Environment:
    """One execution environment: a handler process and the pipe it answers on."""

    def __init__(self, function: Function, tmp: Path, base_env: dict[str, str]) -> None:
        self.function = function
        tmp.mkdir(parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        env = {**base_env, **function.env, "TMPDIR": str(tmp),
               "AWS_LAMBDA_FUNCTION_NAME": function.name,
               "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
               "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
               "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
               "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info[0]}.{sys.version_info[1]}",
               "LAMBDA_TASK_ROOT": os.getcwd(), "TZ": ":UTC"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parareel.aws.dev.runtime", function.handler, str(write_fd)],
            stdin=subprocess.PIPE, env=env, pass_fds=(write_fd,), text=True,
            start_new_session=True)
        os.close(write_fd)
        self.answers = os.fdopen(read_fd, "r")
        self.init_seconds: float | None = None
        self.invocations = 0

    def invoke(self, event: Any, request_id: str) -> tuple[bool, Any]:
        """Run one invocation: (True, result) or (False, Lambda's error payload)."""
        deadline = time.time() + self.function.timeout
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self._read_answer()), daemon=True)
        try:
            if self.init_seconds is None:  # a cold start: wait for the handler's import
                ready = self._read_answer()
                if not ready:
                    code = self.process.wait()
                    return False, {"errorType": "Runtime.ExitError", "errorMessage":
                                   f"RequestId: {request_id} Error: Runtime exited during "
                                   f"init with exit status {code}"}
                self.init_seconds = json.loads(ready)["ready"]
            self.process.stdin.write(json.dumps({"id": request_id, "event": event,
                                                 "deadline": deadline}) + "\n")
            self.process.stdin.flush()
        except (OSError, ValueError):
            pass  # the process died: reported below
        reader.start()
        while reader.is_alive() and time.time() < deadline:
            reader.join(min(MEMORY_POLL, max(0.0, deadline - time.time())))
            if reader.is_alive() and _resident_mb(self.process.pid) > self.function.memory_mb:
                self.kill()  # as Lambda does: the environment is killed, the runtime exits
                self.invocations += 1
                return False, {"errorType": "Runtime.ExitError", "errorMessage":
                               f"RequestId: {request_id} Error: Runtime exited with error: "
                               "signal: killed"}
        self.invocations += 1
        if reader.is_alive():
            self.kill()
            return False, {"errorType": "Sandbox.Timedout", "errorMessage":
                           f"RequestId: {request_id} Error: Task timed out after "
                           f"{self.function.timeout:.2f} seconds"}
        line = answer[0] if answer else ""
        if not line:
            code = self.process.wait()
            return False, {"errorType": "Runtime.ExitError", "errorMessage":
                           f"RequestId: {request_id} Error: Runtime exited with error: "
                           f"exit status {code}"}
        reply = json.loads(line)
        return ("error" not in reply), reply.get("error", reply.get("result"))

    def _read_answer(self) -> str:
        try:
            return self.answers.readline()
        except (OSError, ValueError):
            return ""

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive:
            os.killpg(self.process.pid, 9)
        self.process.wait()
        for stream in (self.process.stdin, self.answers):
            with contextlib.suppress(OSError):
                stream.close()


def _resident_mb(pid: int) -> float:
    """The process's resident memory, MB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Stats:
    invocations: int = 0
    cold_starts: int = 0
    throttles: int = 0
    errors: int = 0
    init_seconds: list[float] = field(default_factory=list)


class LambdaServer:
    """Serve functions' Invoke API on 127.0.0.1 in a background thread."""

    def __init__(self, functions: list[Function], folder: str | os.PathLike,
                 port: int = 0, base_env: dict[str, str] | None = None) -> None:
        self.functions = {f.name: f for f in functions}
        self.folder = Path(folder)
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.idle: dict[str, list[Environment]] = {name: [] for name in self.functions}
        self.busy: dict[str, int] = {name: 0 for name in self.functions}
        self.stats = Stats()
        self._all: list[Environment] = []
        self._lock = threading.Condition()
        self._server = _QuietServer(("127.0.0.1", port), _handler_for(self))
        self.port = self._server.server_address[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LambdaServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for env in self._all:
                env.kill()
            self._all.clear()

    def acquire(self, name: str, wait: bool) -> Environment | None:
        """A warm environment, a new one, or None when the concurrency limit is reached."""
        function = self.functions[name]
        with self._lock:
            while True:
                # the limit counts running invocations, however many are kept warm
                while self.busy[name] < function.concurrency and self.idle[name]:
                    env = self.idle[name].pop()
                    if env.alive:
                        self.busy[name] += 1
                        return env
                if self.busy[name] < function.concurrency:
                    self.busy[name] += 1
                    break
                if not wait:
                    self.stats.throttles += 1
                    return None
                self._lock.wait()
        env = Environment(function, self.folder / name / uuid.uuid4().hex[:8], self.base_env)
        with self._lock:
            self._all.append(env)
            self.stats.cold_starts += 1
        return env

    def release(self, name: str, env: Environment) -> None:
        with self._lock:
            self.busy[name] -= 1
            if env.alive:
                self.idle[name].append(env)
            elif env in self._all:  # (not after stop(), which forgot them all)
                self._all.remove(env)
            if env.init_seconds is not None and env.invocations == 1:
                self.stats.init_seconds.append(env.init_seconds)
            self._lock.notify_all()

    def invoke(self, name: str, event: Any, wait: bool = False) -> tuple[int, dict, bytes]:
        """(HTTP status, headers, body) for one invocation."""
        request_id = str(uuid.uuid4())
        env = self.acquire(name, wait)
        if env is None:
            return _error(429, "TooManyRequestsException", "Rate Exceeded.",
                          Reason="ReservedFunctionConcurrentInvocationLimitExceeded")
        with self._lock:
            self.stats.invocations += 1
        try:
            ok, payload = env.invoke(event, request_id)
        finally:
            self.release(name, env)
        headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id}
        if not ok:
            with self._lock:
                self.stats.errors += 1
            headers["X-Amz-Function-Error"] = "Unhandled"
        return 200, headers, json.dumps(payload, default=str).encode()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed environment's socket
            super().handle_error(request, client_address)


def _error(status: int, kind: str, message: str, **extra: str) -> tuple[int, dict, bytes]:
    body = {"__type": kind, "Type": "User", "message": message, **extra}
    return status, {"x-amzn-ErrorType": kind}, json.dumps(body).encode()


def _handler_for(server: LambdaServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if self.headers.get("Origin") is not None or host not in LOCAL_NAMES:
                # a web page's request (it carries an Origin), or one through a name
                # rebound to 127.0.0.1: no page may invoke the function
                return self._send(*_error(403, "AccessDeniedException",
                                          "only clients on this machine may invoke"))
            match = INVOKE.match(self.path.split("?")[0])
            if not match:
                return self._send(*_error(404, "UnknownOperationException",
                                          f"unknown path {self.path}"))
            name = unquote(match.group(1)).rsplit("function:", 1)[-1]  # a name or an ARN
            if name not in server.functions:
                return self._send(*_error(404, "ResourceNotFoundException",
                                          f"Function not found: {name}"))
            try:
                event = json.loads(body or b"{}")
                if _depth(event) > MAX_DEPTH:  # deeper breaks json's recursion on the way
                    return self._send(*_error(400, "InvalidRequestContentException",
                                              f"the payload is nested more than {MAX_DEPTH} "
                                              "levels deep"))
            except (ValueError, RecursionError):
                return self._send(*_error(400, "InvalidRequestContentException",
                                          "Could not parse request body into json"))
            kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
            if kind == "DryRun":
                return self._send(204, {}, b"")
            if kind == "Event":  # queued: runs when an environment is free
                threading.Thread(target=server.invoke, args=(name, event, True),
                                 daemon=True).start()
                return self._send(202, {}, b"")
            self._send(*server.invoke(name, event))

        def _send(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: the dev command prints its own lines
            pass

    return Handler


MAX_DEPTH = 200  # levels of nesting an event may have
LOCAL_NAMES = ("127.0.0.1", "localhost")  # what a client here calls the endpoint


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (counted without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in
                         (item.values() if isinstance(item, dict) else item))
    return deepest
