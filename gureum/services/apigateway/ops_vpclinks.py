"""Operations on VPC links: each calls one method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateVpcLink")
async def create_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_vpc_link(
        ctx.account, ctx.region, req["name"], req["targetArns"], req.get("description"), req.get("tags")
    )


@SERVICE.op("GetVpcLink")
async def get_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_vpc_link(ctx.account, ctx.region, req["vpcLinkId"])


@SERVICE.op("GetVpcLinks")
async def get_vpc_links(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_vpc_links(ctx.account, ctx.region, req.get("limit"), req.get("position"))


@SERVICE.op("UpdateVpcLink")
async def update_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_vpc_link(
        ctx.account, ctx.region, req["vpcLinkId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteVpcLink")
async def delete_vpc_link(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_vpc_link(ctx.account, ctx.region, req["vpcLinkId"])
