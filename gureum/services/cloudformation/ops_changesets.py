"""Change set operations (Create, Describe, Execute, Delete, List): each calls one backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateChangeSet")
async def create_change_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_change_set(ctx.account, ctx.region, ctx.request.host, req)


@SERVICE.op("DescribeChangeSet")
async def describe_change_set(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_change_set(ctx.account, ctx.region, req["ChangeSetName"], req.get("StackName"))


@SERVICE.op("ExecuteChangeSet")
async def execute_change_set(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).execute_change_set(ctx.account, ctx.region, req["ChangeSetName"], req.get("StackName"))


@SERVICE.op("DeleteChangeSet")
async def delete_change_set(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_change_set(ctx.account, ctx.region, req["ChangeSetName"], req.get("StackName"))


@SERVICE.op("ListChangeSets")
async def list_change_sets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_change_sets(ctx.account, ctx.region, req["StackName"])
