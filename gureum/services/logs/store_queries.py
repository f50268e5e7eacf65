"""CloudWatch Logs' SQL for query definitions: every function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx

_COLUMNS = "definition_id, name, doc, updated_at"


@dataclass(slots=True)
class QueryDefinition:
    definition_id: str
    name: str
    doc: dict[str, Any]  # queryLanguage, queryString, logGroupNames, parameters
    updated_at: int


def _definition(row: Sequence[Any]) -> QueryDefinition:
    return QueryDefinition(row[0], row[1], json.loads(row[2]), row[3])


def get_query_definition(tx: Tx, account: str, region: str, definition_id: str) -> QueryDefinition | None:
    row = tx.one(
        f"SELECT {_COLUMNS} FROM logs_query_definitions WHERE account = ? AND region = ? AND definition_id = ?",
        (account, region, definition_id),
    )
    return None if row is None else _definition(row)


def list_query_definitions(tx: Tx, account: str, region: str) -> list[QueryDefinition]:
    rows = tx.all(f"SELECT {_COLUMNS} FROM logs_query_definitions WHERE account = ? AND region = ?", (account, region))
    return [_definition(row) for row in rows]


def count_query_definitions(tx: Tx, account: str, region: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM logs_query_definitions WHERE account = ? AND region = ?", (account, region))
    return int(row[0]) if row else 0


def put_query_definition(tx: Tx, account: str, region: str, definition: QueryDefinition) -> None:
    """Create the definition, or replace the one with its id."""
    tx.execute(
        f"INSERT INTO logs_query_definitions (account, region, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, definition_id) DO UPDATE SET name = excluded.name, doc = excluded.doc, "
        "updated_at = excluded.updated_at",
        (account, region, definition.definition_id, definition.name, json.dumps(definition.doc), definition.updated_at),
    )


def delete_query_definition(tx: Tx, account: str, region: str, definition_id: str) -> bool:
    return bool(
        tx.execute(
            "DELETE FROM logs_query_definitions WHERE account = ? AND region = ? AND definition_id = ?",
            (account, region, definition_id),
        ).rowcount
    )
