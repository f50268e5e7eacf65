"""DynamoDB Streams through boto3 on both backends: StreamSpecification on CreateTable / UpdateTable and the table
description, records of each view type and event kind (TTL removals by the service), no record for a write that
changes nothing, ordering, iterator types, disabling (readable to its end), and restart durability."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .conftest import TUNED


@pytest.fixture(scope="session")
def streams(ddb_server: Server) -> Any:
    return make_client(ddb_server.endpoint, "dynamodbstreams")


def _stream_table(make_table: Callable[..., str], view: str, **extra: Any) -> str:
    return make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **extra)


def _read_all(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **extra: Any) -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)
    return _drain(streams, iterator["ShardIterator"])


def _drain(streams: Any, iterator: str | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        out += page["Records"]
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
    return out


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_view_types_and_event_kinds(ddb: Any, streams: Any, make_table: Callable[..., str], view: str) -> None:
    name = _stream_table(make_table, view, range_key=("sk", "N"))
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view}
    arn = table["LatestStreamArn"]
    assert arn == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    assert len(table["LatestStreamLabel"]) == len("2024-01-01T00:00:00.000")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}, "b": {"B": b"\x00\x01"}})
    ddb.update_item(
        TableName=name, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}}
    )
    ddb.delete_item(TableName=name, Key=key)
    records = _read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventVersion"] == "1.1"
    assert first["awsRegion"] == "us-east-1" and len(first["eventID"]) == 32
    assert "userIdentity" not in first
    for record in records:
        change = record["dynamodb"]
        assert change["Keys"] == key and change["StreamViewType"] == view and change["SizeBytes"] > 0
        assert abs(change["ApproximateCreationDateTime"].timestamp() - time.time()) < 120
    new_images = [r["dynamodb"].get("NewImage") for r in records]
    old_images = [r["dynamodb"].get("OldImage") for r in records]
    one = {**key, "v": {"N": "1"}, "b": {"B": b"\x00\x01"}}
    two = {**key, "v": {"N": "2"}, "b": {"B": b"\x00\x01"}}
    wants_new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    wants_old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    assert new_images == ([one, two, None] if wants_new else [None, None, None])
    assert old_images == ([None, one, two] if wants_old else [None, None, None])
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_no_record_without_a_change(ddb: Any, streams: Any, make_table: Callable[..., str]) -> None:
    name = _stream_table(make_table, "NEW_AND_OLD_IMAGES")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    item = {"pk": {"S": "a"}, "n": {"N": "1.0"}, "s": {"SS": ["x", "y"]}}
    ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}, "s": {"SS": ["y", "x"]}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "1"}})  # fmt: skip
    ddb.delete_item(TableName=name, Key={"pk": {"S": "missing"}})
    expect_error(ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed", TableName=name,
                 Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)")  # fmt: skip
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}},
                                              {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})  # fmt: skip
    expect_error(ddb.transact_write_items, "TransactionCanceledException", None, TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}}}},
        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "zz"}},
                            "ConditionExpression": "attribute_exists(pk)"}}])  # fmt: skip
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": {"pk": {"S": "d"}}}}])
    records = _read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "a"), ("INSERT", "b"), ("REMOVE", "a"), ("INSERT", "d")]  # fmt: skip


def test_ttl_removal_by_the_service(ddb: Any, streams: Any, make_table: Callable[..., str]) -> None:
    name = _stream_table(make_table, "OLD_IMAGE")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "exp": {"N": str(int(time.time()) - 5)}})
    deadline = time.monotonic() + 10
    while "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "old"}}):
        assert time.monotonic() < deadline, "the expired item was not swept"
        time.sleep(0.1)
    records = _read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert records[1]["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert records[1]["dynamodb"]["OldImage"]["pk"] == {"S": "old"}


def test_iterator_types_and_ordering(ddb: Any, streams: Any, make_table: Callable[..., str]) -> None:
    name = _stream_table(make_table, "KEYS_ONLY")
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "ENABLED" and description["TableName"] == name
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    shard = description["Shards"][0]
    assert shard["ShardId"].startswith("shardId-") and "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")
    for i in range(25):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i:02d}"}})
    page = streams.get_records(ShardIterator=latest["ShardIterator"], Limit=10)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == [f"k{i:02d}" for i in range(10)]
    rest = _drain(streams, page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in rest] == [f"k{i:02d}" for i in range(10, 25)]
    every = _read_all(streams, arn)
    numbers = [r["dynamodb"]["SequenceNumber"] for r in every]
    assert len(every) == 25 and numbers == sorted(numbers, key=int)
    at = _read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=numbers[5])
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == numbers[5:]
    after = _read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=numbers[5])
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == numbers[6:]
    assert _read_all(streams, arn, "LATEST") == []
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": arn.rsplit("/", 1)[1]}]
    expect_error(streams.get_records, "ValidationException", None, ShardIterator="bm90IGFuIGl0ZXJhdG9y" * 4)
    expect_error(streams.get_shard_iterator, "ValidationException", None, StreamArn=arn, ShardId=shard["ShardId"],
                 ShardIteratorType="AT_SEQUENCE_NUMBER")  # fmt: skip
    expect_error(streams.get_shard_iterator, "ResourceNotFoundException", None, StreamArn=arn + "x",
                 ShardId=shard["ShardId"], ShardIteratorType="LATEST")  # fmt: skip
    expect_error(streams.get_shard_iterator, "ResourceNotFoundException", None, StreamArn=arn,
                 ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST")  # fmt: skip


def test_disable_and_enable(ddb: Any, streams: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    assert "LatestStreamArn" not in ddb.describe_table(TableName=name)["Table"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    expect_error(ddb.update_table, "ValidationException", None, TableName=name,
                 StreamSpecification={"StreamEnabled": True})  # fmt: skip
    table = ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    )["TableDescription"]
    arn = table["LatestStreamArn"]
    expect_error(ddb.update_table, "ValidationException", f"Table already has an enabled stream: TableName: {name}",
                 TableName=name,
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})  # fmt: skip
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    open_iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    ddb.put_item(TableName=name, Item={"pk": {"S": "during"}})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert "StreamSpecification" not in table and table["LatestStreamArn"] == arn
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
    page = streams.get_records(ShardIterator=open_iterator["ShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["during"]
    assert "NextShardIterator" not in page  # the closed shard was read to its end
    time.sleep(0.002)
    second = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                   "StreamViewType": "KEYS_ONLY"})  # fmt: skip
    second_arn = second["TableDescription"]["LatestStreamArn"]
    assert second_arn != arn
    assert len(streams.list_streams(TableName=name)["Streams"]) == 2
    ddb.delete_table(TableName=name)
    assert streams.describe_stream(StreamArn=second_arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert [r["eventName"] for r in _read_all(streams, arn)] == ["INSERT"]


def test_restart_durability(store: StoreFactory) -> None:
    args = store()
    first = Server(**args, env=TUNED).start()
    try:
        ddb = make_client(first.endpoint, "dynamodb")
        streams = make_client(first.endpoint, "dynamodbstreams")
        ddb.create_table(TableName="streamed", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})  # fmt: skip
        arn = ddb.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
        for i in range(5):
            ddb.put_item(TableName="streamed", Item={"pk": {"S": f"k{i}"}})
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        page = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=2)
        before = [r["dynamodb"]["SequenceNumber"] for r in _read_all(streams, arn)]
    finally:
        first.stop()
    second = Server(**args, env=TUNED).start()
    try:
        ddb = make_client(second.endpoint, "dynamodb")
        streams = make_client(second.endpoint, "dynamodbstreams")
        ddb.put_item(TableName="streamed", Item={"pk": {"S": "k5"}})
        rest = _drain(streams, page["NextShardIterator"])
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in rest] == ["k2", "k3", "k4", "k5"]
        after = [r["dynamodb"]["SequenceNumber"] for r in _read_all(streams, arn)]
        assert after[:5] == before and int(after[5]) > int(before[-1])
    finally:
        second.stop()
