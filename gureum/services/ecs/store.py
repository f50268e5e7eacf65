"""ECS's SQL: clusters, task definition revisions and families, account settings. Every function runs inside one
store transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from .clusters import Cluster

_CLUSTER_COLUMNS = (
    "id, account, region, name, status, created_at, settings, configuration, capacity_providers, strategy, "
    "service_connect, tags"
)
_JSON = frozenset({"settings", "configuration", "capacity_providers", "strategy", "service_connect", "tags"})
_SETTABLE = _JSON | {"status"}


def _cluster(row: tuple[Any, ...] | None) -> Cluster | None:
    if row is None:
        return None
    return Cluster(
        int(row[0]),
        row[1],
        row[2],
        row[3],
        row[4],
        float(row[5]),
        json.loads(row[6]),
        json.loads(row[7]) if row[7] else None,
        json.loads(row[8]),
        json.loads(row[9]),
        json.loads(row[10]) if row[10] else None,
        json.loads(row[11]),
    )


# --- clusters -------------------------------------------------------------------------------------------------


def cluster(tx: Tx, account: str, region: str, name: str) -> Cluster | None:
    return _cluster(
        tx.one(
            f"SELECT {_CLUSTER_COLUMNS} FROM ecs_clusters WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )


def active_clusters(tx: Tx, account: str, region: str) -> list[Cluster]:
    rows = tx.all(
        f"SELECT {_CLUSTER_COLUMNS} FROM ecs_clusters WHERE account = ? AND region = ? AND status = 'ACTIVE' "
        "ORDER BY name",
        (account, region),
    )
    return [found for found in map(_cluster, rows) if found is not None]


def insert_cluster(tx: Tx, found: Cluster) -> int:
    """A new cluster row, or the INACTIVE row of that name brought back with the new values."""
    values = (
        found.status,
        found.created_at,
        json.dumps(found.settings),
        json.dumps(found.configuration) if found.configuration else None,
        json.dumps(found.capacity_providers),
        json.dumps(found.strategy),
        json.dumps(found.service_connect) if found.service_connect else None,
        json.dumps(found.tags),
    )
    old = tx.one(
        "SELECT id FROM ecs_clusters WHERE account = ? AND region = ? AND name = ?",
        (found.account, found.region, found.name),
    )
    if old is not None:
        tx.execute(
            "UPDATE ecs_clusters SET status = ?, created_at = ?, settings = ?, configuration = ?, "
            "capacity_providers = ?, strategy = ?, service_connect = ?, tags = ? WHERE id = ?",
            (*values, old[0]),
        )
        return int(old[0])
    row = tx.one(
        "INSERT INTO ecs_clusters (account, region, name, status, created_at, settings, configuration, "
        "capacity_providers, strategy, service_connect, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (found.account, found.region, found.name, *values),
    )
    assert row is not None
    return int(row[0])


def update_cluster(tx: Tx, cluster_id: int, **values: Any) -> None:
    columns = sorted(values)
    assert set(columns) <= _SETTABLE, columns
    encoded = [(json.dumps(values[c]) if values[c] is not None else None) if c in _JSON else values[c] for c in columns]
    assignments = ", ".join(f"{column} = ?" for column in columns)
    tx.execute(f"UPDATE ecs_clusters SET {assignments} WHERE id = ?", (*encoded, cluster_id))


# --- task definitions -----------------------------------------------------------------------------------------


def next_revision(tx: Tx, account: str, region: str, family: str) -> int:
    """Take the family's next revision number (revisions are never reused, even after deletion)."""
    row = tx.one(
        "UPDATE ecs_families SET next_revision = next_revision + 1 WHERE account = ? AND region = ? AND family = ? "
        "RETURNING next_revision",
        (account, region, family),
    )
    if row is not None:
        return int(row[0]) - 1
    tx.execute(
        "INSERT INTO ecs_families (account, region, family, next_revision) VALUES (?, ?, ?, 2)",
        (account, region, family),
    )
    return 1


def insert_task_definition(
    tx: Tx, account: str, region: str, family: str, revision: int, body: dict[str, Any], tags: list[Any], at: float
) -> None:
    tx.execute(
        "INSERT INTO ecs_task_definitions (account, region, family, revision, status, body, tags, registered_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (account, region, family, revision, body["status"], json.dumps(body), json.dumps(tags), at),
    )


def task_definition(
    tx: Tx, account: str, region: str, family: str, revision: int | None
) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
    """(document, tags) of a revision; revision None: the family's latest ACTIVE one."""
    if revision is None:
        row = tx.one(
            "SELECT body, tags FROM ecs_task_definitions WHERE account = ? AND region = ? AND family = ? "
            "AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1",
            (account, region, family),
        )
    else:
        row = tx.one(
            "SELECT body, tags FROM ecs_task_definitions WHERE account = ? AND region = ? AND family = ? "
            "AND revision = ?",
            (account, region, family, revision),
        )
    return (json.loads(row[0]), json.loads(row[1])) if row else None


def save_task_definition(tx: Tx, account: str, region: str, body: dict[str, Any], tags: list[Any]) -> None:
    tx.execute(
        "UPDATE ecs_task_definitions SET status = ?, body = ?, tags = ? WHERE account = ? AND region = ? "
        "AND family = ? AND revision = ?",
        (body["status"], json.dumps(body), json.dumps(tags), account, region, body["family"], body["revision"]),
    )


def task_definition_keys(
    tx: Tx, account: str, region: str, family: str | None, status: str | None
) -> list[tuple[str, int, str]]:
    """(family, revision, status) of the revisions, by family and revision."""
    sql = "SELECT family, revision, status FROM ecs_task_definitions WHERE account = ? AND region = ?"
    params: list[Any] = [account, region]
    if family is not None:
        sql += " AND family = ?"
        params.append(family)
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    rows = tx.all(sql + " ORDER BY family, revision", params)
    return [(row[0], int(row[1]), row[2]) for row in rows]


# --- account settings -----------------------------------------------------------------------------------------


def account_settings(tx: Tx, account: str, region: str) -> dict[tuple[str, str], str]:
    """(principal, name) → value; principal '' is the account's default."""
    rows = tx.all(
        "SELECT principal, name, value FROM ecs_account_settings WHERE account = ? AND region = ?", (account, region)
    )
    return {(row[0], row[1]): row[2] for row in rows}


def put_account_setting(tx: Tx, account: str, region: str, principal: str, name: str, value: str) -> None:
    tx.execute(
        "DELETE FROM ecs_account_settings WHERE account = ? AND region = ? AND principal = ? AND name = ?",
        (account, region, principal, name),
    )
    tx.execute(
        "INSERT INTO ecs_account_settings (account, region, principal, name, value) VALUES (?, ?, ?, ?, ?)",
        (account, region, principal, name, value),
    )


def delete_account_setting(tx: Tx, account: str, region: str, principal: str, name: str) -> bool:
    found = tx.one(
        "SELECT 1 FROM ecs_account_settings WHERE account = ? AND region = ? AND principal = ? AND name = ?",
        (account, region, principal, name),
    )
    tx.execute(
        "DELETE FROM ecs_account_settings WHERE account = ? AND region = ? AND principal = ? AND name = ?",
        (account, region, principal, name),
    )
    return found is not None


# --- tasks ----------------------------------------------------------------------------------------------------

TASK_CHANNEL = "ecs-task"  # notified with a task id when StopTask asks its runner (on whichever node) to stop it


def insert_task(
    tx: Tx, task_id: str, account: str, region: str, cluster: str, family: str, doc: dict[str, Any], owner: str
) -> None:
    tx.execute(
        "INSERT INTO ecs_tasks (id, account, region, cluster, family, last_status, desired_status, stop_reason, "
        "started_by, launch_type, owner, created_at, stopped_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, "
        "NULL, ?)",
        (
            task_id,
            account,
            region,
            cluster,
            family,
            doc["lastStatus"],
            doc["desiredStatus"],
            doc.get("startedBy"),
            doc.get("launchType"),
            owner,
            doc["createdAt"],
            json.dumps(doc),
        ),
    )


def task(tx: Tx, task_id: str) -> tuple[dict[str, Any], str, str | None, str] | None:
    """(document, desired status, stop reason, owner) of a task; the document's desired status is the column's."""
    row = tx.one("SELECT body, desired_status, stop_reason, owner FROM ecs_tasks WHERE id = ?", (task_id,))
    if row is None:
        return None
    doc = json.loads(row[0])
    doc["desiredStatus"] = row[1]
    return doc, row[1], row[2], row[3]


def stop_request(tx: Tx, task_id: str) -> tuple[str, str]:
    """(stop code, reason) a stop request carries (UserInitiated and AWS's words when none was recorded)."""
    row = tx.one("SELECT stop_code, stop_reason FROM ecs_tasks WHERE id = ?", (task_id,))
    return ((row[0] or "UserInitiated"), (row[1] or "Task stopped by user")) if row else ("UserInitiated", "")


def save_task(tx: Tx, task_id: str, doc: dict[str, Any]) -> None:
    """The runner's view of the task (its last status, containers, times)."""
    tx.execute(
        "UPDATE ecs_tasks SET body = ?, last_status = ?, stopped_at = ? WHERE id = ?",
        (json.dumps(doc), doc["lastStatus"], doc.get("stoppedAt"), task_id),
    )


def request_stop(tx: Tx, task_id: str, reason: str, code: str = "UserInitiated") -> bool:
    """Desired status STOPPED, with the stop code and reason the task will report (False: the task had stopped, or
    was asked to, already)."""
    row = tx.one("SELECT desired_status FROM ecs_tasks WHERE id = ?", (task_id,))
    if row is None or row[0] == "STOPPED":
        return False
    tx.execute(
        "UPDATE ecs_tasks SET desired_status = 'STOPPED', stop_reason = ?, stop_code = ? WHERE id = ?",
        (reason, code, task_id),
    )
    tx.notify(TASK_CHANNEL, task_id)
    return True


def task_ids(
    tx: Tx,
    account: str,
    region: str,
    cluster: str,
    family: str | None,
    started_by: str | None,
    desired: str,
    launch_type: str | None,
) -> list[str]:
    sql = "SELECT id FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND desired_status = ?"
    params: list[Any] = [account, region, cluster, desired]
    for column, value in (("family", family), ("started_by", started_by), ("launch_type", launch_type)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return [row[0] for row in tx.all(sql + " ORDER BY created_at, id", params)]


def unfinished(tx: Tx, owner: str) -> list[str]:
    """Tasks the engine ``owner`` runs that have not stopped (adopted or reported STOPPED after a restart)."""
    return [row[0] for row in tx.all("SELECT id FROM ecs_tasks WHERE owner = ? AND last_status <> 'STOPPED'", (owner,))]


def task_counts(tx: Tx, account: str, region: str, cluster: str) -> dict[str, int]:
    rows = tx.all(
        "SELECT last_status, COUNT(*) FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? "
        "AND last_status <> 'STOPPED' GROUP BY last_status",
        (account, region, cluster),
    )
    counts = {row[0]: int(row[1]) for row in rows}
    running = counts.get("RUNNING", 0)
    return {"running": running, "pending": sum(counts.values()) - running}


def forget_stopped(tx: Tx, before: float) -> int:
    """Stopped tasks stay visible for a while (AWS: about an hour), then go."""
    row = tx.one("SELECT COUNT(*) FROM ecs_tasks WHERE last_status = 'STOPPED' AND stopped_at < ?", (before,))
    tx.execute("DELETE FROM ecs_tasks WHERE last_status = 'STOPPED' AND stopped_at < ?", (before,))
    return int(row[0]) if row else 0


# --- services -------------------------------------------------------------------------------------------------


def service(tx: Tx, account: str, region: str, cluster: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT body FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND name = ?",
        (account, region, cluster, name),
    )
    return json.loads(row[0]) if row else None


def insert_service(tx: Tx, account: str, region: str, cluster: str, doc: dict[str, Any]) -> None:
    """A new service (or one of that name that went INACTIVE, replaced)."""
    tx.execute(
        "DELETE FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND name = ? "
        "AND status = 'INACTIVE'",
        (account, region, cluster, doc["serviceName"]),
    )
    tx.execute(
        "INSERT INTO ecs_services (account, region, cluster, name, status, created_at, body) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (account, region, cluster, doc["serviceName"], doc["status"], doc["createdAt"], json.dumps(doc)),
    )


def save_service(tx: Tx, account: str, region: str, cluster: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "UPDATE ecs_services SET status = ?, body = ? WHERE account = ? AND region = ? AND cluster = ? AND name = ?",
        (doc["status"], json.dumps(doc), account, region, cluster, doc["serviceName"]),
    )


def service_names(tx: Tx, account: str, region: str, cluster: str) -> list[str]:
    rows = tx.all(
        "SELECT name FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status <> 'INACTIVE' "
        "ORDER BY name",
        (account, region, cluster),
    )
    return [row[0] for row in rows]


def scheduled_services(tx: Tx) -> list[tuple[str, str, str, str]]:
    """(account, region, cluster, name) of every service the scheduler keeps (ACTIVE or DRAINING)."""
    rows = tx.all("SELECT account, region, cluster, name FROM ecs_services WHERE status <> 'INACTIVE' ORDER BY id")
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def active_service_count(tx: Tx, account: str, region: str, cluster: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status = 'ACTIVE'",
        (account, region, cluster),
    )
    return int(row[0]) if row else 0


def tasks_started_by(
    tx: Tx, account: str, region: str, cluster: str, started_by: list[str]
) -> list[tuple[str, str, str, str, str | None, str]]:
    """(id, started_by, last_status, desired_status, stopCode, healthStatus) of the tasks the given deployments
    started."""
    if not started_by:
        return []
    marks = ", ".join("?" for _ in started_by)
    rows = tx.all(
        f"SELECT id, started_by, last_status, desired_status, body FROM ecs_tasks WHERE account = ? AND region = ? "
        f"AND cluster = ? AND started_by IN ({marks})",
        (account, region, cluster, *started_by),
    )
    out = []
    for row in rows:
        body = json.loads(row[4])
        out.append((row[0], row[1], row[2], row[3], body.get("stopCode"), body.get("healthStatus", "UNKNOWN")))
    return out


# --- capacity providers and this machine ----------------------------------------------------------------------


def capacity_provider(tx: Tx, account: str, region: str, name: str) -> dict[str, Any] | None:
    row = tx.one(
        "SELECT body FROM ecs_capacity_providers WHERE account = ? AND region = ? AND name = ?", (account, region, name)
    )
    return json.loads(row[0]) if row else None


def capacity_providers(tx: Tx, account: str, region: str) -> list[dict[str, Any]]:
    rows = tx.all(
        "SELECT body FROM ecs_capacity_providers WHERE account = ? AND region = ? AND status = 'ACTIVE' ORDER BY name",
        (account, region),
    )
    return [json.loads(row[0]) for row in rows]


def save_capacity_provider(tx: Tx, account: str, region: str, doc: dict[str, Any]) -> None:
    tx.execute(
        "DELETE FROM ecs_capacity_providers WHERE account = ? AND region = ? AND name = ?",
        (account, region, doc["name"]),
    )
    tx.execute(
        "INSERT INTO ecs_capacity_providers (account, region, name, status, body) VALUES (?, ?, ?, ?, ?)",
        (account, region, doc["name"], doc["status"], json.dumps(doc)),
    )


def providers_in_use(tx: Tx, account: str, region: str) -> set[str]:
    """The capacity providers ACTIVE clusters use."""
    rows = tx.all(
        "SELECT capacity_providers FROM ecs_clusters WHERE account = ? AND region = ? AND status = 'ACTIVE'",
        (account, region),
    )
    return {name for row in rows for name in json.loads(row[0])}


def active_ec2_tasks(tx: Tx, account: str, region: str, cluster: str) -> list[dict[str, Any]]:
    """The documents of the cluster's EC2 tasks that have not stopped (what this machine's instance runs)."""
    rows = tx.all(
        "SELECT body FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND launch_type = 'EC2' "
        "AND last_status <> 'STOPPED'",
        (account, region, cluster),
    )
    return [json.loads(row[0]) for row in rows]
