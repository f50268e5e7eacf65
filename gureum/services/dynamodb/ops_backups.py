"""DynamoDB backup operations (CreateBackup, DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup) and
point-in-time recovery (UpdateContinuousBackups, DescribeContinuousBackups, RestoreTableToPointInTime): each calls
one BackupBackend method."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend_backups import BackupBackend

_OVERRIDES = ("BillingModeOverride", "GlobalSecondaryIndexOverride", "LocalSecondaryIndexOverride",
              "ProvisionedThroughputOverride", "SSESpecificationOverride", "OnDemandThroughputOverride")  # fmt: skip


def _backups(ctx: RequestContext) -> BackupBackend:
    return ctx.runtime.state(BackupBackend)


def _seconds(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


@SERVICE.op("CreateBackup")
async def create_backup(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backups(ctx).create_backup(ctx.account, ctx.region, req["TableName"], req["BackupName"])


@SERVICE.op("DescribeBackup")
async def describe_backup(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backups(ctx).describe_backup(req["BackupArn"])


@SERVICE.op("DeleteBackup")
async def delete_backup(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backups(ctx).delete_backup(req["BackupArn"])


@SERVICE.op("ListBackups")
async def list_backups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backups(ctx).list_backups(
        ctx.account,
        ctx.region,
        req.get("TableName"),
        req.get("Limit"),
        _seconds(req.get("TimeRangeLowerBound")),
        _seconds(req.get("TimeRangeUpperBound")),
        req.get("ExclusiveStartBackupArn"),
        req.get("BackupType"),
    )


@SERVICE.op("RestoreTableFromBackup")
async def restore_table_from_backup(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    overrides = {k: req[k] for k in _OVERRIDES if k in req}
    return await _backups(ctx).restore_from_backup(
        ctx.account, ctx.region, req["TargetTableName"], req["BackupArn"], overrides
    )


@SERVICE.op("UpdateContinuousBackups")
async def update_continuous_backups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = req["PointInTimeRecoverySpecification"]
    return await _backups(ctx).update_continuous_backups(
        ctx.account, ctx.region, req["TableName"], bool(spec["PointInTimeRecoveryEnabled"]),
        spec.get("RecoveryPeriodInDays"),
    )  # fmt: skip


@SERVICE.op("DescribeContinuousBackups")
async def describe_continuous_backups(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _backups(ctx).describe_continuous_backups(ctx.account, ctx.region, req["TableName"])


@SERVICE.op("RestoreTableToPointInTime")
async def restore_table_to_point_in_time(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    overrides = {k: req[k] for k in _OVERRIDES if k in req}
    return await _backups(ctx).restore_to_point_in_time(
        ctx.account,
        ctx.region,
        req.get("SourceTableName"),
        req.get("SourceTableArn"),
        req["TargetTableName"],
        bool(req.get("UseLatestRestorableTime")),
        _seconds(req.get("RestoreDateTime")),
        overrides,
    )
