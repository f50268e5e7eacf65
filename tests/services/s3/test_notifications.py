"""Bucket notifications through the outbox: the s3:TestEvent on configuration, AWS's event messages (version 2.1)
to SQS and SNS with prefix/suffix filters, and EventBridge's "Object Created" / "Object Deleted" events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ._helpers import messages, queue_for


def test_sqs_notifications(s3: Any, sqs: Any, bucket: str, name: str) -> None:
    url, arn = queue_for(sqs, name, bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "uploads",
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".csv"}]
                        }
                    },
                }
            ]
        },
    )
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert config["QueueConfigurations"][0]["Id"] == "uploads"
    test_event = messages(sqs, url, 1)[0]
    assert (test_event["Service"], test_event["Event"], test_event["Bucket"]) == ("Amazon S3", "s3:TestEvent", bucket)

    put = s3.put_object(Bucket=bucket, Key="in/data set.csv", Body=b"a,b\n")
    s3.put_object(Bucket=bucket, Key="in/ignored.txt", Body=b"x")  # suffix does not match
    s3.put_object(Bucket=bucket, Key="out/other.csv", Body=b"x")  # prefix does not match
    s3.copy_object(Bucket=bucket, Key="in/copy.csv", CopySource=f"{bucket}/in/data set.csv")
    s3.delete_object(Bucket=bucket, Key="in/data set.csv")
    events = [m["Records"][0] for m in messages(sqs, url, 3)]
    assert [e["eventName"] for e in events] == ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectRemoved:Delete"]
    first = events[0]
    assert first["eventVersion"] == "2.1" and first["eventSource"] == "aws:s3" and first["awsRegion"] == "us-east-1"
    assert first["s3"]["configurationId"] == "uploads"
    assert first["s3"]["bucket"]["name"] == bucket and first["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert first["s3"]["object"]["key"] == "in/data+set.csv"  # keys are URL-encoded in event messages
    assert first["s3"]["object"]["size"] == 4
    assert first["s3"]["object"]["eTag"] == put["ETag"].strip('"')
    assert first["responseElements"]["x-amz-request-id"] == put["ResponseMetadata"]["RequestId"]
    assert "size" not in events[2]["s3"]["object"]
    assert events[0]["s3"]["object"]["sequencer"] < events[1]["s3"]["object"]["sequencer"]
    assert messages(sqs, url, 1, timeout=1.5) == []
    # an empty configuration clears them (as Terraform's destroy and the console send it)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/after.csv", Body=b"x")
    assert messages(sqs, url, 1, timeout=1.5) == []


def test_sns_notifications(aws: Callable[..., Any], s3: Any, sqs: Any, bucket: str, name: str) -> None:
    sns = aws("sns")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url, arn = queue_for(sqs, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "false"})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]},
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    envelopes = messages(sqs, url, 2)
    assert [e["Subject"] for e in envelopes] == ["Amazon S3 Notification", "Amazon S3 Notification"]
    assert json.loads(envelopes[0]["Message"])["Event"] == "s3:TestEvent"
    record = json.loads(envelopes[1]["Message"])["Records"][0]
    assert (record["eventName"], record["s3"]["object"]["key"]) == ("ObjectCreated:Put", "k")


def test_eventbridge_notifications(aws: Callable[..., Any], s3: Any, sqs: Any, bucket: str, name: str) -> None:
    events = aws("events")
    url, arn = queue_for(sqs, name)
    pattern = {"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="new object", Body=b"12345")
    s3.delete_object(Bucket=bucket, Key="new object")
    received = messages(sqs, url, 2)
    assert [e["detail-type"] for e in received] == ["Object Created", "Object Deleted"]
    created = received[0]
    assert created["source"] == "aws.s3" and created["resources"] == [f"arn:aws:s3:::{bucket}"]
    assert created["detail"]["object"]["key"] == "new object" and created["detail"]["object"]["size"] == 5
    assert created["detail"]["reason"] == "PutObject"
    assert received[1]["detail"]["deletion-type"] == "Permanently Deleted"


def test_queue_without_policy_gets_nothing(s3: Any, sqs: Any, bucket: str, name: str) -> None:
    """SQS refuses S3's messages unless the queue's policy allows s3.amazonaws.com (dropped, never retried)."""
    url, arn = queue_for(sqs, name)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert messages(sqs, url, 1, timeout=1.5) == []


def test_unknown_event_is_refused(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "Events": ["s3:Nope"]}]
            },
        )
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"


FORWARD = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
"""


def test_lambda_notifications(aws: Callable[..., Any], s3: Any, sqs: Any, bucket: str, name: str) -> None:
    """The function is invoked with the event message (it forwards what it got to a queue)."""
    from ..lambda_.zips import create

    url, _ = queue_for(sqs, name)
    function = create(aws("lambda"), name, {"index.py": FORWARD}, Environment={"Variables": {"QUEUE_URL": url}})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": function["FunctionArn"], "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg")
    [event] = messages(sqs, url, 1, timeout=30)
    record = event["Records"][0]
    assert (record["eventName"], record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == (
        "ObjectCreated:Put",
        "photo.jpg",
        4,
    )
