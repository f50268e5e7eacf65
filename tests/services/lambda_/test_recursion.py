"""Recursive loop detection: a function fed by a queue that sends each message back to that queue is stopped after
16 invocations in that chain of events (its SDK calls carry the chain's Lineage in X-Amzn-Trace-Id, the queue keeps
it as AWSTraceHeader); the stopped message goes on to the queue's dead-letter queue. With RecursiveLoop Allow it runs
on. An Invoke whose trace already counts 16 invocations of the function answers RecursiveInvocationException."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from ...expect import expect_error
from .zips import create

# sends its message back to IN with one more hop (until 30), and each hop to SEEN
LOOP = """
import json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    for record in event["Records"]:
        hop = json.loads(record["body"])["hop"]
        sqs.send_message(QueueUrl=os.environ["SEEN"], MessageBody=str(hop))
        if hop < 30:
            sqs.send_message(QueueUrl=os.environ["IN"], MessageBody=json.dumps({"hop": hop + 1}))
"""


def _hops(sqs: Any, url: str, quiet: float = 4.0, most: float = 60.0) -> list[int]:
    """The hops SEEN got, once nothing more came for ``quiet`` seconds."""
    hops: list[int] = []
    last, began = time.monotonic(), time.monotonic()
    while time.monotonic() - last < quiet and time.monotonic() - began < most:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            hops.append(int(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            last = time.monotonic()
    return sorted(hops)


def _loop(aws: Callable[..., Any], name: str, allow: bool) -> tuple[Any, str, str, str]:
    sqs, lam = aws("sqs"), aws("lambda")
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName=f"{name}-in", Attributes={"VisibilityTimeout": "3", "RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    seen = sqs.create_queue(QueueName=f"{name}-seen")["QueueUrl"]
    create(lam, name, {"index.py": LOOP}, Timeout=3, Environment={"Variables": {"IN": url, "SEEN": seen}})
    if allow:
        lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"hop": 1}))
    return sqs, seen, dlq, name


def test_a_loop_through_a_queue_is_stopped_after_16_invocations(aws: Callable[..., Any], name: str) -> None:
    sqs, seen, dlq, _ = _loop(aws, name, allow=False)
    assert _hops(sqs, seen) == list(range(1, 17))
    stopped = []
    deadline = time.monotonic() + 20
    while not stopped and time.monotonic() < deadline:
        stopped = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(m["Body"]) for m in stopped] == [{"hop": 17}]  # the 17th invocation's message


def test_a_loop_allowed_runs_on(aws: Callable[..., Any], name: str) -> None:
    sqs, seen, _, function = _loop(aws, name, allow=True)
    assert _hops(sqs, seen) == list(range(1, 31))
    assert aws("lambda").get_function_recursion_config(FunctionName=function)["RecursiveLoop"] == "Allow"


def test_invoke_in_a_chain_past_the_limit(aws: Callable[..., Any], name: str) -> None:
    lam = aws("lambda")
    create(lam, name, {"index.py": "def handler(event, context):\n    return 'ran'\n"})
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    key = hashlib.sha256(arn.encode()).hexdigest()[:8]
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage={}:{}"

    def invoke(count: int) -> Any:
        def add_header(request: Any, **_: Any) -> None:
            request.headers["X-Amzn-Trace-Id"] = trace.format(key, count)

        lam.meta.events.register_first("before-sign.lambda.Invoke", add_header)
        try:
            return lam.invoke(FunctionName=name, Payload=b"{}")
        finally:
            lam.meta.events.unregister("before-sign.lambda.Invoke", add_header)

    assert invoke(15)["Payload"].read() == b'"ran"'  # the 16th invocation of the chain runs
    expect_error(
        lambda: invoke(16),
        "RecursiveInvocationException",
        "Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped "
        "your function's invocation.",
    )
