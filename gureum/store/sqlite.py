"""SQLite in WAL mode: one writer thread that group-commits, one reader thread, one thread for WAL checkpoints.

Writes queued while a transaction runs are committed together in the next one (each inside its own
SAVEPOINT, so one failing function does not undo its neighbours).  A write's future resolves only
after COMMIT returns, so an acknowledged write is in the WAL: it survives ``kill -9``.  One process
owns the database, so this node is always the leader and notifications stay in-process.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from contextvars import copy_context
from pathlib import Path
from typing import Any, TypeVar

from ._batch import STOP, TurnQueue, commit_batch, hand_back, take_batch
from .base import Subscribers, TxCache, apply_migrations, load_migrations

T = TypeVar("T")

# WAL checkpoints run on their own thread and connection, not inside the writer's COMMIT (SQLite's automatic
# checkpoint): a checkpoint fsyncs the WAL and the database file, and on a disk busy with another job's writeback
# each fsync can take seconds, which every write (sends, receives, deletes) would wait behind. PASSIVE checkpoints
# never block the writer. How far the WAL is ahead of the database is read from the WAL-index header in the -shm
# file (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, native byte order).
CHECKPOINT_FRAMES = 1000  # as SQLite's automatic checkpoint
# passive checkpoints cannot finish while writes never pause (the WAL only starts over once fully copied); past
# this many frames the writer checkpoints between two batches itself, which bounds the WAL
WRITER_CHECKPOINT_FRAMES = 16000


class _SqliteTx:
    dialect = "sqlite"
    __slots__ = ("conn", "pending", "cache", "shared_cache")

    def __init__(self, conn: sqlite3.Connection, cache: TxCache | None) -> None:
        self.conn = conn
        self.pending: list[tuple[str, str]] = []
        self.cache = cache
        self.shared_cache = cache  # one node: the exact cache serves what may reach other nodes late too

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def notify(self, channel: str, payload: str) -> None:
        self.pending.append((channel, payload))

    def lock(self, *key: str) -> None:
        """Nothing to do: the one writer runs write transactions one at a time."""


class _Worker(threading.Thread):
    def __init__(
        self,
        name: str,
        connect: Callable[[], sqlite3.Connection],
        writer: bool,
        deliver: Callable[[list[tuple[str, str]]], None],
        cache: TxCache | None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.connect = connect
        self.writer = writer
        self.cache = cache
        self.deliver = deliver
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()  # lists of jobs, or STOP
        self.turns = TurnQueue(self.jobs)
        self.ready = threading.Event()
        self.failure: BaseException | None = None
        self.shm: str | None = None  # the WAL-index file's path (a file database's writer watches the WAL)
        self.checkpointer: _Checkpointer | None = None
        self.shm_fd: int | None = None

    def run(self) -> None:
        try:
            conn = self.connect()
        except BaseException as exc:  # surfaced by SqliteStore.__init__
            self.failure = exc
            self.ready.set()
            return
        self.ready.set()
        tx = _SqliteTx(conn, self.cache)
        while True:
            jobs = self.jobs.get()
            if jobs is STOP:
                break
            batch = take_batch(self.jobs, jobs)
            results = commit_batch(
                tx, batch, "BEGIN IMMEDIATE" if self.writer else "BEGIN", conn.execute, lambda: conn.in_transaction
            )
            if self.cache is not None:
                self.cache.settle(any(error is not None for _future, _value, error in results))
            hand_back(batch, results, self.deliver, tx.pending)
            if self.shm is not None:
                self._watch_wal(conn, self.shm)
        if self.shm_fd is not None:
            os.close(self.shm_fd)
        conn.close()

    def _watch_wal(self, conn: sqlite3.Connection, shm: str) -> None:
        """After a batch: CHECKPOINT_FRAMES not yet in the database wake the checkpointer; a WAL grown to
        WRITER_CHECKPOINT_FRAMES is checkpointed here."""
        try:
            if self.shm_fd is None:
                self.shm_fd = os.open(shm, os.O_RDONLY)
            header = os.pread(self.shm_fd, 100, 0)
        except OSError:
            return
        if len(header) < 100:
            return
        frames = int.from_bytes(header[16:20], sys.byteorder)
        behind = frames - int.from_bytes(header[96:100], sys.byteorder)
        if frames >= WRITER_CHECKPOINT_FRAMES and behind > 0:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        elif behind >= CHECKPOINT_FRAMES and self.checkpointer is not None:
            self.checkpointer.due.set()


class _Checkpointer(threading.Thread):
    """PASSIVE WAL checkpoints on a connection of its own, when the writer says the WAL grew."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(name="gureum-sqlite-checkpointer", daemon=True)
        self.connect = connect
        self.due = threading.Event()
        self.stopping = False

    def run(self) -> None:
        conn = self.connect()
        while True:
            self.due.wait()
            self.due.clear()
            if self.stopping:
                break
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # the next one retries
        conn.close()

    def stop(self) -> None:
        self.stopping = True
        self.due.set()


class SqliteStore:
    dialect = "sqlite"

    def __init__(self, path: Path | None, *, sync: str = "normal") -> None:
        self.path = path
        self.sync = sync
        self.subscribers = Subscribers()
        # every write passes through the one writer connection, so a cache it keeps is exact; the reader thread
        # runs without one (a value it read could be overtaken by a commit before it stored it)
        self.cache = TxCache()
        self._checkpointer: _Checkpointer | None = None
        deliver = self.subscribers.deliver
        if path is None:
            # one in-memory database: reads and writes share the writer's connection
            self._writer = _Worker("gureum-sqlite-writer", lambda: self._connect(":memory:"), True, deliver, self.cache)
            self._reader = self._writer
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = _Worker("gureum-sqlite-writer", lambda: self._connect(str(path)), True, deliver, self.cache)
            self._reader = _Worker(
                "gureum-sqlite-reader", lambda: self._connect(str(path), readonly=True), False, deliver, None
            )
            self._checkpointer = _Checkpointer(lambda: self._connect(str(path), checkpointer=True))
            self._writer.shm = f"{path}-shm"
            self._writer.checkpointer = self._checkpointer
        for worker in dict.fromkeys((self._writer, self._reader)):
            worker.start()
            worker.ready.wait()
            if worker.failure:
                raise worker.failure
        if self._checkpointer is not None:
            self._checkpointer.start()

    def _connect(self, target: str, readonly: bool = False, checkpointer: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 10000")
        if target != ":memory:" and not readonly and not checkpointer:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer's job
        conn.execute(f"PRAGMA synchronous = {'FULL' if self.sync == 'full' else 'NORMAL'}")
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        if readonly:  # reads cannot write, as on PostgreSQL (BEGIN READ ONLY)
            conn.execute("PRAGMA query_only = ON")
        return conn

    def _submit(self, worker: _Worker, fn: Callable[[Any], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        # the job sees the submitter's context variables (its trace: a delivery enqueued in it carries it)
        context = copy_context()
        worker.turns.submit((lambda tx: context.run(fn, tx), future, loop))
        return future

    async def write(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._writer, fn)

    async def read(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._reader, fn)

    async def migrate(self, component: str, directory: Path) -> None:
        migrations = load_migrations(directory, self.dialect)
        await self.write(lambda tx: apply_migrations(tx, component, migrations))

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        self.subscribers.add(channel, callback)

    async def is_leader(self, role: str) -> bool:
        return True

    async def close(self) -> None:
        workers = list(dict.fromkeys((self._writer, self._reader)))
        for worker in workers:
            worker.turns.flush_all()
            worker.jobs.put(STOP)
        for worker in workers:
            await asyncio.get_running_loop().run_in_executor(None, worker.join, 10)
        if self._checkpointer is not None:
            self._checkpointer.stop()
            await asyncio.get_running_loop().run_in_executor(None, self._checkpointer.join, 10)
