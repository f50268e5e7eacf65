"""SubscribeToShard over HTTP/1.1 as boto3 speaks it (AWS's event stream, iterated as botocore's EventStream): records
pushed as they are committed, ContinuationSequenceNumber to resume after, ChildShards ending a closed shard's
subscription, one subscription per consumer and shard, the call rate with limits on, and an error midway arriving
as an event-stream exception; and the JavaScript SDK v3, which opens SubscribeToShard over HTTP/2."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EventStreamError

from ... import nodejs
from ._helpers import arn, expect_error, make_stream, shard_ids

HALF = 2**127


def _consumer(kinesis: Any, stream: str, name: str = "efo") -> str:
    consumer_arn: str = kinesis.register_stream_consumer(StreamARN=arn(stream), ConsumerName=name)["Consumer"][
        "ConsumerARN"
    ]
    deadline = time.monotonic() + 10
    while kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"] != (
        "ACTIVE"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return consumer_arn


def _events(kinesis: Any, consumer_arn: str, shard: str, **position: Any) -> Any:
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=shard, StartingPosition=position)
    return response["EventStream"]


def test_closed_shard_and_continuation(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    puts = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k") for i in range(3)]
    parent = shard_ids(kinesis, name)[0]
    kinesis.split_shard(StreamName=name, ShardToSplit=parent, NewStartingHashKey=str(HALF))
    deadline = time.monotonic() + 10
    while len(shard_ids(kinesis, name)) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    consumer_arn = _consumer(kinesis, name)

    stream = _events(kinesis, consumer_arn, parent, Type="TRIM_HORIZON")
    events = [event["SubscribeToShardEvent"] for event in stream]  # the stream ends at the end of the closed shard
    records = [r for e in events for r in e["Records"]]
    assert [r["Data"] for r in records] == [b"r0", b"r1", b"r2"]
    assert [r["SequenceNumber"] for r in records] == [p["SequenceNumber"] for p in puts]
    assert records[0]["PartitionKey"] == "k" and records[0]["ApproximateArrivalTimestamp"].year >= 2024
    assert events[-1]["ContinuationSequenceNumber"] == puts[-1]["SequenceNumber"]
    assert sorted(c["ShardId"] for c in events[-1]["ChildShards"]) == sorted(shard_ids(kinesis, name)[1:])
    assert all(c["ParentShards"] == [parent] for c in events[-1]["ChildShards"])

    # the subscription ended with its stream: subscribing again at once is allowed (limits off), and resumes after
    # a continuation sequence number
    stream = _events(
        kinesis, consumer_arn, parent, Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=puts[1]["SequenceNumber"]
    )
    events = [event["SubscribeToShardEvent"] for event in stream]
    assert [r["Data"] for e in events for r in e["Records"]] == [b"r2"]
    assert events[-1]["ChildShards"]


def test_live_records_one_subscription_and_midway_error(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    shard = shard_ids(kinesis, name)[0]
    consumer_arn = _consumer(kinesis, name)
    stream = _events(kinesis, consumer_arn, shard, Type="LATEST")
    expect_error(
        kinesis.subscribe_to_shard,
        "ResourceInUseException",
        f"Another active subscription exists for this consumer: {consumer_arn}",
        ConsumerARN=consumer_arn,
        ShardId=shard,
        StartingPosition={"Type": "LATEST"},
    )
    started = time.monotonic()
    put = kinesis.put_records(
        StreamName=name, Records=[{"Data": bytes([i, 0xFF]), "PartitionKey": f"p{i}"} for i in range(5)]
    )
    received: list[dict[str, Any]] = []
    events = iter(stream)
    while len(received) < 5:
        event = next(events)["SubscribeToShardEvent"]
        received.extend(event["Records"])
        last = event
    assert time.monotonic() - started < 4  # pushed when committed, not at the 5-second heartbeat
    assert [r["Data"] for r in received] == [bytes([i, 0xFF]) for i in range(5)]
    assert last["ContinuationSequenceNumber"] == put["Records"][-1]["SequenceNumber"]
    assert last["MillisBehindLatest"] == 0

    kinesis.deregister_stream_consumer(ConsumerARN=consumer_arn)
    kinesis.put_record(StreamName=name, Data=b"wake", PartitionKey="p")
    with pytest.raises(EventStreamError) as raised:
        for _ in events:
            pass
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert consumer_arn in raised.value.response["Error"]["Message"]


def test_bad_subscriptions(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    consumer_arn = _consumer(kinesis, name)
    expect_error(
        kinesis.subscribe_to_shard,
        "ResourceNotFoundException",
        ConsumerARN=consumer_arn,
        ShardId="shardId-000000000007",
        StartingPosition={"Type": "LATEST"},
    )
    expect_error(
        kinesis.subscribe_to_shard,
        "ResourceNotFoundException",
        ConsumerARN=f"{arn(name)}/consumer/nope:1",
        ShardId="shardId-000000000000",
        StartingPosition={"Type": "LATEST"},
    )
    expect_error(
        kinesis.subscribe_to_shard,
        "InvalidArgumentException",
        ConsumerARN=consumer_arn,
        ShardId="shardId-000000000000",
        StartingPosition={"Type": "AT_SEQUENCE_NUMBER"},
    )


def test_subscribe_rate_with_limits(tuned: Any, name: str) -> None:
    make_stream(tuned, name)
    parent = shard_ids(tuned, name)[0]
    tuned.split_shard(StreamName=name, ShardToSplit=parent, NewStartingHashKey=str(HALF))
    deadline = time.monotonic() + 10
    while len(shard_ids(tuned, name)) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    consumer_arn = _consumer(tuned, name)
    assert [e["SubscribeToShardEvent"]["ChildShards"] for e in _events(tuned, consumer_arn, parent, Type="LATEST")]
    expect_error(  # the first subscription ended, but a second call within the second is over the rate
        tuned.subscribe_to_shard,
        "LimitExceededException",
        ConsumerARN=consumer_arn,
        ShardId=parent,
        StartingPosition={"Type": "LATEST"},
    )


def test_js_sdk_over_http2(kinesis: Any, endpoint: str, name: str) -> None:
    make_stream(kinesis, name)
    consumer_arn = _consumer(kinesis, name)
    node = nodejs.start(
        Path(__file__).parent / "js", "subscribe.cjs", endpoint, consumer_arn, "shardId-000000000000", "3"
    )
    try:
        assert node.stdout is not None
        first = node.stdout.readline()
        assert first == "subscribed\n", first + node.stdout.read() + node.stderr.read()
        put = kinesis.put_records(
            StreamName=name, Records=[{"Data": f"js{i}".encode(), "PartitionKey": "k"} for i in range(3)]
        )
        out, err = node.communicate(timeout=30)
    finally:
        node.kill()
    result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"stderr": err}
    assert result.get("handler") == "NodeHttp2Handler", result
    assert [base64.b64decode(d) for d in result["data"]] == [b"js0", b"js1", b"js2"]
    assert result["continuation"] == put["Records"][-1]["SequenceNumber"]
