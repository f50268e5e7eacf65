"""The store contract: what every store kind (SQLite, PostgreSQL) must do, proven by one suite run on each.

Services rely on exactly these promises: a write's changes are visible once it returns and never when it failed;
neighbouring writes do not share a failure; notifications fire only for committed writes; migrations apply once;
committed data survives closing and reopening; reads cannot write; one node leads each role.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gureum.store import Store, Tx, open_store, wipe_all

from ..conftest import STORE_KINDS

Opener = Callable[[], Store]


@pytest.fixture(params=STORE_KINDS)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """opener() → a store on one fresh database of this store kind; every call opens the same database again."""
    url = request.getfixturevalue("pg_cluster").create_database("c") if request.param == "postgresql" else None
    yield lambda: open_store(url, tmp_path)


def run(opener: Opener, scenario: Callable[[Store], Awaitable[Any]]) -> Any:
    """Open a store, create the test table, run the scenario, close the store."""

    async def main() -> Any:
        store = opener()
        try:
            await store.migrate("contract", MIGRATIONS)
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())


MIGRATIONS = Path(tempfile.mkdtemp(prefix="gureum-contract-"))
(MIGRATIONS / "001_items.sql").write_text(
    "CREATE TABLE contract_items (id {{id_pk}}, name TEXT NOT NULL UNIQUE, n {{bigint}}, data {{blob}});\n"
)
(MIGRATIONS / "002_index.sql").write_text("CREATE INDEX contract_items_n ON contract_items (n);\n")


def insert(name: str, n: int = 0) -> Callable[[Tx], None]:
    return lambda tx: tx.execute("INSERT INTO contract_items (name, n) VALUES (?, ?)", (name, n))


def names(tx: Tx) -> list[str]:
    return [row[0] for row in tx.all("SELECT name FROM contract_items ORDER BY name")]


def test_a_write_is_visible_to_the_next_read(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        await store.write(insert("a", 1))
        assert await store.read(names) == ["a"]
        row = await store.read(lambda tx: tx.one("SELECT n FROM contract_items WHERE name = ?", ("a",)))
        assert row is not None and row[0] == 1
        assert await store.read(lambda tx: tx.one("SELECT n FROM contract_items WHERE name = ?", ("zz",))) is None

    run(opener, scenario)


def test_a_failed_write_leaves_nothing_and_raises_its_own_error(opener: Opener) -> None:
    class Boom(Exception):
        pass

    def half_then_fail(tx: Tx) -> None:
        tx.execute("INSERT INTO contract_items (name, n) VALUES (?, ?)", ("half", 1))
        raise Boom("stop")

    async def scenario(store: Store) -> None:
        with pytest.raises(Boom):
            await store.write(half_then_fail)
        assert await store.read(names) == []

    run(opener, scenario)


def test_neighbouring_writes_do_not_share_a_failure(opener: Opener) -> None:
    """Writes submitted together may be committed in one batch: a failing one must not undo the others."""

    async def scenario(store: Store) -> None:
        jobs = [store.write(insert(f"n{i:03d}", i)) for i in range(50)]
        jobs.insert(25, store.write(insert("n010")))  # duplicate name: a constraint violation
        results = await asyncio.gather(*jobs, return_exceptions=True)
        assert sum(isinstance(r, Exception) for r in results) == 1
        assert isinstance(results[25], Exception)
        assert await store.read(names) == [f"n{i:03d}" for i in range(50)]

    run(opener, scenario)


def test_concurrent_increments_are_not_lost(opener: Opener) -> None:
    def bump(tx: Tx) -> None:
        tx.execute("UPDATE contract_items SET n = n + 1 WHERE name = ?", ("counter",))

    async def scenario(store: Store) -> None:
        await store.write(insert("counter", 0))
        await asyncio.gather(*(store.write(bump) for _ in range(200)))
        row = await store.read(lambda tx: tx.one("SELECT n FROM contract_items WHERE name = ?", ("counter",)))
        assert row is not None and row[0] == 200

    run(opener, scenario)


def test_executemany_blobs_and_return_values(opener: Opener) -> None:
    def fill(tx: Tx) -> int:
        tx.executemany(
            "INSERT INTO contract_items (name, n, data) VALUES (?, ?, ?)",
            [(f"b{i}", i, bytes([i]) * 3) for i in range(5)],
        )
        row = tx.one("SELECT COUNT(*) FROM contract_items")
        assert row is not None
        return int(row[0])

    async def scenario(store: Store) -> None:
        assert await store.write(fill) == 5  # a write returns what its function returned
        rows = await store.read(lambda tx: tx.all("SELECT name, data FROM contract_items ORDER BY n"))
        assert [(name, bytes(data)) for name, data in rows] == [(f"b{i}", bytes([i]) * 3) for i in range(5)]

    run(opener, scenario)


def test_notifications_fire_after_commit_and_never_for_a_failed_write(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        heard: list[str] = []
        got = asyncio.Event()

        def listener(payload: str) -> None:
            heard.append(payload)
            got.set()

        store.subscribe("contract", listener)

        def failing(tx: Tx) -> None:
            tx.notify("contract", "lost")
            raise ValueError("rolled back")

        with pytest.raises(ValueError):
            await store.write(failing)

        def committed(tx: Tx) -> None:
            tx.execute("INSERT INTO contract_items (name) VALUES (?)", ("x",))
            tx.notify("contract", "kept")

        await store.write(committed)
        await asyncio.wait_for(got.wait(), 10)
        await asyncio.sleep(0.2)  # a notification of the failed write would have arrived by now too
        assert heard == ["kept"]

    run(opener, scenario)


def test_migrations_apply_once_and_in_order(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        await store.migrate("contract", MIGRATIONS)  # again: nothing to do, no error
        rows = await store.read(
            lambda tx: tx.all(
                "SELECT version FROM gureum_migrations WHERE component = ? ORDER BY version", ("contract",)
            )
        )
        assert [row[0] for row in rows] == [1, 2]

    run(opener, scenario)


def test_committed_data_survives_closing_and_reopening(opener: Opener) -> None:
    run(opener, lambda store: store.write(insert("durable", 7)))
    assert run(opener, lambda store: store.read(names)) == ["durable"]


def test_reads_cannot_write(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        with pytest.raises(Exception):  # noqa: B017 - each store kind raises its driver's own error
            await store.read(insert("sneaky"))
        assert await store.read(names) == []

    run(opener, scenario)


def test_a_single_node_leads_every_role(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        assert await store.is_leader("contract-role")
        assert await store.is_leader("contract-role")  # and keeps leading

    run(opener, scenario)


def test_wipe_all_empties_tables_but_keeps_migrations(opener: Opener) -> None:
    async def scenario(store: Store) -> None:
        await store.write(insert("gone"))
        await store.write(wipe_all)
        assert await store.read(names) == []
        row = await store.read(lambda tx: tx.one("SELECT COUNT(*) FROM gureum_migrations"))
        assert row is not None and row[0] >= 2

    run(opener, scenario)


@pytest.mark.skipif("postgresql" not in STORE_KINDS, reason="leadership between nodes needs PostgreSQL")
def test_exactly_one_of_two_nodes_leads_a_role(pg_cluster: Any, tmp_path: Path) -> None:
    url = pg_cluster.create_database("lead")

    async def main() -> None:
        first, second = open_store(url, tmp_path), open_store(url, tmp_path)
        try:
            await first.migrate("contract", MIGRATIONS)
            await second.migrate("contract", MIGRATIONS)
            leaders = [await first.is_leader("contract-role"), await second.is_leader("contract-role")]
            assert leaders.count(True) == 1
            await first.write(insert("from-first"))
            assert await second.read(names) == ["from-first"]  # one database, any node reads it
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())
