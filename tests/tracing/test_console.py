"""The console at /_gureum/ui over plain HTTP (httpx; no browser is installed here): the page is served with a
strict CSP and renders through textContent only, and its JSON lists a trace and draws its segments and graph."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx

from ..server import Server


def test_page_and_trace_json(aws: Any, server: Server) -> None:
    page = httpx.get(f"{server.endpoint}/_gureum/ui")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "innerHTML" not in page.text.replace("never innerHTML", "")

    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    hostile = "<img src=x onerror=alert(1)>"
    doc = {"name": hostile, "id": secrets.token_hex(8), "trace_id": trace_id, "start_time": time.time() - 0.1,
           "end_time": time.time()}  # fmt: skip
    aws("xray").put_trace_segments(TraceSegmentDocuments=[json.dumps(doc)])
    deadline = time.monotonic() + 15  # segments are queued for the store, as X-Ray's are eventually consistent
    listed: list[dict[str, Any]] = []
    while trace_id not in [t["Id"] for t in listed] and time.monotonic() < deadline:
        listed = httpx.get(f"{server.endpoint}/_gureum/ui/api/traces").json()["traces"]
        time.sleep(0.05)
    assert trace_id in [t["Id"] for t in listed]
    one = httpx.get(f"{server.endpoint}/_gureum/ui/api/trace", params={"id": trace_id})
    assert one.headers["content-type"] == "application/json"
    body = one.json()
    assert [s["name"] for s in body["segments"]] == [hostile]
    assert [s["Name"] for s in body["services"]] == [hostile]
    assert httpx.get(f"{server.endpoint}/_gureum/ui/api/trace", params={"id": "<x>"}).status_code == 400


def _call(server: Server, service: str, operation: str, **params: Any) -> httpx.Response:
    return httpx.post(
        f"{server.endpoint}/_gureum/ui/api/call",
        json={"service": service, "operation": operation, "params": params},
        headers={"X-Gureum-Console": "1"},
        timeout=30,
    )


def test_actions_are_aws_operations(aws: Any, server: Server, name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    listed = _call(server, "sqs", "ListQueues", QueueNamePrefix=name)
    assert listed.status_code == 200 and listed.json()["QueueUrls"] == [url]
    sent = _call(server, "sqs", "SendMessage", QueueUrl=url, MessageBody="<b>from the console</b>")
    assert sent.status_code == 200 and sent.json()["MessageId"]
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in got] == ["<b>from the console</b>"]
    # the same validation and errors as any client's; operations the console does not make are refused
    missing = _call(server, "sqs", "SendMessage", QueueUrl=url + "-nope", MessageBody="x")
    assert missing.status_code == 400 and "NonExistentQueue" in missing.json()["code"]
    assert _call(server, "sqs", "SendMessage", QueueUrl=url).json()["code"] == "ParamValidation"
    assert _call(server, "sqs", "DeleteQueue", QueueUrl=url).status_code == 403
    forged = httpx.post(f"{server.endpoint}/_gureum/ui/api/call", json={"service": "sqs", "operation": "ListQueues"})
    assert forged.status_code == 403  # no X-Gureum-Console header: a cross-site form cannot act


def test_log_tail_is_server_sent_events(aws: Any, server: Server, name: str) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    event = {"timestamp": int(time.time() * 1000), "message": "<script>x</script>"}
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=[event])
    with httpx.stream("GET", f"{server.endpoint}/_gureum/ui/api/tail", params={"group": name}, timeout=15) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        for line in lines:
            if line.startswith("data: "):
                assert json.loads(line[6:])["message"] == "<script>x</script>"
                break
