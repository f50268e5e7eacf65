"""What EventBridge's operations share: finding a bus or rule inside a transaction (or AWS's not-found error),
tags in and out, and the store's values as the protocol returns them. Plain arguments only (no request context).
"""

from __future__ import annotations

import json
from typing import Any

from ...store.base import Tx
from . import store
from .errors import ValidationException, no_bus, no_rule
from .names import parse_arn, resolve_bus, rule_from_arn
from .store import Bus, Rule


def seconds(ms: int | None) -> float | None:
    """Store milliseconds → the epoch seconds the protocol serialises as a timestamp."""
    return None if ms is None else ms / 1000


def lock_bus(tx: Tx, account: str, region: str, name_or_arn: str | None) -> None:
    """Writers of one bus (its settings, policy and tags, its rules, their tags and targets) take turns: called
    before a write reads what it changes (Tx.lock)."""
    tx.lock("events", *resolve_bus(account, region, name_or_arn))


def lock_tagged(tx: Tx, arn: str) -> None:
    """lock_bus for the bus, or the rule's bus, that an ARN names (nothing for an ARN that names neither)."""
    parts = parse_arn(arn)
    if parts is not None and parts[2].startswith("event-bus/"):
        tx.lock("events", parts[1], parts[0], parts[2][len("event-bus/") :])
    elif (rule_parts := rule_from_arn(arn)) is not None:
        tx.lock("events", *rule_parts[:3])


def require_bus(tx: Tx, account: str, region: str, name_or_arn: str | None) -> Bus:
    """The bus an EventBusName names (a name or an ARN; the default bus when absent)."""
    account, region, name = resolve_bus(account, region, name_or_arn)
    bus = store.get_bus(tx, account, region, name)
    if bus is None:
        raise no_bus(name)
    return bus


def require_rule(tx: Tx, account: str, region: str, name: str, bus_name_or_arn: str | None) -> Rule:
    bus = require_bus(tx, account, region, bus_name_or_arn)
    rule = store.get_rule(tx, bus.account, bus.region, bus.name, name)
    if rule is None:
        raise no_rule(name, bus.name)
    return rule


def tags_in(tags: list[dict[str, str]] | None) -> dict[str, str]:
    if not tags:
        return {}
    keys = [tag["Key"] for tag in tags]
    if len(set(keys)) != len(keys):
        raise ValidationException("Invalid parameter: Duplicated keys are not allowed.")
    return {tag["Key"]: tag.get("Value", "") for tag in tags}


def tags_out(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tagged(tx: Tx, arn: str) -> Bus | Rule:
    """The bus or rule an ARN names (the resources EventBridge tags), or AWS's not-found error."""
    parts = parse_arn(arn)
    if parts is None:
        raise ValidationException(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")
    region, account, resource = parts
    if resource.startswith("event-bus/"):
        name = resource[len("event-bus/") :]
        bus = store.get_bus(tx, account, region, name)
        if bus is None:
            raise no_bus(name)
        return bus
    rule_parts = rule_from_arn(arn)
    if rule_parts is not None:
        rule = store.get_rule(tx, *rule_parts)
        if rule is None:
            raise no_rule(rule_parts[3], rule_parts[2])
        return rule
    raise ValidationException(f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format.")


def json_field(value: Any) -> Any:
    """A stored document as AWS returns it: compact JSON text (a bus's Policy, as aws-cli's describe-event-bus
    example shows it)."""
    return None if value is None else json.dumps(value, separators=(",", ":"))
