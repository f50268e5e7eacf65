"""DynamoDB exports to S3 (ExportTableToPointInTime, DescribeExport, ListExports) and imports from S3 (ImportTable,
DescribeImport, ListImports): each calls one TransferBackend method."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend_transfers import TransferBackend


def _transfers(ctx: RequestContext) -> TransferBackend:
    return ctx.runtime.state(TransferBackend)


def _seconds(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _incremental(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    out: dict[str, Any] = {k: v for k, v in spec.items() if k == "ExportViewType"}
    for key in ("ExportFromTime", "ExportToTime"):
        if spec.get(key) is not None:
            out[key] = _seconds(spec[key])
    return out


@SERVICE.op("ExportTableToPointInTime")
async def export_table_to_point_in_time(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).export_table(
        ctx.account,
        ctx.region,
        req["TableArn"],
        _seconds(req.get("ExportTime")),
        req.get("ClientToken"),
        req["S3Bucket"],
        req.get("S3BucketOwner"),
        req.get("S3Prefix"),
        req.get("S3SseAlgorithm"),
        req.get("S3SseKmsKeyId"),
        req.get("ExportFormat"),
        req.get("ExportType"),
        _incremental(req.get("IncrementalExportSpecification")),
    )


@SERVICE.op("DescribeExport")
async def describe_export(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).describe_export(req["ExportArn"])


@SERVICE.op("ListExports")
async def list_exports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).list_exports(
        ctx.account, ctx.region, req.get("TableArn"), req.get("MaxResults"), req.get("NextToken")
    )


@SERVICE.op("ImportTable")
async def import_table(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).import_table(
        ctx.account,
        ctx.region,
        req.get("ClientToken"),
        req["S3BucketSource"],
        req["InputFormat"],
        req.get("InputFormatOptions"),
        req.get("InputCompressionType"),
        req["TableCreationParameters"],
    )


@SERVICE.op("DescribeImport")
async def describe_import(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).describe_import(req["ImportArn"])


@SERVICE.op("ListImports")
async def list_imports(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _transfers(ctx).list_imports(
        ctx.account, ctx.region, req.get("TableArn"), req.get("PageSize"), req.get("NextToken")
    )
