"""Log groups: create, delete, describe; retention (and its leader-only sweep); tags, current and legacy."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, limits, store
from .common import group_by_arn, group_name, now_ms, page_sorted, require_group
from .errors import InvalidParameterException, TooManyTagsException, ValidationException, group_exists

log = logging.getLogger("gureum.logs")
_LEADER_ROLE = "logs-retention"
_SWEEP_BATCH = 5_000


def describe_group(group: store.Group, stored_bytes: int, metric_filters: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "logGroupName": group.name,
        "creationTime": group.created_at,
        "metricFilterCount": metric_filters,
        "arn": group.arn + ":*",
        "storedBytes": stored_bytes,
        "logGroupClass": group.group_class,
        "logGroupArn": group.arn,
    }
    if group.retention_days is not None:
        out["retentionInDays"] = group.retention_days
    if group.kms_key:
        out["kmsKeyId"] = group.kms_key
    if group.deletion_protection:
        out["deletionProtectionEnabled"] = True
    return out


def _check_tags(tags: dict[str, str]) -> None:
    if len(tags) > limits.MAX_TAGS:
        raise TooManyTagsException(f"A resource can have no more than {limits.MAX_TAGS} tags.")
    for key in tags:
        if key.lower().startswith("aws:"):
            raise InvalidParameterException("Tag keys prefixed with 'aws:' are reserved for AWS use.")


@SERVICE.op("CreateLogGroup")
async def create_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["logGroupName"]
    if name.lower().startswith("aws/"):
        raise InvalidParameterException("Log groups starting with AWS/ are reserved for AWS.")
    tags = dict(req.get("tags") or {})
    _check_tags(tags)
    group = store.Group(
        0,
        ctx.account,
        ctx.region,
        name,
        now_ms(ctx),
        None,
        req.get("kmsKeyId"),
        req.get("logGroupClass") or "STANDARD",
        bool(req.get("deletionProtectionEnabled")),
        tags,
    )

    def run(tx: Tx) -> None:
        if not store.insert_group(tx, group):
            raise group_exists()

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DeleteLogGroup")
async def delete_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def run(tx: Tx) -> None:
        group = require_group(tx, ctx, req["logGroupName"])
        if group.deletion_protection:
            raise ValidationException("Cannot delete log group with deletion protection enabled.")
        store.delete_group(tx, group.id)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DescribeLogGroups")
async def describe_log_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    prefix, pattern = req.get("logGroupNamePrefix"), req.get("logGroupNamePattern")
    if prefix and pattern:
        raise InvalidParameterException(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
        )
    names = req.get("logGroupIdentifiers")
    if names and (prefix or pattern):
        raise InvalidParameterException(
            "logGroupIdentifiers cannot be used with logGroupNamePrefix or logGroupNamePattern."
        )

    def read(tx: Tx) -> tuple[list[store.Group], str | None, dict[int, tuple[int, int]]]:
        groups = store.list_groups(tx, ctx.account, ctx.region, prefix or "")
        if pattern:
            groups = [g for g in groups if pattern in g.name]  # a case-sensitive substring
        if names:
            wanted = {n.removesuffix(":*").rsplit(":log-group:", 1)[-1] for n in names}
            groups = [g for g in groups if g.name in wanted]
        if req.get("logGroupClass"):
            groups = [g for g in groups if g.group_class == req["logGroupClass"]]
        shown, token = page_sorted(groups, lambda g: g.name, req.get("nextToken"), req.get("limit"))
        return shown, token, store.group_figures(tx, [g.id for g in shown])

    shown, token, figures = await ctx.runtime.store.read(read)
    described = [describe_group(g, *figures[g.id]) for g in shown]
    if pattern:  # "then only arn, creationTime, and logGroupName are included in the response"
        described = [{k: d[k] for k in ("logGroupName", "creationTime", "arn")} for d in described]
    return {"logGroups": described, "nextToken": token}


@SERVICE.op("PutLogGroupDeletionProtection")
async def put_log_group_deletion_protection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = group_name(ctx, req)
    await ctx.runtime.store.write(
        lambda tx: store.set_deletion_protection(
            tx, require_group(tx, ctx, name).id, bool(req["deletionProtectionEnabled"])
        )
    )
    return {}


def _kms_target(tx: Tx, ctx: RequestContext, req: dict[str, Any]) -> store.Group:
    if req.get("logGroupName") and req.get("resourceIdentifier"):
        raise InvalidParameterException("logGroupName and resourceIdentifier are mutually exclusive parameters.")
    if req.get("resourceIdentifier"):
        return group_by_arn(tx, ctx, req["resourceIdentifier"])  # query-result ARNs: gureum has no Logs Insights
    if not req.get("logGroupName"):
        raise InvalidParameterException("Either logGroupName or resourceIdentifier should be provided.")
    return require_group(tx, ctx, req["logGroupName"])


@SERVICE.op("AssociateKmsKey")
async def associate_kms_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(lambda tx: store.set_kms_key(tx, _kms_target(tx, ctx, req).id, req["kmsKeyId"]))
    return {}


@SERVICE.op("DisassociateKmsKey")
async def disassociate_kms_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(lambda tx: store.set_kms_key(tx, _kms_target(tx, ctx, req).id, None))
    return {}


# --- retention ------------------------------------------------------------------------------------


@SERVICE.op("PutRetentionPolicy")
async def put_retention_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    days = req["retentionInDays"]
    if days not in limits.RETENTION_DAYS:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(str(d) for d in sorted(limits.RETENTION_DAYS))}]"
        )
    await ctx.runtime.store.write(
        lambda tx: store.set_retention(tx, require_group(tx, ctx, req["logGroupName"]).id, days)
    )
    ctx.runtime.state(RetentionSweep).wake.set()  # sweep now (on the leader, else within one sweep period)
    return {}


@SERVICE.op("DeleteRetentionPolicy")
async def delete_retention_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(
        lambda tx: store.set_retention(tx, require_group(tx, ctx, req["logGroupName"]).id, None)
    )
    return {}


async def _sweep(runtime: Runtime, wake: asyncio.Event) -> None:
    """Delete events past their group's retention, on the one node that leads "logs-retention"."""
    while True:
        try:
            if await runtime.store.is_leader(_LEADER_ROLE):
                now = int(runtime.clock.now() * 1000)
                total = 0
                while True:  # batch by batch, so writers never wait long behind the sweep
                    removed = await runtime.store.write(lambda tx: store.expire(tx, now, _SWEEP_BATCH))
                    total += removed
                    if removed < _SWEEP_BATCH:
                        break
                if total:
                    log.info("log retention: %d events expired", total)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("CloudWatch Logs retention sweep failed")
        try:
            await asyncio.wait_for(wake.wait(), runtime.config.retention_sweep_seconds)
        except TimeoutError:
            pass
        wake.clear()


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    sweep = runtime.keep(RetentionSweep())
    runtime.spawn(_sweep(runtime, sweep.wake), "logs-retention")


class RetentionSweep:
    """The retention sweeper's wake-up: set when a retention changes, so expired events go at once."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()


# --- tags -----------------------------------------------------------------------------------------


async def _update_tags(ctx: RequestContext, find: Any, add: dict[str, str], remove: list[str]) -> None:
    def run(tx: Tx) -> None:
        group = find(tx)
        tags = {k: v for k, v in group.tags.items() if k not in remove}
        tags.update(add)
        _check_tags(tags)
        store.set_tags(tx, group.id, tags)

    await ctx.runtime.store.write(run)


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _update_tags(ctx, lambda tx: group_by_arn(tx, ctx, req["resourceArn"]), req["tags"], [])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _update_tags(ctx, lambda tx: group_by_arn(tx, ctx, req["resourceArn"]), {}, req["tagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await ctx.runtime.store.read(lambda tx: group_by_arn(tx, ctx, req["resourceArn"]))
    return {"tags": group.tags}


@SERVICE.op("TagLogGroup")
async def tag_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _update_tags(ctx, lambda tx: require_group(tx, ctx, req["logGroupName"]), req["tags"], [])
    return {}


@SERVICE.op("UntagLogGroup")
async def untag_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _update_tags(ctx, lambda tx: require_group(tx, ctx, req["logGroupName"]), {}, req["tags"])
    return {}


@SERVICE.op("ListTagsLogGroup")
async def list_tags_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    group = await ctx.runtime.store.read(lambda tx: require_group(tx, ctx, req["logGroupName"]))
    return {"tags": group.tags}
