"""Publish and PublishBatch (SnsBackend's Publishing part, publishing.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


@SERVICE.op("Publish")
async def publish(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    published = await backend(ctx).publish(
        caller(ctx),
        ctx.region,
        topic_arn=req.get("TopicArn"),
        target_arn=req.get("TargetArn"),
        phone_number=req.get("PhoneNumber"),
        message=req.get("Message"),
        subject=req.get("Subject"),
        attributes=req.get("MessageAttributes"),
        structure=req.get("MessageStructure"),
        group_id=req.get("MessageGroupId"),
        dedup_id=req.get("MessageDeduplicationId"),
        base_url=ctx.request.base_url,
    )
    out = {"MessageId": published.message_id}
    if published.sequence is not None:
        out["SequenceNumber"] = published.sequence
    return out


@SERVICE.op("PublishBatch")
async def publish_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    successful, failed = await backend(ctx).publish_batch(
        caller(ctx), ctx.region, req["TopicArn"], req.get("PublishBatchRequestEntries"), ctx.request.base_url
    )
    return {"Successful": successful, "Failed": failed}
