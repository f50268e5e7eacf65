"""Schedule groups (the default group exists implicitly) and tags, which Scheduler keeps on groups only."""

from __future__ import annotations

import re
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ConflictException, ValidationException, no_group
from .store import DEFAULT_GROUP, Group

NAME = re.compile(r"^[0-9a-zA-Z-_.]+$")  # the model's Name / ScheduleGroupName pattern
_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:scheduler:([^:]*):(\d{12}):schedule-group/([0-9a-zA-Z-_.]+)$")
PAGE = 100


def now_ms(ctx: RequestContext) -> int:
    return int(ctx.runtime.clock.now() * 1000)


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def check_name(value: str | None, member: str = "name") -> None:
    """The model's pattern, which the engine's validation does not check yet (AWS's message)."""
    if value is not None and NAME.match(value) is None:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$"
        )


def require_group(tx: Tx, ctx: RequestContext, name: str | None) -> Group:
    group = store.get_group(tx, ctx.account, ctx.region, name or DEFAULT_GROUP)
    if group is None:
        raise no_group(name or DEFAULT_GROUP)
    return group


def _summary(group: Group) -> dict[str, Any]:
    return {
        "Arn": group.arn,
        "Name": group.name,
        "State": "ACTIVE",
        "CreationDate": seconds(group.created_at),
        "LastModificationDate": seconds(group.modified_at),
    }


@SERVICE.op("CreateScheduleGroup")
async def create_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req["Name"])
    now = now_ms(ctx)
    tags = {tag["Key"]: tag["Value"] for tag in req.get("Tags") or []}
    group = Group(ctx.account, ctx.region, req["Name"], tags, now, now)

    def run(tx: Tx) -> None:
        if group.name == DEFAULT_GROUP or not store.insert_group(tx, group):
            raise ConflictException(f"Schedule group {group.name} already exists.")

    await ctx.runtime.store.write(run)
    return {"ScheduleGroupArn": group.arn}


@SERVICE.op("GetScheduleGroup")
async def get_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req["Name"])
    return _summary(await ctx.runtime.store.read(lambda tx: require_group(tx, ctx, req["Name"])))


@SERVICE.op("DeleteScheduleGroup")
async def delete_schedule_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req["Name"])
    if req["Name"] == DEFAULT_GROUP:
        raise ValidationException("The default schedule group cannot be deleted.")
    await ctx.runtime.store.write(lambda tx: store.delete_group(tx, require_group(tx, ctx, req["Name"])))
    return {}


@SERVICE.op("ListScheduleGroups")
async def list_schedule_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    check_name(req.get("NamePrefix"), "namePrefix")
    after = req.get("NextToken") or ""
    groups = await ctx.runtime.store.read(
        lambda tx: store.list_groups(tx, ctx.account, ctx.region, req.get("NamePrefix") or "", after)
    )
    limit = req.get("MaxResults") or PAGE
    token = groups[limit - 1].name if len(groups) > limit else None
    return {"ScheduleGroups": [_summary(g) for g in groups[:limit]], "NextToken": token}


def _tagged(tx: Tx, arn: str) -> Group:
    match = _GROUP_ARN.match(arn)
    if match is None:
        raise ValidationException(f"Invalid ARN {arn}: tags are kept on schedule groups only.")
    group = store.get_group(tx, match.group(2), match.group(1), match.group(3))
    if group is None:
        raise no_group(match.group(3))
    return group


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await ctx.runtime.store.read(lambda tx: _tagged(tx, req["ResourceArn"]))
    return {"Tags": [{"Key": k, "Value": v} for k, v in group.tags.items()]}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        group = _tagged(tx, req["ResourceArn"])
        if group.name == DEFAULT_GROUP:
            raise ValidationException("The default schedule group cannot be tagged.")
        group.tags.update({tag["Key"]: tag["Value"] for tag in req["Tags"]})
        store.save_group_tags(tx, group)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        group = _tagged(tx, req["ResourceArn"])
        group.tags = {k: v for k, v in group.tags.items() if k not in set(req["TagKeys"])}
        store.save_group_tags(tx, group)

    await ctx.runtime.store.write(run)
    return {}
