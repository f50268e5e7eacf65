"""Throughput limits and quotas, on the tuned server (GUREUM_KINESIS_LIMITS=1): a shard takes 1,000 records/s and
1 MiB/s, answers 5 GetRecords calls/s, and PutRecords fails the records past that one by one; the shard quota."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from ._helpers import ACCOUNT, REGION, expect_error, iterator, make_stream, read_shard

HOT = "0"  # ExplicitHashKey of shard 0
COLD = str(2**127 + 1)  # of shard 1


def _until_refused(call: Callable[[], Any], message: str | None = None, calls: int = 20) -> None:
    """Call until the server refuses with ProvisionedThroughputExceededException (within ``calls`` calls)."""
    for _ in range(calls):
        try:
            call()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ProvisionedThroughputExceededException", error.response
            if message is not None:
                assert error.response["Error"]["Message"] == message
            return
    raise AssertionError(f"{calls} calls in a row were all admitted")


def test_put_records_partial_failures(tuned: Any, name: str) -> None:
    make_stream(tuned, name, 2)
    accepted: list[bytes] = []
    failed = sent = 0
    for batch in range(10):  # batches of 499 records to one shard, until it runs past its 1,000 records/s
        entries = [{"Data": f"{batch}-{i}".encode(), "PartitionKey": "p", "ExplicitHashKey": HOT} for i in range(500)]
        entries[0] = {"Data": f"cold-{batch}".encode(), "PartitionKey": "p", "ExplicitHashKey": COLD}
        out = tuned.put_records(StreamName=name, Records=entries)
        sent += 499
        assert len(out["Records"]) == 500
        assert out["FailedRecordCount"] == sum(1 for r in out["Records"] if "ErrorCode" in r)
        assert "ErrorCode" not in out["Records"][0], "the other shard has its own budget"
        for entry, result in zip(entries[1:], out["Records"][1:]):
            if "ErrorCode" in result:
                failed += 1
                assert result == {
                    "ErrorCode": "ProvisionedThroughputExceededException",
                    "ErrorMessage": f"Rate exceeded for shard shardId-000000000000 in stream {name} "
                    f"under account {ACCOUNT}.",
                }
            else:
                assert result["ShardId"] == "shardId-000000000000"
                accepted.append(entry["Data"])
        if failed:
            break
    assert failed > 0 and failed + len(accepted) == sent
    # exactly the records acknowledged are in the shard, in order
    assert [r["Data"] for r in read_shard(tuned, iterator(tuned, name, "shardId-000000000000"))[0]] == accepted
    time.sleep(1.1)  # the budget refills
    assert tuned.put_record(StreamName=name, Data=b"x", PartitionKey="p", ExplicitHashKey=HOT)["SequenceNumber"]


def test_write_bytes_per_second(tuned: Any, name: str) -> None:
    """1 MiB/s in: a burst past it is taken whole, then PutRecord is refused whole."""
    make_stream(tuned, name)
    blob = b"z" * (600 * 1024)
    tuned.put_record(StreamName=name, Data=blob, PartitionKey="p")
    tuned.put_record(StreamName=name, Data=blob, PartitionKey="p")  # a burst past 1 MiB is taken whole
    _until_refused(
        lambda: tuned.put_record(StreamName=name, Data=blob, PartitionKey="p"),
        f"Rate exceeded for shard shardId-000000000000 in stream {name} under account {ACCOUNT}.",
    )


def test_get_records_five_calls_per_second(tuned: Any, name: str) -> None:
    make_stream(tuned, name)
    it = iterator(tuned, name, "shardId-000000000000")
    _until_refused(
        lambda: tuned.get_records(ShardIterator=it),
        f"Rate exceeded for shard shardId-000000000000 in stream {name} under account {ACCOUNT}.",
    )
    time.sleep(0.5)
    assert tuned.get_records(ShardIterator=it)["Records"] == []


def test_shard_quota(tuned: Any, name: str) -> None:
    error = expect_error(tuned.create_stream, "LimitExceededException", StreamName=name, ShardCount=501)
    assert error["Message"].startswith(
        f"This request would exceed the shard limit for the account {ACCOUNT} in {REGION}."
    )
    assert (
        "Limit: 500. Number of additional shards that would have resulted from this request: 501." in error["Message"]
    )


def test_limits_are_off_by_default(kinesis: Any, name: str) -> None:
    make_stream(kinesis, name)
    for _ in range(3):
        out = kinesis.put_records(StreamName=name, Records=[{"Data": b"x", "PartitionKey": "p"}] * 500)
        assert out["FailedRecordCount"] == 0
    it = iterator(kinesis, name, "shardId-000000000000")
    for _ in range(8):
        it = kinesis.get_records(ShardIterator=it, Limit=1)["NextShardIterator"]
