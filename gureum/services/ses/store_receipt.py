"""SES receiving's SQL: receipt rule sets (one active), their rules in order, IP address filters, and which
account receives mail for a name. Every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx

# --- rule sets ------------------------------------------------------------------------------------------------


def rule_set(tx: Tx, account: str, region: str, name: str) -> tuple[bool, float] | None:
    """(active, created at) of a rule set, or None."""
    row = tx.one(
        "SELECT active, created_at FROM ses_receipt_rule_sets WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return (bool(row[0]), float(row[1])) if row else None


def insert_rule_set(tx: Tx, account: str, region: str, name: str, at: float) -> bool:
    cur = tx.execute(
        "INSERT INTO ses_receipt_rule_sets (account, region, name, active, created_at) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING",
        (account, region, name, at),
    )
    return (cur.rowcount or 0) > 0


def rule_sets(tx: Tx, account: str, region: str) -> list[tuple[str, float]]:
    rows = tx.all(
        "SELECT name, created_at FROM ses_receipt_rule_sets WHERE account = ? AND region = ? ORDER BY created_at, name",
        (account, region),
    )
    return [(r[0], float(r[1])) for r in rows]


def count_rule_sets(tx: Tx, account: str, region: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM ses_receipt_rule_sets WHERE account = ? AND region = ?", (account, region))
    return int(row[0]) if row else 0


def active_rule_set(tx: Tx, account: str, region: str) -> tuple[str, float] | None:
    row = tx.one(
        "SELECT name, created_at FROM ses_receipt_rule_sets WHERE account = ? AND region = ? AND active = 1",
        (account, region),
    )
    return (row[0], float(row[1])) if row else None


def set_active(tx: Tx, account: str, region: str, name: str | None) -> None:
    """Make ``name`` the active rule set (None: none is)."""
    tx.execute(
        "UPDATE ses_receipt_rule_sets SET active = 0 WHERE account = ? AND region = ? AND active = 1",
        (account, region),
    )
    if name is not None:
        tx.execute(
            "UPDATE ses_receipt_rule_sets SET active = 1 WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )


def delete_rule_set(tx: Tx, account: str, region: str, name: str) -> None:
    tx.execute(
        "DELETE FROM ses_receipt_rules WHERE account = ? AND region = ? AND rule_set = ?", (account, region, name)
    )
    tx.execute(
        "DELETE FROM ses_receipt_rule_sets WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )


# --- rules ----------------------------------------------------------------------------------------------------


def rules(tx: Tx, account: str, region: str, rule_set_name: str) -> list[dict[str, Any]]:
    """The rule set's rules in order, as ReceiptRule documents."""
    rows = tx.all(
        "SELECT rule FROM ses_receipt_rules WHERE account = ? AND region = ? AND rule_set = ? ORDER BY position",
        (account, region, rule_set_name),
    )
    return [json.loads(r[0]) for r in rows]


def replace_rules(tx: Tx, account: str, region: str, rule_set_name: str, ordered: list[dict[str, Any]]) -> None:
    """Write the rule set's rules as ``ordered`` (positions renumbered)."""
    tx.execute(
        "DELETE FROM ses_receipt_rules WHERE account = ? AND region = ? AND rule_set = ?",
        (account, region, rule_set_name),
    )
    for position, rule in enumerate(ordered):
        tx.execute(
            "INSERT INTO ses_receipt_rules (account, region, rule_set, name, position, rule) VALUES (?, ?, ?, ?, ?, ?)",
            (account, region, rule_set_name, rule["Name"], position, json.dumps(rule)),
        )


# --- IP address filters ---------------------------------------------------------------------------------------


def insert_filter(tx: Tx, account: str, region: str, name: str, policy: str, cidr: str) -> bool:
    cur = tx.execute(
        "INSERT INTO ses_receipt_filters (account, region, name, policy, cidr) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING",
        (account, region, name, policy, cidr),
    )
    return (cur.rowcount or 0) > 0


def filters(tx: Tx, account: str, region: str) -> list[tuple[str, str, str]]:
    """(name, policy, cidr) of every filter."""
    rows = tx.all(
        "SELECT name, policy, cidr FROM ses_receipt_filters WHERE account = ? AND region = ? ORDER BY name",
        (account, region),
    )
    return [(r[0], r[1], r[2]) for r in rows]


def count_filters(tx: Tx, account: str, region: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM ses_receipt_filters WHERE account = ? AND region = ?", (account, region))
    return int(row[0]) if row else 0


def delete_filter(tx: Tx, account: str, region: str, name: str) -> None:
    tx.execute("DELETE FROM ses_receipt_filters WHERE account = ? AND region = ? AND name = ?", (account, region, name))


# --- who receives ---------------------------------------------------------------------------------------------


def receiver(tx: Tx, names: list[str]) -> tuple[str, str] | None:
    """(account, region) whose verified identity is one of ``names`` and which has an active rule set: the
    earliest such identity's."""
    if not names:
        return None
    marks = ", ".join("?" for _ in names)
    row = tx.one(
        "SELECT i.account, i.region FROM ses_identities i JOIN ses_receipt_rule_sets s "
        "ON s.account = i.account AND s.region = i.region AND s.active = 1 "
        f"WHERE i.identity IN ({marks}) AND i.status = 'Success' ORDER BY i.created_at LIMIT 1",
        tuple(names),
    )
    return (row[0], row[1]) if row else None
