"""The "logs" delivery target, called as the delivery dispatcher calls it: inside a transaction of a real store
(this run's store kind), then read back through the service's own queries."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

import pytest

from gureum.config import Config
from gureum.delivery import DeliveryError
from gureum.runtime import Runtime
from gureum.services.logs import SERVICE, limits
from gureum.services.logs import store as logs_store
from gureum.services.logs.target import TARGET
from gureum.store import open_store

ARN = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn"


def _deliver_in_tx(runtime: Runtime, address: str, payload: dict[str, Any], tx: Any) -> None:
    assert TARGET.in_tx is not None
    TARGET.in_tx(runtime, tx, address, payload)


async def _deliver(kwargs: dict[str, Any], *deliveries: tuple[str, dict[str, Any]]) -> Any:
    st = open_store(kwargs.get("store_url"), Path(kwargs["data_dir"]))
    try:
        assert SERVICE.migrations is not None
        await st.migrate("logs", SERVICE.migrations)
        runtime = Runtime(Config(), st)
        assert TARGET.in_tx is not None
        for address, payload in deliveries:
            await st.write(functools.partial(_deliver_in_tx, runtime, address, payload))

        def read(tx: Any) -> Any:
            group = logs_store.get_group(tx, "123456789012", "eu-west-1", "/aws/lambda/fn")
            assert group is not None
            streams = sorted(logs_store.list_streams(tx, group.id), key=lambda s: s.name)
            events = {
                s.name: [
                    (e.timestamp, e.message) for e in logs_store.stream_events(tx, s.id, 0, 2**62, None, True, 100)
                ]
                for s in streams
            }
            return group, streams, events

        return await st.read(read)
    finally:
        await st.close()


def test_target_creates_group_and_stream_and_appends(store: Any) -> None:
    big = "é" * (limits.MAX_EVENT_BYTES // 2 + 10)  # more bytes than one event holds: split on a character boundary
    group, streams, events = asyncio.run(
        _deliver(
            store(),
            (
                ARN,
                {
                    "stream": "2026/11/25/[$LATEST]abc",
                    "events": [
                        {"timestamp": 1000, "message": "START RequestId: 1"},
                        {"timestamp": 1001, "message": "hello"},
                    ],
                },
            ),
            (ARN + ":*", {"stream": "2026/11/25/[$LATEST]abc", "events": [{"timestamp": 1002, "message": big}]}),
            (ARN, {"stream": "other", "events": [{"timestamp": 5, "message": "x"}]}),
        )
    )
    assert group.arn == ARN and group.retention_days is None
    assert [s.name for s in streams] == ["2026/11/25/[$LATEST]abc", "other"]
    first = events["2026/11/25/[$LATEST]abc"]
    assert first[:2] == [(1000, "START RequestId: 1"), (1001, "hello")]
    assert [ts for ts, _ in first[2:]] == [1002, 1002] and "".join(m for _, m in first[2:]) == big
    assert all(len(m.encode()) <= limits.MAX_EVENT_BYTES for _, m in first)
    assert (
        streams[0].first_event == 1000
        and streams[0].last_event == 1002
        and streams[0].stored_bytes == len("START RequestId: 1hello") + len(big.encode())
    )
    assert events["other"] == [(5, "x")]


@pytest.mark.parametrize(
    "address,payload",
    [
        ("arn:aws:sqs:eu-west-1:123456789012:q", {"stream": "s", "events": []}),
        (ARN, {"stream": "a:b", "events": []}),
        (ARN, {"events": []}),
    ],
)
def test_target_rejects_bad_addresses_without_retry(store: Any, address: str, payload: dict[str, Any]) -> None:
    with pytest.raises(DeliveryError) as info:
        asyncio.run(_deliver(store(), (address, payload)))
    assert info.value.retryable is False


async def _sweep_in_batches(kwargs: dict[str, Any]) -> tuple[list[int], int]:
    st = open_store(kwargs.get("store_url"), Path(kwargs["data_dir"]))
    try:
        assert SERVICE.migrations is not None and TARGET.in_tx is not None
        await st.migrate("logs", SERVICE.migrations)
        runtime = Runtime(Config(), st)
        now = int(runtime.clock.now() * 1000)
        old = [{"timestamp": now - 3 * logs_store.DAY_MS + i, "message": "old"} for i in range(7)]
        await st.write(
            lambda tx: TARGET.in_tx(
                runtime, tx, ARN, {"stream": "s", "events": [*old, {"timestamp": now, "message": "new"}]}
            )
        )  # type: ignore[misc]

        def retain_one_day(tx: Any) -> None:
            group = logs_store.get_group(tx, "123456789012", "eu-west-1", "/aws/lambda/fn")
            assert group is not None
            logs_store.set_retention(tx, group.id, 1)

        await st.write(retain_one_day)
        removed = [await st.write(lambda tx: logs_store.expire(tx, now, 3)) for _ in range(4)]
        stream = await st.read(
            lambda tx: logs_store.list_streams(
                tx, logs_store.get_group(tx, "123456789012", "eu-west-1", "/aws/lambda/fn").id
            )[0]
        )  # type: ignore[union-attr]
        return removed, stream.stored_bytes
    finally:
        await st.close()


def test_retention_sweep_deletes_in_batches(store: Any) -> None:
    removed, stored = asyncio.run(_sweep_in_batches(store()))
    assert removed == [3, 3, 1, 0] and stored == len("new")
