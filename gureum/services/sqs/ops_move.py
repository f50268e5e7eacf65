"""SQS message move task operations (DLQ redrive): each calls one SqsBackend method and shapes its answer.
The tasks run on the leader node (maintenance.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend
from .move_tasks import describe


@SERVICE.op("StartMessageMoveTask")
async def start_message_move_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    handle = await backend(ctx).start_message_move_task(
        caller(ctx), ctx.region, req["SourceArn"], req.get("DestinationArn"), req.get("MaxNumberOfMessagesPerSecond")
    )
    return {"TaskHandle": handle}


@SERVICE.op("CancelMessageMoveTask")
async def cancel_message_move_task(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    moved = await backend(ctx).cancel_message_move_task(caller(ctx), req["TaskHandle"])
    return {"ApproximateNumberOfMessagesMoved": moved}


@SERVICE.op("ListMessageMoveTasks")
async def list_message_move_tasks(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tasks = await backend(ctx).list_message_move_tasks(caller(ctx), req["SourceArn"], req.get("MaxResults"))
    return {"Results": [describe(task) for task in tasks]}
