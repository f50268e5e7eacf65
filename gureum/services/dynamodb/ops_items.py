"""DynamoDB single-item operations (PutItem, GetItem, UpdateItem, DeleteItem): each calls one DynamoBackend
method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutItem")
async def put_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_item(
        ctx.account,
        ctx.region,
        req["TableName"],
        req["Item"],
        req.get("ConditionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("ExpressionAttributeValues"),
        req.get("ReturnValues"),
        req.get("ReturnValuesOnConditionCheckFailure"),
        req.get("ReturnConsumedCapacity"),
        req.get("Expected"),
        req.get("ConditionalOperator"),
        req.get("ReturnItemCollectionMetrics"),
    )


@SERVICE.op("GetItem")
async def get_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_item(
        ctx.account,
        ctx.region,
        req["TableName"],
        req["Key"],
        req.get("ProjectionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("AttributesToGet"),
        bool(req.get("ConsistentRead")),
        req.get("ReturnConsumedCapacity"),
    )


@SERVICE.op("UpdateItem")
async def update_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_item(
        ctx.account,
        ctx.region,
        req["TableName"],
        req["Key"],
        req.get("UpdateExpression"),
        req.get("ConditionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("ExpressionAttributeValues"),
        req.get("ReturnValues"),
        req.get("ReturnValuesOnConditionCheckFailure"),
        req.get("ReturnConsumedCapacity"),
        req.get("AttributeUpdates"),
        req.get("Expected"),
        req.get("ConditionalOperator"),
        req.get("ReturnItemCollectionMetrics"),
    )


@SERVICE.op("DeleteItem")
async def delete_item(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_item(
        ctx.account,
        ctx.region,
        req["TableName"],
        req["Key"],
        req.get("ConditionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("ExpressionAttributeValues"),
        req.get("ReturnValues"),
        req.get("ReturnValuesOnConditionCheckFailure"),
        req.get("ReturnConsumedCapacity"),
        req.get("Expected"),
        req.get("ConditionalOperator"),
        req.get("ReturnItemCollectionMetrics"),
    )
