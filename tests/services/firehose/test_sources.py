"""Where records come from besides PutRecord(Batch): a Kinesis stream (KinesisStreamAsSource, read from the
delivery stream's creation on), SNS firehose subscriptions and EventBridge rule targets through the outbox."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import ROLE, body, s3_config, wait_keys


def _active(kinesis: Any, stream: str) -> str:
    for _ in range(200):
        summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
        if summary["StreamStatus"] == "ACTIVE":
            return str(summary["StreamARN"])
        time.sleep(0.05)
    raise AssertionError("stream did not become ACTIVE")


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protocol buffer field (lengths below 128 here)."""
    return bytes([number << 3 | 2, len(payload)]) + payload


def kpl(partition_key: str, records: list[bytes]) -> bytes:
    """A KPL aggregated record: magic, AggregatedRecord (keys table, records), MD5 of the protobuf."""
    body = _field(1, partition_key.encode()) + b"".join(_field(3, b"\x08\x00" + _field(3, r)) for r in records)
    return b"\xf3\x89\x9a\xc2" + body + hashlib.md5(body).digest()


def test_kinesis_stream_as_source(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=2)
    stream_arn = _active(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"before\n", PartitionKey="p")  # before the delivery stream: not read
    time.sleep(0.05)
    firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration=s3_config(bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1}),
    )
    d = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == stream_arn
    sent = [f"k{i}\n".encode() for i in range(40)]
    kinesis.put_records(StreamName=name, Records=[{"Data": x, "PartitionKey": f"p{i}"} for i, x in enumerate(sent)])
    kinesis.put_record(StreamName=name, Data=kpl("agg", [b"sub-a\n", b"sub-b\n"]), PartitionKey="agg")
    sent += [b"sub-a\n", b"sub-b\n"]  # KPL-aggregated records are de-aggregated
    deadline = time.monotonic() + 20  # both shards' records may land in separate flushes, later under load
    while True:
        found = wait_keys(s3, bucket, 1, timeout=15)
        got = b"".join(body(s3, bucket, k) for k in found).splitlines(keepends=True)
        if len(got) >= len(sent) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(1.2)  # a duplicate would come in a later flush
    got = b"".join(body(s3, bucket, k) for k in wait_keys(s3, bucket, 1)).splitlines(keepends=True)
    assert sorted(got) == sorted(sent), "every record put after creation, once; none from before"
    with pytest.raises(ClientError) as error:
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})
    assert error.value.response["Error"]["Code"] == "InvalidArgumentException"
    with pytest.raises(ClientError) as error:
        firehose.create_delivery_stream(
            DeliveryStreamName=f"{name}-missing",
            DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn + "-missing", "RoleARN": ROLE},
            ExtendedS3DestinationConfiguration=s3_config(bucket),
        )
    assert error.value.response["Error"]["Code"] == "InvalidArgumentException"


def test_sns_subscription_delivers(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    sns = aws("sns")
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1}),
    )["DeliveryStreamARN"]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="firehose", Endpoint=arn, Attributes={"SubscriptionRoleArn": ROLE})
    sns.publish(TopicArn=topic, Message="hello firehose", Subject="greeting")
    key = wait_keys(s3, bucket, 1, timeout=10)[0]
    notification = json.loads(body(s3, bucket, key))
    assert notification["Message"] == "hello firehose" and notification["TopicArn"] == topic
    assert notification["Type"] == "Notification"


def test_eventbridge_target_delivers(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    events = aws("events")
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1}),
    )["DeliveryStreamARN"]
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fh", "Arn": arn, "RoleArn": ROLE}])
    out = events.put_events(
        Entries=[{"Source": name, "DetailType": "t", "Detail": json.dumps({"n": i})} for i in range(3)]
    )
    assert out["FailedEntryCount"] == 0
    found = wait_keys(s3, bucket, 1, timeout=10)
    time.sleep(1.2)
    found = wait_keys(s3, bucket, 1)
    text = b"".join(body(s3, bucket, k) for k in found).decode()
    decoder, pos, got = json.JSONDecoder(), 0, []
    while pos < len(text):
        doc, pos = decoder.raw_decode(text, pos)
        got.append(doc)
    assert sorted(d["detail"]["n"] for d in got) == [0, 1, 2] and all(d["source"] == name for d in got)


def test_scheduler_target_delivers(aws: Any, firehose: Any, s3: Any, bucket: str, name: str) -> None:
    scheduler = aws("scheduler")
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration=s3_config(bucket, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0}),
    )["DeliveryStreamARN"]
    when = datetime.now(UTC) + timedelta(seconds=1.999)
    scheduler.create_schedule(
        Name=name, ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": arn, "RoleArn": ROLE, "Input": '{"from": "scheduler"}'},
    )  # fmt: skip
    key = wait_keys(s3, bucket, 1, timeout=10)[0]
    assert json.loads(body(s3, bucket, key)) == {"from": "scheduler"}
