"""ECS task operations (RunTask, StartTask, StopTask, DescribeTasks, ListTasks): each calls one EcsBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("RunTask")
async def run_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).run_task(
        ctx.account,
        ctx.region,
        req.get("cluster"),
        req["taskDefinition"],
        req.get("count"),
        req.get("launchType"),
        req.get("capacityProviderStrategy"),
        req.get("overrides"),
        req.get("startedBy"),
        req.get("group"),
        req.get("tags"),
        req.get("networkConfiguration"),
        req.get("platformVersion"),
        req.get("propagateTags"),
        bool(req.get("enableExecuteCommand")),
        bool(req.get("enableECSManagedTags")),
    )


@SERVICE.op("StopTask")
async def stop_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    task = await backend(ctx).stop_task(ctx.account, ctx.region, req.get("cluster"), req["task"], req.get("reason"))
    return {"task": task}


@SERVICE.op("DescribeTasks")
async def describe_tasks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_tasks(
        ctx.account, ctx.region, req.get("cluster"), req["tasks"], req.get("include")
    )


@SERVICE.op("ListTasks")
async def list_tasks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_tasks(
        ctx.account,
        ctx.region,
        req.get("cluster"),
        req.get("family"),
        req.get("startedBy"),
        req.get("desiredStatus"),
        req.get("launchType"),
        req.get("serviceName"),
        req.get("nextToken"),
        req.get("maxResults"),
    )


@SERVICE.op("StartTask")
async def start_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).start_task(
        ctx.account,
        ctx.region,
        req.get("cluster"),
        req["containerInstances"],
        req["taskDefinition"],
        req.get("overrides"),
        req.get("startedBy"),
        req.get("group"),
        req.get("tags"),
        req.get("networkConfiguration"),
    )
