"""AWS Batch's SQL: resources (compute environments, job queues, job definitions, scheduling policies) and jobs.
Every function runs inside one store transaction (``tx``) on the store's thread."""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx

JOB_CHANNEL = "batch-jobs"  # notified when the scheduler has work: a job submitted, finished or to be terminated
TERMINAL = ("SUCCEEDED", "FAILED")

# --- resources ---------------------------------------------------------------------------------------------------


def resource(tx: Tx, arn: str) -> dict[str, Any] | None:
    row = tx.one("SELECT body FROM batch_resources WHERE arn = ?", (arn,))
    return json.loads(row[0]) if row else None


def resources(tx: Tx, account: str, region: str, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    """The account's resources of one kind (optionally of one name), by name then revision."""
    sql = "SELECT body FROM batch_resources WHERE account = ? AND region = ? AND kind = ?"
    params: list[Any] = [account, region, kind]
    if name is not None:
        sql += " AND name = ?"
        params.append(name)
    return [json.loads(row[0]) for row in tx.all(sql + " ORDER BY name, revision", params)]


def all_resources(tx: Tx, kind: str) -> list[dict[str, Any]]:
    return [json.loads(row[0]) for row in tx.all("SELECT body FROM batch_resources WHERE kind = ?", (kind,))]


def put_resource(
    tx: Tx, arn: str, account: str, region: str, kind: str, name: str, revision: int, status: str, at: float, body: Any
) -> None:
    text = json.dumps(body)
    if tx.one("SELECT 1 FROM batch_resources WHERE arn = ?", (arn,)) is None:
        tx.execute(
            "INSERT INTO batch_resources (arn, account, region, kind, name, revision, status, created_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (arn, account, region, kind, name, revision, status, at, text),
        )
    else:
        tx.execute("UPDATE batch_resources SET status = ?, body = ? WHERE arn = ?", (status, text, arn))


def delete_resource(tx: Tx, arn: str) -> None:
    tx.execute("DELETE FROM batch_resources WHERE arn = ?", (arn,))


def last_revision(tx: Tx, account: str, region: str, name: str) -> int:
    row = tx.one(
        "SELECT MAX(revision) FROM batch_resources WHERE account = ? AND region = ? AND kind = 'jd' AND name = ?",
        (account, region, name),
    )
    return int(row[0]) if row and row[0] is not None else 0


# --- jobs --------------------------------------------------------------------------------------------------------

_JOB_COLUMNS = "id, account, region, queue, name, status, parent, created_at, share, priority, ce, vcpus, memory, "
_JOB_COLUMNS += "definition, body"


def insert_jobs(tx: Tx, rows: list[dict[str, Any]]) -> None:
    """New jobs: each {"id", "account", "region", "queue", "name", "status", "parent", "created_at", "share",
    "priority", "vcpus", "memory", "definition", "body"}."""
    tx.executemany(
        f"INSERT INTO batch_jobs ({_JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r["id"],
                r["account"],
                r["region"],
                r["queue"],
                r["name"],
                r["status"],
                r.get("parent"),
                r["created_at"],
                r.get("share"),
                int(r.get("priority") or 0),
                None,
                float(r["vcpus"]),
                int(r["memory"]),
                r["definition"],
                json.dumps(r["body"]),
            )
            for r in rows
        ],
    )


def _doc(row: tuple[Any, ...]) -> dict[str, Any]:
    """A job's document from (body, stop_kind, stop_reason): a pending stop request under "_gureum"."""
    doc: dict[str, Any] = json.loads(row[0])
    if row[1]:
        doc.setdefault("_gureum", {})["stop"] = {"kind": row[1], "reason": row[2] or ""}
    return doc


_BODY = "body, stop_kind, stop_reason"


def job(tx: Tx, job_id: str) -> dict[str, Any] | None:
    row = tx.one(f"SELECT {_BODY} FROM batch_jobs WHERE id = ?", (job_id,))
    return _doc(row) if row else None


def jobs(tx: Tx, ids: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        marks = ", ".join("?" for _ in chunk)
        out += [_doc(r) for r in tx.all(f"SELECT {_BODY} FROM batch_jobs WHERE id IN ({marks})", chunk)]
    return out


def statuses(tx: Tx, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        marks = ", ".join("?" for _ in chunk)
        out.update({r[0]: r[1] for r in tx.all(f"SELECT id, status FROM batch_jobs WHERE id IN ({marks})", chunk)})
    return out


def save_job(tx: Tx, doc: dict[str, Any], ce: str | None = None) -> None:
    """Write the job's document and status (a stop request stays in its own columns)."""
    body = {**doc, "_gureum": {k: v for k, v in doc.get("_gureum", {}).items() if k != "stop"}}
    tx.execute(
        "UPDATE batch_jobs SET status = ?, ce = ?, body = ? WHERE id = ?",
        (doc["status"], ce, json.dumps(body), doc["jobId"]),
    )


def request_stop(tx: Tx, job_id: str, kind: str, reason: str, statuses: tuple[str, ...]) -> bool:
    """Record CancelJob's or TerminateJob's request (the first one stays) on a job in one of ``statuses``."""
    marks = ", ".join("?" for _ in statuses)
    done = tx.one(
        f"UPDATE batch_jobs SET stop_kind = ?, stop_reason = ? WHERE id = ? AND stop_kind IS NULL "
        f"AND status IN ({marks}) RETURNING id",
        (kind, reason, job_id, *statuses),
    )
    return done is not None


def set_tags(tx: Tx, job_id: str, tags: dict[str, str]) -> None:
    row = tx.one("SELECT body FROM batch_jobs WHERE id = ?", (job_id,))
    if row is not None:
        body = json.loads(row[0])
        body["tags"] = tags
        tx.execute("UPDATE batch_jobs SET body = ? WHERE id = ?", (json.dumps(body), job_id))


def jobs_in(tx: Tx, status_list: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every job in one of these statuses (the scheduler's view), oldest first."""
    marks = ", ".join("?" for _ in status_list)
    rows = tx.all(f"SELECT {_BODY} FROM batch_jobs WHERE status IN ({marks}) ORDER BY created_at, id", status_list)
    return [_doc(r) for r in rows]


def children_summary(tx: Tx, parent: str) -> dict[str, int]:
    rows = tx.all("SELECT status, COUNT(*) FROM batch_jobs WHERE parent = ? GROUP BY status", (parent,))
    return {r[0]: int(r[1]) for r in rows}


def children(tx: Tx, parent: str, status_list: tuple[str, ...]) -> list[str]:
    marks = ", ".join("?" for _ in status_list)
    rows = tx.all(f"SELECT id FROM batch_jobs WHERE parent = ? AND status IN ({marks})", (parent, *status_list))
    return [r[0] for r in rows]


def list_jobs(
    tx: Tx,
    account: str,
    region: str,
    queue: str | None,
    parent: str | None,
    status_list: tuple[str, ...] | None,
    name_prefix: str | None,
    name_exact: str | None,
    after: float | None,
    before: float | None,
    definition: str | None,
    offset: int,
    limit: int,
) -> list[dict[str, Any]]:
    """A page of jobs (newest first) matching the filters; ``limit + 1`` rows tell whether more follow."""
    sql = f"SELECT {_BODY} FROM batch_jobs WHERE account = ? AND region = ?"
    params: list[Any] = [account, region]
    if queue is not None:
        sql += " AND queue = ? AND parent IS NULL"
        params.append(queue)
    if parent is not None:
        sql += " AND parent = ?"
        params.append(parent)
    if status_list:
        sql += f" AND status IN ({', '.join('?' for _ in status_list)})"
        params += status_list
    if name_exact is not None:
        sql += " AND name = ?"
        params.append(name_exact)
    if name_prefix is not None:
        sql += " AND substr(name, 1, ?) = ?"
        params += [len(name_prefix), name_prefix]
    if after is not None:
        sql += " AND created_at > ?"
        params.append(after)
    if before is not None:
        sql += " AND created_at < ?"
        params.append(before)
    if definition is not None:
        sql += " AND (definition = ? OR substr(definition, 1, ?) = ?)"
        params += [definition, len(definition) + 1, definition + ":"]
    sql += " ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
    params += [limit + 1, offset]
    return [_doc(r) for r in tx.all(sql, params)]


def used_capacity(tx: Tx) -> dict[str, tuple[float, int]]:
    """Per compute environment ARN: the vCPUs and MiB the STARTING and RUNNING jobs hold."""
    rows = tx.all(
        "SELECT ce, SUM(vcpus), SUM(memory) FROM batch_jobs WHERE status IN ('STARTING', 'RUNNING') "
        "AND ce IS NOT NULL GROUP BY ce"
    )
    return {r[0]: (float(r[1] or 0), int(r[2] or 0)) for r in rows}


def queue_has_active_jobs(tx: Tx, queue: str) -> bool:
    row = tx.one("SELECT 1 FROM batch_jobs WHERE queue = ? AND status NOT IN ('SUCCEEDED', 'FAILED') LIMIT 1", (queue,))
    return row is not None


def forget_finished(tx: Tx, before: float) -> None:
    """Jobs finished before ``before`` are no longer listed (AWS keeps them about 7 days)."""
    tx.execute("DELETE FROM batch_jobs WHERE status IN ('SUCCEEDED', 'FAILED') AND created_at < ?", (before,))
