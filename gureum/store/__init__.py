"""Storage behind a small interface: a transaction function runs on the store's own thread(s).

Services write synchronous ``fn(tx)`` functions with portable SQL (``?`` placeholders) and await
``store.write(fn)`` / ``store.read(fn)``; nothing blocks the event loop. SQLite (WAL) embedded; PostgreSQL for
several nodes. The factory lives here so that base.py, sqlite.py and postgres.py never import each other in a circle.
"""

from __future__ import annotations

from pathlib import Path

from .base import Store, Tx, wipe_all

__all__ = ["Store", "Tx", "open_store", "wipe_all"]


def open_store(url: str | None, data_dir: Path | None, *, sync: str = "normal") -> Store:
    """``postgresql://…`` → PostgreSQL; otherwise SQLite in data_dir (in memory when data_dir is None)."""
    if url and url.startswith(("postgres://", "postgresql://")):
        try:
            from .postgres import PostgresStore
        except ImportError as exc:
            raise SystemExit(f"The PostgreSQL store needs psycopg: pip install 'gureum[postgresql]' ({exc})") from exc

        return PostgresStore(url)
    if url and not url.startswith("sqlite:"):
        raise SystemExit(
            f"Unknown store URL {url!r}: use postgresql://user@host:port/database, or leave it out for SQLite."
        )
    from .sqlite import SqliteStore

    path = None if data_dir is None else data_dir / "gureum.db"
    return SqliteStore(path, sync=sync)
