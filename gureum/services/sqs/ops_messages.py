"""SQS message operations (send, receive, delete and visibility, single and batched): each calls one SqsBackend
method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from . import SERVICE
from .access import caller
from .backend import Outcome, backend
from .sending import Sent


def _sent(result: Sent) -> dict[str, Any]:
    out: dict[str, Any] = {"MessageId": result.message_id, "MD5OfMessageBody": result.md5_body}
    if result.md5_attributes:
        out["MD5OfMessageAttributes"] = result.md5_attributes
    if result.md5_system:
        out["MD5OfMessageSystemAttributes"] = result.md5_system
    if result.sequence:
        out["SequenceNumber"] = result.sequence
    return out


def _failed(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


def _batch_result(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "Successful": [{"Id": entry_id} for entry_id, error in outcomes if error is None],
        "Failed": [_failed(entry_id, error) for entry_id, error in outcomes if error is not None],
    }


@SERVICE.op("SendMessage")
async def send_message(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    result = await backend(ctx).send_message(
        caller(ctx),
        ctx.region,
        req["QueueUrl"],
        req.get("MessageBody"),
        attributes=req.get("MessageAttributes"),
        system_attributes=req.get("MessageSystemAttributes"),
        delay=req.get("DelaySeconds"),
        group_id=req.get("MessageGroupId"),
        dedup_id=req.get("MessageDeduplicationId"),
        trace_header=ctx.request.headers.get("x-amzn-trace-id"),
        sender=ctx.access_key or ctx.account,
    )
    return _sent(result)


@SERVICE.op("SendMessageBatch")
async def send_message_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    outcomes = await backend(ctx).send_message_batch(
        caller(ctx),
        ctx.region,
        req["QueueUrl"],
        req.get("Entries") or [],
        ctx.access_key or ctx.account,
        ctx.request.headers.get("x-amzn-trace-id"),
    )
    return {
        "Successful": [{"Id": i, **_sent(r)} for i, r in outcomes if not isinstance(r, ServiceError)],
        "Failed": [_failed(i, r) for i, r in outcomes if isinstance(r, ServiceError)],
    }


@SERVICE.op("ReceiveMessage")
async def receive_message(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    messages = await backend(ctx).receive_message(
        caller(ctx),
        ctx.region,
        req["QueueUrl"],
        count=req.get("MaxNumberOfMessages"),
        wait=req.get("WaitTimeSeconds"),
        visibility=req.get("VisibilityTimeout"),
        attempt_id=req.get("ReceiveRequestAttemptId"),
        system_attributes=[*(req.get("AttributeNames") or []), *(req.get("MessageSystemAttributeNames") or [])],
        message_attributes=req.get("MessageAttributeNames"),
    )
    return {"Messages": messages} if messages else {}


@SERVICE.op("DeleteMessage")
async def delete_message(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_message(caller(ctx), ctx.region, req["QueueUrl"], req["ReceiptHandle"])


@SERVICE.op("DeleteMessageBatch")
async def delete_message_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    outcomes = await backend(ctx).delete_message_batch(
        caller(ctx), ctx.region, req["QueueUrl"], req.get("Entries") or []
    )
    return _batch_result(outcomes)


@SERVICE.op("ChangeMessageVisibility")
async def change_message_visibility(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).change_message_visibility(
        caller(ctx), ctx.region, req["QueueUrl"], req["ReceiptHandle"], req["VisibilityTimeout"]
    )


@SERVICE.op("ChangeMessageVisibilityBatch")
async def change_message_visibility_batch(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    outcomes = await backend(ctx).change_message_visibility_batch(
        caller(ctx), ctx.region, req["QueueUrl"], req.get("Entries") or []
    )
    return _batch_result(outcomes)
