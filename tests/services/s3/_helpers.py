"""Helpers shared by the S3 notification tests: a queue S3 may notify, and the messages it received."""

from __future__ import annotations

import json
import time
from typing import Any


def queue_for(sqs: Any, name: str, bucket: str | None = None) -> tuple[str, str]:
    """A queue (url, arn); with ``bucket``, its policy lets S3 send the bucket's notifications (as AWS requires)."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if bucket is not None:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arn,
            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
        }
        policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return url, arn


def messages(sqs: Any, url: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The JSON bodies of up to ``count`` messages received within ``timeout`` (deleted once read)."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found
