"""The store protocol every backend implements, and the migration runner they share."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
log = logging.getLogger("gureum.store")

# Portable DDL tokens, replaced per dialect before a migration runs.
DDL_TOKENS = {
    "sqlite": {"{{id_pk}}": "INTEGER PRIMARY KEY", "{{blob}}": "BLOB", "{{bigint}}": "INTEGER", "{{double}}": "REAL"},
    "postgresql": {
        "{{id_pk}}": "BIGSERIAL PRIMARY KEY",
        "{{blob}}": "BYTEA",
        "{{bigint}}": "BIGINT",
        "{{double}}": "DOUBLE PRECISION",
    },
}


class TxCache:
    """Values derived from committed rows, kept between transactions of one store (SQLite only: one process
    owns the file, so every change passes through it).  Namespaces hold key → value.

    A job that changes the rows behind a namespace calls ``invalidate(namespace)`` in its transaction; values
    read after that in the same batch may be uncommitted, so the store drops everything when a batch holding an
    invalidation fails (``settle``).  Values must be treated as read-only by whoever gets them.
    """

    __slots__ = ("spaces", "dirty")

    def __init__(self) -> None:
        self.spaces: dict[str, dict[Any, Any]] = {}
        self.dirty = False

    def get(self, namespace: str, key: Any) -> Any:
        space = self.spaces.get(namespace)
        return None if space is None else space.get(key)

    def put(self, namespace: str, key: Any, value: Any) -> None:
        self.spaces.setdefault(namespace, {})[key] = value

    def invalidate(self, namespace: str) -> None:
        self.dirty = True
        self.spaces.pop(namespace, None)

    def settle(self, failed: bool) -> None:
        """After a batch: forget everything if it failed anywhere after an invalidation."""
        if failed and self.dirty:
            self.spaces = {}
        self.dirty = False


# channel of the notifications that tell other nodes a namespace of their SharedCache changed
CACHE_CHANNEL = "gureum.cache"


class SharedCache:
    """Values derived from committed rows that every thread of a PostgreSQL node keeps, for namespaces whose
    changes may reach the other nodes a moment late (``Tx.shared_cache``): a change made on this node is seen by
    its next transaction; one made on another node once its notification arrives (LISTEN/NOTIFY), and after
    ``ttl`` seconds at the latest should a notification be lost.

    Every namespace has a generation, advanced by each invalidation. A transaction notes a namespace's generation
    before it first reads from it, and a value it read is kept only if the generation has not moved since: a value
    read while a change committed (here or elsewhere) is never kept past that change. Nothing is served while the
    node does not listen for other nodes' changes (``enabled``).
    """

    def __init__(self, ttl: float = 10.0) -> None:
        self.ttl = ttl
        self.enabled = False
        self.spaces: dict[str, dict[Any, tuple[float, Any]]] = {}
        self.generations: dict[str, int] = {}
        self.lock = threading.Lock()

    def drop(self, namespace: str) -> None:
        """Forget a namespace (its rows changed): advance its generation so that no read from before is kept."""
        with self.lock:
            self.generations[namespace] = self.generations.get(namespace, 0) + 1
            self.spaces.pop(namespace, None)

    def drop_all(self) -> None:
        with self.lock:
            for namespace in set(self.generations) | set(self.spaces):
                self.generations[namespace] = self.generations.get(namespace, 0) + 1
            self.spaces = {}


class SharedCacheTx(TxCache):
    """One worker thread's view of a SharedCache, with TxCache's interface; ``settle`` after every batch."""

    __slots__ = ("shared", "seen", "changed", "notify", "locked")

    def __init__(self, shared: SharedCache, notify: Callable[[str, str], None]) -> None:
        super().__init__()
        self.shared = shared
        self.seen: dict[str, int] = {}  # namespace → its generation before this batch first read from it
        self.changed: set[str] = set()  # namespaces this batch invalidated
        self.notify = notify  # the transaction's tx.notify: other nodes drop the namespace once it commits
        # the batch took a lock (Tx.lock): what it reads after must be the committed rows, never a cached copy (a
        # change committed by the lock's previous holder may not have reached this node's cache yet)
        self.locked = False

    def get(self, namespace: str, key: Any) -> Any:
        if self.locked:
            return None  # not noted either: put() keeps nothing of this batch
        shared = self.shared
        if namespace not in self.seen:
            self.seen[namespace] = shared.generations.get(namespace, 0)
        if not shared.enabled:
            return None
        space = shared.spaces.get(namespace)
        entry = None if space is None else space.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, namespace: str, key: Any, value: Any) -> None:
        shared = self.shared
        seen = self.seen.get(namespace)
        if seen is None or namespace in self.changed or not shared.enabled:
            return  # read before any note of the generation, or maybe uncommitted: not kept
        with shared.lock:
            if shared.generations.get(namespace, 0) == seen:
                shared.spaces.setdefault(namespace, {})[key] = (time.monotonic() + shared.ttl, value)

    def invalidate(self, namespace: str) -> None:
        self.changed.add(namespace)
        self.shared.drop(namespace)
        self.notify(CACHE_CHANNEL, namespace)

    def settle(self, failed: bool) -> None:
        """After a batch, committed or not: drop what it changed once more (a read by another thread between the
        change and its commit may have been kept) and forget the generations noted."""
        for namespace in self.changed:
            self.shared.drop(namespace)
        self.changed.clear()
        self.seen.clear()
        self.locked = False


class Tx(Protocol):
    dialect: str
    # the store's cache of committed values; None where it cannot be kept exact (several PostgreSQL nodes)
    cache: TxCache | None
    # a cache for values whose change may reach the other nodes a moment late (as AWS propagates a queue's
    # attributes): on PostgreSQL a SharedCacheTx, invalidated on every node through LISTEN/NOTIFY; on SQLite the
    # exact ``cache``
    shared_cache: TxCache | None

    def notify(self, channel: str, payload: str) -> None:
        """Wake subscribers of ``channel`` (on every node) once this transaction commits."""
        ...

    def lock(self, *key: str) -> None:
        """Take turns with every other write transaction that locks the same ``key`` (e.g. "sqs", queue ARN),
        until this one ends. A read-modify-write of a stored document (attributes, a policy, tags kept as JSON)
        calls it before it reads, inside ``store.write``: on PostgreSQL several writer connections and nodes would
        otherwise interleave two of them and lose one (READ COMMITTED), and what it reads after is never served
        from ``shared_cache``. SQLite's one writer runs write transactions one at a time: nothing to do there."""
        ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


def lock_id(key: Sequence[str]) -> int:
    """A lock's key → PostgreSQL's 64-bit advisory lock id (a collision only makes two writers take turns)."""
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=8, person=b"gureum.lock").digest()
    return int.from_bytes(digest, "big", signed=True)


class Store(Protocol):
    dialect: str

    async def write(self, fn: Callable[[Tx], T]) -> T: ...

    async def read(self, fn: Callable[[Tx], T]) -> T: ...

    async def migrate(self, component: str, directory: Path) -> None: ...

    def subscribe(self, channel: str, callback: Callable[[str], None]) -> None:
        """Call ``callback(payload)`` on the event loop for every committed ``tx.notify(channel, …)``."""
        ...

    async def is_leader(self, role: str) -> bool:
        """Whether this node runs ``role``'s background work (timers, sweeps) — exactly one node does."""
        ...

    async def close(self) -> None: ...


class Subscribers:
    """Channel → callbacks; deliver() runs on the event loop."""

    def __init__(self) -> None:
        self.callbacks: dict[str, list[Callable[[str], None]]] = {}

    def add(self, channel: str, callback: Callable[[str], None]) -> None:
        self.callbacks.setdefault(channel, []).append(callback)

    def deliver(self, pending: list[tuple[str, str]]) -> None:
        for channel, payload in dict.fromkeys(pending):
            for callback in self.callbacks.get(channel, ()):
                try:
                    callback(payload)
                except Exception:  # a subscriber's bug must not leave the batch's writers waiting forever
                    log.exception("store notification subscriber for %s failed", channel)


def load_migrations(directory: Path, dialect: str) -> list[tuple[int, list[str]]]:
    """Numbered ``NNN_name.sql`` files → [(version, [statements])], tokens replaced for the dialect."""
    out = []
    for path in sorted(directory.glob("*.sql")):
        match = re.match(r"^(\d+)_", path.name)
        if not match:
            continue
        text = path.read_text()
        for token, value in DDL_TOKENS[dialect].items():
            text = text.replace(token, value)
        statements = [
            s.strip()
            for s in re.split(r";\s*(?:\n|$)", text)
            if s.strip() and not all(line.strip().startswith("--") for line in s.strip().splitlines())
        ]
        out.append((int(match.group(1)), statements))
    return out


_MIGRATION_LOCK = 0x6775726D  # advisory lock: nodes starting together migrate one at a time


def apply_migrations(tx: Tx, component: str, migrations: list[tuple[int, list[str]]]) -> list[int]:
    if tx.dialect == "postgresql":
        tx.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
    tx.execute(
        "CREATE TABLE IF NOT EXISTS gureum_migrations"
        " (component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))"
    )
    done = {row[0] for row in tx.all("SELECT version FROM gureum_migrations WHERE component = ?", (component,))}
    applied = []
    for version, statements in migrations:
        if version in done:
            continue
        for statement in statements:
            tx.execute(statement)
        tx.execute("INSERT INTO gureum_migrations (component, version) VALUES (?, ?)", (component, version))
        applied.append(version)
    return applied


def wipe_all(tx: Tx) -> None:
    """Empty every table but the migration log (POST /_gureum/reset)."""
    if tx.dialect == "sqlite":
        names = [
            row[0] for row in tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
    else:
        names = [row[0] for row in tx.all("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
    for name in names:
        if name != "gureum_migrations":
            tx.execute(f"DELETE FROM {name}")
