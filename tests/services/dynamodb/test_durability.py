"""Durability: kill -9 while clients run transactions (TransactWriteItems and PartiQL's ExecuteTransaction) and
single writes against a table with a GSI, a stream and point-in-time recovery: after the restart every acknowledged
write is there, every transaction is all-or-nothing, the index and the stream agree with the items (no change
without its record, no record without its change) and a point-in-time restore still works."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server

WRITERS = 3


def _write(client: Any, table: str, prefix: str, acked: list[str], stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        key = f"{prefix}-{n}"
        try:
            if n % 3 == 0:
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"{key}-a"}, "g": {"S": prefix}}}},
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"{key}-b"}, "g": {"S": prefix}}}},
                ])  # fmt: skip
            elif n % 3 == 1:
                client.execute_transaction(TransactStatements=[
                    {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'g': ?}}",
                     "Parameters": [{"S": f"{key}-a"}, {"S": prefix}]},
                    {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'g': ?}}",
                     "Parameters": [{"S": f"{key}-b"}, {"S": prefix}]},
                ])  # fmt: skip
            else:
                client.put_item(TableName=table, Item={"pk": {"S": f"{key}-a"}, "g": {"S": prefix}})
                client.put_item(TableName=table, Item={"pk": {"S": f"{key}-b"}, "g": {"S": prefix}})
        except (BotoCoreError, ClientError, OSError):
            return  # the server died mid-request: this write was not acknowledged
        acked.append(key)
        n += 1


def _scan(ddb: Any, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(**kwargs):
        found += page["Items"]
    return found


def _stream_keys(streams: Any, stream_arn: str) -> list[str]:
    keys = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]  # fmt: skip
        while iterator:
            out = streams.get_records(ShardIterator=iterator, Limit=1000)
            keys += [r["dynamodb"]["Keys"]["pk"]["S"] for r in out["Records"] if r["eventName"] == "INSERT"]
            if not out["Records"]:
                break
            iterator = out.get("NextShardIterator")
    return keys


def test_kill9_keeps_acknowledged_writes_and_whole_transactions(store: StoreFactory) -> None:
    kept = store()
    server = Server(**kept).start()
    try:
        ddb = make_client(server.endpoint, "dynamodb")
        ddb.create_table(
            TableName="durable", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )  # fmt: skip
        pitr = {"PointInTimeRecoveryEnabled": True}
        ddb.update_continuous_backups(TableName="durable", PointInTimeRecoverySpecification=pitr)
        stop = threading.Event()
        acked: list[list[str]] = [[] for _ in range(WRITERS)]
        threads = [
            threading.Thread(target=_write, args=(make_client(server.endpoint, "dynamodb"), "durable", f"w{i}",
                                                  acked[i], stop), daemon=True)
            for i in range(WRITERS)
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while sum(len(a) for a in acked) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(10)
        assert sum(len(a) for a in acked) >= 60, "the writers did not get going"

        server = Server(**kept).start()
        ddb = make_client(server.endpoint, "dynamodb")
        keys = {i["pk"]["S"] for i in _scan(ddb, TableName="durable")}
        for done in acked:
            for key in done:
                assert {f"{key}-a", f"{key}-b"} <= keys, f"acknowledged write {key} lost"
        for key in keys:  # TransactWriteItems and ExecuteTransaction: both items or neither
            base, _, part = key.rpartition("-")
            if int(base.rpartition("-")[2]) % 3 != 2:
                assert f"{base}-{'b' if part == 'a' else 'a'}" in keys, f"half a transaction: {key}"
        assert {i["pk"]["S"] for i in _scan(ddb, TableName="durable", IndexName="by-g")} == keys
        streams = make_client(server.endpoint, "dynamodbstreams")
        stream_arn = ddb.describe_table(TableName="durable")["Table"]["LatestStreamArn"]
        recorded = _stream_keys(streams, stream_arn)
        assert sorted(recorded) == sorted(keys)
        ddb.put_item(TableName="durable", Item={"pk": {"S": "after-restart"}})
        ddb.restore_table_to_point_in_time(SourceTableName="durable", TargetTableName="durable-copy",
                                           UseLatestRestorableTime=True)  # fmt: skip
        assert {i["pk"]["S"] for i in _scan(ddb, TableName="durable-copy")} == keys | {"after-restart"}
    finally:
        server.stop()
