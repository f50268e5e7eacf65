"""DynamoDB's Kinesis streaming destination operations and global-table operations: each calls one
ReplicationBackend method (global tables are refused or answered as absent: one process is one Region)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend_replication import ReplicationBackend


def _replication(ctx: RequestContext) -> ReplicationBackend:
    return ctx.runtime.state(ReplicationBackend)


def _precision(config: dict[str, Any] | None) -> str | None:
    return (config or {}).get("ApproximateCreationDateTimePrecision")


@SERVICE.op("EnableKinesisStreamingDestination")
async def enable_kinesis_streaming_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _replication(ctx).enable_kinesis(
        ctx.account, ctx.region, req["TableName"], req["StreamArn"],
        _precision(req.get("EnableKinesisStreamingConfiguration")),
    )  # fmt: skip


@SERVICE.op("DisableKinesisStreamingDestination")
async def disable_kinesis_streaming_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _replication(ctx).disable_kinesis(ctx.account, ctx.region, req["TableName"], req["StreamArn"])


@SERVICE.op("UpdateKinesisStreamingDestination")
async def update_kinesis_streaming_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _replication(ctx).update_kinesis(
        ctx.account, ctx.region, req["TableName"], req["StreamArn"],
        _precision(req.get("UpdateKinesisStreamingConfiguration")),
    )  # fmt: skip


@SERVICE.op("DescribeKinesisStreamingDestination")
async def describe_kinesis_streaming_destination(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _replication(ctx).describe_kinesis(ctx.account, ctx.region, req["TableName"])


@SERVICE.op("CreateGlobalTable")
async def create_global_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _replication(ctx).refuse_replicas(ctx.region)
    return {}


@SERVICE.op("UpdateGlobalTable")
async def update_global_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _replication(ctx).no_global_table(req["GlobalTableName"])
    return {}


@SERVICE.op("UpdateGlobalTableSettings")
async def update_global_table_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _replication(ctx).no_global_table(req["GlobalTableName"])
    return {}


@SERVICE.op("DescribeGlobalTable")
async def describe_global_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _replication(ctx).no_global_table(req["GlobalTableName"])
    return {}


@SERVICE.op("DescribeGlobalTableSettings")
async def describe_global_table_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _replication(ctx).no_global_table(req["GlobalTableName"])
    return {}


@SERVICE.op("ListGlobalTables")
async def list_global_tables(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _replication(ctx).list_global_tables()


@SERVICE.op("DescribeTableReplicaAutoScaling")
async def describe_table_replica_auto_scaling(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    description = await _replication(ctx).replica_auto_scaling(ctx.account, ctx.region, req["TableName"])
    return {"TableAutoScalingDescription": description}


@SERVICE.op("UpdateTableReplicaAutoScaling")
async def update_table_replica_auto_scaling(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _replication(ctx).update_replica_auto_scaling(ctx.account, ctx.region, req["TableName"])
    return {}
