"""Durability: a stream being created when the server is killed becomes ACTIVE after restart, records acknowledged
before a kill -9 are all there after it (none twice), and sequence numbers, iterators and AT_SEQUENCE_NUMBER carry
on across restarts."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._helpers import iterator, read_shard, wait_status

WRITERS = 3
SLOW = {"GUREUM_KINESIS_DELAY": "1.5"}


def test_creating_stream_becomes_active_after_kill(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept, env=SLOW).start()
    try:
        kinesis = make_client(server.endpoint, "kinesis")
        kinesis.create_stream(StreamName="durable", ShardCount=2)
        assert kinesis.describe_stream_summary(StreamName="durable")["StreamDescriptionSummary"]["StreamStatus"] == (
            "CREATING"
        )
        server.kill()
        server = Server(**kept, env=SLOW).start()
        kinesis = make_client(server.endpoint, "kinesis")
        summary = wait_status(kinesis, "durable")
        assert summary["OpenShardCount"] == 2
        # and a reshard begun before a clean stop completes after the restart
        kinesis.split_shard(StreamName="durable", ShardToSplit="shardId-000000000000", NewStartingHashKey="1000")
        server.stop()
        server = Server(**kept, env=SLOW).start()
        kinesis = make_client(server.endpoint, "kinesis")
        assert wait_status(kinesis, "durable")["OpenShardCount"] == 3
    finally:
        server.stop()


def _write(client: Any, acked: list[bytes], stop: threading.Event, prefix: str) -> None:
    n = 0
    while not stop.is_set() and n < 100_000:
        batch = [f"{prefix}-{n + i}".encode() for i in range(20)]
        n += 20
        try:
            out = client.put_records(
                StreamName="durable", Records=[{"Data": d, "PartitionKey": d.decode()} for d in batch]
            )
        except (BotoCoreError, ClientError, OSError):
            return  # the server died mid-request: nothing of this batch was acknowledged
        acked.extend(d for d, r in zip(batch, out["Records"]) if "SequenceNumber" in r)


def _everything(kinesis: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName="durable")["Shards"]:
        records += read_shard(kinesis, iterator(kinesis, "durable", shard["ShardId"]))[0]
    return records


def test_kill9_during_put_records_loses_nothing_acknowledged(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept, env={"GUREUM_KINESIS_DELAY": "0"}).start()
    try:
        kinesis = make_client(server.endpoint, "kinesis")
        kinesis.create_stream(StreamName="durable", ShardCount=2)
        first = kinesis.put_record(StreamName="durable", Data=b"first", PartitionKey="k")
        it = iterator(
            kinesis, "durable", first["ShardId"], "AT_SEQUENCE_NUMBER", StartingSequenceNumber=first["SequenceNumber"]
        )
        stop = threading.Event()
        acked: list[list[bytes]] = [[] for _ in range(WRITERS)]
        threads = [
            threading.Thread(
                target=_write, args=(make_client(server.endpoint, "kinesis"), acked[i], stop, f"w{i}"), daemon=True
            )
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(10)
        sent = [d for each in acked for d in each]
        assert len(sent) > 100, "the writers should have put a fair number of records before the kill"

        server = Server(**kept, env={"GUREUM_KINESIS_DELAY": "0"}).start()
        kinesis = make_client(server.endpoint, "kinesis")
        records = _everything(kinesis)
        data = [r["Data"] for r in records]
        missing = set(sent) - set(data)
        assert not missing, f"{len(missing)} acknowledged records lost, e.g. {sorted(missing)[:5]}"
        assert len(data) == len(set(data)), "a record was stored twice"
        assert len(data) - 1 - len(sent) <= WRITERS * 20  # at most the batches in flight at the kill
        # each writer's records are in order within their shard
        for shard in kinesis.list_shards(StreamName="durable")["Shards"]:
            numbers = [
                int(r["SequenceNumber"]) for r in read_shard(kinesis, iterator(kinesis, "durable", shard["ShardId"]))[0]
            ]
            assert numbers == sorted(numbers)
        # an iterator issued before the kill still reads (same deployment secret), from the same record
        assert kinesis.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"] == b"first"
        # sequence numbers carry on above the ones before the restart
        after = kinesis.put_record(StreamName="durable", Data=b"after", PartitionKey="k")
        assert after["ShardId"] == first["ShardId"] and int(after["SequenceNumber"]) > int(first["SequenceNumber"])
        again = iterator(
            kinesis,
            "durable",
            first["ShardId"],
            "AFTER_SEQUENCE_NUMBER",
            StartingSequenceNumber=first["SequenceNumber"],
        )
        assert b"after" in [r["Data"] for r in read_shard(kinesis, again)[0]]
    finally:
        server.stop()
