"""Batch job and tag operations (SubmitJob, CancelJob, TerminateJob, DescribeJobs, ListJobs, TagResource,
UntagResource, ListTagsForResource): each calls one BatchBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("SubmitJob")
async def submit_job(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).submit_job(ctx.account, ctx.region, req)


@SERVICE.op("CancelJob")
async def cancel_job(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).cancel_job(req["jobId"], req["reason"])
    return {}


@SERVICE.op("TerminateJob")
async def terminate_job(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).terminate_job(req["jobId"], req["reason"])
    return {}


@SERVICE.op("DescribeJobs")
async def describe_jobs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_jobs(req["jobs"])


@SERVICE.op("ListJobs")
async def list_jobs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_jobs(
        ctx.account,
        ctx.region,
        req.get("jobQueue"),
        req.get("arrayJobId"),
        req.get("multiNodeJobId"),
        req.get("jobStatus"),
        req.get("maxResults"),
        req.get("nextToken"),
        req.get("filters"),
    )


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(req["resourceArn"], req.get("tags"), None)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).tag_resource(req["resourceArn"], None, req.get("tagKeys"))
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).list_tags(req["resourceArn"])}
