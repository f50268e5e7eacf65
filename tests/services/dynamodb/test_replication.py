"""Kinesis streaming destinations end to end (each item change lands in the Kinesis stream as AWS's change record,
until the destination is disabled) and global tables refused or answered as absent (one process is one Region)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from ...conftest import make_client
from ...expect import expect_error
from ...server import Server


def _records(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    out = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]  # fmt: skip
        for record in kinesis.get_records(ShardIterator=iterator)["Records"]:
            out.append({"key": record["PartitionKey"], **json.loads(record["Data"])})
    return sorted(out, key=lambda r: r["dynamodb"]["ApproximateCreationDateTime"])


def test_kinesis_streaming_destination(ddb: Any, ddb_server: Server, make_table: Callable[..., str]) -> None:
    kinesis = make_client(ddb_server.endpoint, "kinesis")
    stream = f"s-{uuid.uuid4().hex[:10]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})
    expect_error(ddb.enable_kinesis_streaming_destination, "ResourceNotFoundException", TableName=name,
                 StreamArn=stream_arn.replace(stream, "missing-stream"))  # fmt: skip
    answer = ddb.enable_kinesis_streaming_destination(TableName=name, StreamArn=stream_arn)
    assert answer["DestinationStatus"] == "ENABLING" and answer["StreamArn"] == stream_arn
    described = ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"]
    assert described == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE",
                          "ApproximateCreationDateTimePrecision": "MILLISECOND"}]  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "n": {"N": "1"}, "b": {"B": b"\x00\x01"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "k"}}, UpdateExpression="SET n = n + :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "n": {"N": "2"}, "b": {"B": b"\x00\x01"}})  # no change
    ddb.execute_statement(Statement=f"DELETE FROM \"{name}\" WHERE pk = 'k'")
    got = _records(kinesis, stream)
    assert [r["eventName"] for r in got] == ["INSERT", "MODIFY", "REMOVE"]
    first = got[0]
    assert first["tableName"] == name and first["eventSource"] == "aws:dynamodb"
    assert first["recordFormat"] == "application/json" and first["awsRegion"] == "us-east-1"
    assert first["userIdentity"] is None
    assert first["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert first["dynamodb"]["NewImage"] == {"pk": {"S": "k"}, "n": {"N": "1"}, "b": {"B": "AAE="}}
    assert "OldImage" not in first["dynamodb"] and first["dynamodb"]["SizeBytes"] > 0
    assert got[1]["dynamodb"]["OldImage"]["n"] == {"N": "1"} and got[1]["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert "NewImage" not in got[2]["dynamodb"]
    assert len({r["key"] for r in got}) == 1  # one item's changes share a partition key (and so their order)
    assert abs(first["dynamodb"]["ApproximateCreationDateTime"] / 1000 - time.time()) < 60
    updated = ddb.update_kinesis_streaming_destination(
        TableName=name, StreamArn=stream_arn,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )  # fmt: skip
    assert updated["DestinationStatus"] == "UPDATING"
    ddb.put_item(TableName=name, Item={"pk": {"S": "micro"}})
    micro = _records(kinesis, stream)[-1]["dynamodb"]
    assert micro["ApproximateCreationDateTimePrecision"] == "MICROSECOND"
    assert abs(micro["ApproximateCreationDateTime"] / 1_000_000 - time.time()) < 60
    assert ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=stream_arn)[
        "DestinationStatus"] == "DISABLING"  # fmt: skip
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    assert len(_records(kinesis, stream)) == 4
    status = ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"][0]
    assert status["DestinationStatus"] == "DISABLED"
    expect_error(ddb.describe_kinesis_streaming_destination, "ResourceNotFoundException", TableName="no-such-table")


def test_global_tables_refused(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    error = expect_error(ddb.create_global_table, "ValidationException", GlobalTableName=name,
                         ReplicationGroup=[{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}])  # fmt: skip
    assert "Global tables are not supported" in error["Message"] and "point-in-time recovery" in error["Message"]
    expect_error(ddb.update_table, "ValidationException", TableName=name,
                 ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])  # fmt: skip
    assert ddb.list_global_tables()["GlobalTables"] == []
    expect_error(ddb.describe_global_table, "GlobalTableNotFoundException", GlobalTableName=name)
    expect_error(ddb.update_global_table, "GlobalTableNotFoundException", GlobalTableName=name,
                 ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])  # fmt: skip
