"""SQS queue operations (create, delete, look up, list, attributes, purge, tags, permissions): each calls one
SqsBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("CreateQueue")
async def create_queue(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    queue = await backend(ctx).create_queue(
        ctx.account, ctx.region, req["QueueName"], req.get("Attributes"), req.get("tags")
    )
    return {"QueueUrl": queue.url(ctx.request.base_url)}


@SERVICE.op("DeleteQueue")
async def delete_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_queue(caller(ctx), ctx.region, req["QueueUrl"])


@SERVICE.op("GetQueueUrl")
async def get_queue_url(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    queue = await backend(ctx).get_queue_url(
        caller(ctx), ctx.region, req["QueueName"], req.get("QueueOwnerAWSAccountId")
    )
    return {"QueueUrl": queue.url(ctx.request.base_url)}


@SERVICE.op("ListQueues")
async def list_queues(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    queues, token = await backend(ctx).list_queues(
        ctx.account, ctx.region, req.get("QueueNamePrefix"), req.get("MaxResults"), req.get("NextToken")
    )
    out: dict[str, Any] = {}
    if queues:
        out["QueueUrls"] = [q.url(ctx.request.base_url) for q in queues]
    if token:
        out["NextToken"] = token
    return out


@SERVICE.op("ListDeadLetterSourceQueues")
async def list_dead_letter_source_queues(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    queues, token = await backend(ctx).list_dead_letter_source_queues(
        caller(ctx), ctx.region, req["QueueUrl"], req.get("MaxResults"), req.get("NextToken")
    )
    out: dict[str, Any] = {"queueUrls": [q.url(ctx.request.base_url) for q in queues]}
    if token:
        out["NextToken"] = token
    return out


@SERVICE.op("GetQueueAttributes")
async def get_queue_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    attributes = await backend(ctx).get_queue_attributes(
        caller(ctx), ctx.region, req["QueueUrl"], req.get("AttributeNames") or []
    )
    return {"Attributes": attributes} if attributes else {}


@SERVICE.op("SetQueueAttributes")
async def set_queue_attributes(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_queue_attributes(caller(ctx), ctx.region, req["QueueUrl"], req.get("Attributes") or {})


@SERVICE.op("PurgeQueue")
async def purge_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).purge_queue(caller(ctx), ctx.region, req["QueueUrl"])


@SERVICE.op("TagQueue")
async def tag_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).tag_queue(caller(ctx), ctx.region, req["QueueUrl"], req.get("Tags") or {})


@SERVICE.op("UntagQueue")
async def untag_queue(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).untag_queue(caller(ctx), ctx.region, req["QueueUrl"], req.get("TagKeys") or [])


@SERVICE.op("ListQueueTags")
async def list_queue_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).list_queue_tags(caller(ctx), ctx.region, req["QueueUrl"])
    return {"Tags": tags} if tags else {}


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).add_permission(
        caller(ctx),
        ctx.region,
        req["QueueUrl"],
        req["Label"],
        req.get("AWSAccountIds") or [],
        req.get("Actions") or [],
    )


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).remove_permission(caller(ctx), ctx.region, req["QueueUrl"], req["Label"])
