"""Event bus operations: create, describe, update, delete, list; resource policies (PutPermission,
RemovePermission); tags of buses and rules. Each calls one backend method (buses.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .lookups import json_field, seconds, tags_out
from .store import Bus


def _describe(bus: Bus, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Name": bus.name,
        "Arn": bus.arn,
        "Description": bus.description,
        "Policy": json_field(bus.policy),
        "CreationTime": seconds(bus.created_at),
        "LastModifiedTime": seconds(bus.modified_at),
    }
    if full:  # DescribeEventBus; ListEventBuses' EventBus has the members above only
        out["KmsKeyIdentifier"] = bus.kms_key
        out["DeadLetterConfig"] = bus.dead_letter
        out["LogConfig"] = bus.log_config
    return out


@SERVICE.op("CreateEventBus")
async def create_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    bus = await backend(ctx.runtime).create_event_bus(
        ctx.account,
        ctx.region,
        req["Name"],
        req.get("EventSourceName"),
        req.get("Description"),
        req.get("KmsKeyIdentifier"),
        req.get("DeadLetterConfig"),
        req.get("LogConfig"),
        req.get("Tags"),
    )
    return {
        "EventBusArn": bus.arn,
        "Description": bus.description,
        "KmsKeyIdentifier": bus.kms_key,
        "DeadLetterConfig": bus.dead_letter,
        "LogConfig": bus.log_config,
    }


@SERVICE.op("DescribeEventBus")
async def describe_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _describe(await backend(ctx.runtime).describe_event_bus(ctx.account, ctx.region, req.get("Name")))


@SERVICE.op("UpdateEventBus")
async def update_event_bus(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    bus = await backend(ctx.runtime).update_event_bus(
        ctx.account,
        ctx.region,
        req.get("Name"),
        req.get("Description"),
        req.get("KmsKeyIdentifier"),
        req.get("DeadLetterConfig"),
        req.get("LogConfig"),
    )
    return {
        "Arn": bus.arn,
        "Name": bus.name,
        "KmsKeyIdentifier": bus.kms_key,
        "Description": bus.description,
        "DeadLetterConfig": bus.dead_letter,
        "LogConfig": bus.log_config,
    }


@SERVICE.op("DeleteEventBus")
async def delete_event_bus(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).delete_event_bus(ctx.account, ctx.region, req["Name"])


@SERVICE.op("ListEventBuses")
async def list_event_buses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    buses, token = await backend(ctx.runtime).list_event_buses(
        ctx.account, ctx.region, req.get("NamePrefix"), req.get("NextToken"), req.get("Limit")
    )
    return {"EventBuses": [_describe(bus, full=False) for bus in buses], "NextToken": token}


# --- resource policy ---------------------------------------------------------------------------------


@SERVICE.op("PutPermission")
async def put_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).put_permission(
        ctx.account,
        ctx.region,
        req.get("EventBusName"),
        req.get("Policy"),
        req.get("Action"),
        req.get("Principal"),
        req.get("StatementId"),
        req.get("Condition"),
    )


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx.runtime).remove_permission(
        ctx.account, ctx.region, req.get("EventBusName"), req.get("StatementId"), bool(req.get("RemoveAllPermissions"))
    )


# --- tags (event buses and rules) --------------------------------------------------------------------


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tags_out(await backend(ctx.runtime).list_tags_for_resource(req["ResourceARN"]))}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).tag_resource(req["ResourceARN"], req["Tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).untag_resource(req["ResourceARN"], req["TagKeys"])
    return {}
