"""Tx.lock: read-modify-writes of one document that lock it first never lose each other's changes, on one node
and across two PostgreSQL nodes sharing a database (several writer connections each, READ COMMITTED)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from gureum.store import Store, Tx, open_store

from ..conftest import STORE_KINDS
from .test_contract import MIGRATIONS, Opener, insert, run

N = 120


def add_label(label: str) -> Any:
    """A job that reads the document's JSON list, adds ``label`` in Python, and writes it back."""

    def job(tx: Tx) -> None:
        tx.lock("contract", "doc")
        row = tx.one("SELECT data FROM contract_items WHERE name = ?", ("doc",))
        labels = json.loads(bytes(row[0])) if row and row[0] is not None else []
        labels.append(label)
        tx.execute("UPDATE contract_items SET data = ? WHERE name = ?", (json.dumps(labels).encode(), "doc"))

    return job


async def add_labels(stores: list[Store]) -> None:
    """N jobs, spread over the stores and over time (not one batch): writer connections run them side by side."""

    async def one(i: int) -> None:
        await asyncio.sleep(i % 8 * 0.001)
        await stores[i % len(stores)].write(add_label(f"l{i:03}"))

    await asyncio.gather(*(one(i) for i in range(N)))


async def labels(store: Store) -> list[str]:
    row = await store.read(lambda tx: tx.one("SELECT data FROM contract_items WHERE name = ?", ("doc",)))
    assert row is not None
    return sorted(json.loads(bytes(row[0])))


def test_locked_read_modify_writes_all_stay(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        await store.write(insert("doc"))
        await add_labels([store])
        assert await labels(store) == [f"l{i:03}" for i in range(N)]

    run(opener, scenario)


@pytest.mark.skipif("postgresql" not in STORE_KINDS, reason="two nodes need PostgreSQL")
def test_locked_read_modify_writes_of_two_nodes_all_stay(pg_cluster: Any, tmp_path: Path) -> None:
    url = pg_cluster.create_database("lock")

    async def main() -> None:
        first, second = open_store(url, tmp_path), open_store(url, tmp_path)
        try:
            await first.migrate("contract", MIGRATIONS)
            await second.migrate("contract", MIGRATIONS)
            await first.write(insert("doc"))
            await add_labels([first, second])
            assert await labels(second) == [f"l{i:03}" for i in range(N)]
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


@pytest.mark.skipif("postgresql" not in STORE_KINDS, reason="the shared cache is PostgreSQL's")
def test_a_locked_write_reads_past_the_shared_cache(pg_cluster: Any, tmp_path: Path) -> None:
    """A value another node changed may still be cached here (its notification on the way): after tx.lock the
    transaction reads the committed row, and what it reads is not kept in the cache."""
    url = pg_cluster.create_database("lockcache")

    def read(lock: bool) -> Any:
        def job(tx: Tx) -> Any:
            if lock:
                tx.lock("contract", "cached")
            cache = tx.shared_cache
            assert cache is not None
            hit = cache.get("contract", "cached")
            if hit is not None:
                return ("cached", hit)
            row = tx.one("SELECT n FROM contract_items WHERE name = ?", ("cached",))
            assert row is not None
            cache.put("contract", "cached", row[0])
            return ("row", row[0])

        return job

    async def main() -> None:
        store = open_store(url, tmp_path)
        try:
            await store.migrate("contract", MIGRATIONS)
            await store.write(insert("cached", 1))
            # the cache serves once this node listens (its LISTEN connection drops what it held then): wait for it,
            # rather than turn it on before the listener starts and wipes what the first read keeps
            deadline = time.monotonic() + 30
            while not store.shared_cache.enabled:  # type: ignore[attr-defined]
                assert time.monotonic() < deadline, "the node never listened"
                await asyncio.sleep(0.05)
            assert await store.write(read(False)) == ("row", 1)
            assert await store.write(read(False)) == ("cached", 1)
            # changed behind the cache's back, as by another node whose notification has not arrived yet
            await store.write(lambda tx: tx.execute("UPDATE contract_items SET n = 2 WHERE name = ?", ("cached",)))
            assert await store.write(read(False)) == ("cached", 1)
            assert await store.write(read(True)) == ("row", 2)
            assert await store.write(read(False)) == ("cached", 1)  # the locked read kept nothing
        finally:
            await store.close()

    asyncio.run(main())
