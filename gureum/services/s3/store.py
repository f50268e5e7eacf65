"""S3's SQL: buckets, object versions, multipart uploads and parts. Every function runs inside one store
transaction (``tx``) on the store's thread. Keys are stored as UTF-8 bytes (BLOB / BYTEA), compared bytewise by
both stores — S3's listing order."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...store.base import Tx
from .names import key_bytes, key_text
from .objects import Bucket, Part, Upload, Version

_BUCKET = "name, account, region, created_at, versioning, config"
_VERSION = (
    "bucket, object_key, version_id, latest, delete_marker, size, etag, modified, storage_class, segments, attributes"
)


def _bucket(row: tuple[Any, ...] | None) -> Bucket | None:
    if row is None:
        return None
    return Bucket(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))


def _version(row: tuple[Any, ...]) -> Version:
    return Version(
        row[0],
        key_text(row[1]),
        row[2],
        bool(row[3]),
        bool(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
        [tuple(item) for item in json.loads(row[9])],
        json.loads(row[10]),
    )


# --- buckets ---------------------------------------------------------------------------------------------------


def get_bucket(tx: Tx, name: str) -> Bucket | None:
    return _bucket(tx.one(f"SELECT {_BUCKET} FROM s3_buckets WHERE name = ?", (name,)))


def insert_bucket(tx: Tx, bucket: Bucket) -> bool:
    """False when a bucket of that name exists (created meanwhile by another node's transaction)."""
    cur = tx.execute(
        f"INSERT INTO s3_buckets ({_BUCKET}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        (bucket.name, bucket.account, bucket.region, bucket.created_at, bucket.versioning, json.dumps(bucket.config)),
    )
    tx.notify(RESOURCE_POLICY_CHANNEL, "s3")  # "no such bucket" may be cached for its name
    return (cur.rowcount or 0) > 0


def list_buckets(tx: Tx, account: str, prefix: str, after: str, limit: int) -> list[Bucket]:
    rows = tx.all(
        f"SELECT {_BUCKET} FROM s3_buckets WHERE account = ? AND name > ? AND name >= ? ORDER BY name LIMIT ?",
        (account, after, prefix, limit + 1),
    )
    return [b for b in map(_bucket, rows) if b is not None and b.name.startswith(prefix)]


def delete_bucket(tx: Tx, name: str) -> list[str]:
    """Delete the bucket and its unfinished uploads; the file names of their parts."""
    names: list[str] = []
    for (upload_id,) in tx.all("SELECT upload_id FROM s3_uploads WHERE bucket = ?", (name,)):
        names.extend(delete_upload(tx, upload_id))
    tx.execute("DELETE FROM s3_buckets WHERE name = ?", (name,))
    tx.notify(RESOURCE_POLICY_CHANNEL, "s3")  # every node's IAM enforcement drops the bucket facts it cached
    return names


def bucket_has_objects(tx: Tx, name: str) -> bool:
    return tx.one("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1", (name,)) is not None


def set_bucket_config(tx: Tx, name: str, config: dict[str, Any]) -> None:
    tx.execute("UPDATE s3_buckets SET config = ? WHERE name = ?", (json.dumps(config), name))
    tx.notify(RESOURCE_POLICY_CHANNEL, "s3")  # its policy and tags: every node drops the facts it cached


def set_versioning(tx: Tx, name: str, status: str) -> None:
    tx.execute("UPDATE s3_buckets SET versioning = ? WHERE name = ?", (status, name))


# --- object versions -------------------------------------------------------------------------------------------


def lock_key(tx: Tx, bucket: str, key: str) -> None:
    """Serialise writes of one key until this transaction ends. SQLite's one writer already does; on PostgreSQL
    two writers of a key would each see the other's current version as absent (READ COMMITTED) and both commit a
    current version: a transaction-scoped advisory lock on the key's hash prevents it."""
    if tx.dialect == "postgresql":
        digest = hashlib.blake2b(f"{bucket}/{key}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
        tx.execute("SELECT pg_advisory_xact_lock(?)", (int.from_bytes(digest, "big", signed=True),))


def current(tx: Tx, bucket: str, key: str) -> Version | None:
    row = tx.one(
        f"SELECT {_VERSION} FROM s3_objects WHERE bucket = ? AND object_key = ? AND latest = 1",
        (bucket, key_bytes(key)),
    )
    return _version(row) if row is not None else None


def version(tx: Tx, bucket: str, key: str, version_id: str) -> Version | None:
    row = tx.one(
        f"SELECT {_VERSION} FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?",
        (bucket, key_bytes(key), version_id),
    )
    return _version(row) if row is not None else None


def version_row_id(tx: Tx, bucket: str, key: str, version_id: str) -> int | None:
    row = tx.one(
        "SELECT id FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?",
        (bucket, key_bytes(key), version_id),
    )
    return int(row[0]) if row is not None else None


def put_version(tx: Tx, new: Version) -> list[str]:
    """Make ``new`` the key's current version. A "null" version it replaces (unversioned or suspended bucket) is
    deleted: its file names are returned."""
    key = key_bytes(new.key)
    gone: list[str] = []
    if new.version_id == "null":
        row = tx.one(
            "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = 'null' RETURNING segments",
            (new.bucket, key),
        )
        if row is not None:
            gone = [item[0] for item in json.loads(row[0])]
    tx.execute("UPDATE s3_objects SET latest = 0 WHERE bucket = ? AND object_key = ? AND latest = 1", (new.bucket, key))
    tx.execute(
        f"INSERT INTO s3_objects ({_VERSION}) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.bucket,
            key,
            new.version_id,
            int(new.delete_marker),
            new.size,
            new.etag,
            new.modified,
            new.storage_class,
            json.dumps(new.segments),
            json.dumps(new.attributes),
        ),
    )
    return gone


def delete_version(tx: Tx, bucket: str, key: str, version_id: str) -> list[str]:
    """Delete one version (its file names returned); when it was current, the newest other version becomes so."""
    kb = key_bytes(key)
    row = tx.one(
        "SELECT segments, latest FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?",
        (bucket, kb, version_id),
    )
    if row is None:
        return []
    tx.execute(
        "DELETE FROM s3_objects WHERE bucket = ? AND object_key = ? AND version_id = ?", (bucket, kb, version_id)
    )
    if row[1]:
        newest = tx.one(
            "SELECT id FROM s3_objects WHERE bucket = ? AND object_key = ? ORDER BY id DESC LIMIT 1", (bucket, kb)
        )
        if newest is not None:
            tx.execute("UPDATE s3_objects SET latest = 1 WHERE id = ?", (newest[0],))
    return [item[0] for item in json.loads(row[0])]


def set_attributes(tx: Tx, bucket: str, key: str, version_id: str, attributes: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE s3_objects SET attributes = ? WHERE bucket = ? AND object_key = ? AND version_id = ?",
        (json.dumps(attributes), bucket, key_bytes(key), version_id),
    )


def list_current(tx: Tx, bucket: str, after: bytes, inclusive: bool, end: bytes | None, limit: int) -> list[Version]:
    """Current versions (delete markers included: the caller skips them) with keys from ``after`` (exclusive
    unless ``inclusive``) below ``end``, in key order."""
    where = "bucket = ? AND latest = 1 AND object_key " + (">= ?" if inclusive else "> ?")
    params: list[Any] = [bucket, after]
    if end is not None:
        where += " AND object_key < ?"
        params.append(end)
    params.append(limit)
    rows = tx.all(f"SELECT {_VERSION} FROM s3_objects WHERE {where} ORDER BY object_key LIMIT ?", params)
    return [_version(row) for row in rows]


def list_versions(
    tx: Tx, bucket: str, after: bytes, inclusive: bool, end: bytes | None, limit: int, before_id: int | None = None
) -> list[tuple[int, Version]]:
    """Versions by key, newest first within a key, from ``after`` (exclusive unless ``inclusive``; with
    ``before_id``: the rest of key ``after``'s versions older than that row first) below ``end``, with row ids."""
    if before_id is not None:
        where = "bucket = ? AND (object_key > ? OR (object_key = ? AND id < ?))"
        params: list[Any] = [bucket, after, after, before_id]
    else:
        where = "bucket = ? AND object_key " + (">= ?" if inclusive else "> ?")
        params = [bucket, after]
    if end is not None:
        where += " AND object_key < ?"
        params.append(end)
    params.append(limit)
    rows = tx.all(f"SELECT id, {_VERSION} FROM s3_objects WHERE {where} ORDER BY object_key, id DESC LIMIT ?", params)
    return [(row[0], _version(row[1:])) for row in rows]


def key_versions(tx: Tx, bucket: str, key: str) -> list[Version]:
    rows = tx.all(
        f"SELECT {_VERSION} FROM s3_objects WHERE bucket = ? AND object_key = ? ORDER BY id DESC",
        (bucket, key_bytes(key)),
    )
    return [_version(row) for row in rows]


def buckets_with(tx: Tx, kind: str) -> list[Bucket]:
    """Every bucket whose configuration holds ``kind`` (the lifecycle sweep's buckets)."""
    rows = tx.all(f"SELECT {_BUCKET} FROM s3_buckets WHERE config LIKE ?", (f'%"{kind}"%',))
    return [b for b in map(_bucket, rows) if b is not None and kind in b.config]


def keys_after(tx: Tx, bucket: str, after: bytes, limit: int) -> list[str]:
    """Distinct keys (any version) after ``after``, in order."""
    rows = tx.all(
        "SELECT DISTINCT object_key FROM s3_objects WHERE bucket = ? AND object_key > ? ORDER BY object_key LIMIT ?",
        (bucket, after, limit),
    )
    return [key_text(row[0]) for row in rows]


# --- multipart uploads -----------------------------------------------------------------------------------------

_UPLOAD = "upload_id, bucket, object_key, initiated, storage_class, attributes"


def _upload(row: tuple[Any, ...]) -> Upload:
    return Upload(row[0], row[1], key_text(row[2]), row[3], row[4], json.loads(row[5]))


def insert_upload(tx: Tx, upload: Upload) -> None:
    tx.execute(
        f"INSERT INTO s3_uploads ({_UPLOAD}) VALUES (?, ?, ?, ?, ?, ?)",
        (
            upload.upload_id,
            upload.bucket,
            key_bytes(upload.key),
            upload.initiated,
            upload.storage_class,
            json.dumps(upload.attributes),
        ),
    )


def get_upload(tx: Tx, upload_id: str) -> Upload | None:
    row = tx.one(f"SELECT {_UPLOAD} FROM s3_uploads WHERE upload_id = ?", (upload_id,))
    return _upload(row) if row is not None else None


def list_uploads(tx: Tx, bucket: str, after: bytes, inclusive: bool, end: bytes | None, limit: int) -> list[Upload]:
    where = "bucket = ? AND object_key " + (">= ?" if inclusive else "> ?")
    params: list[Any] = [bucket, after]
    if end is not None:
        where += " AND object_key < ?"
        params.append(end)
    params.append(limit)
    rows = tx.all(f"SELECT {_UPLOAD} FROM s3_uploads WHERE {where} ORDER BY object_key, initiated LIMIT ?", params)
    return [_upload(row) for row in rows]


def delete_upload(tx: Tx, upload_id: str) -> list[str]:
    """Delete an upload and its parts; the parts' file names."""
    names = [
        item[0]
        for (segments,) in tx.all("SELECT segments FROM s3_parts WHERE upload_id = ?", (upload_id,))
        for item in json.loads(segments)
    ]
    tx.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload_id,))
    tx.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))
    return names


def forget_upload(tx: Tx, upload_id: str) -> None:
    """The upload completed: its rows go, its parts' files now belong to the object."""
    tx.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload_id,))
    tx.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))


def put_part(tx: Tx, upload_id: str, part: Part) -> list[str]:
    """Store a part (replacing one of the same number: its file names returned)."""
    row = tx.one("SELECT segments FROM s3_parts WHERE upload_id = ? AND part_number = ?", (upload_id, part.number))
    gone: list[str] = []
    if row is not None:
        gone = [item[0] for item in json.loads(row[0])]
        tx.execute("DELETE FROM s3_parts WHERE upload_id = ? AND part_number = ?", (upload_id, part.number))
    tx.execute(
        "INSERT INTO s3_parts (upload_id, part_number, size, etag, modified, segments, checksum)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (upload_id, part.number, part.size, part.etag, part.modified, json.dumps(part.segments), part.checksum),
    )
    return gone


def list_parts(tx: Tx, upload_id: str, after: int = 0, limit: int = 100_000) -> list[Part]:
    rows = tx.all(
        "SELECT part_number, size, etag, modified, segments, checksum FROM s3_parts"
        " WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
        (upload_id, after, limit),
    )
    return [Part(row[0], row[1], row[2], row[3], [tuple(item) for item in json.loads(row[4])], row[5]) for row in rows]


def forget(tx: Tx) -> None:
    """Nothing cached (kept for the reset hook's symmetry with other services)."""


# --- restores the sweep acts on --------------------------------------------------------------------------------

Restore = tuple[str, str, str, float, float, bool]  # bucket, key, version id, ready at, expiry, completed


def put_restore(
    tx: Tx, bucket: str, key: str, version_id: str, ready_at: float, expiry: float, completed: bool
) -> None:
    tx.execute(
        "INSERT INTO s3_restores (bucket, object_key, version_id, ready_at, expiry, completed) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, object_key, version_id) DO UPDATE SET "
        "ready_at = excluded.ready_at, expiry = excluded.expiry, completed = excluded.completed",
        (bucket, key_bytes(key), version_id, ready_at, expiry, int(completed)),
    )


def due_restores(tx: Tx, now: float, limit: int) -> list[Restore]:
    """Restores in progress whose copy is ready, then completed ones whose copy has expired (up to ``limit``)."""
    rows = tx.all(
        "SELECT bucket, object_key, version_id, ready_at, expiry, completed FROM s3_restores "
        "WHERE completed = 0 AND ready_at <= ? ORDER BY ready_at LIMIT ?",
        (now, limit),
    )
    rows += tx.all(
        "SELECT bucket, object_key, version_id, ready_at, expiry, completed FROM s3_restores "
        "WHERE completed = 1 AND expiry <= ? ORDER BY expiry LIMIT ?",
        (now, limit),
    )
    return [(r[0], key_text(r[1]), r[2], float(r[3]), float(r[4]), bool(r[5])) for r in rows]


def delete_restore(tx: Tx, bucket: str, key: str, version_id: str) -> None:
    tx.execute(
        "DELETE FROM s3_restores WHERE bucket = ? AND object_key = ? AND version_id = ?",
        (bucket, key_bytes(key), version_id),
    )
