"""Batch compute environment, job queue and scheduling policy operations: each calls one BatchBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateComputeEnvironment")
async def create_compute_environment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_compute_environment(
        ctx.account,
        ctx.region,
        req["computeEnvironmentName"],
        req["type"],
        req.get("state"),
        req.get("unmanagedvCpus"),
        req.get("computeResources"),
        req.get("serviceRole"),
        req.get("tags"),
        req.get("eksConfiguration"),
        req.get("context"),
    )


@SERVICE.op("DescribeComputeEnvironments")
async def describe_compute_environments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_compute_environments(
        ctx.account, ctx.region, req.get("computeEnvironments"), req.get("maxResults"), req.get("nextToken")
    )


@SERVICE.op("UpdateComputeEnvironment")
async def update_compute_environment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_compute_environment(
        ctx.account,
        ctx.region,
        req["computeEnvironment"],
        req.get("state"),
        req.get("unmanagedvCpus"),
        req.get("computeResources"),
        req.get("serviceRole"),
        req.get("updatePolicy"),
        req.get("context"),
    )


@SERVICE.op("DeleteComputeEnvironment")
async def delete_compute_environment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_compute_environment(ctx.account, ctx.region, req["computeEnvironment"])
    return {}


@SERVICE.op("CreateJobQueue")
async def create_job_queue(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_job_queue(
        ctx.account,
        ctx.region,
        req["jobQueueName"],
        req.get("state"),
        req.get("schedulingPolicyArn"),
        req["priority"],
        req.get("computeEnvironmentOrder"),
        req.get("serviceEnvironmentOrder"),
        req.get("jobQueueType"),
        req.get("tags"),
        req.get("jobStateTimeLimitActions"),
    )


@SERVICE.op("DescribeJobQueues")
async def describe_job_queues(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_job_queues(
        ctx.account, ctx.region, req.get("jobQueues"), req.get("maxResults"), req.get("nextToken")
    )


@SERVICE.op("UpdateJobQueue")
async def update_job_queue(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_job_queue(
        ctx.account,
        ctx.region,
        req["jobQueue"],
        req.get("state"),
        req.get("schedulingPolicyArn"),
        req.get("priority"),
        req.get("computeEnvironmentOrder"),
        req.get("serviceEnvironmentOrder"),
        req.get("jobStateTimeLimitActions"),
    )


@SERVICE.op("DeleteJobQueue")
async def delete_job_queue(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_job_queue(ctx.account, ctx.region, req["jobQueue"])
    return {}


@SERVICE.op("GetJobQueueSnapshot")
async def get_job_queue_snapshot(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).job_queue_snapshot(ctx.account, ctx.region, req["jobQueue"])


@SERVICE.op("CreateSchedulingPolicy")
async def create_scheduling_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_scheduling_policy(
        ctx.account, ctx.region, req["name"], req.get("fairsharePolicy"), req.get("tags")
    )


@SERVICE.op("DescribeSchedulingPolicies")
async def describe_scheduling_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_scheduling_policies(req["arns"])


@SERVICE.op("ListSchedulingPolicies")
async def list_scheduling_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_scheduling_policies(
        ctx.account, ctx.region, req.get("maxResults"), req.get("nextToken")
    )


@SERVICE.op("UpdateSchedulingPolicy")
async def update_scheduling_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_scheduling_policy(req["arn"], req.get("fairsharePolicy"))
    return {}


@SERVICE.op("DeleteSchedulingPolicy")
async def delete_scheduling_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_scheduling_policy(req["arn"])
    return {}
