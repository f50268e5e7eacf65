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
    listed = httpx.get(f"{server.endpoint}/_gureum/ui/api/traces").json()["traces"]
    assert trace_id in [t["Id"] for t in listed]
    one = httpx.get(f"{server.endpoint}/_gureum/ui/api/trace", params={"id": trace_id})
    assert one.headers["content-type"] == "application/json"
    body = one.json()
    assert [s["name"] for s in body["segments"]] == [hostile]
    assert [s["Name"] for s in body["services"]] == [hostile]
    assert httpx.get(f"{server.endpoint}/_gureum/ui/api/trace", params={"id": "<x>"}).status_code == 400
