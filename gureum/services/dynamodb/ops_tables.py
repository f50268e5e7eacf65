"""DynamoDB table operations (create, describe, list, update, delete, tags, time to live, limits, endpoints): each
calls one DynamoBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateTable")
async def create_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    description = await backend(ctx).create_table(
        ctx.account,
        ctx.region,
        req["TableName"],
        req["AttributeDefinitions"],
        req["KeySchema"],
        req.get("LocalSecondaryIndexes"),
        req.get("GlobalSecondaryIndexes"),
        req.get("BillingMode"),
        req.get("ProvisionedThroughput"),
        req.get("StreamSpecification"),
        req.get("Tags"),
        req.get("TableClass"),
        req.get("DeletionProtectionEnabled"),
        req.get("SSESpecification"),
        req.get("OnDemandThroughput"),
        req.get("WarmThroughput"),
        req.get("ResourcePolicy"),
    )
    return {"TableDescription": description}


@SERVICE.op("DescribeTable")
async def describe_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Table": await backend(ctx).describe_table(ctx.account, ctx.region, req["TableName"])}


@SERVICE.op("ListTables")
async def list_tables(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_tables(ctx.account, ctx.region, req.get("ExclusiveStartTableName"), req.get("Limit"))


@SERVICE.op("UpdateTable")
async def update_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    description = await backend(ctx).update_table(
        ctx.account,
        ctx.region,
        req["TableName"],
        req.get("AttributeDefinitions"),
        req.get("BillingMode"),
        req.get("ProvisionedThroughput"),
        req.get("GlobalSecondaryIndexUpdates"),
        req.get("StreamSpecification"),
        req.get("TableClass"),
        req.get("DeletionProtectionEnabled"),
        req.get("ReplicaUpdates"),
        req.get("SSESpecification"),
        req.get("OnDemandThroughput"),
        req.get("WarmThroughput"),
    )
    return {"TableDescription": description}


@SERVICE.op("DeleteTable")
async def delete_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"TableDescription": await backend(ctx).delete_table(ctx.account, ctx.region, req["TableName"])}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).tag_resource(req["ResourceArn"], req["Tags"])


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).untag_resource(req["ResourceArn"], req["TagKeys"])


@SERVICE.op("ListTagsOfResource")
async def list_tags_of_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_tags(req["ResourceArn"])


@SERVICE.op("UpdateTimeToLive")
async def update_time_to_live(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = await backend(ctx).update_ttl(ctx.account, ctx.region, req["TableName"], req["TimeToLiveSpecification"])
    return {"TimeToLiveSpecification": spec}


@SERVICE.op("DescribeTimeToLive")
async def describe_time_to_live(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"TimeToLiveDescription": await backend(ctx).describe_ttl(ctx.account, ctx.region, req["TableName"])}


@SERVICE.op("DescribeLimits")
async def describe_limits(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).describe_limits()


@SERVICE.op("DescribeEndpoints")
async def describe_endpoints(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return backend(ctx).describe_endpoints(ctx.request.host)
