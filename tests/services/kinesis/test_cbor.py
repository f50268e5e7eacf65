"""Kinesis over CBOR (application/x-amz-cbor-1.1, the Java SDK's and the KCL's wire format) with raw SigV4-signed
requests: blobs as byte strings both ways, timestamps as tag 1 over epoch milliseconds both ways (and seconds as
RFC 8949 has them), errors as CBOR documents, and bodies that are refused (not CBOR, tags that could make cycles
or compile patterns, nesting past the bound, a blob sent as text); SubscribeToShard's events in CBOR."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import cbor2
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from gureum.aws.eventstream import MessageDecoder

from ._helpers import arn, make_stream, shard_ids

CBOR = "application/x-amz-cbor-1.1"


def call(endpoint: str, operation: str, body: Any, raw: bytes | None = None) -> tuple[int, Any, requests.Response]:
    data = raw if raw is not None else cbor2.dumps(body)
    request = AWSRequest(
        "POST",
        endpoint + "/",
        data=data,
        headers={"Content-Type": CBOR, "X-Amz-Target": f"Kinesis_20131202.{operation}"},
    )
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    answer = requests.post(endpoint + "/", data=data, headers=dict(request.headers), timeout=10)
    assert answer.headers["Content-Type"] == CBOR, answer.text
    # tag 1 stays a tag here: its value is milliseconds, which cbor2 would read as seconds
    return answer.status_code, cbor2.loads(answer.content, semantic_decoders={1: _tagged}), answer


def _tagged(value: Any, immutable: bool) -> cbor2.CBORTag:
    return cbor2.CBORTag(1, value)


def test_records_and_timestamps(endpoint: str, kinesis: Any, name: str) -> None:
    status, created, _ = call(endpoint, "CreateStream", {"StreamName": name, "ShardCount": 1})
    assert status == 200 and created == {}
    deadline = time.monotonic() + 10
    while kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)

    status, put, _ = call(endpoint, "PutRecord", {"StreamName": name, "Data": b"\x00\xffbin", "PartitionKey": "k"})
    assert status == 200 and put["ShardId"] == "shardId-000000000000" and put["SequenceNumber"].isdigit()
    status, batch, _ = call(
        endpoint,
        "PutRecords",
        {"StreamName": name, "Records": [{"Data": bytes([i]) * 3, "PartitionKey": f"p{i}"} for i in range(3)]},
    )
    assert status == 200 and batch["FailedRecordCount"] == 0 and len(batch["Records"]) == 3

    status, summary, _ = call(endpoint, "DescribeStreamSummary", {"StreamName": name})
    created_at = summary["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    assert isinstance(created_at, cbor2.CBORTag) and created_at.tag == 1 and isinstance(created_at.value, int)
    assert abs(created_at.value / 1000 - time.time()) < 120  # milliseconds

    # AT_TIMESTAMP as the Java SDK sends it (tag 1 over milliseconds) and as RFC 8949 has it (tag 1 over seconds)
    before = cbor2.CBORTag(1, created_at.value - 1000)
    for stamp in (before, cbor2.CBORTag(1, (created_at.value - 1000) / 1000)):
        position = {"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": stamp}
        status, it, _ = call(
            endpoint, "GetShardIterator", {"StreamName": name, "ShardId": "shardId-000000000000", **position}
        )
        assert status == 200, it
        status, got, _ = call(endpoint, "GetRecords", {"ShardIterator": it["ShardIterator"]})
        assert status == 200
        assert [r["Data"] for r in got["Records"]] == [b"\x00\xffbin", b"\x00" * 3, b"\x01" * 3, b"\x02" * 3]
        arrival = got["Records"][0]["ApproximateArrivalTimestamp"]
        assert arrival.tag == 1 and abs(arrival.value / 1000 - time.time()) < 120
        assert got["Records"][0]["SequenceNumber"] == put["SequenceNumber"]
    # the same records read over JSON (boto3) carry the same data and arrival time
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")
    first = kinesis.get_records(ShardIterator=it["ShardIterator"])["Records"][0]
    assert first["Data"] == b"\x00\xffbin"
    assert first["ApproximateArrivalTimestamp"] == dt.datetime.fromtimestamp(arrival.value / 1000, dt.UTC)


def test_errors_in_cbor(endpoint: str, kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    status, error, answer = call(endpoint, "DescribeStreamSummary", {"StreamName": f"{name}-missing"})
    assert status == 400 and error["__type"].endswith("ResourceNotFoundException")
    assert name in error["message"] and answer.headers["x-amzn-RequestId"]
    status, error, _ = call(endpoint, "PutRecord", {"StreamName": name, "Data": b"x", "PartitionKey": "k" * 257})
    assert status == 400 and error["__type"].endswith("ValidationException")

    refused = {
        "not CBOR": b"\xff\xfe{",
        "trailing bytes": cbor2.dumps({"StreamName": name}) + b"\x00",
        "a shared reference": cbor2.dumps(cbor2.CBORTag(28, {"StreamName": name})),
        "a regular expression tag": cbor2.dumps({"StreamName": cbor2.CBORTag(35, "(a+)+$")}),
        "an unknown tag": cbor2.dumps({"StreamName": cbor2.CBORTag(4242, name)}),
        "nesting past the bound": b"\xa1\x6aStreamName" + b"\x81" * 100_000 + b"\x00",
        "a non-string key": cbor2.dumps({1: name}),
    }
    for why, raw in refused.items():
        status, error, _ = call(endpoint, "DescribeStreamSummary", None, raw=raw)
        assert status == 400 and error["__type"].endswith("SerializationException"), why
    status, error, _ = call(endpoint, "PutRecord", {"StreamName": name, "Data": "text, not bytes", "PartitionKey": "k"})
    assert status == 400 and error["__type"].endswith("SerializationException")


def test_subscribe_events_in_cbor(endpoint: str, kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    kinesis.put_records(StreamName=name, Records=[{"Data": b"\x01\x02", "PartitionKey": "k"}] * 2)
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    consumer = kinesis.register_stream_consumer(StreamARN=arn(name), ConsumerName="cbor")["Consumer"]["ConsumerARN"]
    deadline = time.monotonic() + 10
    while (
        len(shard_ids(kinesis, name)) < 3
        or kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    data = cbor2.dumps({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                        "StartingPosition": {"Type": "TRIM_HORIZON"}})  # fmt: skip
    headers = {"Content-Type": CBOR, "X-Amz-Target": "Kinesis_20131202.SubscribeToShard"}
    answer = requests.post(endpoint + "/", data=data, headers=headers, timeout=10)  # ends with the closed shard
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/vnd.amazon.eventstream"
    messages = MessageDecoder().feed(answer.content)
    assert [m.headers[":event-type"] for m in messages] == ["initial-response", "SubscribeToShardEvent"]
    assert all(m.headers[":content-type"] == CBOR for m in messages)
    event = cbor2.loads(messages[1].payload, semantic_decoders={1: _tagged})
    assert [r["Data"] for r in event["Records"]] == [b"\x01\x02", b"\x01\x02"]
    assert event["Records"][0]["ApproximateArrivalTimestamp"].tag == 1
    assert len(event["ChildShards"]) == 2
