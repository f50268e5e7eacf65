"""Kinesis Video's SQL: streams, signaling channels and the fragment index. Every function runs inside one store
transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .resources import Channel, Fragment, Stream

_STREAM = (
    "id, account, region, name, arn, version, status, device_name, media_type, kms_key_id, retention_hours, "
    "created_at, tags, configs"
)
_CHANNEL = "id, account, region, name, arn, version, status, channel_type, ttl_seconds, created_at, tags, configs"
_FRAGMENT = "stream_id, seq, producer_ms, server_ms, duration_ms, size, header_size"


def _stream(row: tuple[Any, ...] | None) -> Stream | None:
    if row is None:
        return None
    return Stream(*row[:12], json.loads(row[12]), json.loads(row[13]))  # type: ignore[call-arg]


def _channel(row: tuple[Any, ...] | None) -> Channel | None:
    if row is None:
        return None
    return Channel(*row[:10], json.loads(row[10]), json.loads(row[11]))  # type: ignore[call-arg]


def _fragment(row: tuple[Any, ...]) -> Fragment:
    return Fragment(*row)


# --- streams ---------------------------------------------------------------------------------------------------


def insert_stream(tx: Tx, stream: Stream) -> int | None:
    row = tx.one(
        "INSERT INTO kvs_streams (account, region, name, arn, version, status, device_name, media_type, kms_key_id,"
        " retention_hours, created_at, tags, configs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            stream.account,
            stream.region,
            stream.name,
            stream.arn,
            stream.version,
            stream.status,
            stream.device_name,
            stream.media_type,
            stream.kms_key_id,
            stream.retention_hours,
            stream.created_at,
            json.dumps(stream.tags),
            json.dumps(stream.configs),
        ),
    )
    return int(row[0]) if row else None


def stream_by_name(tx: Tx, account: str, region: str, name: str) -> Stream | None:
    return _stream(
        tx.one(
            f"SELECT {_STREAM} FROM kvs_streams WHERE account = ? AND region = ? AND name = ?", (account, region, name)
        )
    )


def stream_by_arn(tx: Tx, arn: str) -> Stream | None:
    return _stream(tx.one(f"SELECT {_STREAM} FROM kvs_streams WHERE arn = ?", (arn,)))


def stream_by_id(tx: Tx, stream_id: int) -> Stream | None:
    return _stream(tx.one(f"SELECT {_STREAM} FROM kvs_streams WHERE id = ?", (stream_id,)))


def list_streams(tx: Tx, account: str, region: str, prefix: str, after: str, limit: int) -> list[Stream]:
    rows = tx.all(
        f"SELECT {_STREAM} FROM kvs_streams WHERE account = ? AND region = ? AND name > ? AND name >= ?"
        " ORDER BY name LIMIT ?",
        (account, region, after, prefix, limit),
    )
    return [s for s in map(_stream, rows) if s is not None and s.name.startswith(prefix)]


def update_stream(
    tx: Tx,
    stream_id: int,
    version: str,
    *,
    device_name: str | None,
    media_type: str | None,
    retention_hours: int,
    tags: dict[str, str],
    configs: dict[str, Any],
) -> None:
    tx.execute(
        "UPDATE kvs_streams SET version = ?, device_name = ?, media_type = ?, retention_hours = ?, tags = ?,"
        " configs = ? WHERE id = ?",
        (version, device_name, media_type, retention_hours, json.dumps(tags), json.dumps(configs), stream_id),
    )


def delete_stream(tx: Tx, stream_id: int) -> None:
    tx.execute("DELETE FROM kvs_fragments WHERE stream_id = ?", (stream_id,))
    tx.execute("DELETE FROM kvs_streams WHERE id = ?", (stream_id,))


def retained_streams(tx: Tx) -> list[tuple[int, int]]:
    """(stream id, retention hours) of every stream."""
    return [(int(r[0]), int(r[1])) for r in tx.all("SELECT id, retention_hours FROM kvs_streams")]


def next_seq(tx: Tx, stream_id: int) -> int | None:
    row = tx.one(
        "UPDATE kvs_streams SET next_fragment = next_fragment + 1 WHERE id = ? RETURNING next_fragment", (stream_id,)
    )
    return int(row[0]) if row else None


# --- channels --------------------------------------------------------------------------------------------------


def insert_channel(tx: Tx, channel: Channel) -> int | None:
    row = tx.one(
        "INSERT INTO kvs_channels (account, region, name, arn, version, status, channel_type, ttl_seconds,"
        " created_at, tags, configs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            channel.account,
            channel.region,
            channel.name,
            channel.arn,
            channel.version,
            channel.status,
            channel.channel_type,
            channel.ttl_seconds,
            channel.created_at,
            json.dumps(channel.tags),
            json.dumps(channel.configs),
        ),
    )
    return int(row[0]) if row else None


def channel_by_name(tx: Tx, account: str, region: str, name: str) -> Channel | None:
    return _channel(
        tx.one(
            f"SELECT {_CHANNEL} FROM kvs_channels WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def channel_by_arn(tx: Tx, arn: str) -> Channel | None:
    return _channel(tx.one(f"SELECT {_CHANNEL} FROM kvs_channels WHERE arn = ?", (arn,)))


def list_channels(tx: Tx, account: str, region: str, prefix: str, after: str, limit: int) -> list[Channel]:
    rows = tx.all(
        f"SELECT {_CHANNEL} FROM kvs_channels WHERE account = ? AND region = ? AND name > ? AND name >= ?"
        " ORDER BY name LIMIT ?",
        (account, region, after, prefix, limit),
    )
    return [c for c in map(_channel, rows) if c is not None and c.name.startswith(prefix)]


def update_channel(
    tx: Tx, channel_id: int, version: str, ttl_seconds: int, tags: dict[str, str], configs: dict[str, Any]
) -> None:
    tx.execute(
        "UPDATE kvs_channels SET version = ?, ttl_seconds = ?, tags = ?, configs = ? WHERE id = ?",
        (version, ttl_seconds, json.dumps(tags), json.dumps(configs), channel_id),
    )


def delete_channel(tx: Tx, channel_id: int) -> None:
    tx.execute("DELETE FROM kvs_channels WHERE id = ?", (channel_id,))


# --- fragments -------------------------------------------------------------------------------------------------


def insert_fragment(tx: Tx, fragment: Fragment) -> None:
    tx.execute(
        f"INSERT INTO kvs_fragments ({_FRAGMENT}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            fragment.stream_id,
            fragment.seq,
            fragment.producer_ms,
            fragment.server_ms,
            fragment.duration_ms,
            fragment.size,
            fragment.header_size,
        ),
    )


def fragments_after(tx: Tx, stream_id: int, after_seq: int, limit: int) -> list[Fragment]:
    rows = tx.all(
        f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (stream_id, after_seq, limit),
    )
    return [_fragment(r) for r in rows]


def fragments_by_seq(tx: Tx, stream_id: int, seqs: list[int]) -> list[Fragment]:
    found = []
    for seq in seqs:
        row = tx.one(f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? AND seq = ?", (stream_id, seq))
        if row is not None:
            found.append(_fragment(row))
    return found


def fragments_in_range(
    tx: Tx, stream_id: int, by_producer: bool, start_ms: int, end_ms: int, after_seq: int, limit: int
) -> list[Fragment]:
    """Fragments whose (producer or server) timestamp lies in [start_ms, end_ms], in fragment order."""
    column = "producer_ms" if by_producer else "server_ms"
    rows = tx.all(
        f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? AND {column} >= ? AND {column} <= ? AND seq > ?"
        " ORDER BY seq LIMIT ?",
        (stream_id, start_ms, end_ms, after_seq, limit),
    )
    return [_fragment(r) for r in rows]


def fragment_at(tx: Tx, stream_id: int, by_producer: bool, at_ms: int) -> Fragment | None:
    """The last fragment starting at or before ``at_ms`` (the one that holds that instant, if any)."""
    column = "producer_ms" if by_producer else "server_ms"
    row = tx.one(
        f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? AND {column} <= ? ORDER BY {column} DESC, seq DESC"
        " LIMIT 1",
        (stream_id, at_ms),
    )
    return _fragment(row) if row else None


def first_from(tx: Tx, stream_id: int, by_producer: bool, at_ms: int) -> Fragment | None:
    """The first fragment (in order) whose timestamp is at or after ``at_ms``."""
    column = "producer_ms" if by_producer else "server_ms"
    row = tx.one(
        f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? AND {column} >= ? ORDER BY seq LIMIT 1",
        (stream_id, at_ms),
    )
    return _fragment(row) if row else None


def last_fragment(tx: Tx, stream_id: int) -> Fragment | None:
    row = tx.one(f"SELECT {_FRAGMENT} FROM kvs_fragments WHERE stream_id = ? ORDER BY seq DESC LIMIT 1", (stream_id,))
    return _fragment(row) if row else None


def expire_fragments(tx: Tx, stream_id: int, before_server_ms: int, limit: int) -> list[int]:
    """Delete up to ``limit`` fragments received before ``before_server_ms``; their sequences (files to remove)."""
    rows = tx.all(
        "SELECT seq FROM kvs_fragments WHERE stream_id = ? AND server_ms < ? ORDER BY seq LIMIT ?",
        (stream_id, before_server_ms, limit),
    )
    seqs = [int(r[0]) for r in rows]
    if seqs:
        tx.execute(
            "DELETE FROM kvs_fragments WHERE stream_id = ? AND seq <= ? AND server_ms < ?",
            (stream_id, seqs[-1], before_server_ms),
        )
    return seqs
