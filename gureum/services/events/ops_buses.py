"""Event buses: create, describe, update, delete, list; resource policies (PutPermission, RemovePermission); tags."""

from __future__ import annotations

import json
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, limits, paging, store
from .errors import (
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
    invalid_parameter,
    limit_exceeded,
)
from .lookups import json_field, now_ms, require_bus, seconds, tagged, tags_in, tags_out
from .names import DEFAULT_BUS
from .store import Bus


def _describe(bus: Bus, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": bus.name,
        "Arn": bus.arn,
        "Description": bus.description,
        "Policy": json_field(bus.policy),
    }
    out["CreationTime"] = seconds(bus.created_at)
    out["LastModifiedTime"] = seconds(bus.modified_at)
    if full:
        out["KmsKeyIdentifier"] = bus.kms_key
        out["DeadLetterConfig"] = bus.dead_letter
    return out


@SERVICE.op("CreateEventBus")
async def create_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["Name"]
    source = req.get("EventSourceName")
    if "/" in name and not name.startswith("aws.partner/"):
        raise ValidationException("Event bus name must not contain '/'.")
    if source is not None and source != name:
        raise ValidationException("Event source name must match the event bus name.")
    if source is not None:
        raise ResourceNotFoundException(f"Event source {source} does not exist.")
    now = now_ms(ctx)
    bus = Bus(
        None,
        ctx.account,
        ctx.region,
        name,
        req.get("Description"),
        req.get("KmsKeyIdentifier"),
        req.get("DeadLetterConfig"),
        None,
        source,
        tags_in(req.get("Tags")),
        now,
        now,
    )

    def run(tx: Tx) -> None:
        if name == DEFAULT_BUS:
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        if store.count_buses(tx, ctx.account, ctx.region) >= limits.BUSES_PER_ACCOUNT:
            raise limit_exceeded()
        if not store.insert_bus(tx, bus):
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")

    await ctx.runtime.store.write(run)
    return {
        "EventBusArn": bus.arn,
        "Description": bus.description,
        "KmsKeyIdentifier": bus.kms_key,
        "DeadLetterConfig": bus.dead_letter,
    }


async def _default_bus_row(ctx: RequestContext) -> None:
    """Give the implicit default bus its row (and so its CreationTime) the first time it is looked at."""
    now = now_ms(ctx)
    await ctx.runtime.store.write(lambda tx: store.ensure_default_bus(tx, ctx.account, ctx.region, now))


@SERVICE.op("DescribeEventBus")
async def describe_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    bus = await ctx.runtime.store.read(lambda tx: require_bus(tx, ctx, req.get("Name")))
    if bus.id is None:
        await _default_bus_row(ctx)
        bus = await ctx.runtime.store.read(lambda tx: require_bus(tx, ctx, req.get("Name")))
    return _describe(bus)


@SERVICE.op("UpdateEventBus")
async def update_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> Bus:
        bus = require_bus(tx, ctx, req.get("Name"))
        for member, attribute in (
            ("Description", "description"),
            ("KmsKeyIdentifier", "kms_key"),
            ("DeadLetterConfig", "dead_letter"),
        ):
            if member in req:
                setattr(bus, attribute, req[member] or None)
        store.save_bus(tx, bus, now)
        return bus

    bus = await ctx.runtime.store.write(run)
    return {
        "Arn": bus.arn,
        "Name": bus.name,
        "KmsKeyIdentifier": bus.kms_key,
        "Description": bus.description,
        "DeadLetterConfig": bus.dead_letter,
    }


@SERVICE.op("DeleteEventBus")
async def delete_event_bus(ctx: RequestContext, req: dict[str, Any]) -> None:
    name = req["Name"]
    if name == DEFAULT_BUS:
        raise ValidationException("Cannot delete event bus default.")

    def run(tx: Tx) -> None:
        bus = store.get_bus(tx, ctx.account, ctx.region, name)
        if bus is not None:  # deleting a bus that does not exist succeeds, as on AWS
            store.delete_bus(tx, bus)

    await ctx.runtime.store.write(run)


@SERVICE.op("ListEventBuses")
async def list_event_buses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = paging.decode(req.get("NextToken"))
    limit = req.get("Limit") or limits.DEFAULT_PAGE
    buses = await ctx.runtime.store.read(
        lambda tx: store.list_buses(tx, ctx.account, ctx.region, req.get("NamePrefix") or "", after, limit + 1)
    )
    if any(bus.id is None for bus in buses):
        await _default_bus_row(ctx)
        buses = await ctx.runtime.store.read(
            lambda tx: store.list_buses(tx, ctx.account, ctx.region, req.get("NamePrefix") or "", after, limit + 1)
        )
    shown, token = paging.page(buses, limit, limits.DEFAULT_PAGE, lambda bus: bus.name)
    return {"EventBuses": [_describe(bus, full=False) for bus in shown], "NextToken": token}


# --- resource policy ---------------------------------------------------------------------------------


def _statement(bus: Bus, req: dict[str, Any]) -> dict[str, Any]:
    for member in ("Action", "Principal", "StatementId"):
        if not req.get(member):
            raise invalid_parameter(member, f"{member} is required when Policy is not given.")
    principal = req["Principal"]
    statement: dict[str, Any] = {
        "Sid": req["StatementId"],
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": req["Action"],
        "Resource": bus.arn,
    }
    condition = req.get("Condition")
    if condition is not None:
        if principal != "*":
            raise ValidationException("Condition can only be specified when the Principal is '*'.")
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


@SERVICE.op("PutPermission")
async def put_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    policy_text = req.get("Policy")
    policy: dict[str, Any] | None = None
    if policy_text is not None:
        try:
            policy = json.loads(policy_text)
        except ValueError:
            raise invalid_parameter("Policy", "The policy is not valid JSON.") from None
        if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
            raise invalid_parameter("Policy", "The policy must have a Statement list.")
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        if policy is not None:
            bus.policy = policy
        else:
            statement = _statement(bus, req)
            current = bus.policy or {"Version": "2012-10-17", "Statement": []}
            current["Statement"] = [s for s in current.get("Statement", []) if s.get("Sid") != statement["Sid"]] + [
                statement
            ]
            bus.policy = current
        store.save_bus(tx, bus, now)

    await ctx.runtime.store.write(run)


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    now = now_ms(ctx)
    sid = req.get("StatementId")
    remove_all = bool(req.get("RemoveAllPermissions"))
    if not remove_all and not sid:
        raise ValidationException("Parameter StatementId is required.")

    def run(tx: Tx) -> None:
        bus = require_bus(tx, ctx, req.get("EventBusName"))
        if remove_all:
            bus.policy = None
        else:
            statements = (bus.policy or {}).get("Statement", [])
            kept = [s for s in statements if s.get("Sid") != sid]
            if len(kept) == len(statements):
                raise ResourceNotFoundException("Statement with the provided id does not exist.")
            bus.policy = {**(bus.policy or {}), "Statement": kept} if kept else None
        store.save_bus(tx, bus, now)

    await ctx.runtime.store.write(run)


# --- tags (event buses and rules) --------------------------------------------------------------------


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    resource = await ctx.runtime.store.read(lambda tx: tagged(tx, req["ResourceARN"]))
    return {"Tags": tags_out(resource.tags)}


def _save_tags(tx: Tx, resource: Any, now: int) -> None:
    if isinstance(resource, Bus):
        store.save_bus(tx, resource, now)
    else:
        store.update_rule(tx, resource)


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    new = tags_in(req["Tags"])
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        resource = tagged(tx, req["ResourceARN"])
        resource.tags = {**resource.tags, **new}
        if len(resource.tags) > 50:
            raise limit_exceeded()
        _save_tags(tx, resource, now)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    now = now_ms(ctx)

    def run(tx: Tx) -> None:
        resource = tagged(tx, req["ResourceARN"])
        resource.tags = {k: v for k, v in resource.tags.items() if k not in set(req["TagKeys"])}
        _save_tags(tx, resource, now)

    await ctx.runtime.store.write(run)
    return {}
