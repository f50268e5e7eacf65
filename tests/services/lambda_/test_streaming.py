"""Response streaming end to end: InvokeWithResponseStream read event by event through boto3 (Node.js
awslambda.streamifyResponse, a Python custom runtime streaming to the Runtime API, a buffered function, errors and
timeouts midway) and a RESPONSE_STREAM function URL read chunk by chunk through httpx."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from .zips import create

STREAMING_NODE = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.url) {
    responseStream = awslambda.HttpResponseStream.from(responseStream,
      { statusCode: 201, headers: { 'content-type': 'text/plain', 'x-kind': 'streamed' }, cookies: ['c=1'] });
  } else {
    responseStream.setContentType('text/plain');
  }
  responseStream.write('first,');
  await new Promise((r) => setTimeout(r, event.pause || 800));
  if (event.fail) throw new Error('boom after the first chunk');
  if (event.hang) await new Promise(() => {});
  responseStream.write('second,' + context.awsRequestId);
  responseStream.end();
});
"""

# a custom runtime in Python writing its response to the Runtime API in streaming mode, chunk by chunk
PY_BOOTSTRAP = """#!/usr/bin/env python3
import http.client, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
conn = http.client.HTTPConnection(host, int(port))
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    res = conn.getresponse()
    event = res.read()
    rid = res.headers["Lambda-Runtime-Aws-Request-Id"]
    conn.putrequest("POST", f"/2018-06-01/runtime/invocation/{rid}/response")
    conn.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "text/plain")
    conn.endheaders()
    for i in range(3):
        piece = f"py-chunk-{i};".encode()
        conn.send(b"%x\\r\\n%s\\r\\n" % (len(piece), piece))
        time.sleep(0.4)
    conn.send(b"0\\r\\n\\r\\n")
    conn.getresponse().read()
"""


def _read(client: Any, name: str, event: Any, **kw: Any) -> tuple[dict[str, Any], list[tuple[float, str, Any]]]:
    out = client.invoke_with_response_stream(FunctionName=name, Payload=json.dumps(event), **kw)
    events = []
    for item in out["EventStream"]:
        for kind, value in item.items():
            events.append((time.monotonic(), kind, value))
    return out, events


def _chunks(events: list[tuple[float, str, Any]]) -> list[tuple[float, bytes]]:
    return [(at, value["Payload"]) for at, kind, value in events if kind == "PayloadChunk"]


@pytest.fixture(scope="module")
def node_fn(aws: Callable[..., Any]) -> str:
    name = f"stream-{uuid.uuid4().hex[:10]}"
    create(aws("lambda"), name, {"index.js": STREAMING_NODE}, runtime="nodejs20.x", Timeout=3)
    return name


def test_node_stream_arrives_chunk_by_chunk(aws: Callable[..., Any], node_fn: str) -> None:
    out, events = _read(aws("lambda"), node_fn, {"pause": 1500}, LogType="Tail")
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    chunks = _chunks(events)
    text = b"".join(c for _, c in chunks).decode()
    assert text.startswith("first,second,") and len(text) > len("first,second,")
    first_at = next(at for at, c in chunks if c.startswith(b"first"))
    second_at = next(at for at, c in chunks if b"second" in c)
    # the first chunk came while the function was still running: the chunks are 1.5 s apart at the function, and
    # this client (timing them as it reads them, on a machine CI loads) must see at least half of that
    assert second_at - first_at > 0.75
    kind, complete = events[-1][1], events[-1][2]
    assert kind == "InvokeComplete" and not complete.get("ErrorCode")
    log = base64.b64decode(complete["LogResult"]).decode()
    assert "REPORT RequestId:" in log


def test_node_error_midway_and_timeout(aws: Callable[..., Any], node_fn: str) -> None:
    client = aws("lambda")
    _out, events = _read(client, node_fn, {"pause": 50, "fail": True})
    assert b"".join(c for _, c in _chunks(events)) == b"first,"
    complete = events[-1][2]
    assert events[-1][1] == "InvokeComplete"
    assert complete["ErrorCode"] == "Error" and "boom after the first chunk" in complete["ErrorDetails"]
    _out, events = _read(client, node_fn, {"pause": 50, "hang": True})
    assert b"".join(c for _, c in _chunks(events)) == b"first,"
    assert events[-1][2]["ErrorCode"] == "Sandbox.Timedout" and "timed out" in events[-1][2]["ErrorDetails"]
    # a buffered Invoke of a streaming function gets the whole response at once
    out = client.invoke(FunctionName=node_fn, Payload=json.dumps({"pause": 10}))
    assert out["Payload"].read().startswith(b"first,second,") and "FunctionError" not in out


def test_python_custom_runtime_streams(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"bootstrap": PY_BOOTSTRAP}, runtime="provided.al2023", handler="x", executable=("bootstrap",))
    _out, events = _read(client, name, {})
    chunks = _chunks(events)
    assert b"".join(c for _, c in chunks) == b"py-chunk-0;py-chunk-1;py-chunk-2;"
    assert len(chunks) == 3 and chunks[2][0] - chunks[0][0] > 0.5
    assert events[-1][1] == "InvokeComplete" and not events[-1][2].get("ErrorCode")


def test_buffered_function_through_stream_api(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    code = "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('nope')\n"
    code += "    return event\n"
    create(client, name, {"index.py": code})
    _out, events = _read(client, name, {"hello": "world"})
    assert [kind for _, kind, _ in events] == ["PayloadChunk", "InvokeComplete"]
    assert json.loads(events[0][2]["Payload"]) == {"hello": "world"}
    _out, events = _read(client, name, {"fail": True})
    assert [kind for _, kind, _ in events] == ["InvokeComplete"]
    assert events[0][2]["ErrorCode"] == "ValueError" and events[0][2]["ErrorDetails"] == "nope"
    dry = client.invoke_with_response_stream(FunctionName=name, InvocationType="DryRun", Payload=b"{}")
    assert dry["StatusCode"] == 204


def test_function_url_streams_chunked(aws: Callable[..., Any], node_fn: str, endpoint: str) -> None:
    client = aws("lambda")
    url = client.create_function_url_config(FunctionName=node_fn, AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    assert url["InvokeMode"] == "RESPONSE_STREAM"
    client.add_permission(
        FunctionName=node_fn, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
        FunctionUrlAuthType="NONE",
    )  # fmt: skip
    url_id = urlparse(url["FunctionUrl"]).hostname.split(".")[0]  # type: ignore[union-attr]
    sent = time.monotonic()
    with httpx.Client(timeout=30) as http:
        with http.stream("POST", f"{endpoint}/lambda-url/{url_id}/", json={}) as response:
            headers_at = time.monotonic()
            assert response.status_code == 200  # no prelude: the runtime's content type
            assert response.headers["content-type"] == "text/plain"
            assert response.headers.get("transfer-encoding") == "chunked"
            arrivals = [(time.monotonic(), chunk) for chunk in response.iter_bytes() if chunk]
    body = b"".join(c for _, c in arrivals)
    assert body.startswith(b"first,second,")
    assert len(arrivals) >= 2 and arrivals[-1][0] - arrivals[0][0] > 0.5
    assert headers_at - sent < arrivals[-1][0] - sent  # headers and the first bytes before the function ended
    # an HTTP integration response: status, headers and cookies from awslambda.HttpResponseStream's prelude
    client.update_function_code(FunctionName=node_fn, ZipFile=_node_zip())
    client.get_waiter("function_updated_v2").wait(FunctionName=node_fn, WaiterConfig={"Delay": 0.2})
    with httpx.Client(timeout=30) as http:
        with http.stream("GET", f"{endpoint}/lambda-url/{url_id}/?url=1") as response:
            assert response.status_code == 201 and response.headers["x-kind"] == "streamed"
            assert response.headers["set-cookie"] == "c=1"
            arrivals = [(time.monotonic(), chunk) for chunk in response.iter_bytes() if chunk]
    assert b"".join(c for _, c in arrivals).startswith(b"first,second,")
    assert arrivals[-1][0] - arrivals[0][0] > 0.5


def _node_zip() -> bytes:
    from .zips import make_zip

    code = STREAMING_NODE.replace("if (event.url)", "if (event.rawQueryString === 'url=1')")
    return make_zip({"index.js": code})


def test_stream_past_the_limit_ends_with_an_error(store: StoreFactory, name: str) -> None:
    """AWS's 20 MB limit, lowered for the test (GUREUM_LAMBDA_STREAM_MAX_BYTES): what came before it is delivered,
    then InvokeComplete says Function.ResponseSizeTooLarge."""
    server = Server(**store(), env={"GUREUM_LAMBDA_STREAM_MAX_BYTES": str(1024 * 1024)}).start()
    try:
        client = make_client(server.endpoint, "lambda")
        code = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  for (let i = 0; i < 40; i++) responseStream.write(Buffer.alloc(64 * 1024, 97));
  responseStream.end();
});
"""
        create(client, name, {"index.js": code}, runtime="nodejs20.x", Timeout=10)
        _out, events = _read(client, name, {})
        sent = sum(len(c) for _, c in _chunks(events))
        assert 0 < sent <= 1024 * 1024, sent
        assert events[-1][1] == "InvokeComplete"
        assert events[-1][2]["ErrorCode"] == "Function.ResponseSizeTooLarge", events[-1][2]
    finally:
        server.stop()
