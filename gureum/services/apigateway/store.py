"""API Gateway's SQL: every function runs inside one store transaction (``tx``).

An API is one JSON document (apis.py) in apigateway_apis; deployments (with their snapshot) and stages have tables
of their own; API keys, usage plans, custom domain names and the account settings are "entities" by kind; quota
counts are in apigateway_usage.
"""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx


def get_api(tx: Tx, account: str, region: str, api_id: str) -> dict[str, Any] | None:
    if "\x00" in api_id:  # no identifier holds NUL (and PostgreSQL text cannot): not found on either backend
        return None
    row = tx.one(
        "SELECT doc FROM apigateway_apis WHERE api_id = ? AND account = ? AND region = ?", (api_id, account, region)
    )
    return json.loads(row[0]) if row else None


def api_owner(tx: Tx, api_id: str) -> tuple[str, str] | None:
    row = tx.one("SELECT account, region FROM apigateway_apis WHERE api_id = ?", (api_id,))
    return (row[0], row[1]) if row else None


def list_apis(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM apigateway_apis WHERE account = ? AND region = ? ORDER BY created_at, id", (account, region)
    )
    return [json.loads(row[0]) for row in rows]


def insert_api(tx: Tx, account: str, region: str, doc: dict[str, Any], now: int) -> None:
    tx.execute(
        "INSERT INTO apigateway_apis (account, region, api_id, doc, created_at) VALUES (?, ?, ?, ?, ?)",
        (account, region, doc["api"]["id"], json.dumps(doc), now),
    )


def save_api(tx: Tx, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE apigateway_apis SET doc = ? WHERE api_id = ?", (json.dumps(doc), doc["api"]["id"]))


def delete_api(tx: Tx, api_id: str) -> None:
    tx.execute("DELETE FROM apigateway_apis WHERE api_id = ?", (api_id,))
    tx.execute("DELETE FROM apigateway_deployments WHERE api_id = ?", (api_id,))
    tx.execute("DELETE FROM apigateway_stages WHERE api_id = ?", (api_id,))


# --- deployments and stages ---------------------------------------------------------------------------


def insert_deployment(tx: Tx, api_id: str, doc: dict[str, Any], snapshot: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO apigateway_deployments (api_id, deployment_id, doc, snapshot) VALUES (?, ?, ?, ?)",
        (api_id, doc["id"], json.dumps(doc), json.dumps(snapshot)),
    )


def get_deployment(tx: Tx, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT doc FROM apigateway_deployments WHERE api_id = ? AND deployment_id = ?", (api_id, deployment_id)
    )
    return json.loads(row[0]) if row else None


def get_snapshot(tx: Tx, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT snapshot FROM apigateway_deployments WHERE api_id = ? AND deployment_id = ?", (api_id, deployment_id)
    )
    return json.loads(row[0]) if row else None


def list_deployments(tx: Tx, api_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(row[0])
        for row in tx.all("SELECT doc FROM apigateway_deployments WHERE api_id = ? ORDER BY id", (api_id,))
    ]


def save_deployment(tx: Tx, api_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE apigateway_deployments SET doc = ? WHERE api_id = ? AND deployment_id = ?",
        (json.dumps(doc), api_id, doc["id"]),
    )


def delete_deployment(tx: Tx, api_id: str, deployment_id: str) -> None:
    tx.execute("DELETE FROM apigateway_deployments WHERE api_id = ? AND deployment_id = ?", (api_id, deployment_id))


def get_stage(tx: Tx, api_id: str, name: str) -> dict[str, Any] | None:
    row = tx.one("SELECT doc FROM apigateway_stages WHERE api_id = ? AND name = ?", (api_id, name))
    return json.loads(row[0]) if row else None


def list_stages(tx: Tx, api_id: str) -> list[dict[str, Any]]:
    return [
        json.loads(row[0])
        for row in tx.all("SELECT doc FROM apigateway_stages WHERE api_id = ? ORDER BY id", (api_id,))
    ]


def insert_stage(tx: Tx, api_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO apigateway_stages (api_id, name, doc) VALUES (?, ?, ?)",
        (api_id, doc["stageName"], json.dumps(doc)),
    )


def save_stage(tx: Tx, api_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE apigateway_stages SET doc = ? WHERE api_id = ? AND name = ?",
        (json.dumps(doc), api_id, doc["stageName"]),
    )


def delete_stage(tx: Tx, api_id: str, name: str) -> None:
    tx.execute("DELETE FROM apigateway_stages WHERE api_id = ? AND name = ?", (api_id, name))


def edge_lookup(tx: Tx, api_id: str, stage: str) -> tuple[str, str, dict[str, Any]] | None:
    """(account, region, stage) for the execute-api edge, in one query."""
    row = tx.one(
        "SELECT a.account, a.region, s.doc FROM apigateway_apis a JOIN apigateway_stages s ON s.api_id = a.api_id "
        "WHERE a.api_id = ? AND s.name = ?",
        (api_id, stage),
    )
    return (row[0], row[1], json.loads(row[2])) if row else None


# --- API keys and usage plans ------------------------------------------------------------------------


def get_entity(tx: Tx, account: str, region: str, kind: str, entity_id: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT doc FROM apigateway_entities WHERE account = ? AND region = ? AND kind = ? AND entity_id = ?",
        (account, region, kind, entity_id),
    )
    return json.loads(row[0]) if row else None


def list_entities(tx: Tx, account: str, region: str, kind: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM apigateway_entities WHERE account = ? AND region = ? AND kind = ? ORDER BY created_at, id",
        (account, region, kind),
    )
    return [json.loads(row[0]) for row in rows]


def insert_entity(
    tx: Tx, account: str, region: str, kind: str, doc: dict[str, Any], now: int, lookup: str | None = None
) -> None:
    tx.execute(
        "INSERT INTO apigateway_entities (account, region, kind, entity_id, lookup, doc, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (account, region, kind, doc["id"], lookup, json.dumps(doc), now),
    )


def save_entity(tx: Tx, account: str, region: str, kind: str, doc: dict[str, Any], lookup: str | None = None) -> None:
    tx.execute(
        "UPDATE apigateway_entities SET doc = ?, lookup = ? "
        "WHERE account = ? AND region = ? AND kind = ? AND entity_id = ?",
        (json.dumps(doc), lookup, account, region, kind, doc["id"]),
    )


def delete_entity(tx: Tx, account: str, region: str, kind: str, entity_id: str) -> None:
    tx.execute(
        "DELETE FROM apigateway_entities WHERE account = ? AND region = ? AND kind = ? AND entity_id = ?",
        (account, region, kind, entity_id),
    )


def find_domain(tx: Tx, name: str) -> tuple[str, str, dict[str, Any]] | None:
    """(account, region, item) of a custom domain name, whoever owns it (names are global, as in DNS)."""
    row = tx.one(
        "SELECT account, region, doc FROM apigateway_entities WHERE kind = 'domain' AND entity_id = ?", (name.lower(),)
    )
    return (row[0], row[1], json.loads(row[2])) if row else None


def domain_names(tx: Tx) -> list[str]:
    return [row[0] for row in tx.all("SELECT entity_id FROM apigateway_entities WHERE kind = 'domain'")]


def key_by_value(tx: Tx, account: str, region: str, value: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT doc FROM apigateway_entities WHERE kind = 'apikey' AND lookup = ? AND account = ? AND region = ?",
        (value, account, region),
    )
    return json.loads(row[0]) if row else None


def count_usage(tx: Tx, plan_id: str, key_id: str, period: str, limit: int) -> bool:
    """Count one request against a quota; False (and nothing counted) when the period's limit is reached.
    One conditional UPDATE, so nodes sharing a PostgreSQL store never count past the limit."""
    tx.execute(
        "INSERT INTO apigateway_usage (plan_id, key_id, period, used) VALUES (?, ?, ?, 0) "
        "ON CONFLICT (plan_id, key_id, period) DO NOTHING",
        (plan_id, key_id, period),
    )
    cur = tx.execute(
        "UPDATE apigateway_usage SET used = used + 1 WHERE plan_id = ? AND key_id = ? AND period = ? AND used < ?",
        (plan_id, key_id, period, limit),
    )
    return (cur.rowcount or 0) > 0


def set_usage(tx: Tx, plan_id: str, key_id: str, period: str, used: int) -> None:
    tx.execute(
        "INSERT INTO apigateway_usage (plan_id, key_id, period, used) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (plan_id, key_id, period) DO UPDATE SET used = ?",
        (plan_id, key_id, period, used, used),
    )


def usage(tx: Tx, plan_id: str) -> list[tuple[str, str, int]]:
    return [
        (r[0], r[1], r[2])
        for r in tx.all("SELECT key_id, period, used FROM apigateway_usage WHERE plan_id = ?", (plan_id,))
    ]
