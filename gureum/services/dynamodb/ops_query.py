"""DynamoDB Query and Scan: each calls one DynamoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("Query")
async def query(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).query(
        ctx.account,
        ctx.region,
        req["TableName"],
        req.get("IndexName"),
        req.get("KeyConditionExpression"),
        req.get("FilterExpression"),
        req.get("ProjectionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("ExpressionAttributeValues"),
        req.get("AttributesToGet"),
        req.get("Select"),
        req.get("Limit"),
        req.get("ScanIndexForward", True),
        req.get("ExclusiveStartKey"),
        bool(req.get("ConsistentRead")),
        req.get("ReturnConsumedCapacity"),
        req.get("KeyConditions"),
        req.get("QueryFilter"),
        req.get("ConditionalOperator"),
    )


@SERVICE.op("Scan")
async def scan(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).scan(
        ctx.account,
        ctx.region,
        req["TableName"],
        req.get("IndexName"),
        req.get("FilterExpression"),
        req.get("ProjectionExpression"),
        req.get("ExpressionAttributeNames"),
        req.get("ExpressionAttributeValues"),
        req.get("AttributesToGet"),
        req.get("Select"),
        req.get("Limit"),
        req.get("ExclusiveStartKey"),
        req.get("Segment"),
        req.get("TotalSegments"),
        bool(req.get("ConsistentRead")),
        req.get("ReturnConsumedCapacity"),
        req.get("ScanFilter"),
        req.get("ConditionalOperator"),
    )
