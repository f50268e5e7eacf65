"""Function logs in CloudWatch Logs: every invocation's output with START / END / REPORT lands in /aws/lambda/<name>
(or LoggingConfig.LogGroup), in one stream per execution environment named as AWS names them, each line as it is
printed with its own timestamp; a timed-out environment keeps what it printed."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .zips import create

CODE = """
import os
def handler(event, context):
    print("line one", event.get("marker"))
    print("line two")
    return {"stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"], "group": os.environ["AWS_LAMBDA_LOG_GROUP_NAME"],
            "request_id": context.aws_request_id}
"""


def _events(logs: Any, group: str, wanted: str, seconds: float = 10) -> list[dict[str, Any]]:
    """FilterLogEvents on the group until an event contains ``wanted``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if any(wanted in e["message"] for e in events) or time.monotonic() > deadline:
            return list(events)
        time.sleep(0.1)


def _invoke(client: Any, name: str, marker: str) -> dict[str, Any]:
    return json.loads(client.invoke(FunctionName=name, Payload=json.dumps({"marker": marker}))["Payload"].read())


def test_invocation_logs_land_in_the_function_log_group(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    create(client, name, {"index.py": CODE})
    first = _invoke(client, name, "m1")
    second = _invoke(client, name, "m2")
    group = f"/aws/lambda/{name}"
    assert first["group"] == group and first["stream"] == second["stream"]  # one warm environment, one stream
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", first["stream"])
    events = _events(logs, group, f"REPORT RequestId: {second['request_id']}")
    messages = [e["message"] for e in events]
    assert all(e["logStreamName"] == first["stream"] for e in events)
    rid = first["request_id"]
    start = messages.index(f"START RequestId: {rid} Version: $LATEST\n")
    assert (
        messages[start + 1 : start + 3] == ["line one m1\n", "line two\n"]
        and messages[start + 3] == f"END RequestId: {rid}\n"
    )
    report = messages[start + 4]
    assert re.match(
        rf"REPORT RequestId: {rid}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        r"Max Memory Used: \d+ MB\tInit Duration: [\d.]+ ms",
        report,
    )
    later = next(m for m in messages if m.startswith(f"REPORT RequestId: {second['request_id']}"))
    assert "Init Duration" not in later  # the second invocation was warm
    assert any(m.startswith("INIT_START Runtime Version:") for m in messages)
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [first["stream"]]
    got = logs.get_log_events(logGroupName=group, logStreamName=first["stream"], startFromHead=True)["events"]
    assert [e["message"] for e in got] == messages and all(isinstance(e["timestamp"], int) for e in got)


def test_logging_config_log_group(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    group = f"/custom/{name}"
    out = create(client, name, {"index.py": CODE}, LoggingConfig={"LogFormat": "Text", "LogGroup": group})
    assert out["LoggingConfig"]["LogGroup"] == group
    doc = _invoke(client, name, "custom")
    assert doc["group"] == group
    events = _events(logs, group, "line one custom")
    assert any(e["message"] == "line one custom\n" for e in events)
    client.update_function_configuration(FunctionName=name, LoggingConfig={"LogGroup": f"{group}-2"})
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert client.get_function_configuration(FunctionName=name)["LoggingConfig"]["LogGroup"] == f"{group}-2"
    _invoke(client, name, "moved")
    assert any(e["message"] == "line one moved\n" for e in _events(logs, f"{group}-2", "line one moved"))


SLOW = """
import time
def handler(event, context):
    print("first", event["marker"])
    time.sleep(2)
    print("second", event["marker"])
    return "done"
"""


def test_lines_reach_logs_as_they_are_printed(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    create(client, name, {"index.py": SLOW}, Timeout=10)
    group = f"/aws/lambda/{name}"
    done: list[Any] = []
    worker = threading.Thread(
        target=lambda: done.append(aws("lambda").invoke(FunctionName=name, Payload=json.dumps({"marker": "m"})))
    )
    worker.start()
    try:
        events = _events(logs, group, "first m", seconds=5)
        messages = [e["message"] for e in events]
        assert "first m\n" in messages and worker.is_alive(), messages  # seen while the function still runs
        assert "second m\n" not in messages
    finally:
        worker.join(20)
    assert done and done[0]["StatusCode"] == 200
    events = _events(logs, group, "REPORT RequestId")
    stamps = {e["message"]: e["timestamp"] for e in events}
    assert 1800 <= stamps["second m\n"] - stamps["first m\n"] < 3500, stamps  # each line stamped as printed
    ordered = [e["message"].split(" ")[0] for e in events]
    assert ordered.index("START") < ordered.index("first") < ordered.index("second") < ordered.index("END")


def test_timed_out_environment_keeps_its_lines(aws: Callable[..., Any], name: str) -> None:
    client, logs = aws("lambda"), aws("logs")
    code = "import time\ndef handler(event, context):\n    print('before the end')\n    time.sleep(30)\n"
    create(client, name, {"index.py": code}, Timeout=1)
    out = client.invoke(FunctionName=name, Payload=b"{}")
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Payload"].read())["errorType"] == "Sandbox.Timedout"
    events = _events(logs, f"/aws/lambda/{name}", "REPORT RequestId")
    messages = [e["message"] for e in events]
    assert "before the end\n" in messages, messages
    timed_out = next(m for m in messages if "Task timed out after 1.00 seconds" in m)
    assert messages.index("before the end\n") < messages.index(timed_out)
    assert len({e["logStreamName"] for e in events}) == 1
    stamps = {e["message"]: e["timestamp"] for e in events}
    assert stamps[timed_out] - stamps["before the end\n"] >= 800  # logged when printed, not when it timed out
