"""PostgreSQL: several gureum nodes share one database.

Writer threads each group-commit batches of jobs (as the SQLite writer does) and retry a batch that hit a
deadlock or serialization failure; reader threads run a read's statements one by one on a read-only session.
``tx.notify`` wakes local subscribers at once and, while other nodes are heard from, those nodes through
LISTEN/NOTIFY, coalesced by one notifier thread so commits never wait on the notification queue lock.
Leadership for background roles is a session-level advisory lock held by one node at a time.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import queue
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from contextvars import copy_context
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors

from ._batch import STOP, Pending, Result, commit_batch, hand_back, take_batch
from .base import (
    CACHE_CHANNEL,
    SharedCache,
    SharedCacheTx,
    Subscribers,
    apply_migrations,
    load_migrations,
    lock_id,
)

log = logging.getLogger("gureum.store")
T = TypeVar("T")
CHANNEL = "gureum"
_WRITERS = 4
_READERS = 2
_RETRIES = 8
_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)
_MAX_PAYLOAD = 7000
# Nodes announce themselves (a "hello" when they start listening, answered at once by every node that hears it,
# then a heartbeat every _HEARTBEAT seconds); a node notifies the others only while it has heard one within
# _PEER_SECONDS, so that a lone node does not pay a round trip per commit for nobody.
_HEARTBEAT = 5.0
_PEER_SECONDS = 15.0
_HELLO = object()  # notifier items besides lists of events: announce this node (and ask others to answer) …
_BEAT = object()  # … or just say it is alive


@functools.lru_cache(maxsize=2048)
def _placeholders(sql: str) -> str:
    """Portable ``?`` placeholders → psycopg's ``%s`` (our SQL has no literal ``?`` or ``%``)."""
    return sql.replace("%", "%%").replace("?", "%s")


class _NoRows:
    """The result of a statement that can match no row (see _nul_lookup)."""

    rowcount = 0

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []


_NO_ROWS = _NoRows()


def _nul_lookup(sql: str, params: Sequence[Any]) -> bool:
    """A SELECT or DELETE with a NUL character in a text parameter: PostgreSQL's text cannot hold NUL (the driver
    refuses the statement), so no stored row can match it — answer "no rows" as SQLite does, instead of an error.
    Writes that would store a NUL still fail: services refuse such input before they write."""
    if not any(isinstance(p, str) and "\x00" in p for p in params):
        return False
    verb = sql.lstrip()[:6].upper()
    return verb in ("SELECT", "DELETE")


class _PgTx:
    dialect = "postgresql"
    # other nodes change rows behind this node's back: nothing is cached exactly across transactions
    cache = None
    __slots__ = ("conn", "pending", "shared_cache")

    def __init__(self, conn: psycopg.Connection[Any], shared: SharedCache) -> None:
        self.conn = conn
        self.pending: Pending = []
        self.shared_cache = SharedCacheTx(shared, self.notify)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if _nul_lookup(sql, params):
            return _NO_ROWS
        return self.conn.execute(_placeholders(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        if len(rows) == 1:  # psycopg's executemany pipelines its statements: a cost one row does not repay
            return self.execute(sql, rows[0])
        with self.conn.cursor() as cur:
            cur.executemany(_placeholders(sql), rows)
            return cur

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        if _nul_lookup(sql, params):
            return None
        return self.conn.execute(_placeholders(sql), params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if _nul_lookup(sql, params):
            return []
        return self.conn.execute(_placeholders(sql), params).fetchall()

    def notify(self, channel: str, payload: str) -> None:
        self.pending.append((channel, payload))

    def lock(self, *key: str) -> None:
        """An advisory lock held until the transaction (the writer's batch) ends; reads after it bypass the
        shared cache. Advisory locks take part in deadlock detection: a batch caught in one is retried whole."""
        self.shared_cache.locked = True
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id(key),))


def _lock_key(role: str) -> int:
    return zlib.crc32(f"gureum:{role}".encode())


class _Worker(threading.Thread):
    def __init__(self, store: PostgresStore, name: str, jobs: queue.SimpleQueue[Any], writer: bool) -> None:
        super().__init__(name=name, daemon=True)
        self.store = store
        self.jobs = jobs
        self.writer = writer
        self.ready = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        try:
            conn = self._connect()
        except BaseException as exc:
            self.failure = exc
        self.ready.set()
        if conn is None:
            return
        self._serve(conn)

    def _serve(self, conn: psycopg.Connection[Any]) -> None:
        """Run jobs on this thread's connection until STOP."""
        tx = _PgTx(conn, self.store.shared_cache)
        while True:
            jobs = self.jobs.get()
            if jobs is STOP:
                self.jobs.put(STOP)
                break
            batch = take_batch(self.jobs, jobs)
            if self.writer:
                results = self._commit(tx, batch)
            else:
                results = self._read(tx, batch)
            tx.shared_cache.settle(any(error is not None for _future, _value, error in results))
            hand_back(batch, results, self.store.subscribers.deliver, tx.pending)
            if tx.pending and self.store.has_peers():
                self.store.notifier.put(tx.pending)
        tx.conn.close()

    def _read(self, tx: _PgTx, batch: list[Any]) -> list[Result]:
        """Read jobs, each statement on its own (autocommit, read-only by the session's default): READ COMMITTED
        gives each statement of a transaction its own snapshot anyway, and a read has nothing to commit or roll
        back, so BEGIN, savepoints and COMMIT would only add round trips."""
        tx.pending = []
        results: list[Result] = []
        for index, (fn, future, _loop) in enumerate(batch):
            mark = len(tx.pending)
            try:
                results.append((future, fn(tx), None))
            except psycopg.OperationalError as exc:  # connection lost: fail the rest of the batch, reconnect
                del tx.pending[mark:]
                results += [(f, None, exc) for _fn, f, _l in batch[index:]]
                tx.conn = self._reconnect()
                break
            except BaseException as exc:
                del tx.pending[mark:]
                results.append((future, None, exc))
        return results

    def _commit(self, tx: _PgTx, batch: list[Any]) -> list[Result]:
        """Write jobs in one transaction, retried whole on a deadlock or serialization failure."""
        for attempt in range(_RETRIES):
            try:
                return commit_batch(
                    tx,
                    batch,
                    "BEGIN",
                    # tx.conn: the connection now (reconnects replace it); never prepared: a statement of the
                    # batch's own (BEGIN, SAVEPOINT …) may be two in one
                    lambda sql: tx.conn.execute(sql, prepare=False),
                    lambda: tx.conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE,
                    _RETRYABLE,
                    chained=True,
                )
            except _RETRYABLE:
                time.sleep(0.002 * (attempt + 1))
            except psycopg.OperationalError as exc:  # connection lost: fail this batch, reconnect
                tx.conn = self._reconnect()
                return [(future, None, exc) for _fn, future, _loop in batch]
        error = RuntimeError("transaction kept deadlocking; gave up")
        return [(future, None, error) for _fn, future, _loop in batch]

    def _connect(self) -> psycopg.Connection[Any]:
        conn = self.store.connect()
        if not self.writer:  # a reader's statements cannot write (as SQLite's reader: query_only)
            conn.execute("SET default_transaction_read_only = on")
        return conn

    def _reconnect(self) -> psycopg.Connection[Any]:
        while True:
            try:
                return self._connect()
            except psycopg.OperationalError:
                log.warning("PostgreSQL unreachable; retrying")
                time.sleep(0.5)


class PostgresStore:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.node = uuid.uuid4().hex[:12]
        self.subscribers = Subscribers()
        # served once this node listens for the other nodes' changes (_listen_loop)
        self.shared_cache = SharedCache()
        self.notifier: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._peer_seen = -_PEER_SECONDS  # monotonic time another node was last heard from
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._write_jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._read_jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._workers = [_Worker(self, f"gureum-pg-writer-{i}", self._write_jobs, True) for i in range(_WRITERS)]
        self._workers += [_Worker(self, f"gureum-pg-reader-{i}", self._read_jobs, False) for i in range(_READERS)]
        for worker in self._workers:
            worker.start()
        for worker in self._workers:
            worker.ready.wait()
            if worker.failure:
                raise SystemExit(f"Cannot connect to PostgreSQL at {url}: {worker.failure}")
        self._leader_conn: psycopg.Connection[Any] | None = None
        self._leader_lock = threading.Lock()
        self._held: set[str] = set()
        self._threads = [
            threading.Thread(target=self._notify_loop, name="gureum-pg-notify", daemon=True),
            threading.Thread(target=self._listen_loop, name="gureum-pg-listen", daemon=True),
        ]

    def connect(self, autocommit: bool = True) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=autocommit)

    # --- jobs -----------------------------------------------------------------------------------

    def _submit(self, jobs: queue.SimpleQueue[Any], fn: Callable[[Any], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            for thread in self._threads:
                thread.start()
        future: asyncio.Future[T] = loop.create_future()
        # the job sees the submitter's context variables (its trace: a delivery enqueued in it carries it)
        context = copy_context()
        jobs.put([(lambda tx: context.run(fn, tx), future, loop)])  # a list of jobs: take_batch joins them
        return future

    async def write(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._write_jobs, fn)

    async def read(self, fn: Callable[[Any], T]) -> T:
        return await self._submit(self._read_jobs, fn)

    async def migrate(self, component: str, directory: Path) -> None:
        migrations = load_migrations(directory, self.dialect)
        await self.write(lambda tx: apply_migrations(tx, component, migrations))

    # --- notifications across nodes -----------------------------------------------------------------

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        self.subscribers.add(channel, callback)

    def has_peers(self) -> bool:
        """Whether another node was heard from lately (then commits' notifications are sent to the others)."""
        return time.monotonic() - self._peer_seen < _PEER_SECONDS

    def _notify_loop(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._stopping.is_set():
            first = self.notifier.get()
            if first is STOP:
                break
            items = [first]
            time.sleep(0.0005)  # let concurrent commits join this notification
            while True:
                try:
                    more = self.notifier.get_nowait()
                except queue.Empty:
                    break
                if more is STOP:
                    self._stopping.set()
                    break
                items.append(more)
            events: dict[tuple[str, str], None] = {}
            for item in items:
                if item is not _HELLO and item is not _BEAT:
                    events.update(dict.fromkeys(item))
            payloads = self._payloads(list(events))
            if _HELLO in items:
                payloads.append(json.dumps({"n": self.node, "e": [], "hello": True}))
            elif _BEAT in items and not payloads:
                payloads.append(json.dumps({"n": self.node, "e": []}))
            try:
                conn = conn or self.connect()
                for payload in payloads:
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            except psycopg.Error:
                log.warning("could not send notifications to other nodes", exc_info=True)
                conn = None
        if conn is not None:
            conn.close()

    def _payloads(self, events: list[tuple[str, str]]) -> list[str]:
        out, chunk, size = [], [], 0
        for event in events:
            size += len(event[0]) + len(event[1]) + 8
            chunk.append(event)
            if size > _MAX_PAYLOAD:
                out.append(json.dumps({"n": self.node, "e": chunk}))
                chunk, size = [], 0
        if chunk:
            out.append(json.dumps({"n": self.node, "e": chunk}))
        return out

    def _listen_loop(self) -> None:
        cache = self.shared_cache
        own = json.dumps({"n": self.node})[:-1] + ","  # how this node's own notifications begin (_payloads)
        while not self._stopping.is_set():
            try:
                with self.connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    cache.drop_all()  # whatever changed while nobody listened
                    self.notifier.put(_HELLO)
                    # the cache serves once the other nodes heard the hello and notify this one (they answer it)
                    enable_at = time.monotonic() + 1.0
                    beat_at = time.monotonic() + _HEARTBEAT
                    while not self._stopping.is_set():
                        now = time.monotonic()
                        if now >= enable_at:
                            cache.enabled = True
                        if now >= beat_at:
                            self.notifier.put(_BEAT)
                            beat_at = now + _HEARTBEAT
                        for note in conn.notifies(timeout=0.5):
                            if note.payload.startswith(own):
                                continue  # this node delivered its own at commit
                            doc = json.loads(note.payload)
                            if doc.get("n") == self.node:
                                continue
                            self._peer_seen = time.monotonic()
                            if doc.get("hello"):
                                self.notifier.put(_BEAT)  # a node started: tell it this one is here
                            events = [tuple(e) for e in doc["e"]]
                            for channel, payload in events:
                                if channel == CACHE_CHANNEL:
                                    cache.drop(payload)
                            if events and self._loop is not None:
                                self._loop.call_soon_threadsafe(self.subscribers.deliver, events)
            except psycopg.Error:
                if not self._stopping.is_set():
                    log.warning("lost the LISTEN connection; reconnecting")
                    time.sleep(0.5)
            finally:
                cache.enabled = False  # another node's change could go unnoticed now
                cache.drop_all()

    # --- leadership ---------------------------------------------------------------------------------

    def _try_lead(self, role: str) -> bool:
        with self._leader_lock:
            try:
                if self._leader_conn is None or self._leader_conn.closed:
                    self._leader_conn = self.connect()
                    self._held.clear()
                row = self._leader_conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(role),)).fetchone()
                got = bool(row and row[0])
                if got and role in self._held:
                    self._leader_conn.execute(
                        "SELECT pg_advisory_unlock(%s)", (_lock_key(role),)
                    )  # keep the count at one
                if got:
                    self._held.add(role)
                return got
            except psycopg.Error:
                self._leader_conn = None
                self._held.clear()
                return False

    async def is_leader(self, role: str) -> bool:
        return await asyncio.to_thread(self._try_lead, role)

    async def close(self) -> None:
        self._stopping.set()
        self._write_jobs.put(STOP)
        self._read_jobs.put(STOP)
        self.notifier.put(STOP)
        loop = asyncio.get_running_loop()
        for thread in [*self._workers, *[t for t in self._threads if t.is_alive()]]:
            await loop.run_in_executor(None, thread.join, 5)
        if self._leader_conn is not None:
            self._leader_conn.close()
