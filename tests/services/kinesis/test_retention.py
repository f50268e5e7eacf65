"""Retention: records older than the stream's retention period are gone (GetRecords no longer returns them and the
leader's sweep deletes them), and closed shards whose records all expired are no longer listed. End to end on the
tuned server, whose retention hours last 0.02 s (24 hours: 0.48 s); and the sweep itself with a fake clock."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from gureum.clock import FakeClock
from gureum.services.kinesis import SERVICE
from gureum.services.kinesis.backend import KinesisBackend
from gureum.services.kinesis.limits import Settings
from gureum.store.sqlite import SqliteStore

from ._helpers import iterator, make_stream, read_shard, wait_status


def test_records_expire_end_to_end(tuned: Any, name: str) -> None:
    make_stream(tuned, name)
    for _ in range(5):
        started = time.monotonic()
        tuned.put_records(StreamName=name, Records=[{"Data": b"old", "PartitionKey": "p"}] * 3)
        seen = len(read_shard(tuned, iterator(tuned, name, "shardId-000000000000"))[0])
        # the earlier puts have expired by now: only a put read back within 24 (shortened) hours can show all 3
        if seen == 3 or time.monotonic() - started < 0.48:
            break
    assert seen == 3
    time.sleep(0.7)  # past 24 (shortened) hours
    tuned.put_record(StreamName=name, Data=b"new", PartitionKey="p")
    records, _ = read_shard(tuned, iterator(tuned, name, "shardId-000000000000"))
    assert [r["Data"] for r in records] == [b"new"]


def test_expired_closed_shards_are_no_longer_listed(tuned: Any, name: str) -> None:
    make_stream(tuned, name)
    tuned.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    wait_status(tuned, name)
    assert len(tuned.list_shards(StreamName=name)["Shards"]) == 3
    deadline = time.monotonic() + 5
    while len(tuned.describe_stream(StreamName=name)["StreamDescription"]["Shards"]) != 2:
        assert time.monotonic() < deadline, "the closed parent outlived its retention"
        time.sleep(0.1)
    assert [s["ShardId"] for s in tuned.list_shards(StreamName=name)["Shards"]] == [
        "shardId-000000000001",
        "shardId-000000000002",
    ]
    children = tuned.list_shards(StreamName=name)["Shards"]
    assert all(s["ParentShardId"] == "shardId-000000000000" for s in children)  # lineage kept, as AWS does


def test_sweep_deletes_expired_records_with_a_fake_clock() -> None:
    asyncio.run(_sweep_with_fake_clock())


async def _sweep_with_fake_clock() -> None:
    store = SqliteStore(None)
    clock = FakeClock()
    try:
        assert SERVICE.migrations is not None
        await store.migrate("kinesis", SERVICE.migrations)
        be = KinesisBackend(store, clock, Settings(delay=0), "secret")
        await be.create_stream("000000000000", "us-east-1", "s", 1, None, None, None, None)
        await be.put_records("000000000000", "us-east-1", "s", None, [{"Data": b"a", "PartitionKey": "p"}] * 5)
        clock.advance(23 * 3600)
        await be.put_record("000000000000", "us-east-1", "s", None, "p", b"b", None, None)
        assert await _rows(store) == 6
        clock.advance(3600 + 1)  # the first five are past 24 hours
        it = await be.get_shard_iterator("000000000000", "us-east-1", "s", None, "0", "TRIM_HORIZON", None, None)
        got = await be.get_records(it, None)
        assert [r["Data"] for r in got["Records"]] == [b"b"]  # gone from reads before any sweep
        await be.sweep()
        assert await _rows(store) == 1
        await be.change_retention("000000000000", "us-east-1", "s", None, 48, True)
        clock.advance(3600)
        await be.sweep()
        assert await _rows(store) == 1  # within the longer retention period
        clock.advance(48 * 3600)
        await be.sweep()
        assert await _rows(store) == 0
    finally:
        await store.close()


async def _rows(store: SqliteStore) -> int:
    row = await store.read(lambda tx: tx.one("SELECT COUNT(*) FROM kinesis_records"))
    return int(row[0]) if row else 0
