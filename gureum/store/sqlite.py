"""SQLite in WAL mode: one writer thread that group-commits, one reader thread.

Writes queued while a transaction runs are committed together in the next one (each inside its own
SAVEPOINT, so one failing function does not undo its neighbours).  A write's future resolves only
after COMMIT returns, so an acknowledged write is in the WAL: it survives ``kill -9``.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from .base import apply_migrations, load_migrations

T = TypeVar("T")
_MAX_BATCH = 512
_STOP = object()


class _SqliteTx:
    dialect = "sqlite"
    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()


def _resolve(results: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, value, error in results:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


class _Worker(threading.Thread):
    def __init__(self, name: str, connect: Callable[[], sqlite3.Connection], writer: bool) -> None:
        super().__init__(name=name, daemon=True)
        self.connect = connect
        self.writer = writer
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.ready = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            conn = self.connect()
        except BaseException as exc:  # surfaced by SqliteStore.__init__
            self.failure = exc
            self.ready.set()
            return
        self.ready.set()
        tx = _SqliteTx(conn)
        while True:
            job = self.jobs.get()
            if job is _STOP:
                break
            batch = [job]
            while len(batch) < _MAX_BATCH:
                try:
                    more = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self.jobs.put(_STOP)
                    break
                batch.append(more)
            self._run_batch(conn, tx, batch)
        conn.close()

    def _run_batch(self, conn: sqlite3.Connection, tx: _SqliteTx, batch: list[Any]) -> None:
        results: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        single = len(batch) == 1
        try:
            conn.execute("BEGIN IMMEDIATE" if self.writer else "BEGIN")
            for fn, future, _loop in batch:
                if single:
                    try:
                        results.append((future, fn(tx), None))
                    except BaseException as exc:
                        results.append((future, None, exc))
                        conn.execute("ROLLBACK")
                        conn.execute("BEGIN")
                    continue
                conn.execute("SAVEPOINT job")
                try:
                    value = fn(tx)
                except BaseException as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((future, None, exc))
                else:
                    conn.execute("RELEASE job")
                    results.append((future, value, None))
            conn.execute("COMMIT")
        except BaseException as exc:  # the commit itself failed: nothing in this batch is durable
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            results = [(future, None, exc) for _fn, future, _loop in batch]
        loops: dict[Any, list[Any]] = {}
        for (_fn, _future, loop), result in zip(batch, results):
            loops.setdefault(loop, []).append(result)
        for loop, items in loops.items():
            try:
                loop.call_soon_threadsafe(_resolve, items)
            except RuntimeError:  # loop closed during shutdown
                pass


class SqliteStore:
    dialect = "sqlite"

    def __init__(self, path: Path | None, *, sync: str = "normal") -> None:
        self.path = path
        self.sync = sync
        if path is None:
            # one in-memory database: reads and writes share the writer's connection
            self._writer = _Worker("gureum-sqlite-writer", lambda: self._connect(":memory:"), True)
            self._reader = self._writer
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = _Worker("gureum-sqlite-writer", lambda: self._connect(str(path)), True)
            self._reader = _Worker("gureum-sqlite-reader", lambda: self._connect(str(path), readonly=True), False)
        self._writer.start()
        self._writer.ready.wait()
        if self._writer.failure:
            raise self._writer.failure
        if self._reader is not self._writer:
            self._reader.start()
            self._reader.ready.wait()
            if self._reader.failure:
                raise self._reader.failure

    def _connect(self, target: str, readonly: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        if target != ":memory:" and not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {'FULL' if self.sync == 'full' else 'NORMAL'}")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        return conn

    def _submit(self, worker: _Worker, fn: Callable[[Any], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        worker.jobs.put((fn, future, loop))
        return future

    async def write(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._writer, fn)

    async def read(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._reader, fn)

    async def migrate(self, component: str, directory: Path) -> None:
        migrations = load_migrations(directory, self.dialect)
        await self.write(lambda tx: apply_migrations(tx, component, migrations))

    async def close(self) -> None:
        for worker in {self._writer, self._reader}:
            worker.jobs.put(_STOP)
        for worker in {self._writer, self._reader}:
            await asyncio.get_running_loop().run_in_executor(None, worker.join, 10)
