"""Records end to end: routing by the partition key's MD5 or ExplicitHashKey, order per shard, sequence numbers,
PutRecords results and limits, GetRecords limits, MillisBehindLatest and arrival times."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from ._helpers import ACCOUNT, HASH_MAX, arn, expect_error, iterator, make_stream, read_shard, wait_status


def _shard_for(kinesis: Any, name: str, key: str) -> str:
    hashed = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        keys = shard["HashKeyRange"]
        if int(keys["StartingHashKey"]) <= hashed <= int(keys["EndingHashKey"]):
            return shard["ShardId"]  # type: ignore[no-any-return]
    raise AssertionError("no shard takes the key")


def test_order_per_shard_and_md5_routing(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 3)
    sent: dict[str, list[bytes]] = {}
    numbers: dict[str, list[int]] = {}
    for i in range(30):
        key = f"key-{i % 7}"
        data = f"record-{i}".encode()
        put = kinesis.put_record(StreamName=name, Data=data, PartitionKey=key)
        assert put["ShardId"] == _shard_for(kinesis, name, key)
        assert len(put["SequenceNumber"]) == 56
        sent.setdefault(put["ShardId"], []).append(data)
        numbers.setdefault(put["ShardId"], []).append(int(put["SequenceNumber"]))
    for shard, data in sent.items():
        assert numbers[shard] == sorted(numbers[shard]) and len(set(numbers[shard])) == len(numbers[shard])
        records, _ = read_shard(kinesis, iterator(kinesis, name, shard))
        assert [r["Data"] for r in records] == data
        assert [int(r["SequenceNumber"]) for r in records] == numbers[shard]


def test_explicit_hash_key_routes(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 2)
    low = kinesis.put_record(StreamName=name, Data=b"low", PartitionKey="same", ExplicitHashKey="0")
    high = kinesis.put_record(StreamName=name, Data=b"high", PartitionKey="same", ExplicitHashKey=str(HASH_MAX))
    assert (low["ShardId"], high["ShardId"]) == ("shardId-000000000000", "shardId-000000000001")
    expect_error(
        kinesis.put_record,
        "InvalidArgumentException",
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
        f"Specified value was {HASH_MAX + 1}",
        StreamName=name,
        Data=b"x",
        PartitionKey="k",
        ExplicitHashKey=str(HASH_MAX + 1),
    )
    expect_error(
        kinesis.put_record, "ValidationException", StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="-1"
    )


def test_put_records_results_in_request_order(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name, 4)
    entries = [{"Data": f"d{i}".encode(), "PartitionKey": f"p{i}"} for i in range(500)]
    entries[7]["ExplicitHashKey"] = "1"
    out = kinesis.put_records(StreamName=name, Records=entries)
    assert out["FailedRecordCount"] == 0 and len(out["Records"]) == 500
    assert out["Records"][7]["ShardId"] == "shardId-000000000000"
    by_shard: dict[str, list[tuple[int, bytes]]] = {}
    for entry, result in zip(entries, out["Records"]):
        assert set(result) == {"ShardId", "SequenceNumber"}
        if entry is not entries[7]:
            assert result["ShardId"] == _shard_for(kinesis, name, entry["PartitionKey"])
        by_shard.setdefault(result["ShardId"], []).append((int(result["SequenceNumber"]), entry["Data"]))
    for shard, expected in by_shard.items():
        # within a shard, records keep the request's order
        assert [n for n, _ in expected] == sorted(n for n, _ in expected)
        records, _ = read_shard(kinesis, iterator(kinesis, name, shard))
        assert [r["Data"] for r in records] == [d for _, d in expected]


def test_put_records_request_errors(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    error = expect_error(
        kinesis.put_records,
        "ValidationException",
        StreamName=name,
        Records=[{"Data": b"x", "PartitionKey": "k"}] * 501,
    )
    assert "Member must have length less than or equal to 500" in error["Message"]
    error = expect_error(
        kinesis.put_records, "ValidationException", StreamName=name, Records=[{"Data": b"x", "PartitionKey": "k" * 257}]
    )
    assert error["Message"] == (
        f"1 validation error detected: Value '{'k' * 257}' at 'records.1.member.partitionKey' failed to satisfy "
        "constraint: Member must have length less than or equal to 256"
    )
    expect_error(
        kinesis.put_records,
        "InvalidArgumentException",
        f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {2**128}",
        StreamName=name,
        Records=[
            {"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": str(2**128)},
            {"Data": b"", "PartitionKey": "a"},
        ],
    )
    one_mib = b"x" * (1024 * 1024 - 1)
    expect_error(
        kinesis.put_records,
        "InvalidArgumentException",
        "Records size exceeds 10 MB limit",
        StreamName=name,
        Records=[{"Data": one_mib, "PartitionKey": "k"}] * 11,
    )
    expect_error(
        kinesis.put_records,
        "ResourceNotFoundException",
        f"Stream {name}-x under account {ACCOUNT} not found.",
        StreamName=f"{name}-x",
        Records=[{"Data": b"x", "PartitionKey": "k"}],
    )


def test_partition_key_and_data_limits(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    error = expect_error(kinesis.put_record, "ValidationException", StreamName=name, Data=b"x", PartitionKey="k" * 257)
    assert (
        "at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256"
        in (error["Message"])
    )
    # a record of exactly 1 MiB, partition key included, is taken; one byte more is not
    key = "k"
    fits = b"x" * (1024 * 1024 - len(key))
    assert kinesis.put_record(StreamName=name, Data=fits, PartitionKey=key)["ShardId"] == "shardId-000000000000"
    error = expect_error(
        kinesis.put_record, "InvalidArgumentException", StreamName=name, Data=fits + b"x", PartitionKey=key
    )
    assert error["Message"].startswith(f"Record size {1024 * 1024 + 1} bytes exceeds the maximum record size")
    expect_error(
        kinesis.put_record,
        "InvalidArgumentException",
        f"ExclusiveMinimumSequenceNumber {2**200} used in PutRecord on stream {name} under account {ACCOUNT} "
        "is invalid.",
        StreamName=name,
        Data=b"x",
        PartitionKey="k",
        SequenceNumberForOrdering=str(2**200),
    )


def test_sequence_number_for_ordering(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    previous = kinesis.put_record(StreamName=name, Data=b"0", PartitionKey="k")["SequenceNumber"]
    for i in range(1, 5):
        put = kinesis.put_record(
            StreamName=name, Data=str(i).encode(), PartitionKey="k", SequenceNumberForOrdering=previous
        )
        assert int(put["SequenceNumber"]) > int(previous)
        previous = put["SequenceNumber"]


def test_get_records_limit_behind_and_arrival(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    before = time.time()
    kinesis.put_records(StreamName=name, Records=[{"Data": bytes([i]), "PartitionKey": "k"} for i in range(25)])
    time.sleep(0.05)
    it = iterator(kinesis, name, "shardId-000000000000")
    first = kinesis.get_records(ShardIterator=it, Limit=10)
    assert [r["Data"] for r in first["Records"]] == [bytes([i]) for i in range(10)]
    assert first["MillisBehindLatest"] >= 50  # records wait behind this batch
    arrival = first["Records"][0]["ApproximateArrivalTimestamp"].timestamp()
    assert before - 1 <= arrival <= time.time() + 1
    assert first["Records"][0]["PartitionKey"] == "k"
    second = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=100)
    assert [r["Data"] for r in second["Records"]] == [bytes([i]) for i in range(10, 25)]
    assert second["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=second["NextShardIterator"])
    assert empty["Records"] == [] and empty["MillisBehindLatest"] == 0 and empty["NextShardIterator"]
    error = expect_error(kinesis.get_records, "ValidationException", ShardIterator=it, Limit=10001)
    assert "Member must have value less than or equal to 10000" in error["Message"]


def test_large_records_read_back_within_ten_mib(kinesis: Any, name: str) -> None:
    """GetRecords returns at most 10 MiB: twelve records of 1 MiB come back in two calls."""
    make_stream(kinesis, name)
    kinesis.update_max_record_size(StreamARN=arn(name), MaxRecordSizeInKiB=1100)
    wait_status(kinesis, name)
    blob = b"y" * (1024 * 1024)
    for _ in range(2):
        kinesis.put_records(StreamName=name, Records=[{"Data": blob, "PartitionKey": "k"}] * 6)
    first = kinesis.get_records(ShardIterator=iterator(kinesis, name, "shardId-000000000000"))
    assert 1 <= len(first["Records"]) <= 10 and first["MillisBehindLatest"] >= 0
    rest, _ = read_shard(kinesis, first["NextShardIterator"])
    assert len(first["Records"]) + len(rest) == 12
