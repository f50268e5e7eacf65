"""Shard iterators end to end: every type, the errors of each, shard ids as AWS reads them, forged and expired
iterators (on the tuned server, whose iterators live 2 seconds)."""

from __future__ import annotations

import base64
import datetime as dt
import math
import time
from typing import Any

from gureum.aws.specs import load_spec

from ._helpers import ACCOUNT, expect_error, iterator, make_stream, read_shard, wait_gone

SHARD0 = "shardId-000000000000"


def _fill(kinesis: Any, name: str, count: int) -> list[dict[str, Any]]:
    return [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k") for i in range(count)]


def _data(records: list[dict[str, Any]]) -> list[bytes]:
    return [r["Data"] for r in records]


def test_every_iterator_type(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    first = _fill(kinesis, name, 3)
    # boto3 sends Timestamp in whole seconds: the second batch goes after the next second began
    time.sleep(math.ceil(time.time()) - time.time() + 0.05)
    middle = dt.datetime.now(dt.UTC)
    second = _fill(kinesis, name, 3)
    everything = [f"r{i}".encode() for i in range(3)] * 2

    assert _data(read_shard(kinesis, iterator(kinesis, name, SHARD0))[0]) == everything
    latest = iterator(kinesis, name, SHARD0, "LATEST")
    at = iterator(kinesis, name, SHARD0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=first[2]["SequenceNumber"])
    after = iterator(kinesis, name, SHARD0, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=first[2]["SequenceNumber"])
    at_time = iterator(kinesis, name, SHARD0, "AT_TIMESTAMP", Timestamp=middle)
    assert _data(read_shard(kinesis, at)[0]) == everything[2:]
    assert _data(read_shard(kinesis, after)[0]) == everything[3:]
    assert [r["SequenceNumber"] for r in read_shard(kinesis, at_time)[0]] == [p["SequenceNumber"] for p in second]
    assert read_shard(kinesis, latest)[0] == []
    # LATEST reads what comes after it was taken
    kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    assert _data(read_shard(kinesis, latest)[0]) == [b"new"]
    # AT_TIMESTAMP before the stream existed reads everything; one in the future is refused
    old = iterator(kinesis, name, SHARD0, "AT_TIMESTAMP", Timestamp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert len(read_shard(kinesis, old)[0]) == 7
    error = expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        StreamName=name,
        ShardId=SHARD0,
        ShardIteratorType="AT_TIMESTAMP",
        Timestamp=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    assert error["Message"].startswith("The timestampInMillis parameter cannot be greater than the currentTimestamp")


def test_iterator_argument_errors(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    rule = (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
    )
    args = {"StreamName": name, "ShardId": SHARD0}
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        f"{rule}Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        **args,
    )
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        f"{rule}Request specified LATEST and also a StartingSequenceNumber.",
        ShardIteratorType="LATEST",
        StartingSequenceNumber="5",
        **args,
    )
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
        "Current request has no timestamp parameter.",
        ShardIteratorType="AT_TIMESTAMP",
        **args,
    )
    # a small number is read in AWS's first layout, where it names shard 5 (as recorded on AWS by kinesalite)
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard "
        f"with {SHARD0}",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="5",
        **args,
    )
    huge = str(2**200)
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        f"StartingSequenceNumber {huge} used in GetShardIterator on shard {SHARD0} in stream {name} under account "
        f"{ACCOUNT} is invalid.",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=huge,
        **args,
    )
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        f"StartingSequenceNumber 65536 used in GetShardIterator on shard {SHARD0} in stream {name} under account "
        f"{ACCOUNT} is invalid because it did not come from this stream.",
        ShardIteratorType="AFTER_SEQUENCE_NUMBER",
        StartingSequenceNumber="65536",
        **args,
    )
    on_one = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**127 + 5))
    assert on_one["ShardId"] == "shardId-000000000001"
    expect_error(
        kinesis.get_shard_iterator,
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard "
        f"with {SHARD0}",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=on_one["SequenceNumber"],
        **args,
    )
    error = expect_error(
        kinesis.get_shard_iterator,
        "ValidationException",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber="01",
        **args,
    )
    pattern = load_spec("kinesis").model.shape_for("SequenceNumber").metadata["pattern"]  # as this botocore has it
    assert f"Member must satisfy regular expression pattern: {pattern}" in error["Message"]


def test_shard_ids_as_aws_reads_them(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    kinesis.put_record(StreamName=name, Data=b"one", PartitionKey="k", ExplicitHashKey=str(2**127 + 1))
    for given in ("shardId-000000000001", "shardId-1", "anything-1", "1"):
        assert _data(read_shard(kinesis, iterator(kinesis, name, given))[0]) == [b"one"]
    expect_error(
        kinesis.get_shard_iterator,
        "ResourceNotFoundException",
        f"Shard shardId-000000000005 in stream {name} under account {ACCOUNT} does not exist",
        StreamName=name,
        ShardId="shardId-5",
        ShardIteratorType="LATEST",
    )
    expect_error(
        kinesis.get_shard_iterator,
        "ResourceNotFoundException",
        f"Could not find shard ABKLFD8 in stream {name} under account {ACCOUNT}.",
        StreamName=name,
        ShardId="ABKLFD8",
        ShardIteratorType="LATEST",
    )
    expect_error(
        kinesis.get_shard_iterator,
        "ResourceNotFoundException",
        f"Shard {SHARD0} in stream {name}-x under account {ACCOUNT} does not exist",
        StreamName=f"{name}-x",
        ShardId=SHARD0,
        ShardIteratorType="LATEST",
    )


def test_iterators_cannot_be_forged(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    it = iterator(kinesis, name, SHARD0)
    raw = bytearray(base64.b64decode(it))
    raw[20] ^= 1  # move the position by one
    for bad in ("not-an-iterator", base64.b64encode(bytes(raw)).decode(), it[:-4] + "AAAA"):
        expect_error(kinesis.get_records, "InvalidArgumentException", "Invalid ShardIterator.", ShardIterator=bad)


def test_iterator_of_a_deleted_stream(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    it = iterator(kinesis, name, SHARD0)
    kinesis.delete_stream(StreamName=name)
    wait_gone(kinesis, name)
    make_stream(kinesis, name)  # the same name, another stream
    expect_error(
        kinesis.get_records,
        "ResourceNotFoundException",
        f"Shard {SHARD0} in stream {name} under account {ACCOUNT} does not exist",
        ShardIterator=it,
    )


def test_iterators_expire(tuned: Any, name: str) -> None:
    """The tuned server's iterators live 2 seconds (AWS: 5 minutes)."""
    make_stream(tuned, name)
    it = iterator(tuned, name, SHARD0)
    assert tuned.get_records(ShardIterator=it)["Records"] == []
    time.sleep(2.2)
    error = expect_error(tuned.get_records, "ExpiredIteratorException", ShardIterator=it)
    assert error["Message"].startswith("Iterator expired. The iterator was created at time ")
    assert error["Message"].endswith("which is further in the future than the tolerated delay of 2000 milliseconds.")
    # a fresh iterator, and the next ones GetRecords hands out, work
    out = tuned.get_records(ShardIterator=iterator(tuned, name, SHARD0))
    assert tuned.get_records(ShardIterator=out["NextShardIterator"])["Records"] == []
