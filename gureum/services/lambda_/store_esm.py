"""Lambda's SQL for event source mappings (lambda_event_source_mappings) and their stream checkpoints
(lambda_esm_checkpoints); every function runs inside one store transaction (``tx``). A write of a mapping notifies
CHANNEL at commit, so the leader's pollers look again."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .mappings import CHANNEL, Mapping

_COLUMNS = "uuid, account, region, function_arn, source_arn, state, config"


def _mapping(row: tuple[Any, ...]) -> Mapping:
    uuid, account, region, function_arn, source_arn, state, config = row
    return Mapping(uuid, account, region, function_arn, source_arn, state, json.loads(config))


def insert_mapping(tx: Tx, m: Mapping) -> None:
    tx.execute(
        f"INSERT INTO lambda_event_source_mappings ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (m.uuid, m.account, m.region, m.function_arn, m.source_arn, m.state, json.dumps(m.config)),
    )
    tx.notify(CHANNEL, m.uuid)


def update_mapping(tx: Tx, m: Mapping) -> None:
    tx.execute(
        "UPDATE lambda_event_source_mappings SET function_arn = ?, state = ?, config = ? WHERE uuid = ?",
        (m.function_arn, m.state, json.dumps(m.config), m.uuid),
    )
    tx.notify(CHANNEL, m.uuid)


def set_state(tx: Tx, uuid: str, state: str) -> None:
    """Move a mapping to ``state`` (the leader's pass; no notification: the leader itself made the change)."""
    tx.execute("UPDATE lambda_event_source_mappings SET state = ? WHERE uuid = ?", (state, uuid))


def set_config(tx: Tx, uuid: str, config: dict[str, Any]) -> None:
    """Replace a mapping's settings without notifying (LastProcessingResult changes restart no poller)."""
    tx.execute("UPDATE lambda_event_source_mappings SET config = ? WHERE uuid = ?", (json.dumps(config), uuid))


def delete_mapping(tx: Tx, uuid: str) -> None:
    tx.execute("DELETE FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))
    tx.execute("DELETE FROM lambda_esm_checkpoints WHERE uuid = ?", (uuid,))


def get_mapping(tx: Tx, uuid: str) -> Mapping | None:
    row = tx.one(f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE uuid = ?", (uuid,))
    return None if row is None else _mapping(row)


def find_mapping(tx: Tx, function_arn: str, source_arn: str) -> Mapping | None:
    row = tx.one(
        f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE function_arn = ? AND source_arn = ?",
        (function_arn, source_arn),
    )
    return None if row is None else _mapping(row)


def list_mappings(
    tx: Tx, account: str, region: str, function_arn: str | None, source_arn: str | None, after: str, limit: int
) -> list[Mapping]:
    where, params = "account = ? AND region = ? AND uuid > ?", [account, region, after]
    if function_arn is not None:
        where += " AND function_arn = ?"
        params.append(function_arn)
    if source_arn is not None:
        where += " AND source_arn = ?"
        params.append(source_arn)
    rows = tx.all(
        f"SELECT {_COLUMNS} FROM lambda_event_source_mappings WHERE {where} ORDER BY uuid LIMIT ?", (*params, limit)
    )
    return [_mapping(row) for row in rows]


def every_mapping(tx: Tx) -> list[Mapping]:
    """Every mapping of every account, by uuid."""
    return [_mapping(row) for row in tx.all(f"SELECT {_COLUMNS} FROM lambda_event_source_mappings ORDER BY uuid")]


# --- stream checkpoints ------------------------------------------------------------------------------------------


def checkpoints(tx: Tx, uuid: str) -> dict[str, tuple[str, bool]]:
    """shard id → (sequence number of the last record processed, whether the shard was read to its end)."""
    rows = tx.all("SELECT shard_id, sequence, finished FROM lambda_esm_checkpoints WHERE uuid = ?", (uuid,))
    return {shard: (sequence, bool(finished)) for shard, sequence, finished in rows}


def save_checkpoint(tx: Tx, uuid: str, shard_id: str, sequence: str, finished: bool) -> None:
    tx.execute(
        "INSERT INTO lambda_esm_checkpoints (uuid, shard_id, sequence, finished) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (uuid, shard_id) DO UPDATE SET sequence = excluded.sequence, finished = excluded.finished",
        (uuid, shard_id, sequence, int(finished)),
    )
