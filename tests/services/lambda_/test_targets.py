"""Other services invoking functions through the "lambda" delivery target: SNS subscriptions, EventBridge rules."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from .zips import create

# the function forwards what it was invoked with to the queue named in its environment
FORWARD = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
    return "ok"
"""


def _receive(sqs: Any, url: str, count: int = 1, seconds: float = 20) -> list[Any]:
    found: list[Any] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            found.append(json.loads(message["Body"]))
    return found


def _forwarder(aws: Callable[..., Any], name: str) -> tuple[str, str]:
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    out = create(
        aws("lambda"), name, {"index.py": FORWARD}, runtime="python3.12", Environment={"Variables": {"QUEUE_URL": url}}
    )
    return out["FunctionArn"], url


def test_sns_subscription_invokes_function(aws: Callable[..., Any], name: str) -> None:
    arn, url = _forwarder(aws, name)
    sns = aws("sns")
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="hello lambda", Subject="s")
    [event] = _receive(aws("sqs"), url)
    record = event["Records"][0]
    assert (
        record["EventSource"] == "aws:sns"
        and record["Sns"]["Message"] == "hello lambda"
        and record["Sns"]["TopicArn"] == topic
    )


def test_eventbridge_rule_invokes_function(aws: Callable[..., Any], name: str) -> None:
    arn, url = _forwarder(aws, name)
    events = aws("events")
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": arn}])
    events.put_events(Entries=[{"Source": name, "DetailType": "thing", "Detail": json.dumps({"n": 1})}])
    [event] = _receive(aws("sqs"), url)
    assert event["source"] == name and event["detail"] == {"n": 1}
