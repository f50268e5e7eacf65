"""IAM's queries.  Every function runs inside the caller's transaction; nothing here decides AWS behaviour."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx


@dataclass(slots=True)
class Entity:
    id: int
    account: str
    kind: str
    name: str
    path: str
    entity_id: str
    arn: str
    created_at: float
    data: dict[str, Any]


_COLUMNS = "id, account, kind, name, path, entity_id, arn, created_at, data"
_E_COLUMNS = ", ".join(f"e.{column}" for column in _COLUMNS.split(", "))  # the same, in joins on iam_entities e


def _entity(row: tuple[Any, ...] | None) -> Entity | None:
    if row is None:
        return None
    return Entity(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], json.loads(row[8]))


def get(tx: Tx, account: str, kind: str, name: str) -> Entity | None:
    return _entity(
        tx.one(
            f"SELECT {_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? AND name_key = ?",
            (account, kind, name.lower()),
        )
    )


def claim(tx: Tx, account: str, kind: str, name: str) -> Entity | None:
    """``get`` for a read-modify-write: the row stays locked until commit, so concurrent changes (on PostgreSQL)
    queue."""
    return _entity(
        tx.one(
            f"UPDATE iam_entities SET name = name WHERE account = ? AND kind = ? AND name_key = ? RETURNING {_COLUMNS}",
            (account, kind, name.lower()),
        )
    )


def claim_arn(tx: Tx, account: str, kind: str, arn: str) -> Entity | None:
    return _entity(
        tx.one(
            f"UPDATE iam_entities SET name = name WHERE arn = ? AND account = ? AND kind = ? RETURNING {_COLUMNS}",
            (arn, account, kind),
        )
    )


def by_id(tx: Tx, entity_id: int) -> Entity | None:
    return _entity(tx.one(f"SELECT {_COLUMNS} FROM iam_entities WHERE id = ?", (entity_id,)))


def by_arn(tx: Tx, account: str, kind: str, arn: str) -> Entity | None:
    return _entity(
        tx.one(f"SELECT {_COLUMNS} FROM iam_entities WHERE arn = ? AND account = ? AND kind = ?", (arn, account, kind))
    )


def all_of(tx: Tx, account: str, kind: str) -> list[Entity]:
    """Every entity of one kind, in AWS's list order (by name)."""
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM iam_entities WHERE account = ? AND kind = ? ORDER BY name_key", (account, kind)
    )
    return [e for e in map(_entity, rows) if e is not None]


def insert(tx: Tx, entity: Entity) -> bool:
    """False when the name is taken (also when a concurrent create committed first)."""
    row = tx.one(
        "INSERT INTO iam_entities (account, kind, name_key, name, path, entity_id, arn, created_at, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, kind, name_key) DO NOTHING RETURNING id",
        (
            entity.account,
            entity.kind,
            entity.name.lower(),
            entity.name,
            entity.path,
            entity.entity_id,
            entity.arn,
            entity.created_at,
            json.dumps(entity.data),
        ),
    )
    if row is not None:
        entity.id = row[0]
    return row is not None


def rename(tx: Tx, entity: Entity, name: str, path: str, arn: str) -> bool:
    """False when the new name is taken."""
    if name.lower() != entity.name.lower() and get(tx, entity.account, entity.kind, name) is not None:
        return False
    tx.execute(
        "UPDATE iam_entities SET name = ?, name_key = ?, path = ?, arn = ? WHERE id = ?",
        (name, name.lower(), path, arn, entity.id),
    )
    entity.name, entity.path, entity.arn = name, path, arn
    return True


def named_anywhere(tx: Tx, kind: str, name: str) -> list[str]:
    """The accounts holding an entity of this kind and name (account aliases are unique across accounts)."""
    return [
        r[0] for r in tx.all("SELECT account FROM iam_entities WHERE kind = ? AND name_key = ?", (kind, name.lower()))
    ]


def all_kind(tx: Tx, kind: str) -> list[tuple[str, str]]:
    """(account, name) of every entity of one kind in every account (the accounts' organisations)."""
    rows = tx.all("SELECT account, name FROM iam_entities WHERE kind = ? ORDER BY account", (kind,))
    return [(r[0], r[1]) for r in rows]


def counts(tx: Tx, account: str) -> dict[str, int]:
    """Entities per kind in one account."""
    return {
        r[0]: int(r[1])
        for r in tx.all("SELECT kind, COUNT(*) FROM iam_entities WHERE account = ? GROUP BY kind", (account,))
    }


def policy_versions(tx: Tx, account: str) -> int:
    """Versions of the account's customer managed policies (GetAccountSummary's PolicyVersionsInUse)."""
    row = tx.one(
        "SELECT COUNT(*) FROM iam_policy_versions v JOIN iam_entities e ON e.id = v.policy_id WHERE e.account = ?",
        (account,),
    )
    return int(row[0]) if row else 0


def save(tx: Tx, entity: Entity) -> None:
    tx.execute("UPDATE iam_entities SET data = ? WHERE id = ?", (json.dumps(entity.data), entity.id))


def delete(tx: Tx, entity: Entity) -> None:
    tx.execute("DELETE FROM iam_entities WHERE id = ?", (entity.id,))
    tx.execute("DELETE FROM iam_inline_policies WHERE owner_id = ?", (entity.id,))
    tx.execute("DELETE FROM iam_attachments WHERE owner_id = ?", (entity.id,))
    tx.execute("DELETE FROM iam_members WHERE parent_id = ? OR child_id = ?", (entity.id, entity.id))
    tx.execute("DELETE FROM iam_policy_versions WHERE policy_id = ?", (entity.id,))
    tx.execute("DELETE FROM iam_access_keys WHERE owner_id = ?", (entity.id,))


# --- inline policies ---------------------------------------------------------------------------------------


def inline_policies(tx: Tx, owner_id: int) -> list[tuple[str, str]]:
    """[(name, document)] in name order."""
    return [
        (r[0], r[1])
        for r in tx.all(
            "SELECT name, document FROM iam_inline_policies WHERE owner_id = ? ORDER BY name_key", (owner_id,)
        )
    ]


def put_inline(tx: Tx, owner_id: int, name: str, document: str) -> None:
    tx.execute("DELETE FROM iam_inline_policies WHERE owner_id = ? AND name_key = ?", (owner_id, name.lower()))
    tx.execute(
        "INSERT INTO iam_inline_policies (owner_id, name_key, name, document) VALUES (?, ?, ?, ?)",
        (owner_id, name.lower(), name, document),
    )


def delete_inline(tx: Tx, owner_id: int, name: str) -> bool:
    return (
        tx.one(
            "DELETE FROM iam_inline_policies WHERE owner_id = ? AND name_key = ? RETURNING name",
            (owner_id, name.lower()),
        )
        is not None
    )


# --- managed-policy attachments ---------------------------------------------------------------------------


def attached(tx: Tx, owner_id: int) -> list[str]:
    return [
        r[0]
        for r in tx.all(
            "SELECT policy_arn FROM iam_attachments WHERE owner_id = ? ORDER BY attached_at, policy_arn", (owner_id,)
        )
    ]


def attach(tx: Tx, owner_id: int, account: str, policy_arn: str, now: float) -> None:
    tx.execute(
        "INSERT INTO iam_attachments (owner_id, account, policy_arn, attached_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (owner_id, policy_arn) DO NOTHING",
        (owner_id, account, policy_arn, now),
    )


def detach(tx: Tx, owner_id: int, policy_arn: str) -> bool:
    return (
        tx.one(
            "DELETE FROM iam_attachments WHERE owner_id = ? AND policy_arn = ? RETURNING owner_id",
            (owner_id, policy_arn),
        )
        is not None
    )


def attachment_counts(tx: Tx, account: str) -> dict[str, int]:
    return {
        r[0]: int(r[1])
        for r in tx.all(
            "SELECT policy_arn, COUNT(*) FROM iam_attachments WHERE account = ? GROUP BY policy_arn", (account,)
        )
    }


def attached_to(tx: Tx, account: str, policy_arn: str) -> list[Entity]:
    rows = tx.all(
        f"SELECT {_E_COLUMNS} FROM iam_attachments a JOIN iam_entities e ON e.id = a.owner_id "
        "WHERE a.account = ? AND a.policy_arn = ? ORDER BY e.name_key",
        (account, policy_arn),
    )
    return [e for e in map(_entity, rows) if e is not None]


# --- memberships (instance profile → role, group → user) ----------------------------------------------------


def children(tx: Tx, parent_id: int) -> list[Entity]:
    rows = tx.all(
        f"SELECT {_E_COLUMNS} FROM iam_members m JOIN iam_entities e ON e.id = m.child_id "
        "WHERE m.parent_id = ? ORDER BY m.added_at",
        (parent_id,),
    )
    return [e for e in map(_entity, rows) if e is not None]


def parents(tx: Tx, child_id: int) -> list[Entity]:
    rows = tx.all(
        f"SELECT {_E_COLUMNS} FROM iam_members m JOIN iam_entities e ON e.id = m.parent_id "
        "WHERE m.child_id = ? ORDER BY e.name_key",
        (child_id,),
    )
    return [e for e in map(_entity, rows) if e is not None]


def add_member(tx: Tx, parent_id: int, child_id: int, now: float) -> None:
    tx.execute(
        "INSERT INTO iam_members (parent_id, child_id, added_at) VALUES (?, ?, ?) "
        "ON CONFLICT (parent_id, child_id) DO NOTHING",
        (parent_id, child_id, now),
    )


def remove_member(tx: Tx, parent_id: int, child_id: int) -> bool:
    return (
        tx.one(
            "DELETE FROM iam_members WHERE parent_id = ? AND child_id = ? RETURNING parent_id", (parent_id, child_id)
        )
        is not None
    )


# --- policy versions -------------------------------------------------------------------------------------------


def versions(tx: Tx, policy_id: int) -> list[tuple[str, str, float]]:
    """[(version id, document, created)] newest first."""
    rows = tx.all("SELECT version_id, document, created_at FROM iam_policy_versions WHERE policy_id = ?", (policy_id,))
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda v: int(v[0][1:].split(".")[0]), reverse=True)


def add_version(tx: Tx, policy_id: int, version_id: str, document: str, now: float) -> None:
    tx.execute(
        "INSERT INTO iam_policy_versions (policy_id, version_id, document, created_at) VALUES (?, ?, ?, ?)",
        (policy_id, version_id, document, now),
    )


def delete_version(tx: Tx, policy_id: int, version_id: str) -> None:
    tx.execute("DELETE FROM iam_policy_versions WHERE policy_id = ? AND version_id = ?", (policy_id, version_id))


# --- access keys ---------------------------------------------------------------------------------------------------


def access_keys(tx: Tx, owner_id: int) -> list[tuple[str, str, float]]:
    """[(access key id, status, created)]."""
    return [
        (r[0], r[1], r[2])
        for r in tx.all(
            "SELECT access_key_id, status, created_at FROM iam_access_keys WHERE owner_id = ? ORDER BY created_at",
            (owner_id,),
        )
    ]


def access_key(tx: Tx, account: str, key_id: str) -> tuple[int, str, float] | None:
    """(owner id, status, created) of a key this account issued."""
    row = tx.one(
        "SELECT owner_id, status, created_at FROM iam_access_keys WHERE access_key_id = ? AND account = ?",
        (key_id, account),
    )
    return None if row is None else (int(row[0]), row[1], row[2])


def add_access_key(tx: Tx, key_id: str, account: str, owner_id: int, now: float) -> None:
    tx.execute(
        "INSERT INTO iam_access_keys (access_key_id, account, owner_id, status, created_at) "
        "VALUES (?, ?, ?, 'Active', ?)",
        (key_id, account, owner_id, now),
    )


def set_access_key_status(tx: Tx, key_id: str, status: str) -> None:
    tx.execute("UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?", (status, key_id))


def delete_access_key(tx: Tx, key_id: str) -> None:
    tx.execute("DELETE FROM iam_access_keys WHERE access_key_id = ?", (key_id,))
