"""Lightsail key pair operations, blueprints and bundles, operations and tags: each calls one LightsailBackend
method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateKeyPair")
async def create_key_pair(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_key_pair(ctx.account, ctx.region, req["keyPairName"], req.get("tags"))


@SERVICE.op("ImportKeyPair")
async def import_key_pair(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).import_key_pair(ctx.account, ctx.region, req["keyPairName"], req["publicKeyBase64"])


@SERVICE.op("GetKeyPair")
async def get_key_pair(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_key_pair(ctx.account, ctx.region, req["keyPairName"])


@SERVICE.op("GetKeyPairs")
async def get_key_pairs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_key_pairs(ctx.account, ctx.region, bool(req.get("includeDefaultKeyPair")))


@SERVICE.op("DeleteKeyPair")
async def delete_key_pair(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_key_pair(
        ctx.account, ctx.region, req["keyPairName"], req.get("expectedFingerprint")
    )


@SERVICE.op("DownloadDefaultKeyPair")
async def download_default_key_pair(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).download_default_key_pair(ctx.account, ctx.region)


@SERVICE.op("GetBlueprints")
async def get_blueprints(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).get_blueprints(req.get("appCategory"))


@SERVICE.op("GetBundles")
async def get_bundles(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).get_bundles(bool(req.get("includeInactive")), req.get("appCategory"))


@SERVICE.op("GetOperation")
async def get_operation(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_operation(ctx.account, ctx.region, req["operationId"])


@SERVICE.op("GetOperations")
async def get_operations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_operations(ctx.account, ctx.region, None)


@SERVICE.op("GetOperationsForResource")
async def get_operations_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_operations(ctx.account, ctx.region, req["resourceName"])


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).tag_resource(
        ctx.account, ctx.region, req["resourceName"], req.get("resourceArn"), req["tags"]
    )


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).untag_resource(
        ctx.account, ctx.region, req["resourceName"], req.get("resourceArn"), req["tagKeys"]
    )
