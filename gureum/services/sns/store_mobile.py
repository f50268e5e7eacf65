"""Queries for mobile push (platform applications and endpoints) and SMS (settings, opt-outs, the sandbox's
destination numbers).  Every function runs inside the caller's transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...store.base import Tx


@dataclass(slots=True)
class Application:
    id: int
    arn: str
    account: str
    region: str
    name: str
    platform: str
    attributes: dict[str, str]


@dataclass(slots=True)
class Endpoint:
    id: int
    arn: str
    application_arn: str
    token: str
    attributes: dict[str, str]


def get_application(tx: Tx, arn: str) -> Application | None:
    row = tx.one(
        "SELECT id, arn, account, region, name, platform, attributes FROM sns_applications WHERE arn = ?", (arn,)
    )
    return Application(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6])) if row else None


def upsert_application(tx: Tx, app: Application, now: float) -> None:
    tx.execute(
        "INSERT INTO sns_applications (arn, account, region, name, platform, attributes, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes",
        (app.arn, app.account, app.region, app.name, app.platform, json.dumps(app.attributes), now),
    )


def update_application(tx: Tx, app: Application) -> None:
    tx.execute("UPDATE sns_applications SET attributes = ? WHERE id = ?", (json.dumps(app.attributes), app.id))


def delete_application(tx: Tx, arn: str) -> None:
    tx.execute("DELETE FROM sns_applications WHERE arn = ?", (arn,))
    tx.execute("DELETE FROM sns_endpoints WHERE application_arn = ?", (arn,))


def list_applications(tx: Tx, account: str, region: str, after: int, limit: int) -> list[Application]:
    rows = tx.all(
        "SELECT id, arn, account, region, name, platform, attributes FROM sns_applications "
        "WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?",
        (account, region, after, limit),
    )
    return [Application(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]


def _endpoint(row: tuple[Any, ...] | None) -> Endpoint | None:
    return Endpoint(row[0], row[1], row[2], row[3], json.loads(row[4])) if row else None


def get_endpoint(tx: Tx, arn: str) -> Endpoint | None:
    return _endpoint(
        tx.one("SELECT id, arn, application_arn, token, attributes FROM sns_endpoints WHERE arn = ?", (arn,))
    )


def endpoint_by_token(tx: Tx, application_arn: str, token: str) -> Endpoint | None:
    return _endpoint(
        tx.one(
            "SELECT id, arn, application_arn, token, attributes FROM sns_endpoints "
            "WHERE application_arn = ? AND token = ?",
            (application_arn, token),
        )
    )


def insert_endpoint(tx: Tx, endpoint: Endpoint, now: float) -> bool:
    """False when the application already has an endpoint for this token (a concurrent create won)."""
    row = tx.one(
        "INSERT INTO sns_endpoints (arn, application_arn, token, attributes, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (application_arn, token) DO NOTHING RETURNING id",
        (endpoint.arn, endpoint.application_arn, endpoint.token, json.dumps(endpoint.attributes), now),
    )
    return row is not None


def update_endpoint(tx: Tx, endpoint: Endpoint) -> None:
    tx.execute(
        "UPDATE sns_endpoints SET token = ?, attributes = ? WHERE id = ?",
        (endpoint.token, json.dumps(endpoint.attributes), endpoint.id),
    )


def delete_endpoint(tx: Tx, arn: str) -> None:
    tx.execute("DELETE FROM sns_endpoints WHERE arn = ?", (arn,))


def list_endpoints(tx: Tx, application_arn: str, after: int, limit: int) -> list[Endpoint]:
    rows = tx.all(
        "SELECT id, arn, application_arn, token, attributes FROM sns_endpoints "
        "WHERE application_arn = ? AND id > ? ORDER BY id LIMIT ?",
        (application_arn, after, limit),
    )
    return [e for e in map(_endpoint, rows) if e is not None]


# --- SMS ---------------------------------------------------------------------------------------------------


def sms_settings(tx: Tx, account: str, region: str) -> tuple[dict[str, str], bool]:
    """(SMS attributes, whether the account is in the SMS sandbox): a new account is in the sandbox."""
    row = tx.one(
        "SELECT attributes, in_sandbox FROM sns_sms_settings WHERE account = ? AND region = ?", (account, region)
    )
    return (json.loads(row[0]), bool(row[1])) if row else ({}, True)


def save_sms_settings(tx: Tx, account: str, region: str, attributes: dict[str, str], in_sandbox: bool) -> None:
    tx.execute(
        "INSERT INTO sns_sms_settings (account, region, attributes, in_sandbox) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (account, region) "
        "DO UPDATE SET attributes = excluded.attributes, in_sandbox = excluded.in_sandbox",
        (account, region, json.dumps(attributes), int(in_sandbox)),
    )


def opt_out_state(tx: Tx, account: str, region: str, number: str) -> tuple[bool, int | None]:
    """(opted out, when it was last opted in)."""
    row = tx.one(
        "SELECT opted_out, opted_in_at FROM sns_opt_outs WHERE account = ? AND region = ? AND phone_number = ?",
        (account, region, number),
    )
    return (bool(row[0]), row[1]) if row else (False, None)


def set_opt_out(tx: Tx, account: str, region: str, number: str, opted_out: bool, opted_in_at: int | None) -> None:
    tx.execute(
        "INSERT INTO sns_opt_outs (account, region, phone_number, opted_out, opted_in_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, phone_number) "
        "DO UPDATE SET opted_out = excluded.opted_out, opted_in_at = excluded.opted_in_at",
        (account, region, number, int(opted_out), opted_in_at),
    )


def opted_out_numbers(tx: Tx, account: str, region: str, after: str, limit: int) -> list[str]:
    rows = tx.all(
        "SELECT phone_number FROM sns_opt_outs "
        "WHERE account = ? AND region = ? AND opted_out = 1 AND phone_number > ? ORDER BY phone_number LIMIT ?",
        (account, region, after, limit),
    )
    return [r[0] for r in rows]


@dataclass(slots=True)
class SandboxNumber:
    phone_number: str
    status: str
    otp: str
    language: str
    sends: int
    first_sent_at: int
    created_at: int


_SANDBOX_COLUMNS = "phone_number, status, otp, language, sends, first_sent_at, created_at"


def sandbox_number(tx: Tx, account: str, region: str, number: str) -> SandboxNumber | None:
    row = tx.one(
        f"SELECT {_SANDBOX_COLUMNS} FROM sns_sandbox_numbers WHERE account = ? AND region = ? AND phone_number = ?",
        (account, region, number),
    )
    return SandboxNumber(*row) if row else None


def save_sandbox_number(tx: Tx, account: str, region: str, n: SandboxNumber) -> None:
    tx.execute(
        "INSERT INTO sns_sandbox_numbers "
        "(account, region, phone_number, status, otp, language, sends, first_sent_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, phone_number) DO UPDATE SET "
        "status = excluded.status, otp = excluded.otp, language = excluded.language, sends = excluded.sends, "
        "first_sent_at = excluded.first_sent_at",
        (account, region, n.phone_number, n.status, n.otp, n.language, n.sends, n.first_sent_at, n.created_at),
    )


def delete_sandbox_number(tx: Tx, account: str, region: str, number: str) -> bool:
    cur = tx.execute(
        "DELETE FROM sns_sandbox_numbers WHERE account = ? AND region = ? AND phone_number = ?",
        (account, region, number),
    )
    return (cur.rowcount or 0) > 0


def sandbox_numbers(tx: Tx, account: str, region: str, after: str, limit: int) -> list[SandboxNumber]:
    rows = tx.all(
        f"SELECT {_SANDBOX_COLUMNS} FROM sns_sandbox_numbers "
        "WHERE account = ? AND region = ? AND phone_number > ? ORDER BY phone_number LIMIT ?",
        (account, region, after, limit),
    )
    return [SandboxNumber(*r) for r in rows]


def count_sandbox_numbers(tx: Tx, account: str, region: str) -> int:
    row = tx.one("SELECT COUNT(*) FROM sns_sandbox_numbers WHERE account = ? AND region = ?", (account, region))
    return int(row[0]) if row else 0
