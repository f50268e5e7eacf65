"""X-Ray's encryption configuration and resource policy operations."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import XRayBackend


def _backend(ctx: RequestContext) -> XRayBackend:
    return ctx.runtime.state(XRayBackend)


@SERVICE.op("PutEncryptionConfig")
async def put_encryption_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = await _backend(ctx).put_encryption_config(ctx.account, ctx.region, req["Type"], req.get("KeyId"))
    return {"EncryptionConfig": config}


@SERVICE.op("GetEncryptionConfig")
async def get_encryption_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"EncryptionConfig": await _backend(ctx).encryption_config(ctx.account, ctx.region)}


@SERVICE.op("PutResourcePolicy")
async def put_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    policy = await _backend(ctx).put_resource_policy(
        ctx.account, ctx.region, req["PolicyName"], req["PolicyDocument"], req.get("PolicyRevisionId")
    )
    return {"ResourcePolicy": policy}


@SERVICE.op("ListResourcePolicies")
async def list_resource_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"ResourcePolicies": await _backend(ctx).resource_policies(ctx.account, ctx.region)}


@SERVICE.op("DeleteResourcePolicy")
async def delete_resource_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _backend(ctx).delete_resource_policy(ctx.account, ctx.region, req["PolicyName"], req.get("PolicyRevisionId"))
    return {}
