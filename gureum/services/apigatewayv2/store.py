"""API Gateway v2's SQL; every function runs inside one store transaction (``tx``).

Documents are the AWS members as JSON; keys starting with "_" are ours (never serialised)."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx


def get_api(tx: Tx, api_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(account, region, doc) of an API."""
    row = tx.one("SELECT account, region, doc FROM apigwv2_apis WHERE api_id = ?", (api_id,))
    return None if row is None else (row[0], row[1], json.loads(row[2]))


def insert_api(tx: Tx, account: str, region: str, doc: dict[str, Any], now: float) -> None:
    tx.execute(
        "INSERT INTO apigwv2_apis (api_id, account, region, doc, created_at) VALUES (?, ?, ?, ?, ?)",
        (doc["ApiId"], account, region, json.dumps(doc), now),
    )


def update_api(tx: Tx, doc: dict[str, Any]) -> None:
    tx.execute("UPDATE apigwv2_apis SET doc = ? WHERE api_id = ?", (json.dumps(doc), doc["ApiId"]))


def delete_api(tx: Tx, api_id: str) -> None:
    tx.execute("DELETE FROM apigwv2_items WHERE api_id = ?", (api_id,))
    tx.execute("DELETE FROM apigwv2_apis WHERE api_id = ?", (api_id,))


def list_apis(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM apigwv2_apis WHERE account = ? AND region = ? ORDER BY created_at, api_id", (account, region)
    )
    return [json.loads(row[0]) for row in rows]


def get_item(tx: Tx, api_id: str, kind: str, item_id: str) -> dict[str, Any] | None:
    row = tx.one("SELECT doc FROM apigwv2_items WHERE api_id = ? AND kind = ? AND item_id = ?", (api_id, kind, item_id))
    return None if row is None else json.loads(row[0])


def list_items(tx: Tx, api_id: str, kind: str, parent_id: str = "") -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM apigwv2_items WHERE api_id = ? AND kind = ? AND parent_id = ? ORDER BY created_at, item_id",
        (api_id, kind, parent_id),
    )
    return [json.loads(row[0]) for row in rows]


def all_items(tx: Tx, api_id: str, kind: str) -> list[dict[str, Any]]:
    """Every item of a kind, whatever its parent (kept as "_parent"), for a deployment snapshot."""
    rows = tx.all(
        "SELECT doc, parent_id FROM apigwv2_items WHERE api_id = ? AND kind = ? ORDER BY created_at, item_id",
        (api_id, kind),
    )
    return [{**json.loads(doc), "_parent": parent} for doc, parent in rows]


def delete_kind(tx: Tx, api_id: str, kind: str) -> None:
    tx.execute("DELETE FROM apigwv2_items WHERE api_id = ? AND kind = ?", (api_id, kind))


def insert_item(
    tx: Tx, api_id: str, kind: str, item_id: str, doc: dict[str, Any], now: float, parent_id: str = ""
) -> None:
    tx.execute(
        "INSERT INTO apigwv2_items (api_id, kind, item_id, parent_id, doc, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (api_id, kind, item_id, parent_id, json.dumps(doc), now),
    )


def update_item(tx: Tx, api_id: str, kind: str, item_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE apigwv2_items SET doc = ? WHERE api_id = ? AND kind = ? AND item_id = ?",
        (json.dumps(doc), api_id, kind, item_id),
    )


def delete_item(tx: Tx, api_id: str, kind: str, item_id: str) -> None:
    tx.execute(
        "DELETE FROM apigwv2_items WHERE api_id = ? AND kind = ? AND (item_id = ? OR parent_id = ?)",
        (api_id, kind, item_id, item_id),
    )
    tx.execute("DELETE FROM apigwv2_items WHERE api_id = ? AND parent_id = ?", (api_id, item_id))


# --- WebSocket connections: which node holds each socket ---------------------------------------------


def insert_connection(tx: Tx, connection_id: str, api_id: str, stage: str, node: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO apigwv2_connections (connection_id, api_id, stage, node, doc) VALUES (?, ?, ?, ?, ?)",
        (connection_id, api_id, stage, node, json.dumps(doc)),
    )


def get_connection(tx: Tx, connection_id: str) -> tuple[str, str, str, dict[str, Any]] | None:
    """(api_id, stage, node, doc)."""
    row = tx.one("SELECT api_id, stage, node, doc FROM apigwv2_connections WHERE connection_id = ?", (connection_id,))
    return None if row is None else (row[0], row[1], row[2], json.loads(row[3]))


def delete_connection(tx: Tx, connection_id: str) -> None:
    tx.execute("DELETE FROM apigwv2_connections WHERE connection_id = ?", (connection_id,))


def delete_node_connections(tx: Tx, node: str) -> None:
    """At start: sockets this node held before a restart are gone, and so is what was relayed to them."""
    tx.execute("DELETE FROM apigwv2_connections WHERE node = ?", (node,))
    tx.execute("DELETE FROM apigwv2_relay WHERE node = ?", (node,))


RELAY_CHANNEL = "apigwv2-relay"


def relay(tx: Tx, node: str, connection_id: str, action: str, data: bytes) -> None:
    """Hand a PostToConnection ("post") or DeleteConnection ("delete") to the node holding the socket."""
    tx.execute(
        "INSERT INTO apigwv2_relay (node, connection_id, action, data) VALUES (?, ?, ?, ?)",
        (node, connection_id, action, data),
    )
    tx.notify(RELAY_CHANNEL, node)


def take_relayed(tx: Tx, node: str) -> list[tuple[str, str, bytes]]:
    """(connection id, action, data) relayed to this node, oldest first; taken rows are deleted."""
    rows = tx.all("SELECT id, connection_id, action, data FROM apigwv2_relay WHERE node = ? ORDER BY id", (node,))
    if rows:
        tx.execute("DELETE FROM apigwv2_relay WHERE node = ? AND id <= ?", (node, rows[-1][0]))
    return [(row[1], row[2], bytes(row[3])) for row in rows]


# --- account-level objects: VPC links, custom domain names and their API mappings ---------------------


DOMAINS_CHANNEL = "apigwv2-domains"  # a custom domain name was created or deleted: every node reloads its set


def get_entity(tx: Tx, kind: str, entity_id: str) -> tuple[str, str, dict[str, Any]] | None:
    """(account, region, doc) of a VPC link ("VpcLink"), domain name ("DomainName") or mapping ("ApiMapping")."""
    if "\x00" in entity_id:  # no identifier holds NUL (and PostgreSQL text cannot): not found on either backend
        return None
    row = tx.one(
        "SELECT account, region, doc FROM apigwv2_entities WHERE kind = ? AND entity_id = ?", (kind, entity_id)
    )
    return None if row is None else (row[0], row[1], json.loads(row[2]))


def list_entities(tx: Tx, account: str, region: str, kind: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT doc FROM apigwv2_entities WHERE account = ? AND region = ? AND kind = ? ORDER BY created_at, entity_id",
        (account, region, kind),
    )
    return [json.loads(row[0]) for row in rows]


def children(tx: Tx, kind: str, parent_id: str) -> list[dict[str, Any]]:
    """The API mappings of a domain name, in creation order."""
    rows = tx.all(
        "SELECT doc FROM apigwv2_entities WHERE parent_id = ? AND kind = ? ORDER BY created_at, entity_id",
        (parent_id, kind),
    )
    return [json.loads(row[0]) for row in rows]


def insert_entity(
    tx: Tx,
    account: str,
    region: str,
    kind: str,
    entity_id: str,
    doc: dict[str, Any],
    now: float,
    parent_id: str = "",
) -> None:
    tx.execute(
        "INSERT INTO apigwv2_entities (kind, entity_id, account, region, parent_id, doc, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, entity_id, account, region, parent_id, json.dumps(doc), now),
    )


def update_entity(tx: Tx, kind: str, entity_id: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE apigwv2_entities SET doc = ? WHERE kind = ? AND entity_id = ?", (json.dumps(doc), kind, entity_id)
    )


def delete_entity(tx: Tx, kind: str, entity_id: str) -> None:
    """The object and what is kept under it (a domain name's mappings)."""
    tx.execute("DELETE FROM apigwv2_entities WHERE kind = ? AND entity_id = ?", (kind, entity_id))
    tx.execute("DELETE FROM apigwv2_entities WHERE parent_id = ? AND kind = 'ApiMapping'", (entity_id,))


def domain_names(tx: Tx) -> list[str]:
    return [row[0] for row in tx.all("SELECT entity_id FROM apigwv2_entities WHERE kind = 'DomainName'")]
