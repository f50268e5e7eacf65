"""Managed-policy operations: customer policies and their versions, AWS's catalogue, tags, ListEntitiesForPolicy."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreatePolicy")
async def create_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = await backend(ctx).create_policy(
        ctx.account,
        req["PolicyName"],
        req.get("Path"),
        req["PolicyDocument"],
        req.get("Description"),
        req.get("Tags") or [],
    )
    return {"Policy": policy}


@SERVICE.op("GetPolicy")
async def get_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": await backend(ctx).get_policy(ctx.account, req["PolicyArn"])}


@SERVICE.op("DeletePolicy")
async def delete_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_policy(ctx.account, req["PolicyArn"])
    return {}


@SERVICE.op("ListPolicies")
async def list_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_policies(
        ctx.account,
        req.get("Scope"),
        req.get("PathPrefix"),
        bool(req.get("OnlyAttached")),
        req.get("PolicyUsageFilter"),
        req.get("Marker"),
        req.get("MaxItems"),
    )


@SERVICE.op("CreatePolicyVersion")
async def create_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    version = await backend(ctx).create_policy_version(
        ctx.account, req["PolicyArn"], req["PolicyDocument"], bool(req.get("SetAsDefault"))
    )
    return {"PolicyVersion": version}


@SERVICE.op("GetPolicyVersion")
async def get_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyVersion": await backend(ctx).get_policy_version(ctx.account, req["PolicyArn"], req["VersionId"])}


@SERVICE.op("ListPolicyVersions")
async def list_policy_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_policy_versions(
        ctx.account, req["PolicyArn"], req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("DeletePolicyVersion")
async def delete_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_policy_version(ctx.account, req["PolicyArn"], req["VersionId"])
    return {}


@SERVICE.op("SetDefaultPolicyVersion")
async def set_default_policy_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_default_policy_version(ctx.account, req["PolicyArn"], req["VersionId"])
    return {}


@SERVICE.op("TagPolicy")
async def tag_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_policy(ctx.account, req["PolicyArn"], req["Tags"])
    return {}


@SERVICE.op("UntagPolicy")
async def untag_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).untag_policy(ctx.account, req["PolicyArn"], req["TagKeys"])
    return {}


@SERVICE.op("ListPolicyTags")
async def list_policy_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_policy_tags(ctx.account, req["PolicyArn"], req.get("Marker"), req.get("MaxItems"))


@SERVICE.op("ListEntitiesForPolicy")
async def list_entities_for_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_entities_for_policy(
        ctx.account,
        req["PolicyArn"],
        req.get("PathPrefix"),
        req.get("EntityFilter"),
        req.get("PolicyUsageFilter"),
        req.get("Marker"),
        req.get("MaxItems"),
    )
