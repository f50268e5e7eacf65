"""Lambda layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayerVersions, ListLayers, DeleteLayerVersion, and
a layer version's permissions."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PublishLayerVersion")
async def publish_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).publish_layer_version(
        ctx.account,
        ctx.region,
        req["LayerName"],
        req.get("Description"),
        req.get("Content"),
        req.get("CompatibleRuntimes"),
        req.get("LicenseInfo"),
        req.get("CompatibleArchitectures"),
        ctx.request.base_url,
        ctx.access_key,
    )


@SERVICE.op("GetLayerVersion")
async def get_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_layer_version(
        ctx.account, ctx.region, req["LayerName"], req["VersionNumber"], ctx.request.base_url
    )


@SERVICE.op("GetLayerVersionByArn")
async def get_layer_version_by_arn(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_layer_version_by_arn(ctx.account, req["Arn"], ctx.request.base_url)


@SERVICE.op("ListLayerVersions")
async def list_layer_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_layer_versions(
        ctx.account,
        ctx.region,
        req["LayerName"],
        req.get("CompatibleRuntime"),
        req.get("CompatibleArchitecture"),
        ctx.request.base_url,
    )


@SERVICE.op("ListLayers")
async def list_layers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).list_layers(
        ctx.account, ctx.region, req.get("CompatibleRuntime"), req.get("CompatibleArchitecture"), ctx.request.base_url
    )


@SERVICE.op("DeleteLayerVersion")
async def delete_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).delete_layer_version(ctx.account, ctx.region, req["LayerName"], req["VersionNumber"])
    return {}


@SERVICE.op("AddLayerVersionPermission")
async def add_layer_version_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).add_layer_version_permission(
        ctx.account, ctx.region, req["LayerName"], req["VersionNumber"], req["StatementId"], req["Action"],
        req["Principal"], req.get("OrganizationId"), req.get("RevisionId"),
    )  # fmt: skip


@SERVICE.op("GetLayerVersionPolicy")
async def get_layer_version_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx.runtime).get_layer_version_policy(
        ctx.account, ctx.region, req["LayerName"], req["VersionNumber"]
    )


@SERVICE.op("RemoveLayerVersionPermission")
async def remove_layer_version_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx.runtime).remove_layer_version_permission(
        ctx.account, ctx.region, req["LayerName"], req["VersionNumber"], req["StatementId"], req.get("RevisionId")
    )
    return {}
