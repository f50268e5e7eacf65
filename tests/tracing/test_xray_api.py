"""The X-Ray API end to end through boto3: segments sent with PutTraceSegments (and the segments gureum records of
the AWS calls themselves) read back with BatchGetTraces, GetTraceSummaries (filter expressions), the graphs and
the Default sampling rule."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import make_client
from ..server import Server


def _trace_id() -> str:
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def _segment(trace_id: str, name: str, parent: str | None = None, **extra: Any) -> dict[str, Any]:
    now = time.time()
    doc = {"name": name, "id": secrets.token_hex(8), "trace_id": trace_id, "start_time": now - 0.05, "end_time": now}
    if parent:
        doc["parent_id"] = parent
    doc.update(extra)
    return doc


def test_put_and_read_back_with_independent_subsegment(aws: Any) -> None:
    xray = aws("xray")
    trace_id = _trace_id()
    root = _segment(trace_id, "my-app", annotations={"tenant": "alpha"}, http={"response": {"status": 502}})
    root["fault"] = True
    child = _segment(trace_id, "downstream", parent=root["id"], origin="AWS::Lambda::Function")
    sub = {**_segment(trace_id, "query"), "type": "subsegment", "parent_id": child["id"]}
    bad = {"name": "x", "id": "nothex", "trace_id": trace_id, "start_time": 1.0, "end_time": 2.0}
    out = xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(d) for d in (root, child, sub, bad)])
    assert [u["Id"] for u in out["UnprocessedTraceSegments"]] == ["nothex"]

    traces = xray.batch_get_traces(TraceIds=[trace_id, _trace_id()])
    assert len(traces["Traces"]) == 1 and len(traces["UnprocessedTraceIds"]) == 1
    docs = {s["Id"]: json.loads(s["Document"]) for s in traces["Traces"][0]["Segments"]}
    assert set(docs) == {root["id"], child["id"]}
    assert [s["name"] for s in docs[child["id"]]["subsegments"]] == ["query"]

    window = {"StartTime": time.time() - 60, "EndTime": time.time() + 60}
    ids = lambda expr: [s["Id"] for s in xray.get_trace_summaries(**window, FilterExpression=expr)["TraceSummaries"]]  # noqa: E731
    assert trace_id in ids('fault AND annotation.tenant = "alpha"')
    assert trace_id in ids('service("downstream") AND http.status = 502')
    assert trace_id not in ids("ok")
    assert trace_id not in ids('annotation.tenant = "beta" OR !fault')
    with pytest.raises(ClientError) as bad_filter:
        ids("nosuchthing > 3")
    assert bad_filter.value.response["Error"]["Code"] == "InvalidRequestException"

    graph = xray.get_trace_graph(TraceIds=[trace_id])["Services"]
    by_name = {s["Name"]: s for s in graph}
    assert by_name["my-app"]["Root"] and not by_name["downstream"]["Root"]
    assert [e["ReferenceId"] for e in by_name["my-app"]["Edges"]] == [by_name["downstream"]["ReferenceId"]]
    names = {s["Name"] for s in xray.get_service_graph(**window)["Services"]}
    assert {"my-app", "downstream"} <= names


def test_aws_calls_are_traced_under_the_callers_header(aws: Any, name: str) -> None:
    sqs, xray = aws("sqs"), aws("xray")
    trace_id = _trace_id()
    header = f"Root={trace_id};Parent={secrets.token_hex(8)};Sampled=1"

    def add_header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = header

    sqs.meta.events.register("before-sign.sqs.*", add_header)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"][0]
    assert got["Attributes"]["AWSTraceHeader"].startswith(f"Root={trace_id};Parent=")
    segments = [json.loads(s["Document"]) for s in xray.batch_get_traces(TraceIds=[trace_id])["Traces"][0]["Segments"]]
    assert [(s["name"], s["aws"]["operation"]) for s in segments] == [
        ("SQS", "CreateQueue"),
        ("SQS", "SendMessage"),
        ("SQS", "ReceiveMessage"),
    ]
    # SQS keeps the header as sent (AWS's AWSTraceHeader); each call's segment hangs under the caller's Parent
    assert got["Attributes"]["AWSTraceHeader"] == header
    assert {s["parent_id"] for s in segments} == {header.split("Parent=")[1].split(";")[0]}


def test_sampling_rules_and_targets(aws: Any) -> None:
    xray = aws("xray")
    rules = xray.get_sampling_rules()["SamplingRuleRecords"]
    assert [r["SamplingRule"]["RuleName"] for r in rules] == ["Default"]
    out = xray.get_sampling_targets(
        SamplingStatisticsDocuments=[
            {
                "RuleName": "Default",
                "ClientID": "a" * 24,
                "Timestamp": time.time(),
                "RequestCount": 5,
                "SampledCount": 1,
            },
            {"RuleName": "Other", "ClientID": "a" * 24, "Timestamp": time.time(), "RequestCount": 5, "SampledCount": 1},
        ]
    )
    assert [t["RuleName"] for t in out["SamplingTargetDocuments"]] == ["Default"]
    assert [u["RuleName"] for u in out["UnprocessedStatistics"]] == ["Other"]


def test_the_trace_store_keeps_its_bound(store: Any) -> None:
    """Beyond --trace-retention traces the oldest are dropped (checked every second or each tenth of the bound
    written, so the store holds at most about 1.1 times the bound)."""
    srv = Server(**store(), extra_args=["--trace-retention", "50"]).start()
    try:
        xray = make_client(srv.endpoint, "xray")
        now = time.time()
        first = None
        for i in range(200):
            trace_id = f"1-{int(now):08x}-{secrets.token_hex(12)}"
            first = first or trace_id
            doc = {"name": "bound", "id": secrets.token_hex(8), "trace_id": trace_id, "start_time": now + i / 1000,
                   "end_time": now + i / 1000 + 0.001}  # fmt: skip
            xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(doc)])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            kept = xray.get_trace_summaries(StartTime=now - 60, EndTime=now + 60)["TraceSummaries"]
            if len(kept) <= 55 and not xray.batch_get_traces(TraceIds=[first])["Traces"]:
                break
            time.sleep(0.2)
        assert 50 <= len(kept) <= 55  # the newest, about the bound
        assert not xray.batch_get_traces(TraceIds=[first])["Traces"]  # the oldest went first
    finally:
        srv.stop()


def test_calls_without_a_decision_follow_the_default_sampling_rule(endpoint: str) -> None:
    """X-Ray's Default rule for calls that bring no sampling decision: the first of each second, then 5 %; a call
    that says Sampled=1 is always recorded."""
    account = "420000000042"  # an account of its own: its traces are only these calls'
    sqs, xray = make_client(endpoint, "sqs", access_key=account), make_client(endpoint, "xray", access_key=account)
    started = time.time()
    for _ in range(60):
        sqs.list_queues()
    seconds = time.time() - started
    decided = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"

    def header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = f"Root={decided};Parent={secrets.token_hex(8)};Sampled=1"

    sqs.meta.events.register("before-sign.sqs.ListQueues", header)
    sqs.list_queues()
    summaries = xray.get_trace_summaries(StartTime=started - 5, EndTime=time.time() + 5)["TraceSummaries"]
    ids = [s["Id"] for s in summaries]
    assert decided in ids
    undecided = len(ids) - 1
    assert 1 <= undecided <= int(seconds) + 1 + 15  # a reservoir call per second begun, and about 3 of 60 at 5 %
