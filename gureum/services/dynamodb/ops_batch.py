"""DynamoDB batch and transaction operations (BatchGetItem, BatchWriteItem, TransactGetItems,
TransactWriteItems): each calls one DynamoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("BatchGetItem")
async def batch_get_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_get(ctx.account, ctx.region, req["RequestItems"], req.get("ReturnConsumedCapacity"))


@SERVICE.op("BatchWriteItem")
async def batch_write_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).batch_write(
        ctx.account, ctx.region, req["RequestItems"], req.get("ReturnConsumedCapacity"),
        req.get("ReturnItemCollectionMetrics"),
    )  # fmt: skip


@SERVICE.op("TransactGetItems")
async def transact_get_items(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).transact_get(
        ctx.account, ctx.region, req["TransactItems"], req.get("ReturnConsumedCapacity")
    )


@SERVICE.op("TransactWriteItems")
async def transact_write_items(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).transact_write(
        ctx.account, ctx.region, req["TransactItems"], req.get("ClientRequestToken"), req.get("ReturnConsumedCapacity"),
        req.get("ReturnItemCollectionMetrics"),
    )  # fmt: skip
