"""CloudWatch Logs' SQL for subscription filters, account-level subscription filter policies, resource policies and
destinations: every function runs inside one store transaction (``tx``); names are sorted here by their bytes, as AWS
lists them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...store.base import Tx

_FILTER_COLUMNS = "group_id, name, pattern, destination_arn, role_arn, distribution, created_at"
_POLICY_COLUMNS = "account, region, policy_type, name, document, scope, selection, updated_at"
_RESOURCE_POLICY_COLUMNS = "account, region, group_id, name, resource_arn, document, revision, updated_at"
_DESTINATION_COLUMNS = "account, region, name, target_arn, role_arn, access_policy, tags, created_at"


@dataclass(slots=True)
class SubscriptionFilter:
    group_id: int
    name: str
    pattern: str
    destination_arn: str
    role_arn: str | None
    distribution: str
    created_at: int


@dataclass(slots=True)
class AccountPolicy:
    account: str
    region: str
    policy_type: str
    name: str
    document: str
    scope: str
    selection: str | None
    updated_at: int


@dataclass(slots=True)
class ResourcePolicy:
    account: str
    region: str
    group_id: int  # 0: the account's
    name: str
    resource_arn: str | None  # the log group's ARN (resource-scoped)
    document: str
    revision: str | None
    updated_at: int


@dataclass(slots=True)
class Destination:
    account: str
    region: str
    name: str
    target_arn: str
    role_arn: str
    access_policy: str | None
    tags: dict[str, str] = field(default_factory=dict)
    created_at: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:destination:{self.name}"


# --- subscription filters --------------------------------------------------------------------------


def list_subscription_filters(tx: Tx, group_id: int) -> list[SubscriptionFilter]:
    rows = tx.all(f"SELECT {_FILTER_COLUMNS} FROM logs_subscription_filters WHERE group_id = ?", (group_id,))
    return sorted((SubscriptionFilter(*row) for row in rows), key=lambda f: f.name.encode())


def put_subscription_filter(tx: Tx, sf: SubscriptionFilter) -> None:
    tx.execute(
        f"INSERT INTO logs_subscription_filters ({_FILTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, "
        "destination_arn = excluded.destination_arn, role_arn = excluded.role_arn, "
        "distribution = excluded.distribution",
        (sf.group_id, sf.name, sf.pattern, sf.destination_arn, sf.role_arn, sf.distribution, sf.created_at),
    )


def delete_subscription_filter(tx: Tx, group_id: int, name: str) -> bool:
    return bool(
        tx.execute("DELETE FROM logs_subscription_filters WHERE group_id = ? AND name = ?", (group_id, name)).rowcount
    )


def delete_group_filters(tx: Tx, group_id: int) -> None:
    tx.execute("DELETE FROM logs_subscription_filters WHERE group_id = ?", (group_id,))


def filter_patterns(tx: Tx, group_id: int) -> list[tuple[str, str, str]]:
    """(kind, name, pattern) of every metric and subscription filter of a group (the regex quota counts both)."""
    rows = tx.all(
        "SELECT 'metric', name, pattern FROM logs_metric_filters WHERE group_id = ? "
        "UNION ALL SELECT 'subscription', name, pattern FROM logs_subscription_filters WHERE group_id = ?",
        (group_id, group_id),
    )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


# --- account policies ------------------------------------------------------------------------------


def list_account_policies(tx: Tx, account: str, region: str, policy_type: str) -> list[AccountPolicy]:
    rows = tx.all(
        f"SELECT {_POLICY_COLUMNS} FROM logs_account_policies WHERE account = ? AND region = ? AND policy_type = ?",
        (account, region, policy_type),
    )
    return sorted((AccountPolicy(*row) for row in rows), key=lambda p: p.name.encode())


def put_account_policy(tx: Tx, policy: AccountPolicy) -> None:
    tx.execute(
        f"INSERT INTO logs_account_policies ({_POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, policy_type, name) DO UPDATE SET document = excluded.document, "
        "scope = excluded.scope, selection = excluded.selection, updated_at = excluded.updated_at",
        (
            policy.account,
            policy.region,
            policy.policy_type,
            policy.name,
            policy.document,
            policy.scope,
            policy.selection,
            policy.updated_at,
        ),
    )


def delete_account_policy(tx: Tx, account: str, region: str, policy_type: str, name: str) -> bool:
    return bool(
        tx.execute(
            "DELETE FROM logs_account_policies WHERE account = ? AND region = ? AND policy_type = ? AND name = ?",
            (account, region, policy_type, name),
        ).rowcount
    )


# --- resource policies -----------------------------------------------------------------------------


def list_resource_policies(tx: Tx, account: str, region: str, group_id: int | None = 0) -> list[ResourcePolicy]:
    """The account's policies (``group_id`` 0), a group's own, or (None) every resource-scoped one."""
    sql = f"SELECT {_RESOURCE_POLICY_COLUMNS} FROM logs_resource_policies WHERE account = ? AND region = ?"
    if group_id is None:
        rows = tx.all(sql + " AND group_id <> 0", (account, region))
    else:
        rows = tx.all(sql + " AND group_id = ?", (account, region, group_id))
    return sorted((ResourcePolicy(*row) for row in rows), key=lambda p: (p.name.encode(), p.resource_arn or ""))


def put_resource_policy(tx: Tx, policy: ResourcePolicy) -> None:
    if policy.group_id:  # one per log group, whatever its name
        tx.execute("DELETE FROM logs_resource_policies WHERE group_id = ?", (policy.group_id,))
    tx.execute(
        f"INSERT INTO logs_resource_policies ({_RESOURCE_POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, group_id, name) DO UPDATE SET document = excluded.document, "
        "revision = excluded.revision, updated_at = excluded.updated_at",
        (
            policy.account,
            policy.region,
            policy.group_id,
            policy.name,
            policy.resource_arn,
            policy.document,
            policy.revision,
            policy.updated_at,
        ),
    )


def delete_resource_policy(tx: Tx, account: str, region: str, group_id: int, name: str | None) -> bool:
    """Delete the account's policy ``name`` (``group_id`` 0), or a group's own."""
    if group_id:
        return bool(tx.execute("DELETE FROM logs_resource_policies WHERE group_id = ?", (group_id,)).rowcount)
    return bool(
        tx.execute(
            "DELETE FROM logs_resource_policies WHERE account = ? AND region = ? AND group_id = 0 AND name = ?",
            (account, region, name),
        ).rowcount
    )


# --- destinations ----------------------------------------------------------------------------------


def _destination(row: Sequence[Any]) -> Destination:
    return Destination(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]), row[7])


def get_destination(tx: Tx, account: str, region: str, name: str) -> Destination | None:
    row = tx.one(
        f"SELECT {_DESTINATION_COLUMNS} FROM logs_destinations WHERE account = ? AND region = ? AND name = ?",
        (account, region, name),
    )
    return None if row is None else _destination(row)


def list_destinations(tx: Tx, account: str, region: str) -> list[Destination]:
    rows = tx.all(
        f"SELECT {_DESTINATION_COLUMNS} FROM logs_destinations WHERE account = ? AND region = ?", (account, region)
    )
    return sorted((_destination(row) for row in rows), key=lambda d: d.name.encode())


def put_destination(tx: Tx, d: Destination) -> None:
    """Create, or update the target and role of an existing destination (its policy, tags and creation time kept)."""
    tx.execute(
        f"INSERT INTO logs_destinations ({_DESTINATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO UPDATE SET target_arn = excluded.target_arn, "
        "role_arn = excluded.role_arn",
        (d.account, d.region, d.name, d.target_arn, d.role_arn, d.access_policy, json.dumps(d.tags), d.created_at),
    )


def set_destination_policy(tx: Tx, account: str, region: str, name: str, policy: str) -> bool:
    return bool(
        tx.execute(
            "UPDATE logs_destinations SET access_policy = ? WHERE account = ? AND region = ? AND name = ?",
            (policy, account, region, name),
        ).rowcount
    )


def set_destination_tags(tx: Tx, account: str, region: str, name: str, tags: dict[str, str]) -> None:
    tx.execute(
        "UPDATE logs_destinations SET tags = ? WHERE account = ? AND region = ? AND name = ?",
        (json.dumps(tags), account, region, name),
    )


def delete_destination(tx: Tx, account: str, region: str, name: str) -> bool:
    return bool(
        tx.execute(
            "DELETE FROM logs_destinations WHERE account = ? AND region = ? AND name = ?", (account, region, name)
        ).rowcount
    )
