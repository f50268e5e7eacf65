"""DynamoDB's SQL: tables (schema as JSON), items and index entries keyed by (table, index, encoded partition key,
encoded sort key), and transaction tokens. Every function runs inside one store transaction (``tx``).

Queries read one key range of the primary key in order (forwards or backwards), so their cost follows the items
returned, not the table's size. Where the store keeps an exact cache (SQLite), table rows are served from it until
a change to a table invalidates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store.base import Tx
from .tables import Table

_TABLES = "dynamodb_tables"  # cache namespace
Row = tuple[bytes, bytes, str, int]  # pk, sk, item, size
_PARSED_TABLES = 1024  # get_table's memo of parsed rows is emptied when it holds this many


def forget(tx: Tx) -> None:
    if tx.cache is not None:
        tx.cache.invalidate(_TABLES)


# --- tables ------------------------------------------------------------------------------------------------------


def get_table(
    tx: Tx, account: str, region: str, name: str, parsed: dict[tuple[Any, ...], Table] | None = None
) -> Table | None:
    """The table; ``parsed``: tables loaded before by their rows, for a caller that changes none (a row read again
    that is the same as one loaded before is not parsed again)."""
    cache, key = tx.cache, (account, region, name)
    if cache is not None:
        hit = cache.get(_TABLES, key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
    row = tx.one(
        "SELECT id, account, region, name, created_at, spec FROM dynamodb_tables "
        "WHERE account = ? AND region = ? AND name = ?",
        key,
    )
    if row is None:
        return None
    if parsed is not None:
        known = parsed.get(row)
        if known is None:
            if len(parsed) >= _PARSED_TABLES:
                parsed.clear()
            known = parsed[row] = Table.load(*row)
        return known
    table = Table.load(*row)
    if cache is not None:
        cache.put(_TABLES, key, table)
    return table


def insert_table(tx: Tx, table: Table) -> int:
    row = tx.one(
        "INSERT INTO dynamodb_tables (account, region, name, created_at, spec) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (table.account, table.region, table.name, table.created_at, table.spec()),
    )
    assert row is not None
    forget(tx)
    return int(row[0])


def save_table(tx: Tx, table: Table) -> None:
    tx.execute("UPDATE dynamodb_tables SET spec = ? WHERE id = ?", (table.spec(), table.id))
    forget(tx)


def delete_table(tx: Tx, table_id: int) -> None:
    tx.execute("DELETE FROM dynamodb_items WHERE table_id = ?", (table_id,))
    tx.execute("DELETE FROM dynamodb_pitr_log WHERE table_id = ?", (table_id,))
    tx.execute("DELETE FROM dynamodb_tables WHERE id = ?", (table_id,))
    forget(tx)


def list_tables(tx: Tx, account: str, region: str, after: str | None, limit: int) -> list[str]:
    rows = tx.all(
        "SELECT name FROM dynamodb_tables WHERE account = ? AND region = ? AND name > ? ORDER BY name LIMIT ?",
        (account, region, after or "", limit),
    )
    return [r[0] for r in rows]


def tables_by_id(tx: Tx, ids: Sequence[int]) -> dict[int, Table]:
    out = {}
    for table_id in ids:
        row = tx.one(
            "SELECT id, account, region, name, created_at, spec FROM dynamodb_tables WHERE id = ?", (table_id,)
        )
        if row is not None:
            out[table_id] = Table.load(*row)
    return out


def counts(tx: Tx, table_id: int) -> dict[int, tuple[int, int]]:
    rows = tx.all(
        "SELECT index_id, COUNT(*), COALESCE(SUM(size), 0) FROM dynamodb_items WHERE table_id = ? GROUP BY index_id",
        (table_id,),
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


# --- items -------------------------------------------------------------------------------------------------------


def collection_bytes(tx: Tx, table_id: int, index_ids: Sequence[int], pk: bytes) -> int:
    """The bytes of an item collection: the rows under one partition key in the table (index 0) and its local
    secondary indexes (ReturnItemCollectionMetrics)."""
    total = 0
    for index_id in index_ids:
        row = tx.one(
            "SELECT COALESCE(SUM(size), 0) FROM dynamodb_items WHERE table_id = ? AND index_id = ? AND pk = ?",
            (table_id, index_id, pk),
        )
        total += int(row[0]) if row is not None else 0
    return total


def get_item(tx: Tx, table_id: int, index_id: int, pk: bytes, sk: bytes) -> tuple[str, int] | None:
    row = tx.one(
        "SELECT item, size FROM dynamodb_items WHERE table_id = ? AND index_id = ? AND pk = ? AND sk = ?",
        (table_id, index_id, pk, sk),
    )
    return (row[0], int(row[1])) if row is not None else None


def put_item(
    tx: Tx, table_id: int, index_id: int, pk: bytes, sk: bytes, item: str, size: int, expires: float | None
) -> None:
    tx.execute(
        "INSERT INTO dynamodb_items (table_id, index_id, pk, sk, item, size, expires) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (table_id, index_id, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size, "
        "expires = excluded.expires",
        (table_id, index_id, pk, sk, item, size, expires),
    )


def delete_item(tx: Tx, table_id: int, index_id: int, pk: bytes, sk: bytes) -> None:
    tx.execute(
        "DELETE FROM dynamodb_items WHERE table_id = ? AND index_id = ? AND pk = ? AND sk = ?",
        (table_id, index_id, pk, sk),
    )


def delete_index(tx: Tx, table_id: int, index_id: int) -> None:
    tx.execute("DELETE FROM dynamodb_items WHERE table_id = ? AND index_id = ?", (table_id, index_id))


def query(
    tx: Tx,
    table_id: int,
    index_id: int,
    pk: bytes,
    low: bytes | None,
    high: bytes | None,
    forward: bool,
    limit: int,
) -> list[Row]:
    """Rows of one partition with low <= sk < high (None: unbounded), in key order or its reverse."""
    sql = "SELECT pk, sk, item, size FROM dynamodb_items WHERE table_id = ? AND index_id = ? AND pk = ?"
    params: list[Any] = [table_id, index_id, pk]
    if low is not None:
        sql += " AND sk >= ?"
        params.append(low)
    if high is not None:
        sql += " AND sk < ?"
        params.append(high)
    sql += " ORDER BY sk" if forward else " ORDER BY sk DESC"
    sql += " LIMIT ?"
    params.append(limit)
    return _rows(tx.all(sql, params))


def scan(tx: Tx, table_id: int, index_id: int, after: tuple[bytes, bytes] | None, limit: int) -> list[Row]:
    """Rows of a table or index in (pk, sk) order after a position."""
    sql = "SELECT pk, sk, item, size FROM dynamodb_items WHERE table_id = ? AND index_id = ?"
    params: list[Any] = [table_id, index_id]
    if after is not None:
        sql += " AND (pk > ? OR (pk = ? AND sk > ?))"
        params += [after[0], after[0], after[1]]
    sql += " ORDER BY pk, sk LIMIT ?"
    params.append(limit)
    return _rows(tx.all(sql, params))


def _rows(rows: list[tuple[Any, ...]]) -> list[Row]:
    """Item rows as Row: as they come when the driver gives bytes for the keys (SQLite's BLOB, psycopg's bytea: a
    copy per row cost about a tenth of a 100-item Query), converted otherwise."""
    if not rows or type(rows[0][0]) is bytes:
        return rows
    return [(bytes(r[0]), bytes(r[1]), r[2], int(r[3])) for r in rows]


def expired(tx: Tx, now: float, oldest: float, limit: int) -> list[tuple[int, bytes, bytes, str]]:
    """Items whose TTL attribute lies between ``oldest`` and ``now`` (table id, pk, sk, item)."""
    rows = tx.all(
        "SELECT table_id, pk, sk, item FROM dynamodb_items WHERE expires IS NOT NULL AND expires <= ? "
        "AND expires >= ? ORDER BY expires LIMIT ?",
        (now, oldest, limit),
    )
    return [(int(r[0]), bytes(r[1]), bytes(r[2]), r[3]) for r in rows]


def set_expiry(tx: Tx, table_id: int, pk: bytes, sk: bytes, expires: float | None) -> None:
    tx.execute(
        "UPDATE dynamodb_items SET expires = ? WHERE table_id = ? AND index_id = 0 AND pk = ? AND sk = ?",
        (expires, table_id, pk, sk),
    )


def clear_expiry(tx: Tx, table_id: int) -> None:
    tx.execute("UPDATE dynamodb_items SET expires = NULL WHERE table_id = ? AND expires IS NOT NULL", (table_id,))


# --- transaction tokens ------------------------------------------------------------------------------------------


def get_token(tx: Tx, account: str, region: str, token: str, now: float) -> str | None:
    tx.execute("DELETE FROM dynamodb_tokens WHERE expires_at < ?", (now,))
    row = tx.one(
        "SELECT digest FROM dynamodb_tokens WHERE account = ? AND region = ? AND token = ?", (account, region, token)
    )
    return row[0] if row is not None else None


def put_token(tx: Tx, account: str, region: str, token: str, digest: str, expires_at: float) -> None:
    tx.execute(
        "INSERT INTO dynamodb_tokens (account, region, token, digest, expires_at) VALUES (?, ?, ?, ?, ?)",
        (account, region, token, digest, expires_at),
    )


# --- streams -----------------------------------------------------------------------------------------------------

StreamRow = tuple[int, str, str, str, str, str, str, str, float, float | None, int]
_STREAM_COLUMNS = (
    "id, account, region, table_name, label, view_type, key_schema, shard_id, created_at, disabled_at, next_seq"
)


def _stream_row(row: Sequence[Any]) -> StreamRow:
    return (int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7], float(row[8]),
            None if row[9] is None else float(row[9]), int(row[10]))  # fmt: skip


def insert_stream(
    tx: Tx, account: str, region: str, table_name: str, label: str, view: str, key_schema: str, shard: str, now: float
) -> int:
    row = tx.one(
        "INSERT INTO dynamodb_streams (account, region, table_name, label, view_type, key_schema, shard_id, "
        "created_at, disabled_at, next_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 1) RETURNING id",
        (account, region, table_name, label, view, key_schema, shard, now),
    )
    assert row is not None
    _insert_shard(tx, int(row[0]), 1, shard, None, now)
    return int(row[0])


# a shard: (first sequence number, shard id, parent shard id, created at, last sequence number once closed)
ShardRow = tuple[int, str, str | None, float, int | None]
_SHARD_COLUMNS = "first_seq, shard_id, parent_shard_id, created_at, end_seq"


def _shard_row(row: Sequence[Any]) -> ShardRow:
    return int(row[0]), row[1], row[2], float(row[3]), None if row[4] is None else int(row[4])


def _insert_shard(tx: Tx, stream_id: int, first: int, shard: str, parent: str | None, now: float) -> None:
    tx.execute(
        "INSERT INTO dynamodb_stream_shards (stream_id, first_seq, shard_id, parent_shard_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (stream_id, first, shard, parent, now),
    )


def stream_shards(tx: Tx, stream_id: int) -> list[ShardRow]:
    """A stream's shards, oldest first (parents before their children)."""
    rows = tx.all(
        f"SELECT {_SHARD_COLUMNS} FROM dynamodb_stream_shards WHERE stream_id = ? ORDER BY first_seq", (stream_id,)
    )
    return [_shard_row(r) for r in rows]


def shard_from(tx: Tx, stream_id: int, first: int) -> ShardRow | None:
    """The shard whose first sequence number is ``first``."""
    row = tx.one(
        f"SELECT {_SHARD_COLUMNS} FROM dynamodb_stream_shards WHERE stream_id = ? AND first_seq = ?",
        (stream_id, first),
    )
    return _shard_row(row) if row is not None else None


def shards_to_roll(tx: Tx, created_before: float) -> list[tuple[StreamRow, int]]:
    """(stream, its open shard's first sequence number) of the enabled streams whose open shard was opened before
    ``created_before``."""
    columns = ", ".join(f"s.{c.strip()}" for c in _STREAM_COLUMNS.split(","))
    rows = tx.all(
        f"SELECT {columns}, h.first_seq FROM dynamodb_stream_shards h JOIN dynamodb_streams s ON s.id = h.stream_id "
        "WHERE h.end_seq IS NULL AND h.created_at < ? AND s.disabled_at IS NULL",
        (created_before,),
    )
    return [(_stream_row(r), int(r[11])) for r in rows]


def roll_shard(tx: Tx, stream_id: int, first: int, child: str, now: float) -> bool:
    """Close the stream's open shard (numbered from ``first``) at its last record and open ``child`` after it; not
    when the shard holds no record yet, or is no longer the open one. The stream row's lock (taken first) waits for
    writes numbering records meanwhile, so no record is numbered into the closed range after it closed."""
    row = tx.one(
        "UPDATE dynamodb_streams SET shard_id = shard_id WHERE id = ? AND disabled_at IS NULL RETURNING next_seq",
        (stream_id,),
    )
    if row is None:
        return False
    next_seq = int(row[0])
    current = shard_from(tx, stream_id, first)
    if current is None or current[4] is not None or next_seq <= first:
        return False
    tx.execute(
        "UPDATE dynamodb_stream_shards SET end_seq = ?, closed_at = ? WHERE stream_id = ? AND first_seq = ?",
        (next_seq - 1, now, stream_id, first),
    )
    _insert_shard(tx, stream_id, next_seq, child, current[1], now)
    tx.execute("UPDATE dynamodb_streams SET shard_id = ? WHERE id = ?", (child, stream_id))
    return True


def disable_stream(tx: Tx, stream_id: int, now: float) -> None:
    tx.execute("UPDATE dynamodb_streams SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", (now, stream_id))


def get_stream(tx: Tx, account: str, region: str, table_name: str, label: str) -> StreamRow | None:
    row = tx.one(
        f"SELECT {_STREAM_COLUMNS} FROM dynamodb_streams WHERE account = ? AND region = ? AND table_name = ? "
        "AND label = ?",
        (account, region, table_name, label),
    )
    return _stream_row(row) if row is not None else None


def stream_by_id(tx: Tx, stream_id: int) -> StreamRow | None:
    row = tx.one(f"SELECT {_STREAM_COLUMNS} FROM dynamodb_streams WHERE id = ?", (stream_id,))
    return _stream_row(row) if row is not None else None


def list_streams(tx: Tx, account: str, region: str, table_name: str | None) -> list[StreamRow]:
    sql = f"SELECT {_STREAM_COLUMNS} FROM dynamodb_streams WHERE account = ? AND region = ?"
    params: list[Any] = [account, region]
    if table_name is not None:
        sql += " AND table_name = ?"
        params.append(table_name)
    return [_stream_row(r) for r in tx.all(sql + " ORDER BY table_name, label", params)]


def next_sequence(tx: Tx, stream_id: int) -> int:
    """The stream's next sequence number, taken under its row's lock (held to commit: numbers follow commits)."""
    row = tx.one(
        "UPDATE dynamodb_streams SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq - 1", (stream_id,)
    )
    assert row is not None
    return int(row[0])


def put_record(tx: Tx, stream_id: int, seq: int, created_at: float, record: str) -> None:
    tx.execute(
        "INSERT INTO dynamodb_stream_records (stream_id, seq, created_at, record) VALUES (?, ?, ?, ?)",
        (stream_id, seq, created_at, record),
    )


_LAST_SEQ = 2**62  # above every sequence number a stream takes


def records(tx: Tx, stream_id: int, after: int, limit: int, upto: int | None = None) -> list[tuple[int, str]]:
    """(sequence number, record) of a stream's records numbered above ``after`` (and up to ``upto``), in order."""
    rows = tx.all(
        "SELECT seq, record FROM dynamodb_stream_records WHERE stream_id = ? AND seq > ? AND seq <= ? "
        "ORDER BY seq LIMIT ?",
        (stream_id, after, _LAST_SEQ if upto is None else upto, limit),
    )
    return [(int(r[0]), r[1]) for r in rows]


def oldest_sequence(tx: Tx, stream_id: int) -> int | None:
    row = tx.one("SELECT MIN(seq) FROM dynamodb_stream_records WHERE stream_id = ?", (stream_id,))
    return int(row[0]) if row is not None and row[0] is not None else None


def trim_streams(tx: Tx, before: float) -> int:
    """Drop records older than ``before`` and streams disabled before it; how many records went."""
    gone = tx.all("DELETE FROM dynamodb_stream_records WHERE created_at < ? RETURNING stream_id", (before,))
    old = tx.all("SELECT id FROM dynamodb_streams WHERE disabled_at IS NOT NULL AND disabled_at < ?", (before,))
    for (stream_id,) in old:
        tx.execute("DELETE FROM dynamodb_stream_records WHERE stream_id = ?", (stream_id,))
        tx.execute("DELETE FROM dynamodb_stream_shards WHERE stream_id = ?", (stream_id,))
        tx.execute("DELETE FROM dynamodb_streams WHERE id = ?", (stream_id,))
    # closed shards whose records are all gone, closed before the retention began
    tx.execute(
        "DELETE FROM dynamodb_stream_shards WHERE end_seq IS NOT NULL AND closed_at < ? AND NOT EXISTS "
        "(SELECT 1 FROM dynamodb_stream_records r WHERE r.stream_id = dynamodb_stream_shards.stream_id "
        "AND r.seq >= dynamodb_stream_shards.first_seq AND r.seq <= dynamodb_stream_shards.end_seq)",
        (before,),
    )
    return len(gone)
