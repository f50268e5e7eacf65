"""One trace across hops: a client's Invoke → the function (its _X_AMZN_TRACE_ID) → its SNS Publish (the SDK's
header) → the SQS message the subscription delivers (AWSTraceHeader), read back through boto3's xray client. The
chain of events' Lineage (Lambda's recursive loop detection: the function invoked once) goes along."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from ..services.lambda_.zips import create
from .lineage import lineage

PUBLISHER = """
import os, boto3
def handler(event, context):
    sns = boto3.client("sns")
    sns.publish(TopicArn=event["topic"], Message="from the function")
    return {"trace": os.environ.get("_X_AMZN_TRACE_ID")}
"""


def test_invoke_publish_deliver_is_one_trace(aws: Any, name: str) -> None:
    lam, sns, sqs, xray = aws("lambda"), aws("sns"), aws("sqs"), aws("xray")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    create(lam, name, {"index.py": PUBLISHER})

    trace_id = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    client_parent = secrets.token_hex(8)

    def add_header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = f"Root={trace_id};Parent={client_parent};Sampled=1"

    lam.meta.events.register("before-sign.lambda.Invoke", add_header)
    out = lam.invoke(FunctionName=name, Payload=json.dumps({"topic": topic}).encode())
    assert "FunctionError" not in out, out["Payload"].read()
    env_trace = json.loads(out["Payload"].read())["trace"]
    assert env_trace.startswith(f"Root={trace_id};Parent=")

    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"], WaitTimeSeconds=5)
    message = got["Messages"][0]
    assert message["Body"] == "from the function"
    delivered = message["Attributes"]["AWSTraceHeader"]

    traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
    assert len(traces) == 1
    segments = [json.loads(s["Document"]) for s in traces[0]["Segments"]]
    hops = [(s["name"], s["aws"].get("operation")) for s in segments]
    assert hops == [("Lambda", "Invoke"), (name, "Invoke"), ("SNS", "Publish")]
    invoke, function, publish = segments
    assert invoke["parent_id"] == client_parent
    assert function["parent_id"] == invoke["id"] and function["origin"] == "AWS::Lambda::Function"
    chain = lineage(function["resource_arn"])
    assert env_trace == f"Root={trace_id};Parent={function['id']};Sampled=1{chain}"
    assert publish["parent_id"] == function["id"]
    assert delivered == f"Root={trace_id};Parent={publish['id']};Sampled=1{chain}"
    assert all(s["start_time"] <= s["end_time"] for s in segments)
    assert invoke["start_time"] <= function["start_time"] <= publish["start_time"]

    graph = {s["Name"]: s for s in xray.get_trace_graph(TraceIds=[trace_id])["Services"]}
    assert [e["ReferenceId"] for e in graph["Lambda"]["Edges"]] == [graph[name]["ReferenceId"]]
    assert [e["ReferenceId"] for e in graph[name]["Edges"]] == [graph["SNS"]["ReferenceId"]]
