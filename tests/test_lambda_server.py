"""The dev Lambda endpoint behaves like Lambda's Invoke API, seen through boto3."""

from __future__ import annotations

import json
import os
import threading
import time

import boto3
import pytest
from botocore.config import Config

from parareel.aws.dev.lambda_server import Function, LambdaServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    functions = [Function("echo", "tests.lambda_handlers.echo", memory_mb=512, concurrency=2),
                 Function("boom", "tests.lambda_handlers.boom"),
                 Function("crash", "tests.lambda_handlers.crash"),
                 Function("sleep", "tests.lambda_handlers.sleep", timeout=1.0, concurrency=1),
                 Function("slow", "tests.lambda_handlers.sleep", timeout=30, concurrency=1)]
    env = {**os.environ, "PYTHONPATH": ROOT}
    server = LambdaServer(functions, tmp_path_factory.mktemp("lambda"), base_env=env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server):
    return boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def call(client, name, event, **kwargs):
    response = client.invoke(FunctionName=name, Payload=json.dumps(event), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_invoke_runs_the_handler_with_lambda_environment(client):
    response, body = call(client, "echo", {"hello": [1, 2]})
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert body["event"] == {"hello": [1, 2]} and body["function"] == "echo"
    assert body["memory"] == "512" and 0 < body["remaining_ms"] <= 900_000


def test_warm_environments_are_reused(client, server):
    cold = server.stats.cold_starts
    pids = {call(client, "echo", {})[1]["pid"] for _ in range(5)}
    assert len(pids) == 1 and server.stats.cold_starts - cold <= 1


def test_handler_exception_is_a_function_error(client):
    response, body = call(client, "boom", {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "the handler failed"
    assert body["stackTrace"]


def test_crash_is_reported_and_the_environment_replaced(client):
    for _ in range(2):
        response, body = call(client, "crash", {})
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ExitError" and "exit status 2" in body["errorMessage"]


def test_timeout_kills_the_invocation(client):
    response, body = call(client, "sleep", {"seconds": 5})
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Sandbox.Timedout"
    assert "timed out after 1.00 seconds" in body["errorMessage"]
    assert call(client, "sleep", {"seconds": 0.1})[1]["slept"] == 0.1  # a fresh environment


def test_concurrency_limit_answers_429(client, server):
    results = []
    first = threading.Thread(
        target=lambda: results.append(call(client, "slow", {"seconds": 2.0})))
    first.start()
    deadline = time.monotonic() + 30
    while server.busy["slow"] == 0:  # the one environment allowed is now taken
        assert time.monotonic() < deadline
        time.sleep(0.01)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        client.invoke(FunctionName="slow", Payload=b'{"seconds": 0}')
    first.join()
    assert results[0][1]["slept"] == 2.0 and server.stats.throttles >= 1


def test_the_limit_counts_running_invocations_not_warm_environments(client, server):
    function = server.functions["slow"]
    function.concurrency = 2
    try:
        warm = [threading.Thread(target=call, args=(client, "slow", {"seconds": 0.5}))
                for _ in range(2)]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        assert len(server.idle["slow"]) >= 2  # two environments kept warm
        function.concurrency = 1
        first = threading.Thread(target=call, args=(client, "slow", {"seconds": 2.0}))
        first.start()
        deadline = time.monotonic() + 30
        while server.busy["slow"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with pytest.raises(client.exceptions.TooManyRequestsException):
            client.invoke(FunctionName="slow", Payload=b'{"seconds": 0}')
        first.join()
    finally:
        function.concurrency = 1


def test_event_invocations_are_queued_not_throttled(client, server):
    before = server.stats.invocations
    for _ in range(3):
        assert client.invoke(FunctionName="sleep", InvocationType="Event",
                             Payload=b'{"seconds": 0.1}')["StatusCode"] == 202
    deadline = time.monotonic() + 20
    while server.stats.invocations - before < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_unknown_function_and_bad_payload(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="nope", Payload=b"{}")
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="echo", Payload=b"{not json")


def test_deeply_nested_json_is_a_bad_request_not_a_dropped_connection(client):
    for depth in (985, 100_000):
        with pytest.raises(client.exceptions.InvalidRequestContentException):
            client.invoke(FunctionName="echo", Payload=b"[" * depth + b"]" * depth)
    assert client.invoke(FunctionName="echo", Payload=b"{}")["StatusCode"] == 200  # still up


def test_a_web_page_cannot_invoke_it(server):
    """A browser's request carries an Origin, and one through a rebound name its Host:
    neither invokes anything (boto3 sends neither)."""
    import http.client

    port = server.endpoint.rsplit(":", 1)[1]
    invocations = server.stats.invocations
    for headers in ({"Origin": "http://attacker.example", "Content-Type": "text/plain"},
                    {"Host": f"attacker.example:{port}"}):
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        connection.request("POST", "/2015-03-31/functions/echo/invocations", body=b"{}",
                           headers=headers)
        answer = connection.getresponse()
        assert answer.status == 403, headers
        assert json.loads(answer.read())["__type"] == "AccessDeniedException"
        connection.close()
    assert server.stats.invocations == invocations
