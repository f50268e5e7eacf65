"""Helpers of the SES tests: a ClientError's error, an SNS topic with an SQS queue subscribed, and draining that
queue's JSON messages."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Ses


def error(call: Callable[[], Any]) -> dict[str, Any]:
    """The Error of the ClientError `call` raises."""
    with pytest.raises(ClientError) as caught:
        call()
    return dict(caught.value.response["Error"])


def topic_queue(ses: Ses, name: str, raw: bool = False) -> tuple[str, str]:
    """An SNS topic with an SQS queue subscribed (raw message delivery when `raw`): (topic ARN, queue URL)."""
    sns, sqs = ses.client("sns"), ses.client("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    extra = {"Attributes": {"RawMessageDelivery": "true"}} if raw else {}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, **extra)
    return topic, url


def drain(ses: Ses, url: str, want: int, seconds: float = 20) -> list[dict[str, Any]]:
    """Up to `want` of the queue's messages (their JSON bodies), deleted, waiting at most `seconds`."""
    sqs = ses.client("sqs")
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while len(out) < want and time.monotonic() < deadline:
        for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def firehose_to_s3(ses: Ses, unique: Callable[[str], str]) -> tuple[str, str, str]:
    """A Firehose delivery stream writing to a new bucket at once: (stream ARN, role ARN, bucket)."""
    s3, firehose = ses.client("s3"), ses.client("firehose")
    bucket, role = unique("ses2-fh"), f"arn:aws:iam::{ses.account}:role/ses-to-firehose"
    s3.create_bucket(Bucket=bucket)
    stream = firehose.create_delivery_stream(
        DeliveryStreamName=unique("ses2-fh"),
        ExtendedS3DestinationConfiguration={
            "RoleARN": role,
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
        },
    )["DeliveryStreamARN"]
    return stream, role, bucket
