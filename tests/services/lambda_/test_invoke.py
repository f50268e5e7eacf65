"""Invoke end to end through boto3: Python, Node.js and provided runtimes, sync and async, errors, logs, limits."""

from __future__ import annotations

import base64
import json
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from .zips import create

PY_ECHO = """
import os
COUNT = 0
def handler(event, context):
    global COUNT
    COUNT += 1
    print("hello from", context.function_name)
    return {"event": event, "count": COUNT, "request_id": context.aws_request_id,
            "remaining": context.get_remaining_time_in_millis(),
            "env": {k: os.environ.get(k) for k in ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_EXECUTION_ENV", "TZ", "LANG",
            "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL", "MY_VAR", "TMPDIR", "AWS_LAMBDA_RUNTIME_API"]},
            "cwd": os.getcwd()}
"""


def _invoke(client: Any, name: str, event: Any = None, **kw: Any) -> tuple[dict[str, Any], Any]:
    out = client.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kw)
    body = out["Payload"].read()
    return out, json.loads(body) if body else None


def test_python_cold_then_warm_with_environment(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"index.py": PY_ECHO}, Environment={"Variables": {"MY_VAR": "x1"}}, MemorySize=256)
    first, doc = _invoke(client, name, {"a": 1}, LogType="Tail")
    assert first["StatusCode"] == 200 and "FunctionError" not in first
    assert doc["event"] == {"a": 1} and doc["count"] == 1
    assert doc["request_id"] == first["ResponseMetadata"]["RequestId"]
    env = doc["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert (
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
        and env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    )
    assert env["_HANDLER"] == "index.handler" and env["LAMBDA_TASK_ROOT"] == doc["cwd"]
    assert (
        env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}" and "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    )
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12" and env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert (
        env["MY_VAR"] == "x1"
        and env["AWS_ENDPOINT_URL"].startswith("http://")
        and env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    )
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:") and env["TMPDIR"]
    assert 0 < doc["remaining"] <= 3000
    log = base64.b64decode(first["LogResult"]).decode()
    assert "INIT_START" in log and f"START RequestId: {doc['request_id']} Version: $LATEST" in log
    assert f"hello from {name}" in log and f"END RequestId: {doc['request_id']}" in log
    assert "Billed Duration:" in log and "Memory Size: 256 MB" in log and "Init Duration:" in log
    second, doc2 = _invoke(client, name, [1, 2], LogType="Tail")
    assert doc2["count"] == 2 and doc2["event"] == [1, 2]  # the warm environment served it
    log2 = base64.b64decode(second["LogResult"]).decode()
    assert "Init Duration" not in log2 and "INIT_START" not in log2 and "REPORT RequestId" in log2


def test_python_errors(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = (
        "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('boom ' + event['fail'])\n"
        "    return {'error': 'handled', 'ok': False}\n"
    )
    create(client, name, {"app.py": code}, handler="app.handler")
    out, doc = _invoke(client, name, {"fail": "x"})
    assert out["StatusCode"] == 200 and out["FunctionError"] == "Unhandled"
    assert doc["errorType"] == "ValueError" and doc["errorMessage"] == "boom x" and doc["stackTrace"]
    out, doc = _invoke(client, name, {})
    assert "FunctionError" not in out and doc == {"error": "handled", "ok": False}  # a handled error is a normal result


def test_python_import_error_and_missing_handler(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"index.py": "import nonexistent_module_x\n"})
    out, doc = _invoke(client, name)
    assert out["FunctionError"] == "Unhandled" and doc["errorType"] == "Runtime.ImportModuleError"
    create(client, name + "b", {"index.py": "x = 1\n"})
    out, doc = _invoke(client, name + "b")
    assert doc["errorType"] == "Runtime.HandlerNotFound"


def test_timeout_recycles_environment(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = (
        "import time\nN = 0\ndef handler(event, context):\n    global N\n    N += 1\n"
        "    time.sleep(event.get('sleep', 0))\n    return N\n"
    )
    create(client, name, {"index.py": code}, Timeout=1)
    started = time.monotonic()
    out, doc = _invoke(client, name, {"sleep": 5}, LogType="Tail")
    assert time.monotonic() - started < 4
    assert out["FunctionError"] == "Unhandled" and "Task timed out after 1.00 seconds" in doc["errorMessage"]
    assert "Task timed out after 1.00 seconds" in base64.b64decode(out["LogResult"]).decode()
    _out, doc = _invoke(client, name, {})
    assert doc == 1  # a fresh environment: the timed-out one was recycled


def test_memory_limit(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = "def handler(event, context):\n    block = bytearray(event['mb'] * 1024 * 1024)\n    return len(block)\n"
    create(client, name, {"index.py": code}, MemorySize=128)
    out, doc = _invoke(client, name, {"mb": 16})
    assert doc == 16 * 1024 * 1024
    out, doc = _invoke(client, name, {"mb": 400}, LogType="Tail")
    assert out["FunctionError"] == "Unhandled", doc
    # a memory cgroup at MemorySize (or, without one, the RSS watchdog): the runtime is killed, and AWS's
    # out-of-memory error says so
    rid = out["ResponseMetadata"]["RequestId"]
    message = f"RequestId: {rid} Error: Runtime exited with error: signal: killed"
    assert doc == {"errorType": "Runtime.OutOfMemory", "errorMessage": message}, doc
    assert f"{message}\nRuntime.OutOfMemory\n" in base64.b64decode(out["LogResult"]).decode()
    out, doc = _invoke(client, name, {"mb": 16})
    assert doc == 16 * 1024 * 1024  # a new environment


def test_sdk_call_from_inside_the_function(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    code = (
        "import boto3\ndef handler(event, context):\n"
        "    boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody=event['body'])\n    return 'sent'\n"
    )
    create(client, name, {"index.py": code}, runtime="python3.13")
    out, doc = _invoke(client, name, {"url": url, "body": "sync"})
    assert doc == "sent", doc
    out = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"url": url, "body": "async"}))
    assert out["StatusCode"] == 202
    bodies = set()
    deadline = time.monotonic() + 20
    while len(bodies) < 2 and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            bodies.add(message["Body"])
    assert bodies == {"sync", "async"}


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js on this machine")
def test_nodejs(aws: Callable[..., Any], name: str) -> None:
    from gureum.services.lambda_.runtimes import node_major

    client = aws("lambda")
    runtime = f"nodejs{node_major()}.x"
    code = (
        "let n = 0;\n"
        "exports.handler = async (event, context) => {\n"
        "  n += 1;\n"
        "  console.log('node says', event.x);\n"
        "  if (event.fail) throw new TypeError('bad ' + event.fail);\n"
        "  return { x: event.x, n, fn: context.functionName, env: process.env.MY_VAR, mem: context.memoryLimitInMB };\n"
        "};\n"
    )
    create(client, name, {"index.js": code}, runtime=runtime, Environment={"Variables": {"MY_VAR": "node-var"}})
    out, doc = _invoke(client, name, {"x": 7}, LogType="Tail")
    assert doc == {"x": 7, "n": 1, "fn": name, "env": "node-var", "mem": "128"}
    assert "node says 7" in base64.b64decode(out["LogResult"]).decode()
    _out, doc = _invoke(client, name, {"x": 8})
    assert doc["n"] == 2
    out, doc = _invoke(client, name, {"fail": "y"})
    assert (
        out["FunctionError"] == "Unhandled"
        and doc["errorType"] == "TypeError"
        and doc["errorMessage"] == "bad y"
        and doc["trace"]
    )


def test_nodejs_version_the_machine_lacks(aws: Callable[..., Any], name: str) -> None:
    """A Node.js major the machine lacks is never substituted: it runs on that major, fetched from the npm registry
    (issue 12: runtimes the registries can serve are served), or is refused when there is no npm to fetch it."""
    from gureum.services.lambda_.runtimes import node_for, node_major

    client = aws("lambda")
    major = next(m for m in ("18", "20", "22") if m != node_major())
    code = {"index.js": "exports.handler = async () => process.version;\n"}
    if node_for(major) is None and shutil.which("npm") is None:
        with pytest.raises(client.exceptions.InvalidParameterValueException, match="gureum does not substitute"):
            create(client, name, code, runtime=f"nodejs{major}.x", wait=False)
        return
    create(client, name, code, runtime=f"nodejs{major}.x", wait=False)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    assert json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()).startswith(f"v{major}.")


BOOTSTRAP = """#!/bin/bash
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "custom runtime starting with handler ${_HANDLER}"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "handling $REQUEST_ID"
  curl -sS -o /dev/null -X POST "$API/invocation/$REQUEST_ID/response" \\
    -d "{\\"echo\\": $EVENT, \\"handler\\": \\"${_HANDLER}\\"}"
done
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl on this machine")
def test_provided_bootstrap(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(
        client,
        name,
        {"bootstrap": BOOTSTRAP},
        runtime="provided.al2023",
        handler="my.handler",
        executable=("bootstrap",),
    )
    out, doc = _invoke(client, name, {"k": "v"}, LogType="Tail")
    assert doc == {"echo": {"k": "v"}, "handler": "my.handler"}
    log = base64.b64decode(out["LogResult"]).decode()
    assert "custom runtime starting" in log and f"handling {out['ResponseMetadata']['RequestId']}" in log


def test_reserved_concurrency_throttles(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(
        client,
        name,
        {"index.py": "import time\ndef handler(e, c):\n    time.sleep(e.get('s', 0))\n    return 1\n"},
        Timeout=10,
    )
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert client.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 1

    def call(_: int) -> str:
        try:
            _invoke(client, name, {"s": 1.5})
            return "ok"
        except client.exceptions.TooManyRequestsException as exc:
            assert exc.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
            return "throttled"

    with ThreadPoolExecutor(3) as pool:
        results = sorted(pool.map(call, range(3)))
    assert results.count("ok") >= 1 and "throttled" in results
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        _invoke(client, name)


def test_parallel_environments(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(
        client, name, {"index.py": "import os, time\ndef handler(e, c):\n    time.sleep(0.5)\n    return os.getpid()\n"}
    )
    with ThreadPoolExecutor(3) as pool:
        pids = list(pool.map(lambda _: _invoke(client, name)[1], range(3)))
    assert len(set(pids)) == 3  # three environments served at once


def test_invoke_errors(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName=name, Payload=b"{}")
    create(client, name, {"index.py": "def handler(e, c):\n    return e\n"})
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName=name, Payload=b"{not json")
    with pytest.raises(client.exceptions.RequestTooLargeException):
        client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"x": "a" * 300_000}))
    assert client.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    big = client.invoke(FunctionName=name, Payload=json.dumps({"x": "a" * 1_000_000}))
    assert len(big["Payload"].read()) > 1_000_000


def test_event_invoke_config_and_dead_letter_queue(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    create(
        client,
        name,
        {"index.py": "def handler(e, c):\n    raise RuntimeError('always ' + e['w'])\n"},
        DeadLetterConfig={"TargetArn": queue_arn},
    )
    assert client.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": queue_arn}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function_event_invoke_config(FunctionName=name)
    config = client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, MaximumEventAgeInSeconds=600
    )
    assert config["MaximumRetryAttempts"] == 0 and config["FunctionArn"].endswith(f":{name}:$LATEST")
    assert (
        client.update_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=900)[
            "MaximumRetryAttempts"
        ]
        == 0
    )
    out = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"w": "fails"}))
    messages: list[Any] = []
    deadline = time.monotonic() + 20
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get(
            "Messages", []
        )
    [message] = messages
    assert json.loads(message["Body"]) == {"w": "fails"}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"]["StringValue"] == out["ResponseMetadata"]["RequestId"]
    assert "always fails" in attributes["ErrorMessage"]["StringValue"]
    client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue_arn + ".fifo"}}
        )  # FIFO: not a destination
