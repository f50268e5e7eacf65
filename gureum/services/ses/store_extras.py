"""SES's SQL for what hangs off identities and the account: sending-authorization policies, MAIL FROM domains,
the suppression list, settings (account and configuration-set options), contact lists and contacts, and the
open/click tracking links of sent mail. Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .store import config_cached, forget_config

# --- identity policies ----------------------------------------------------------------------------------------


def policies(tx: Tx, account: str, region: str, identity: str) -> dict[str, str]:
    rows = tx.all(
        "SELECT name, policy FROM ses_identity_policies WHERE account = ? AND region = ? AND identity = ? "
        "ORDER BY name",
        (account, region, identity),
    )
    return {r[0]: r[1] for r in rows}


def put_policy(tx: Tx, account: str, region: str, identity: str, name: str, policy: str) -> None:
    tx.execute(
        "INSERT INTO ses_identity_policies (account, region, identity, name, policy) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, identity, name) DO UPDATE SET policy = excluded.policy",
        (account, region, identity, name, policy),
    )


def delete_policy(tx: Tx, account: str, region: str, identity: str, name: str) -> bool:
    cur = tx.execute(
        "DELETE FROM ses_identity_policies WHERE account = ? AND region = ? AND identity = ? AND name = ?",
        (account, region, identity, name),
    )
    return (cur.rowcount or 0) > 0


def forget_identity(tx: Tx, account: str, region: str, identity: str) -> None:
    """An identity deleted: its policies and MAIL FROM go with it."""
    forget_config(tx)
    for table in ("ses_identity_policies", "ses_mail_from"):
        tx.execute(
            f"DELETE FROM {table} WHERE account = ? AND region = ? AND identity = ?", (account, region, identity)
        )


# --- MAIL FROM ------------------------------------------------------------------------------------------------


def mail_from(tx: Tx, account: str, region: str, identity: str, *, cached: bool = False) -> tuple[str, str, str] | None:
    """(domain, behavior on MX failure, status), or None."""

    def load() -> tuple[str, str, str] | None:
        row = tx.one(
            "SELECT domain, behavior, status FROM ses_mail_from WHERE account = ? AND region = ? AND identity = ?",
            (account, region, identity),
        )
        return (row[0], row[1], row[2]) if row else None

    return config_cached(tx, ("mail-from", account, region, identity), load) if cached else load()


def put_mail_from(
    tx: Tx, account: str, region: str, identity: str, domain: str | None, behavior: str, status: str
) -> None:
    forget_config(tx)
    if not domain:
        tx.execute(
            "DELETE FROM ses_mail_from WHERE account = ? AND region = ? AND identity = ?", (account, region, identity)
        )
        return
    tx.execute(
        "INSERT INTO ses_mail_from (account, region, identity, domain, behavior, status) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, identity) DO UPDATE SET domain = excluded.domain, "
        "behavior = excluded.behavior, status = excluded.status",
        (account, region, identity, domain, behavior, status),
    )


def pending_mail_from(tx: Tx, limit: int) -> list[tuple[str, str, str, str]]:
    """(account, region, identity, MAIL FROM domain) of every custom MAIL FROM domain whose MX is not found yet."""
    rows = tx.all(
        "SELECT account, region, identity, domain FROM ses_mail_from WHERE status <> 'Success' LIMIT ?", (limit,)
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def confirm_mail_from(tx: Tx, account: str, region: str, identity: str) -> None:
    forget_config(tx)
    tx.execute(
        "UPDATE ses_mail_from SET status = 'Success' WHERE account = ? AND region = ? AND identity = ?",
        (account, region, identity),
    )


# --- suppression list -----------------------------------------------------------------------------------------


def suppressed(tx: Tx, account: str, region: str, addresses: list[str]) -> dict[str, str]:
    """address (lower case) → reason, for those of ``addresses`` on the list."""
    if not addresses:
        return {}
    marks = ", ".join("?" for _ in addresses)
    rows = tx.all(
        f"SELECT address, reason FROM ses_suppressed WHERE account = ? AND region = ? AND address IN ({marks})",
        (account, region, *[a.lower() for a in addresses]),
    )
    return {r[0]: r[1] for r in rows}


def put_suppressed(
    tx: Tx, account: str, region: str, address: str, reason: str, message_id: str | None, at: float
) -> None:
    tx.execute(
        "INSERT INTO ses_suppressed (account, region, address, reason, message_id, feedback_id, updated_at) "
        "VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (account, region, address) DO UPDATE SET "
        "reason = excluded.reason, message_id = excluded.message_id, updated_at = excluded.updated_at",
        (account, region, address.lower(), reason, message_id, at),
    )


def get_suppressed(tx: Tx, account: str, region: str, address: str) -> tuple[str, str | None, float] | None:
    """(reason, message id, last update)."""
    row = tx.one(
        "SELECT reason, message_id, updated_at FROM ses_suppressed WHERE account = ? AND region = ? AND address = ?",
        (account, region, address.lower()),
    )
    return (row[0], row[1], float(row[2])) if row else None


def list_suppressed(tx: Tx, account: str, region: str) -> list[tuple[str, str, float]]:
    """(address, reason, last update) of every suppressed address."""
    rows = tx.all(
        "SELECT address, reason, updated_at FROM ses_suppressed WHERE account = ? AND region = ? ORDER BY address",
        (account, region),
    )
    return [(r[0], r[1], float(r[2])) for r in rows]


def delete_suppressed(tx: Tx, account: str, region: str, address: str) -> bool:
    cur = tx.execute(
        "DELETE FROM ses_suppressed WHERE account = ? AND region = ? AND address = ?",
        (account, region, address.lower()),
    )
    return (cur.rowcount or 0) > 0


# --- settings -------------------------------------------------------------------------------------------------


def setting(tx: Tx, account: str, region: str, scope: str, name: str, *, cached: bool = False) -> Any:
    """A JSON setting (``scope``: "account" or "configuration-set:<name>"), or None (``cached``: its text
    from the cache, parsed afresh: the caller may change what it gets)."""

    def load() -> str | None:
        row = tx.one(
            "SELECT value FROM ses_settings WHERE account = ? AND region = ? AND scope = ? AND name = ?",
            (account, region, scope, name),
        )
        return str(row[0]) if row else None

    text = config_cached(tx, ("setting", account, region, scope, name), load) if cached else load()
    return json.loads(text) if text is not None else None


def put_setting(tx: Tx, account: str, region: str, scope: str, name: str, value: Any) -> None:
    forget_config(tx)
    if value is None:
        tx.execute(
            "DELETE FROM ses_settings WHERE account = ? AND region = ? AND scope = ? AND name = ?",
            (account, region, scope, name),
        )
        return
    tx.execute(
        "INSERT INTO ses_settings (account, region, scope, name, value) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, scope, name) DO UPDATE SET value = excluded.value",
        (account, region, scope, name, json.dumps(value)),
    )


def first_setting(tx: Tx, account: str, region: str, scopes: list[str], name: str, *, cached: bool = False) -> Any:
    """The setting ``name`` of the first of ``scopes`` that has it, or None."""

    def load() -> str | None:
        marks = ", ".join("?" for _ in scopes)
        rows = tx.all(
            f"SELECT scope, value FROM ses_settings WHERE account = ? AND region = ? AND scope IN ({marks}) "
            "AND name = ?",
            (account, region, *scopes, name),
        )
        found = {scope: value for scope, value in rows}
        return next((str(found[s]) for s in scopes if s in found), None)

    key = ("first-setting", account, region, name, *scopes)
    text = config_cached(tx, key, load) if cached else load()
    return json.loads(text) if text is not None else None


def delete_scope(tx: Tx, account: str, region: str, scope: str) -> None:
    forget_config(tx)
    tx.execute("DELETE FROM ses_settings WHERE account = ? AND region = ? AND scope = ?", (account, region, scope))


def scopes_with(tx: Tx, account: str, region: str, prefix: str, name: str) -> list[str]:
    """The scopes starting with ``prefix`` that have the setting ``name``."""
    rows = tx.all(
        "SELECT scope FROM ses_settings WHERE account = ? AND region = ? AND name = ? AND scope LIKE ?",
        (account, region, name, prefix.replace("%", "").replace("_", "") + "%"),
    )
    return [scope for (scope,) in rows if scope.startswith(prefix)]


# --- contact lists and contacts -------------------------------------------------------------------------------


def contact_list(tx: Tx, account: str, region: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT name, description, topics, created_at, updated_at FROM ses_contact_lists "
        "WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    if row is None:
        return None
    return {
        "name": row[0],
        "description": row[1],
        "topics": json.loads(row[2]),
        "created_at": float(row[3]),
        "updated_at": float(row[4]),
    }


def contact_lists(tx: Tx, account: str, region: str) -> list[tuple[str, float]]:
    rows = tx.all(
        "SELECT name, updated_at FROM ses_contact_lists WHERE account = ? AND region = ? ORDER BY name",
        (account, region),
    )
    return [(r[0], float(r[1])) for r in rows]


def put_contact_list(
    tx: Tx, account: str, region: str, name: str, description: str | None, topics: list[dict[str, Any]], at: float
) -> None:
    tx.execute(
        "INSERT INTO ses_contact_lists (account, region, name, description, topics, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET "
        "description = excluded.description, topics = excluded.topics, updated_at = excluded.updated_at",
        (account, region, name, description, json.dumps(topics), at, at),
    )


def delete_contact_list(tx: Tx, account: str, region: str, name: str) -> bool:
    tx.execute(
        "DELETE FROM ses_contacts WHERE account = ? AND region = ? AND contact_list = ?", (account, region, name)
    )
    cur = tx.execute(
        "DELETE FROM ses_contact_lists WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    return (cur.rowcount or 0) > 0


_CONTACT_COLUMNS = "address, preferences, unsubscribe_all, attributes, created_at, updated_at"


def _contact(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "address": row[0],
        "preferences": json.loads(row[1]),
        "unsubscribe_all": bool(row[2]),
        "attributes": row[3],
        "created_at": float(row[4]),
        "updated_at": float(row[5]),
    }


def contact(tx: Tx, account: str, region: str, contact_list_name: str, address: str) -> dict[str, Any] | None:
    row = tx.one(
        f"SELECT {_CONTACT_COLUMNS} FROM ses_contacts WHERE account = ? AND region = ? AND contact_list = ? "
        "AND address = ?",
        (account, region, contact_list_name, address.lower()),
    )
    return _contact(row) if row else None


def contacts(tx: Tx, account: str, region: str, contact_list_name: str) -> list[dict[str, Any]]:
    rows = tx.all(
        f"SELECT {_CONTACT_COLUMNS} FROM ses_contacts WHERE account = ? AND region = ? AND contact_list = ? "
        "ORDER BY address",
        (account, region, contact_list_name),
    )
    return [_contact(r) for r in rows]


def put_contact(tx: Tx, account: str, region: str, contact_list_name: str, doc: dict[str, Any]) -> None:
    tx.execute(
        f"INSERT INTO ses_contacts (account, region, contact_list, {_CONTACT_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, contact_list, address) DO UPDATE SET "
        "preferences = excluded.preferences, unsubscribe_all = excluded.unsubscribe_all, "
        "attributes = excluded.attributes, updated_at = excluded.updated_at",
        (
            account, region, contact_list_name, doc["address"].lower(), json.dumps(doc["preferences"]),
            int(doc["unsubscribe_all"]), doc.get("attributes"), doc["created_at"], doc["updated_at"],
        ),
    )  # fmt: skip


def delete_contact(tx: Tx, account: str, region: str, contact_list_name: str, address: str) -> bool:
    cur = tx.execute(
        "DELETE FROM ses_contacts WHERE account = ? AND region = ? AND contact_list = ? AND address = ?",
        (account, region, contact_list_name, address.lower()),
    )
    return (cur.rowcount or 0) > 0


# --- open / click tracking ------------------------------------------------------------------------------------


def add_tracking(
    tx: Tx,
    token: str,
    account: str,
    region: str,
    configuration_set: str,
    kind: str,
    link: str | None,
    sent: dict[str, Any],
    at: float,
) -> None:
    tx.execute(
        "INSERT INTO ses_tracking (token, account, region, configuration_set, kind, link, sent, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (token, account, region, configuration_set, kind, link, json.dumps(sent), at),
    )


def tracking(tx: Tx, token: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT account, region, configuration_set, kind, link, sent FROM ses_tracking WHERE token = ?", (token,)
    )
    if row is None:
        return None
    return {
        "account": row[0],
        "region": row[1],
        "configuration_set": row[2],
        "kind": row[3],
        "link": row[4],
        "sent": json.loads(row[5]),
    }
