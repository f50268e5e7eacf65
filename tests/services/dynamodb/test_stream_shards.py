"""DynamoDB Streams' shards roll over as AWS's do (here every half second, GUREUM_DYNAMODB_SHARD_SECONDS): the open
shard is closed at its last record and a child takes the next ones, DescribeStream lists the lineage (ParentShardId,
EndingSequenceNumber on closed shards) and pages it, a closed shard reads to its end with no NextShardIterator (an
iterator issued while it was open too), sequence numbers belong to one shard, and a Lambda event source mapping
follows the lineage in order."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from ...waiting import until
from ..lambda_.zips import create
from .conftest import TUNED

ROLLING = {**TUNED, "GUREUM_DYNAMODB_SHARD_SECONDS": "0.5"}

FORWARD = """
import json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(keys))
"""


@pytest.fixture(scope="module")
def rolling(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store(), env=ROLLING).start()
    yield srv
    srv.stop()


def _table(ddb: Any, name: str) -> str:
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})  # fmt: skip
    return str(ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def _shards(streams: Any, arn: str) -> list[dict[str, Any]]:
    return list(streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"])


def _closed(shard: dict[str, Any]) -> bool:
    return "EndingSequenceNumber" in shard["SequenceNumberRange"]


def _drain(streams: Any, iterator: str) -> tuple[list[dict[str, Any]], bool]:
    """The records from ``iterator`` on, and whether the shard ended (no NextShardIterator)."""
    out: list[dict[str, Any]] = []
    current: str | None = iterator
    while current:
        page = streams.get_records(ShardIterator=current)
        out += page["Records"]
        current = page.get("NextShardIterator")
        if not page["Records"]:
            break
    return out, current is None


def _keys(records: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in records]


def test_shards_roll_with_lineage(rolling: Server, name: str) -> None:
    ddb, streams = make_client(rolling.endpoint, "dynamodb"), make_client(rolling.endpoint, "dynamodbstreams")
    arn = _table(ddb, name)
    first = _shards(streams, arn)
    assert len(first) == 1 and not _closed(first[0]) and "ParentShardId" not in first[0]
    time.sleep(1)
    assert _shards(streams, arn) == first, "a shard without records was closed"
    written = []
    for batch in range(3):  # each batch lands in a shard of its own: the next waits for a roll
        before = len(_shards(streams, arn))
        for i in range(4):
            key = f"k{batch}{i}"
            ddb.put_item(TableName=name, Item={"pk": {"S": key}})
            written.append(key)
        assert until(lambda before=before: len(_shards(streams, arn)) > before, 15), "the shard did not roll"
    shards = _shards(streams, arn)
    assert len(shards) >= 4 and shards[0]["ShardId"] == first[0]["ShardId"]
    for parent, child in zip(shards, shards[1:]):
        assert child["ParentShardId"] == parent["ShardId"] and _closed(parent)
    assert not _closed(shards[-1]) and len({s["ShardId"] for s in shards}) == len(shards)

    read: list[dict[str, Any]] = []
    held: list[list[dict[str, Any]]] = []  # each closed shard's records
    for shard in shards[:-1]:
        got, ended = _drain(streams, streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"])  # fmt: skip
        assert ended, f"the closed shard {shard['ShardId']} did not end"
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in got]
        span = shard["SequenceNumberRange"]
        assert numbers and int(span["StartingSequenceNumber"]) == numbers[0]
        assert numbers[-1] == int(span["EndingSequenceNumber"])
        read += got
        held.append(got)
    assert _keys(read) == written
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in read]
    assert numbers == sorted(numbers)

    # a sequence number is its own shard's only; LATEST on a closed shard has nothing and ends
    expect_error(streams.get_shard_iterator, "ValidationException", None, StreamArn=arn,
                 ShardId=shards[-1]["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                 SequenceNumber=read[0]["dynamodb"]["SequenceNumber"])  # fmt: skip
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"], ShardIteratorType="LATEST")
    page = streams.get_records(ShardIterator=latest["ShardIterator"])
    assert page["Records"] == [] and "NextShardIterator" not in page
    index = next(i for i, got in enumerate(held) if len(got) >= 2)
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=shards[index]["ShardId"],
                                    ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=held[index][1]["dynamodb"]["SequenceNumber"])  # fmt: skip
    assert _keys(_drain(streams, at["ShardIterator"])[0]) == _keys(held[index][1:])

    # paging the lineage
    one = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert [s["ShardId"] for s in one["Shards"]] == [shards[0]["ShardId"]]
    assert one["LastEvaluatedShardId"] == shards[0]["ShardId"]
    rest = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=one["LastEvaluatedShardId"])
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == [s["ShardId"] for s in shards[1:]]
    assert "LastEvaluatedShardId" not in rest["StreamDescription"]


def test_iterator_of_the_open_shard_ends_with_it(rolling: Server, name: str) -> None:
    ddb, streams = make_client(rolling.endpoint, "dynamodb"), make_client(rolling.endpoint, "dynamodbstreams")
    arn = _table(ddb, name)
    shard = _shards(streams, arn)[0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    ddb.put_item(TableName=name, Item={"pk": {"S": "in-the-first"}})
    assert until(lambda: _closed(_shards(streams, arn)[0]), 15), "the shard did not close"
    ddb.put_item(TableName=name, Item={"pk": {"S": "in-the-child"}})
    got, ended = _drain(streams, iterator["ShardIterator"])
    assert _keys(got) == ["in-the-first"] and ended
    child = _shards(streams, arn)[1]
    assert child["ParentShardId"] == shard
    later = streams.get_shard_iterator(StreamArn=arn, ShardId=child["ShardId"], ShardIteratorType="TRIM_HORIZON")
    assert _keys(_drain(streams, later["ShardIterator"])[0]) == ["in-the-child"]


def test_event_source_mapping_follows_the_lineage(rolling: Server, name: str) -> None:
    aws: Callable[[str], Any] = lambda service: make_client(rolling.endpoint, service)  # noqa: E731
    ddb, sqs = aws("dynamodb"), aws("sqs")
    out = sqs.create_queue(QueueName=f"{name}-out")["QueueUrl"]
    create(aws("lambda"), name, {"index.py": FORWARD}, Timeout=5, Environment={"Variables": {"OUT": out}})
    arn = _table(ddb, name)
    aws("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
                                              BatchSize=100)  # fmt: skip
    written = []
    for batch in range(3):
        before = len(_shards(aws("dynamodbstreams"), arn))
        for i in range(3):
            written.append(f"k{batch}{i}")
            ddb.put_item(TableName=name, Item={"pk": {"S": written[-1]}})
        assert until(lambda before=before: len(_shards(aws("dynamodbstreams"), arn)) > before, 15)
    seen: list[str] = []

    def received() -> bool:
        for message in sqs.receive_message(QueueUrl=out, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            seen.extend(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=out, ReceiptHandle=message["ReceiptHandle"])
        return len(seen) >= len(written)

    assert until(received, 30, 0), f"the mapping delivered {seen}"
    assert seen == written
