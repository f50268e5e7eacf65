"""KinesisBackend.subscribe_to_shard, in process with a system clock (test_subscribe.py covers it over HTTP): events
as records arrive, woken by commits rather than polling, and the ChildShards event that ends a subscription at the
end of a closed shard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gureum.clock import SystemClock
from gureum.services.kinesis import SERVICE
from gureum.services.kinesis.backend import KinesisBackend
from gureum.services.kinesis.errors import ResourceNotFoundException
from gureum.services.kinesis.limits import Settings
from gureum.store.sqlite import SqliteStore

ACCOUNT, REGION = "000000000000", "us-east-1"
ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"


def test_subscription_events() -> None:
    asyncio.run(_subscription())


async def _subscription() -> None:
    store = SqliteStore(None)
    try:
        assert SERVICE.migrations is not None
        await store.migrate("kinesis", SERVICE.migrations)
        be = KinesisBackend(store, SystemClock(), Settings(delay=0), "secret")
        await be.create_stream(ACCOUNT, REGION, "s", 1, None, None, None, None)
        consumer = (await be.register_stream_consumer(ARN, "c", None))["Consumer"]
        assert consumer["ConsumerStatus"] == "ACTIVE"
        put = await be.put_records(
            ACCOUNT, REGION, "s", None, [{"Data": bytes([i]), "PartitionKey": "p"} for i in range(3)]
        )
        opened = await be.subscribe_to_shard(consumer["ConsumerARN"], "shardId-000000000000", {"Type": "TRIM_HORIZON"})

        async def events_of() -> AsyncIterator[dict[str, Any]]:
            async for tagged in opened:
                assert list(tagged) == ["SubscribeToShardEvent"]
                yield tagged["SubscribeToShardEvent"]

        events = events_of()
        first = await asyncio.wait_for(anext(events), 2)
        assert [r["Data"] for r in first["Records"]] == [b"\x00", b"\x01", b"\x02"]
        assert first["ContinuationSequenceNumber"] == put["Records"][2]["SequenceNumber"]
        assert first["MillisBehindLatest"] == 0 and "ChildShards" not in first

        async def later() -> dict[str, Any]:
            await asyncio.sleep(0.2)
            return await be.put_record(ACCOUNT, REGION, "s", None, "p", b"late", None, None)

        writer = asyncio.create_task(later())
        second = await asyncio.wait_for(anext(events), 2)  # woken by the commit, well before the 5 s heartbeat
        assert [r["Data"] for r in second["Records"]] == [b"late"]
        assert second["ContinuationSequenceNumber"] == (await writer)["SequenceNumber"]

        await be.split_shard(ACCOUNT, REGION, "s", None, "shardId-000000000000", str(2**127))
        last = await asyncio.wait_for(anext(events), 2)
        assert last["Records"] == [] and [c["ShardId"] for c in last["ChildShards"]] == [
            "shardId-000000000001",
            "shardId-000000000002",
        ]
        with pytest.raises(StopAsyncIteration):
            await anext(events)

        with pytest.raises(ResourceNotFoundException):
            await be.subscribe_to_shard(f"{ARN}/consumer/nope:1", "shardId-000000000000", {"Type": "LATEST"})
    finally:
        await store.close()
