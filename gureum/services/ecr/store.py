"""ECR's SQL: repositories, images, tags, manifest references, blobs and which repositories hold them, uploads.
Every function runs inside one store transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...store.base import Tx
from .repositories import Repository

_REPO_COLUMNS = (
    "id, account, region, name, created_at, mutability, mutability_exclusions, scan_on_push, encryption, kms_key, "
    "tags, policy, lifecycle, lifecycle_evaluated_at, preview"
)
_IMAGE_COLUMNS = "digest, media_type, artifact_type, size, pushed_at, pulled_at"
# the settings update_repository may change (names checked against this set: never client text in SQL)
_SETTABLE = frozenset(
    {
        "mutability",
        "mutability_exclusions",
        "scan_on_push",
        "tags",
        "policy",
        "lifecycle",
        "lifecycle_evaluated_at",
        "preview",
    }
)


def _repository(row: tuple[Any, ...] | None) -> Repository | None:
    if row is None:
        return None
    return Repository(
        int(row[0]),
        row[1],
        row[2],
        row[3],
        float(row[4]),
        row[5],
        json.loads(row[6]),
        bool(row[7]),
        row[8],
        row[9],
        json.loads(row[10]),
        row[11],
        row[12],
        row[13],
        row[14],
    )


# --- repositories ---------------------------------------------------------------------------------------------


def repository(tx: Tx, account: str, region: str, name: str) -> Repository | None:
    return _repository(
        tx.one(
            f"SELECT {_REPO_COLUMNS} FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def repositories(tx: Tx, account: str, region: str, after: str, limit: int) -> list[Repository]:
    rows = tx.all(
        f"SELECT {_REPO_COLUMNS} FROM ecr_repositories WHERE account = ? AND region = ? AND name > ? "
        "ORDER BY name LIMIT ?",
        (account, region, after, limit),
    )
    return [repo for repo in map(_repository, rows) if repo is not None]


def with_lifecycle(tx: Tx) -> list[Repository]:
    rows = tx.all(f"SELECT {_REPO_COLUMNS} FROM ecr_repositories WHERE lifecycle IS NOT NULL ORDER BY id")
    return [repo for repo in map(_repository, rows) if repo is not None]


def insert_repository(tx: Tx, repo: Repository) -> int:
    row = tx.one(
        "INSERT INTO ecr_repositories (account, region, name, created_at, mutability, mutability_exclusions, "
        "scan_on_push, encryption, kms_key, tags, policy, lifecycle, lifecycle_evaluated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL) RETURNING id",
        (
            repo.account,
            repo.region,
            repo.name,
            repo.created_at,
            repo.mutability,
            json.dumps(repo.exclusions),
            int(repo.scan_on_push),
            repo.encryption,
            repo.kms_key,
            json.dumps(repo.tags),
        ),
    )
    assert row is not None
    return int(row[0])


def update_repository(tx: Tx, repo_id: int, **values: Any) -> None:
    columns = sorted(values)
    assert set(columns) <= _SETTABLE, columns
    encoded = [
        json.dumps(values[c])
        if c in ("tags", "mutability_exclusions")
        else int(values[c])
        if c == "scan_on_push"
        else values[c]
        for c in columns
    ]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    tx.execute(f"UPDATE ecr_repositories SET {assignments} WHERE id = ?", (*encoded, repo_id))


def delete_repository(tx: Tx, repo_id: int) -> None:
    for table in ("ecr_images", "ecr_tags", "ecr_references", "ecr_repo_blobs", "ecr_uploads"):
        tx.execute(f"DELETE FROM {table} WHERE repo_id = ?", (repo_id,))
    tx.execute("DELETE FROM ecr_repositories WHERE id = ?", (repo_id,))


def image_count(tx: Tx, repo_id: int) -> int:
    row = tx.one("SELECT COUNT(*) FROM ecr_images WHERE repo_id = ?", (repo_id,))
    return int(row[0]) if row else 0


# --- images and tags ------------------------------------------------------------------------------------------


def image(tx: Tx, repo_id: int, digest: str) -> tuple[Any, ...] | None:
    """(digest, media_type, artifact_type, size, pushed_at, pulled_at) of one image."""
    return tx.one(f"SELECT {_IMAGE_COLUMNS} FROM ecr_images WHERE repo_id = ? AND digest = ?", (repo_id, digest))


def manifest(tx: Tx, repo_id: int, digest: str) -> tuple[str, str] | None:
    """(manifest text, media type) of one image."""
    row = tx.one("SELECT manifest, media_type FROM ecr_images WHERE repo_id = ? AND digest = ?", (repo_id, digest))
    return (row[0], row[1]) if row else None


def images(tx: Tx, repo_id: int) -> list[tuple[Any, ...]]:
    return tx.all(f"SELECT {_IMAGE_COLUMNS} FROM ecr_images WHERE repo_id = ? ORDER BY pushed_at, digest", (repo_id,))


def put_image(
    tx: Tx,
    repo_id: int,
    digest: str,
    text: str,
    media_type: str,
    artifact_type: str | None,
    size: int,
    now: float,
    references: Iterable[tuple[str, str]],
) -> bool:
    """Insert an image (False: the digest was there already; nothing changes)."""
    if tx.one("SELECT 1 FROM ecr_images WHERE repo_id = ? AND digest = ?", (repo_id, digest)) is not None:
        return False
    tx.execute(
        "INSERT INTO ecr_images (repo_id, digest, manifest, media_type, artifact_type, size, pushed_at, pulled_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        (repo_id, digest, text, media_type, artifact_type, size, now),
    )
    tx.executemany(
        "INSERT INTO ecr_references (repo_id, digest, target, kind) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [(repo_id, digest, target, kind) for target, kind in references],
    )
    return True


def delete_image(tx: Tx, repo_id: int, digest: str) -> None:
    tx.execute("DELETE FROM ecr_images WHERE repo_id = ? AND digest = ?", (repo_id, digest))
    tx.execute("DELETE FROM ecr_tags WHERE repo_id = ? AND digest = ?", (repo_id, digest))
    tx.execute("DELETE FROM ecr_references WHERE repo_id = ? AND digest = ?", (repo_id, digest))


def pulled(tx: Tx, repo_id: int, digest: str, now: float) -> None:
    tx.execute("UPDATE ecr_images SET pulled_at = ? WHERE repo_id = ? AND digest = ?", (now, repo_id, digest))


def referrers(tx: Tx, repo_id: int, target: str) -> list[str]:
    """The indexes of the repository that list the manifest ``target``."""
    rows = tx.all(
        "SELECT digest FROM ecr_references WHERE repo_id = ? AND target = ? AND kind = 'manifest'", (repo_id, target)
    )
    return [row[0] for row in rows]


def tags(tx: Tx, repo_id: int) -> dict[str, list[str]]:
    """digest → its tags (sorted)."""
    out: dict[str, list[str]] = {}
    for tag, digest in tx.all("SELECT tag, digest FROM ecr_tags WHERE repo_id = ? ORDER BY tag", (repo_id,)):
        out.setdefault(digest, []).append(tag)
    return out


def tag_digest(tx: Tx, repo_id: int, tag: str) -> str | None:
    row = tx.one("SELECT digest FROM ecr_tags WHERE repo_id = ? AND tag = ?", (repo_id, tag))
    return row[0] if row else None


def set_tag(tx: Tx, repo_id: int, tag: str, digest: str) -> None:
    tx.execute("DELETE FROM ecr_tags WHERE repo_id = ? AND tag = ?", (repo_id, tag))
    tx.execute("INSERT INTO ecr_tags (repo_id, tag, digest) VALUES (?, ?, ?)", (repo_id, tag, digest))


def delete_tag(tx: Tx, repo_id: int, tag: str) -> None:
    tx.execute("DELETE FROM ecr_tags WHERE repo_id = ? AND tag = ?", (repo_id, tag))


def tag_names(tx: Tx, repo_id: int, after: str, limit: int) -> list[str]:
    rows = tx.all(
        "SELECT tag FROM ecr_tags WHERE repo_id = ? AND tag > ? ORDER BY tag LIMIT ?", (repo_id, after, limit)
    )
    return [row[0] for row in rows]


# --- blobs and uploads ----------------------------------------------------------------------------------------


def add_blob(tx: Tx, repo_id: int, digest: str, size: int, now: float) -> None:
    tx.execute(
        "INSERT INTO ecr_blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (digest, size, now)
    )
    tx.execute("INSERT INTO ecr_repo_blobs (repo_id, digest) VALUES (?, ?) ON CONFLICT DO NOTHING", (repo_id, digest))


def repo_blob_sizes(tx: Tx, repo_id: int, digests: list[str]) -> dict[str, int]:
    """The sizes of those blobs the repository holds."""
    if not digests:
        return {}
    marks = ", ".join("?" for _ in digests)
    rows = tx.all(
        f"SELECT b.digest, b.size FROM ecr_repo_blobs r JOIN ecr_blobs b ON b.digest = r.digest "
        f"WHERE r.repo_id = ? AND r.digest IN ({marks})",
        (repo_id, *digests),
    )
    return {row[0]: int(row[1]) for row in rows}


def touch_blob(tx: Tx, digest: str, now: float) -> None:
    """Mark a blob as just used: the sweep leaves blobs used within its grace period alone."""
    tx.execute("UPDATE ecr_blobs SET created_at = ? WHERE digest = ?", (now, digest))


def orphan_blobs(tx: Tx, before: float, limit: int) -> list[str]:
    """Blobs no repository holds any longer (their repositories were deleted), unused since ``before``."""
    rows = tx.all(
        "SELECT digest FROM ecr_blobs b WHERE created_at < ? AND NOT EXISTS "
        "(SELECT 1 FROM ecr_repo_blobs r WHERE r.digest = b.digest) LIMIT ?",
        (before, limit),
    )
    return [row[0] for row in rows]


def delete_blob(tx: Tx, digest: str, before: float) -> bool:
    """Forget a blob unless a repository took it or an upload used it meanwhile."""
    if tx.one("SELECT 1 FROM ecr_repo_blobs WHERE digest = ?", (digest,)) is not None:
        return False
    if tx.one("SELECT 1 FROM ecr_blobs WHERE digest = ? AND created_at < ?", (digest, before)) is None:
        return False
    tx.execute("DELETE FROM ecr_blobs WHERE digest = ?", (digest,))
    return True


def insert_upload(tx: Tx, upload_id: str, repo_id: int, now: float) -> None:
    tx.execute(
        "INSERT INTO ecr_uploads (id, repo_id, created_at, received) VALUES (?, ?, ?, 0)", (upload_id, repo_id, now)
    )


def upload(tx: Tx, upload_id: str) -> tuple[int, int] | None:
    """(repository id, bytes received) of an upload."""
    row = tx.one("SELECT repo_id, received FROM ecr_uploads WHERE id = ?", (upload_id,))
    return (int(row[0]), int(row[1])) if row else None


def set_received(tx: Tx, upload_id: str, received: int) -> None:
    tx.execute("UPDATE ecr_uploads SET received = ? WHERE id = ?", (received, upload_id))


def delete_upload(tx: Tx, upload_id: str) -> None:
    tx.execute("DELETE FROM ecr_uploads WHERE id = ?", (upload_id,))


def stale_uploads(tx: Tx, before: float) -> list[str]:
    return [row[0] for row in tx.all("SELECT id FROM ecr_uploads WHERE created_at < ?", (before,))]


# --- the registry's settings ---------------------------------------------------------------------------------------
_REGISTRY_SETTABLE = frozenset({"policy", "replication"})


def registry_settings(tx: Tx, account: str, region: str) -> tuple[str | None, dict[str, Any] | None]:
    """(policy text, replication configuration) of the account's registry in the Region."""
    row = tx.one("SELECT policy, replication FROM ecr_registries WHERE account = ? AND region = ?", (account, region))
    if row is None:
        return None, None
    return row[0], (json.loads(row[1]) if row[1] is not None else None)


def set_registry_setting(tx: Tx, account: str, region: str, name: str, value: str | None) -> None:
    """Set one of the registry's settings (``policy`` or ``replication``, as JSON text; None removes it)."""
    if name not in _REGISTRY_SETTABLE:
        raise ValueError(name)
    tx.execute(
        f"INSERT INTO ecr_registries (account, region, {name}) VALUES (?, ?, ?) "
        f"ON CONFLICT (account, region) DO UPDATE SET {name} = excluded.{name}",
        (account, region, value),
    )
