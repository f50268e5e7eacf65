"""EventBridge's SQL for buses, rules and targets: every function runs inside one store transaction (``tx``).

Times are integer milliseconds. The default bus exists implicitly: it gets a row the first time something
is written for it (a rule, a policy), and reads synthesise it until then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...aws.authorize import RESOURCE_POLICY_CHANNEL
from ...store.base import Tx
from .names import DEFAULT_BUS, bus_arn, rule_arn

_BUS_COLUMNS = (
    "id, account, region, name, description, kms_key, dead_letter, policy, event_source, tags, created_at, "
    "modified_at, log_config"
)
_RULE_COLUMNS = (
    "id, account, region, bus, name, pattern, schedule, state, description, role_arn, managed_by, tags, created_at, "
    "schedule_anchor, next_fire_at"
)


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


@dataclass(slots=True)
class Bus:
    id: int | None
    account: str
    region: str
    name: str
    description: str | None = None
    kms_key: str | None = None
    dead_letter: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    event_source: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created_at: int | None = None
    modified_at: int | None = None
    log_config: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        return bus_arn(self.region, self.account, self.name)


@dataclass(slots=True)
class Rule:
    id: int
    account: str
    region: str
    bus: str
    name: str
    pattern: str | None
    schedule: str | None
    state: str
    description: str | None
    role_arn: str | None
    managed_by: str | None
    tags: dict[str, str]
    created_at: int
    schedule_anchor: int | None
    next_fire_at: int | None

    @property
    def arn(self) -> str:
        return rule_arn(self.region, self.account, self.bus, self.name)

    @property
    def enabled(self) -> bool:
        return self.state != "DISABLED"


def _bus(row: tuple[Any, ...] | None) -> Bus | None:
    if row is None:
        return None
    return Bus(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        _loads(row[6]),
        _loads(row[7]),
        row[8],
        json.loads(row[9]),
        row[10],
        row[11],
        _loads(row[12]),
    )


def _rule(row: tuple[Any, ...]) -> Rule:
    return Rule(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        json.loads(row[11]),
        row[12],
        row[13],
        row[14],
    )


# --- buses -------------------------------------------------------------------------------------------


def get_bus(tx: Tx, account: str, region: str, name: str) -> Bus | None:
    found = _bus(
        tx.one(
            f"SELECT {_BUS_COLUMNS} FROM events_buses WHERE account = ? AND region = ? AND name = ?",
            (account, region, name),
        )
    )
    if found is None and name == DEFAULT_BUS:
        return Bus(None, account, region, DEFAULT_BUS)
    return found


def ensure_default_bus(tx: Tx, account: str, region: str, now: int) -> None:
    tx.execute(
        "INSERT INTO events_buses (account, region, name, tags, created_at, modified_at) VALUES (?, ?, ?, '{}', ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING",
        (account, region, DEFAULT_BUS, now, now),
    )


def insert_bus(tx: Tx, bus: Bus) -> bool:
    """False when a bus of that name exists (also one a concurrent create committed first)."""
    row = tx.one(
        f"INSERT INTO events_buses ({_BUS_COLUMNS.replace('id, ', '', 1)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, name) DO NOTHING RETURNING id",
        (
            bus.account,
            bus.region,
            bus.name,
            bus.description,
            bus.kms_key,
            _dumps(bus.dead_letter),
            _dumps(bus.policy),
            bus.event_source,
            json.dumps(bus.tags),
            bus.created_at,
            bus.modified_at,
            _dumps(bus.log_config),
        ),
    )
    tx.notify(RESOURCE_POLICY_CHANNEL, "events")  # every node's IAM enforcement drops the bus policies it cached
    return row is not None


def save_bus(tx: Tx, bus: Bus, now: int) -> None:
    """Write a bus's mutable fields (creating the implicit default bus's row when needed)."""
    tx.notify(RESOURCE_POLICY_CHANNEL, "events")
    if bus.name == DEFAULT_BUS:
        ensure_default_bus(tx, bus.account, bus.region, now)
    tx.execute(
        "UPDATE events_buses SET description = ?, kms_key = ?, dead_letter = ?, policy = ?, tags = ?, modified_at = ?, "
        "log_config = ? WHERE account = ? AND region = ? AND name = ?",
        (
            bus.description,
            bus.kms_key,
            _dumps(bus.dead_letter),
            _dumps(bus.policy),
            json.dumps(bus.tags),
            now,
            _dumps(bus.log_config),
            bus.account,
            bus.region,
            bus.name,
        ),
    )


def delete_bus(tx: Tx, bus: Bus) -> None:
    tx.notify(RESOURCE_POLICY_CHANNEL, "events")
    rule_ids = [
        row[0]
        for row in tx.all(
            "SELECT id FROM events_rules WHERE account = ? AND region = ? AND bus = ?",
            (bus.account, bus.region, bus.name),
        )
    ]
    for rule_id in rule_ids:
        tx.execute("DELETE FROM events_targets WHERE rule_id = ?", (rule_id,))
    tx.execute(
        "DELETE FROM events_rules WHERE account = ? AND region = ? AND bus = ?", (bus.account, bus.region, bus.name)
    )
    tx.execute(
        "DELETE FROM events_buses WHERE account = ? AND region = ? AND name = ?", (bus.account, bus.region, bus.name)
    )


def list_buses(tx: Tx, account: str, region: str, prefix: str, after: str, limit: int) -> list[Bus]:
    rows = tx.all(
        f"SELECT {_BUS_COLUMNS} FROM events_buses "
        "WHERE account = ? AND region = ? AND name > ? AND name >= ? ORDER BY name",
        (account, region, after, prefix),
    )
    buses = [b for b in (_bus(row) for row in rows) if b and b.name.startswith(prefix)]
    if DEFAULT_BUS.startswith(prefix) and DEFAULT_BUS > after and not any(b.name == DEFAULT_BUS for b in buses):
        buses.append(Bus(None, account, region, DEFAULT_BUS))
        buses.sort(key=lambda b: b.name)
    return buses[:limit]


def count_buses(tx: Tx, account: str, region: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM events_buses WHERE account = ? AND region = ? AND name <> ?",
        (account, region, DEFAULT_BUS),
    )
    return int(row[0]) if row else 0


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


# --- rules -------------------------------------------------------------------------------------------


def get_rule(tx: Tx, account: str, region: str, bus: str, name: str) -> Rule | None:
    row = tx.one(
        f"SELECT {_RULE_COLUMNS} FROM events_rules WHERE account = ? AND region = ? AND bus = ? AND name = ?",
        (account, region, bus, name),
    )
    return _rule(row) if row else None


def get_rule_by_id(tx: Tx, rule_id: int) -> Rule | None:
    row = tx.one(f"SELECT {_RULE_COLUMNS} FROM events_rules WHERE id = ?", (rule_id,))
    return _rule(row) if row else None


def insert_rule(tx: Tx, rule: Rule) -> int | None:
    """The new rule's id; None when a concurrent PutRule of the same name committed first."""
    row = tx.one(
        f"INSERT INTO events_rules ({_RULE_COLUMNS.replace('id, ', '', 1)}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (account, region, bus, name) DO NOTHING RETURNING id",
        (
            rule.account,
            rule.region,
            rule.bus,
            rule.name,
            rule.pattern,
            rule.schedule,
            rule.state,
            rule.description,
            rule.role_arn,
            rule.managed_by,
            json.dumps(rule.tags),
            rule.created_at,
            rule.schedule_anchor,
            rule.next_fire_at,
        ),
    )
    return int(row[0]) if row else None


def update_rule(tx: Tx, rule: Rule) -> None:
    tx.execute(
        "UPDATE events_rules SET pattern = ?, schedule = ?, state = ?, description = ?, role_arn = ?, tags = ?, "
        "schedule_anchor = ?, next_fire_at = ? WHERE id = ?",
        (
            rule.pattern,
            rule.schedule,
            rule.state,
            rule.description,
            rule.role_arn,
            json.dumps(rule.tags),
            rule.schedule_anchor,
            rule.next_fire_at,
            rule.id,
        ),
    )


def take_firing(tx: Tx, rule_id: int, due: int, following: int | None) -> bool:
    """Claim the firing due at ``due`` by moving the rule on to ``following``; False when another transaction
    (a PutRule, a DisableRule, another node) changed the schedule first: that firing is not ours to make."""
    cur = tx.execute(
        "UPDATE events_rules SET next_fire_at = ? WHERE id = ? AND next_fire_at = ?", (following, rule_id, due)
    )
    return (cur.rowcount or 0) > 0


def delete_rule(tx: Tx, rule: Rule) -> None:
    tx.execute("DELETE FROM events_targets WHERE rule_id = ?", (rule.id,))
    tx.execute("DELETE FROM events_rules WHERE id = ?", (rule.id,))


def list_rules(tx: Tx, account: str, region: str, bus: str, prefix: str, after: str, limit: int) -> list[Rule]:
    """Up to ``limit + 1`` rules named after ``after`` with the prefix (one more tells the caller a page follows)."""
    rows = tx.all(
        f"SELECT {_RULE_COLUMNS} FROM events_rules "
        "WHERE account = ? AND region = ? AND bus = ? AND name > ? AND name >= ? ORDER BY name",
        (account, region, bus, after, prefix),
    )
    return [r for r in (_rule(row) for row in rows) if r.name.startswith(prefix)][: limit + 1]


def count_rules(tx: Tx, account: str, region: str, bus: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) FROM events_rules WHERE account = ? AND region = ? AND bus = ?", (account, region, bus)
    )
    return int(row[0]) if row else 0


def rule_names_by_target(
    tx: Tx, account: str, region: str, bus: str, target_arn: str, after: str, limit: int
) -> list[str]:
    rows = tx.all(
        "SELECT DISTINCT r.name FROM events_rules r JOIN events_targets t ON t.rule_id = r.id "
        "WHERE r.account = ? AND r.region = ? AND r.bus = ? AND t.arn = ? AND r.name > ? ORDER BY r.name LIMIT ?",
        (account, region, bus, target_arn, after, limit + 1),
    )
    return [row[0] for row in rows]


# --- targets -----------------------------------------------------------------------------------------


def targets(tx: Tx, rule_id: int, after: int = 0, limit: int = 1000) -> list[tuple[int, dict[str, Any]]]:
    """(row id, Target as PutTargets took it) in the order they were first put."""
    rows = tx.all(
        "SELECT id, config FROM events_targets WHERE rule_id = ? AND id > ? ORDER BY id LIMIT ?",
        (rule_id, after, limit),
    )
    return [(row[0], json.loads(row[1])) for row in rows]


def target_ids(tx: Tx, rule_id: int) -> set[str]:
    return {row[0] for row in tx.all("SELECT target_id FROM events_targets WHERE rule_id = ?", (rule_id,))}


def put_target(tx: Tx, rule_id: int, target: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO events_targets (rule_id, target_id, arn, config) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (rule_id, target_id) DO UPDATE SET arn = excluded.arn, config = excluded.config",
        (rule_id, target["Id"], target["Arn"], json.dumps(target)),
    )


def remove_target(tx: Tx, rule_id: int, target_id: str) -> bool:
    cur = tx.execute("DELETE FROM events_targets WHERE rule_id = ? AND target_id = ?", (rule_id, target_id))
    return (cur.rowcount or 0) > 0


@dataclass(slots=True)
class Routed:
    """A rule of a bus with its targets, as event matching needs it."""

    rule: Rule
    targets: list[dict[str, Any]]


def bus_rules(tx: Tx, account: str, region: str, bus: str) -> list[Routed]:
    """The bus's enabled pattern rules with their targets (two queries, whatever the number of rules)."""
    rows = tx.all(
        f"SELECT {_RULE_COLUMNS} FROM events_rules WHERE account = ? AND region = ? AND bus = ? "
        "AND pattern IS NOT NULL AND state <> 'DISABLED' ORDER BY id",
        (account, region, bus),
    )
    routed = {row[0]: Routed(_rule(row), []) for row in rows}
    if routed:
        marks = ",".join("?" * len(routed))
        for rule_id, config in tx.all(
            f"SELECT rule_id, config FROM events_targets WHERE rule_id IN ({marks}) ORDER BY id", tuple(routed)
        ):
            routed[rule_id].targets.append(json.loads(config))
    return list(routed.values())
