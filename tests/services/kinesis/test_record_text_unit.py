"""GetRecords' JSON joined from the records' stored text (records.record_text) is byte for byte what the protocol
engine writes of the same answer's dicts, for random records (any partition key text, any data, any arrival time,
encrypted or not, records left or a closed shard's children); its dicts (what CBOR encodes) are the records; records
stored without their text (before it was kept) are read as they always were."""

from __future__ import annotations

import asyncio
from typing import Any

import botocore.session
from hypothesis import given, settings
from hypothesis import strategies as st

from gureum.aws.protocols.json import JsonProtocol, Prewritten
from gureum.clock import FakeClock
from gureum.services.kinesis import SERVICE, records, sequences
from gureum.services.kinesis.backend import KinesisBackend
from gureum.services.kinesis.limits import Settings
from gureum.services.kinesis.shards import Shard
from gureum.services.kinesis.streams import Stream
from gureum.store.sqlite import SqliteStore

ACCOUNT, REGION = "000000000000", "us-east-1"
MODEL = botocore.session.get_session().get_service_model("kinesis")


def _engine(out: dict[str, Any], operation: str = "GetRecords") -> bytes:
    return JsonProtocol().serialize(MODEL.operation_model(operation), dict(out), "rid").body


async def _backend() -> tuple[SqliteStore, KinesisBackend]:
    store = SqliteStore(None)
    assert SERVICE.migrations is not None
    await store.migrate("kinesis", SERVICE.migrations)
    return store, KinesisBackend(store, FakeClock(), Settings(delay=0), "secret")


_keys = st.text(min_size=1, max_size=40)  # every code point but lone surrogates: quotes, controls, emoji, …
_records = st.lists(st.tuples(_keys, st.binary(max_size=64)), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 2**40), st.integers(0, 4_102_444_800_000), _keys, st.binary(max_size=80)), max_size=8
    ),
    encrypted=st.booleans(),
    behind=st.integers(0, 10**9),
    children=st.booleans(),
)
def test_joined_text_is_what_the_engine_writes(
    rows: list[tuple[int, int, str, bytes]], encrypted: bool, behind: int, children: bool
) -> None:
    shard = Shard(7, 3, None, None, 0, 2**128 - 1, 1_700_000_000.0, None)
    stream = _stream(encrypted)
    texts = []
    for index, arrival_ms, key, data in rows:
        sequence = sequences.encode(shard.created_second, shard.index, index, arrival_ms // 1000)
        texts.append(records.record_text(sequence, records.arrival_text(arrival_ms), key, data))
    rest: dict[str, Any] = {"MillisBehindLatest": behind}
    if children:
        rest["ChildShards"] = [Shard(9, 4, 3, None, 0, 2**127, 1_700_000_100.0, None).as_child()]
    else:
        rest["NextShardIterator"] = "AAAA/+=="
    dicts = records.records_out(stream, shard, rows)
    fast = records.prewritten(stream, texts, rest)
    assert fast.body == _engine({"Records": dicts, **rest})
    assert list(fast["Records"]) == dicts  # what another protocol (CBOR) encodes


def _stream(encrypted: bool) -> Stream:
    return Stream(1, ACCOUNT, REGION, "s", 1_700_000_000.0, "ACTIVE", "PROVISIONED", 24,
                  "KMS" if encrypted else "NONE", "alias/aws/kinesis" if encrypted else None, (), {}, None, 1024,
                  None, 1, None, None)  # fmt: skip


@settings(max_examples=15, deadline=None)
@given(batch=_records)
def test_get_records_answer_through_the_backend(batch: list[tuple[str, bytes]]) -> None:
    asyncio.run(_through_backend(batch))


async def _through_backend(batch: list[tuple[str, bytes]]) -> None:
    store, be = await _backend()
    try:
        await be.create_stream(ACCOUNT, REGION, "s", 1, None, None, None, None)
        if batch:
            await be.put_records(ACCOUNT, REGION, "s", None, [{"PartitionKey": k, "Data": d} for k, d in batch])
        it = await be.get_shard_iterator(ACCOUNT, REGION, "s", None, "0", "TRIM_HORIZON", None, None)
        put = await be.put_records(ACCOUNT, REGION, "s", None, [{"PartitionKey": "p", "Data": b"x"}] * 3)
        assert isinstance(put, Prewritten) and put.body == _engine(put, "PutRecords")
        fast = await be.get_records(it, None, True)
        plain = await be.get_records(it, None)
        assert isinstance(fast, Prewritten) and not isinstance(plain, Prewritten)
        assert [(r["PartitionKey"], r["Data"]) for r in plain["Records"]] == batch + [("p", b"x")] * 3
        assert fast.body == _engine({**plain, "NextShardIterator": fast["NextShardIterator"]})
    finally:
        await store.close()


def test_records_stored_without_text_are_read_as_before() -> None:
    asyncio.run(_without_text())


async def _without_text() -> None:
    store, be = await _backend()
    try:
        await be.create_stream(ACCOUNT, REGION, "s", 1, None, None, None, None)
        sent = [{"PartitionKey": f"k{i}", "Data": bytes([i]) * i} for i in range(1, 8)]
        await be.put_records(ACCOUNT, REGION, "s", None, sent)
        # the middle records as a version before 003_record_text stored them
        await store.write(lambda tx: tx.execute("UPDATE kinesis_records SET size = NULL, body = NULL WHERE data > ?",
                                                (bytes([3]) * 3,)))  # fmt: skip
        it = await be.get_shard_iterator(ACCOUNT, REGION, "s", None, "0", "TRIM_HORIZON", None, None)
        got = await be.get_records(it, None, True)
        assert not isinstance(got, Prewritten)
        assert [(r["PartitionKey"], r["Data"]) for r in got["Records"]] == [
            (p["PartitionKey"], p["Data"]) for p in sent
        ]
        first = await be.get_records(it, 2, True)  # the first three still have their text (a read peeks at one more)
        assert isinstance(first, Prewritten) and [r["PartitionKey"] for r in first["Records"]] == ["k1", "k2"]
    finally:
        await store.close()
