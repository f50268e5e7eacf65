"""Lightsail instance snapshots and instances made from them: each calls one LightsailBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateInstanceSnapshot")
async def create_instance_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_instance_snapshot(
        ctx.account, ctx.region, req["instanceSnapshotName"], req["instanceName"], req.get("tags")
    )


@SERVICE.op("GetInstanceSnapshot")
async def get_instance_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instance_snapshot(ctx.account, ctx.region, req["instanceSnapshotName"])


@SERVICE.op("GetInstanceSnapshots")
async def get_instance_snapshots(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_instance_snapshots(ctx.account, ctx.region)


@SERVICE.op("DeleteInstanceSnapshot")
async def delete_instance_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_instance_snapshot(ctx.account, ctx.region, req["instanceSnapshotName"])


@SERVICE.op("CreateInstancesFromSnapshot")
async def create_instances_from_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_instances_from_snapshot(
        ctx.account,
        ctx.region,
        req["instanceNames"],
        req["availabilityZone"],
        req.get("instanceSnapshotName"),
        req["bundleId"],
        req.get("userData"),
        req.get("keyPairName"),
        req.get("tags"),
        req.get("sourceInstanceName"),
        req.get("ipAddressType"),
    )
