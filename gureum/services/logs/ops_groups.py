"""Log group operations: create, delete, describe, deletion protection, KMS keys, retention, tags (current and
legacy)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateLogGroup")
async def create_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_log_group(
        ctx.account,
        ctx.region,
        req["logGroupName"],
        req.get("kmsKeyId"),
        req.get("logGroupClass"),
        bool(req.get("deletionProtectionEnabled")),
        dict(req.get("tags") or {}),
    )
    return {}


@SERVICE.op("DeleteLogGroup")
async def delete_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_log_group(ctx.account, ctx.region, req["logGroupName"])
    return {}


@SERVICE.op("DescribeLogGroups")
async def describe_log_groups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_log_groups(
        ctx.account,
        ctx.region,
        req.get("logGroupNamePrefix"),
        req.get("logGroupNamePattern"),
        req.get("logGroupIdentifiers"),
        req.get("logGroupClass"),
        req.get("nextToken"),
        req.get("limit"),
    )


@SERVICE.op("PutLogGroupDeletionProtection")
async def put_log_group_deletion_protection(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_deletion_protection(
        ctx.account,
        ctx.region,
        req.get("logGroupName"),
        req.get("logGroupIdentifier"),
        bool(req["deletionProtectionEnabled"]),
    )
    return {}


@SERVICE.op("AssociateKmsKey")
async def associate_kms_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).associate_kms_key(
        ctx.account, ctx.region, req.get("logGroupName"), req.get("resourceIdentifier"), req["kmsKeyId"]
    )
    return {}


@SERVICE.op("DisassociateKmsKey")
async def disassociate_kms_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).disassociate_kms_key(
        ctx.account, ctx.region, req.get("logGroupName"), req.get("resourceIdentifier")
    )
    return {}


@SERVICE.op("PutRetentionPolicy")
async def put_retention_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_retention_policy(ctx.account, ctx.region, req["logGroupName"], req["retentionInDays"])
    return {}


@SERVICE.op("DeleteRetentionPolicy")
async def delete_retention_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_retention_policy(ctx.account, ctx.region, req["logGroupName"])
    return {}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(ctx.account, ctx.region, req["resourceArn"], req["tags"])
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_resource(ctx.account, ctx.region, req["resourceArn"], req["tagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).list_tags_for_resource(ctx.account, ctx.region, req["resourceArn"])}


@SERVICE.op("TagLogGroup")
async def tag_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_log_group(ctx.account, ctx.region, req["logGroupName"], req["tags"])
    return {}


@SERVICE.op("UntagLogGroup")
async def untag_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_log_group(ctx.account, ctx.region, req["logGroupName"], req["tags"])
    return {}


@SERVICE.op("ListTagsLogGroup")
async def list_tags_log_group(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).list_tags_log_group(ctx.account, ctx.region, req["logGroupName"])}
