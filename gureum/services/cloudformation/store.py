"""CloudFormation's SQL: stacks, resources, events, exports, change sets and custom resource responses. Every
function runs inside one store transaction (``tx``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx

_STACK = "stack_id, account, region, name, status, reason, created_at, updated_at, deleted_at, doc, driver, lease_until"
_RESOURCE = "logical_id, type, physical_id, status, reason, updated_at, props, attrs, deps, policy, retired"
IN_PROGRESS_SUFFIX = "_IN_PROGRESS"


@dataclass
class Stack:
    stack_id: str
    account: str
    region: str
    name: str
    status: str
    reason: str | None
    created_at: float
    updated_at: float | None
    deleted_at: float | None
    doc: dict[str, Any]
    driver: str | None = None
    lease_until: float | None = None


@dataclass
class Resource:
    logical_id: str
    type: str
    physical_id: str | None
    status: str
    reason: str | None
    updated_at: float
    props: dict[str, Any]
    attrs: dict[str, Any]
    deps: list[str]
    policy: dict[str, str]  # DeletionPolicy, UpdateReplacePolicy
    retired: list[dict[str, Any]]  # replaced physical resources still to delete: {physical_id, props, attrs}


def _stack(row: tuple[Any, ...] | None) -> Stack | None:
    if row is None:
        return None
    return Stack(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], json.loads(row[9]), row[10], row[11]
    )


def insert_stack(tx: Tx, stack: Stack) -> None:
    tx.execute(
        f"INSERT INTO cfn_stacks ({_STACK}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stack.stack_id,
            stack.account,
            stack.region,
            stack.name,
            stack.status,
            stack.reason,
            stack.created_at,
            stack.updated_at,
            stack.deleted_at,
            json.dumps(stack.doc),
            stack.driver,
            stack.lease_until,
        ),
    )


def save_stack(tx: Tx, stack: Stack) -> None:
    tx.execute(
        "UPDATE cfn_stacks SET status = ?, reason = ?, updated_at = ?, deleted_at = ?, doc = ? WHERE stack_id = ?",
        (stack.status, stack.reason, stack.updated_at, stack.deleted_at, json.dumps(stack.doc), stack.stack_id),
    )


def live_stack(tx: Tx, account: str, region: str, name: str) -> Stack | None:
    """The stack named ``name`` that is not deleted."""
    return _stack(
        tx.one(
            f"SELECT {_STACK} FROM cfn_stacks WHERE account = ? AND region = ? AND name = ? AND deleted_at IS NULL",
            (account, region, name),
        )
    )


def stack_by_id(tx: Tx, stack_id: str) -> Stack | None:
    return _stack(tx.one(f"SELECT {_STACK} FROM cfn_stacks WHERE stack_id = ?", (stack_id,)))


def stacks(tx: Tx, account: str, region: str, deleted_since: float | None) -> list[Stack]:
    """The account's stacks, newest first: live ones, and deleted ones since ``deleted_since`` (None: none)."""
    rows = tx.all(
        f"SELECT {_STACK} FROM cfn_stacks WHERE account = ? AND region = ? AND (deleted_at IS NULL OR deleted_at > ?)"
        " ORDER BY created_at DESC, id DESC",
        (account, region, deleted_since if deleted_since is not None else 1e18),
    )
    return [s for s in map(_stack, rows) if s is not None]


def in_progress(tx: Tx) -> list[Stack]:
    rows = tx.all(f"SELECT {_STACK} FROM cfn_stacks WHERE status LIKE ?", ("%" + IN_PROGRESS_SUFFIX,))
    return [s for s in map(_stack, rows) if s is not None and s.status != "REVIEW_IN_PROGRESS"]


def claim(tx: Tx, stack_id: str, driver: str, lease_until: float, now: float, force: bool) -> bool:
    """Make ``driver`` the node that drives the stack, unless another node's lease is still running."""
    if force:
        cur = tx.execute(
            "UPDATE cfn_stacks SET driver = ?, lease_until = ? WHERE stack_id = ?", (driver, lease_until, stack_id)
        )
    else:
        cur = tx.execute(
            "UPDATE cfn_stacks SET driver = ?, lease_until = ? WHERE stack_id = ? AND "
            "(driver IS NULL OR driver = ? OR lease_until IS NULL OR lease_until < ?)",
            (driver, lease_until, stack_id, driver, now),
        )
    return bool(cur.rowcount)


def renew(tx: Tx, driver: str, stack_ids: list[str], lease_until: float) -> None:
    for stack_id in stack_ids:
        tx.execute(
            "UPDATE cfn_stacks SET lease_until = ? WHERE stack_id = ? AND driver = ?", (lease_until, stack_id, driver)
        )


# --- resources -------------------------------------------------------------------------------------------------


def _resource(row: tuple[Any, ...]) -> Resource:
    return Resource(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        json.loads(row[6]),
        json.loads(row[7]),
        json.loads(row[8]),
        json.loads(row[9]),
        json.loads(row[10]),
    )


def resources(tx: Tx, stack_id: str) -> list[Resource]:
    rows = tx.all(f"SELECT {_RESOURCE} FROM cfn_resources WHERE stack_id = ? ORDER BY logical_id", (stack_id,))
    return [_resource(r) for r in rows]


def put_resource(tx: Tx, stack_id: str, r: Resource) -> None:
    tx.execute("DELETE FROM cfn_resources WHERE stack_id = ? AND logical_id = ?", (stack_id, r.logical_id))
    tx.execute(
        f"INSERT INTO cfn_resources (stack_id, {_RESOURCE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stack_id,
            r.logical_id,
            r.type,
            r.physical_id,
            r.status,
            r.reason,
            r.updated_at,
            json.dumps(r.props),
            json.dumps(r.attrs),
            json.dumps(r.deps),
            json.dumps(r.policy),
            json.dumps(r.retired),
        ),
    )


def drop_resource(tx: Tx, stack_id: str, logical_id: str) -> None:
    tx.execute("DELETE FROM cfn_resources WHERE stack_id = ? AND logical_id = ?", (stack_id, logical_id))


def find_physical(tx: Tx, account: str, region: str, physical_id: str) -> tuple[str, str] | None:
    """(stack id, logical id) of the live stack resource whose physical id is ``physical_id``."""
    row = tx.one(
        "SELECT r.stack_id, r.logical_id FROM cfn_resources r JOIN cfn_stacks s ON s.stack_id = r.stack_id "
        "WHERE r.physical_id = ? AND s.account = ? AND s.region = ? AND s.deleted_at IS NULL",
        (physical_id, account, region),
    )
    return (row[0], row[1]) if row else None


# --- events ----------------------------------------------------------------------------------------------------


def add_event(tx: Tx, stack_id: str, event: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cfn_events (stack_id, event_id, ts, logical_id, physical_id, type, status, reason, props) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stack_id,
            event["EventId"],
            event["Timestamp"],
            event["LogicalResourceId"],
            event.get("PhysicalResourceId"),
            event["ResourceType"],
            event["ResourceStatus"],
            event.get("ResourceStatusReason"),
            event.get("ResourceProperties"),
        ),
    )


def events(tx: Tx, stack_id: str, before: int | None, limit: int) -> list[tuple[int, dict[str, Any]]]:
    rows = tx.all(
        "SELECT id, event_id, ts, logical_id, physical_id, type, status, reason, props FROM cfn_events "
        "WHERE stack_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        (stack_id, before if before is not None else 2**62, limit),
    )
    out = []
    for row in rows:
        event = {
            "EventId": row[1],
            "Timestamp": row[2],
            "LogicalResourceId": row[3],
            "ResourceType": row[5],
            "ResourceStatus": row[6],
        }
        if row[4] is not None:
            event["PhysicalResourceId"] = row[4]
        if row[7] is not None:
            event["ResourceStatusReason"] = row[7]
        if row[8] is not None:
            event["ResourceProperties"] = row[8]
        out.append((int(row[0]), event))
    return out


# --- exports ---------------------------------------------------------------------------------------------------


def exports(tx: Tx, account: str, region: str) -> dict[str, tuple[str, str]]:
    rows = tx.all(
        "SELECT name, value, stack_id FROM cfn_exports WHERE account = ? AND region = ? ORDER BY name",
        (account, region),
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def replace_exports(tx: Tx, account: str, region: str, stack_id: str, values: dict[str, str]) -> str | None:
    """Make ``values`` the stack's exports; the name of one another stack already exports, else None."""
    for name in values:
        row = tx.one(
            "SELECT stack_id FROM cfn_exports WHERE account = ? AND region = ? AND name = ?", (account, region, name)
        )
        if row is not None and row[0] != stack_id:
            return name
    tx.execute("DELETE FROM cfn_exports WHERE stack_id = ?", (stack_id,))
    for name, value in values.items():
        tx.execute(
            "INSERT INTO cfn_exports (account, region, name, value, stack_id) VALUES (?, ?, ?, ?, ?)",
            (account, region, name, value, stack_id),
        )
    return None


def importers(tx: Tx, account: str, region: str, name: str) -> list[str]:
    """Names of the live stacks that import the export ``name``."""
    rows = tx.all(
        "SELECT name, doc FROM cfn_stacks WHERE account = ? AND region = ? AND deleted_at IS NULL",
        (account, region),
    )
    return [r[0] for r in rows if name in json.loads(r[1]).get("imports", [])]


# --- change sets -----------------------------------------------------------------------------------------------

_CHANGE_SET = "arn, stack_id, name, status, execution_status, created_at, doc"


def _change_set(row: tuple[Any, ...] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "arn": row[0],
        "stack_id": row[1],
        "name": row[2],
        "status": row[3],
        "execution_status": row[4],
        "created_at": row[5],
        **json.loads(row[6]),
    }


def put_change_set(tx: Tx, cs: dict[str, Any]) -> None:
    base = ("arn", "stack_id", "name", "status", "execution_status", "created_at")
    doc = json.dumps({k: v for k, v in cs.items() if k not in base})
    tx.execute("DELETE FROM cfn_change_sets WHERE arn = ?", (cs["arn"],))
    tx.execute(
        f"INSERT INTO cfn_change_sets ({_CHANGE_SET}) VALUES (?, ?, ?, ?, ?, ?, ?)", (*(cs[k] for k in base), doc)
    )


def change_set(tx: Tx, arn: str) -> dict[str, Any] | None:
    return _change_set(tx.one(f"SELECT {_CHANGE_SET} FROM cfn_change_sets WHERE arn = ?", (arn,)))


def change_set_named(tx: Tx, stack_id: str, name: str) -> dict[str, Any] | None:
    return _change_set(
        tx.one(f"SELECT {_CHANGE_SET} FROM cfn_change_sets WHERE stack_id = ? AND name = ?", (stack_id, name))
    )


def change_sets(tx: Tx, stack_id: str) -> list[dict[str, Any]]:
    rows = tx.all(f"SELECT {_CHANGE_SET} FROM cfn_change_sets WHERE stack_id = ? ORDER BY id", (stack_id,))
    return [c for c in map(_change_set, rows) if c is not None]


def drop_change_set(tx: Tx, arn: str) -> None:
    tx.execute("DELETE FROM cfn_change_sets WHERE arn = ?", (arn,))


def drop_change_sets(tx: Tx, stack_id: str, keep: str | None = None) -> None:
    tx.execute("DELETE FROM cfn_change_sets WHERE stack_id = ? AND arn <> ?", (stack_id, keep or ""))


# --- custom resource responses ---------------------------------------------------------------------------------


def expect_response(tx: Tx, token: str, now: float) -> None:
    tx.execute("DELETE FROM cfn_custom_responses WHERE token = ?", (token,))
    tx.execute("INSERT INTO cfn_custom_responses (token, body, created_at) VALUES (?, NULL, ?)", (token, now))


def record_response(tx: Tx, token: str, body: str) -> bool:
    cur = tx.execute("UPDATE cfn_custom_responses SET body = ? WHERE token = ? AND body IS NULL", (body, token))
    if cur.rowcount:
        tx.notify("cfn_custom_response", token)
    return bool(cur.rowcount)


def take_response(tx: Tx, token: str) -> str | None:
    row = tx.one("SELECT body FROM cfn_custom_responses WHERE token = ?", (token,))
    if row is not None and row[0] is not None:
        tx.execute("DELETE FROM cfn_custom_responses WHERE token = ?", (token,))
        return str(row[0])
    return None


# --- wait condition signals ------------------------------------------------------------------------------------


def put_signal(tx: Tx, token: str, unique_id: str, body: str, now: float) -> None:
    tx.execute("DELETE FROM cfn_signals WHERE token = ? AND unique_id = ?", (token, unique_id))
    tx.execute(
        "INSERT INTO cfn_signals (token, unique_id, body, created_at) VALUES (?, ?, ?, ?)",
        (token, unique_id, body, now),
    )


def signals(tx: Tx, token: str) -> list[str]:
    return [str(r[0]) for r in tx.all("SELECT body FROM cfn_signals WHERE token = ? ORDER BY created_at", (token,))]


def drop_signals(tx: Tx, token: str) -> None:
    tx.execute("DELETE FROM cfn_signals WHERE token = ?", (token,))


# --- macros -----------------------------------------------------------------------------------------------------


def put_macro(tx: Tx, account: str, region: str, name: str, function: str, stack_id: str, at: float) -> bool:
    """Register (or, for the stack that owns it, change) a macro; False when another stack owns the name."""
    row = tx.one(
        "SELECT stack_id FROM cfn_macros WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    if row is not None and row[0] != stack_id:
        return False
    tx.execute("DELETE FROM cfn_macros WHERE account = ? AND region = ? AND name = ?", (account, region, name))
    tx.execute(
        "INSERT INTO cfn_macros (account, region, name, function_name, stack_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (account, region, name, function, stack_id, at),
    )
    return True


def drop_macro(tx: Tx, account: str, region: str, name: str, stack_id: str) -> None:
    tx.execute(
        "DELETE FROM cfn_macros WHERE account = ? AND region = ? AND name = ? AND stack_id = ?",
        (account, region, name, stack_id),
    )


def macro_function(tx: Tx, account: str, region: str, name: str) -> str | None:
    row = tx.one(
        "SELECT function_name FROM cfn_macros WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    return None if row is None else str(row[0])


# --- drift ------------------------------------------------------------------------------------------------------


def put_drift_detection(tx: Tx, detection_id: str, stack_id: str, at: float, doc: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO cfn_drift_detections (detection_id, stack_id, created_at, doc) VALUES (?, ?, ?, ?)",
        (detection_id, stack_id, at, json.dumps(doc)),
    )


def drift_detection(tx: Tx, detection_id: str) -> dict[str, Any] | None:
    row = tx.one("SELECT doc FROM cfn_drift_detections WHERE detection_id = ?", (detection_id,))
    return None if row is None else dict(json.loads(row[0]))


def latest_drift_detection(tx: Tx, stack_id: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT doc FROM cfn_drift_detections WHERE stack_id = ? ORDER BY created_at DESC LIMIT 1", (stack_id,)
    )
    return None if row is None else dict(json.loads(row[0]))


def put_resource_drift(tx: Tx, stack_id: str, logical_id: str, doc: dict[str, Any]) -> None:
    tx.execute("DELETE FROM cfn_resource_drifts WHERE stack_id = ? AND logical_id = ?", (stack_id, logical_id))
    tx.execute(
        "INSERT INTO cfn_resource_drifts (stack_id, logical_id, doc) VALUES (?, ?, ?)",
        (stack_id, logical_id, json.dumps(doc)),
    )


def resource_drifts(tx: Tx, stack_id: str) -> list[dict[str, Any]]:
    rows = tx.all("SELECT doc FROM cfn_resource_drifts WHERE stack_id = ? ORDER BY logical_id", (stack_id,))
    return [dict(json.loads(r[0])) for r in rows]
