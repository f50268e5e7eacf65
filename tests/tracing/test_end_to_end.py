"""The issue's chain as one trace: a REST API stage with tracing enabled → a function (which adds a subsegment with
the X-Ray SDK for Python, shipped in its zip, sent to the daemon endpoint) → its SNS Publish → the SQS subscription
→ an event source mapping → a function → its PutEvents → a rule's Lambda target that fails into its DLQ. Every hop
in order with parent links, read back through boto3's xray client."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import aws_xray_sdk
import httpx
import wrapt

from ..services.apigateway.helpers import Api, stage_url
from ..services.lambda_.zips import create
from .lineage import lineage

FRONT = """
import os, boto3
from aws_xray_sdk.core import xray_recorder

def handler(event, context):
    with xray_recorder.in_subsegment("render-order") as sub:
        sub.put_annotation("order", "42")
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="order 42")
    return {"statusCode": 200, "body": os.environ["_X_AMZN_TRACE_ID"]}
"""
CONSUMER = """
import os, json, boto3
def handler(event, context):
    boto3.client("events").put_events(Entries=[{"Source": os.environ["SOURCE"], "DetailType": "order",
                                                "Detail": json.dumps({"n": len(event["Records"])})}])
"""
FAILING = "def handler(event, context):\n    raise ValueError('cannot ship')\n"


def _package(module: Any) -> dict[str, str]:
    """A pure-Python package's text files, for a function's zip."""
    root = Path(module.__file__).parent
    return {
        str(path.relative_to(root.parent)): path.read_text()
        for path in root.rglob("*")
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts
    }


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _flatten(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for doc in docs:
        out.append(doc)
        out.extend(_flatten(doc.get("subsegments") or []))
    return out


def test_api_to_dead_letter_is_one_trace(aws: Any, endpoint: str, name: str) -> None:
    lam, sns, sqs, events, xray = aws("lambda"), aws("sns"), aws("sqs"), aws("events"), aws("xray")
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url, queue_arn = _queue(sqs, name)
    dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

    env = {"TOPIC": topic, "WRAPT_DISABLE_EXTENSIONS": "true"}  # the SDK's wrapt, pure Python
    front = create(lam, f"{name}-front", {"index.py": FRONT, **_package(aws_xray_sdk), **_package(wrapt)},
                   Environment={"Variables": env}, Timeout=15)["FunctionArn"]  # fmt: skip
    create(lam, f"{name}-consumer", {"index.py": CONSUMER}, Environment={"Variables": {"SOURCE": name}}, Timeout=15)
    failing = create(lam, f"{name}-failing", {"index.py": FAILING}, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(FunctionName=f"{name}-failing", MaximumRetryAttempts=0)
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=f"{name}-consumer", BatchSize=1)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "ship", "Arn": failing["FunctionArn"]}])

    api = Api(aws("apigateway"), name)
    api.lambda_proxy("/orders", "POST", front)
    api.deploy("prod", tracingEnabled=True)

    r = httpx.post(stage_url(endpoint, api.id, "prod", "/orders"), content=b"{}", timeout=60)
    assert r.status_code == 200, r.text
    edge = r.headers["x-amzn-trace-id"]  # the trace the stage started (no header from this caller)
    trace_id = edge.split(";")[0].removeprefix("Root=")
    assert r.text.startswith(f"Root={trace_id};Parent=") and r.text.endswith(f";Sampled=1{lineage(front)}")
    assert sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=20).get("Messages"), "nothing dead-lettered"

    def segments() -> list[dict[str, Any]]:
        traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
        return _flatten([json.loads(s["Document"]) for t in traces for s in t["Segments"]])

    deadline = time.time() + 20
    docs = segments()
    while not any(d.get("annotations", {}).get("fate") for d in docs) and time.time() < deadline:
        time.sleep(0.2)
        docs = segments()
    by_id = {d["id"]: d for d in docs}

    def one(pred: Any) -> dict[str, Any]:
        found = [d for d in docs if pred(d)]
        assert len(found) == 1, ([d["name"] for d in docs], found)
        return found[0]

    stage = one(lambda d: d.get("origin") == "AWS::ApiGateway::Stage")
    fn_front = one(lambda d: d["name"] == f"{name}-front")
    sub = one(lambda d: d["name"] == "render-order")
    publish = one(lambda d: d["name"] == "SNS")
    fn_consumer = one(lambda d: d["name"] == f"{name}-consumer")
    put = one(lambda d: d["name"] == "EventBridge")
    attempt = one(lambda d: d["name"] == "delivery lambda-event")
    fn_failing = one(lambda d: d["name"] == f"{name}-failing")

    assert stage["name"] == f"{api.id}/prod" and "parent_id" not in stage
    assert r.text == f"Root={trace_id};Parent={fn_front['id']};Sampled=1{lineage(front)}"  # its _X_AMZN_TRACE_ID
    chain = [stage, fn_front, publish, fn_consumer, put, attempt, fn_failing]
    for parent, child in zip(chain, chain[1:], strict=False):
        assert child["parent_id"] == parent["id"], (parent["name"], child["name"])
        assert parent["start_time"] <= child["start_time"]
    assert sub["annotations"] == {"order": "42"} and (sub.get("parent_id") or fn_front["id"]) == fn_front["id"]
    assert sub["id"] not in {d["id"] for d in chain} and sub["id"] in by_id
    assert attempt["annotations"]["fate"] == "dead-lettered" and fn_failing["error"] is True
    assert "error" not in fn_front and "error" not in fn_consumer

    graph = {s["Name"]: s for s in xray.get_trace_graph(TraceIds=[trace_id])["Services"]}
    edges = {(n, next(k for k, v in graph.items() if v["ReferenceId"] == e["ReferenceId"]))
             for n, s in graph.items() for e in s.get("Edges", [])}  # fmt: skip
    assert (f"{api.id}/prod", f"{name}-front") in edges and ("SNS", f"{name}-consumer") in edges
    assert ("delivery lambda-event", f"{name}-failing") in edges
