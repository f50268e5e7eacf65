"""Kinesis stream operations (create, delete, describe, list, capacity mode, record size, warm throughput,
retention, encryption, enhanced monitoring, limits, account settings): each calls one KinesisBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("CreateStream")
async def create_stream(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).create_stream(
        ctx.account,
        ctx.region,
        req["StreamName"],
        req.get("ShardCount"),
        (req.get("StreamModeDetails") or {}).get("StreamMode"),
        req.get("Tags"),
        req.get("MaxRecordSizeInKiB"),
        req.get("WarmThroughputMiBps"),
    )


@SERVICE.op("DeleteStream")
async def delete_stream(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_stream(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), bool(req.get("EnforceConsumerDeletion"))
    )


@SERVICE.op("DescribeStream")
async def describe_stream(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    description = await backend(ctx).describe_stream(
        ctx.account,
        ctx.region,
        req.get("StreamName"),
        req.get("StreamARN"),
        req.get("Limit"),
        req.get("ExclusiveStartShardId"),
    )
    return {"StreamDescription": description}


@SERVICE.op("DescribeStreamSummary")
async def describe_stream_summary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    summary = await backend(ctx).describe_stream_summary(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN")
    )
    return {"StreamDescriptionSummary": summary}


@SERVICE.op("ListStreams")
async def list_streams(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_streams(
        ctx.account, ctx.region, req.get("Limit"), req.get("ExclusiveStartStreamName"), req.get("NextToken")
    )


@SERVICE.op("UpdateStreamMode")
async def update_stream_mode(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).update_stream_mode(
        req["StreamARN"], req["StreamModeDetails"]["StreamMode"], req.get("WarmThroughputMiBps")
    )


@SERVICE.op("UpdateMaxRecordSize")
async def update_max_record_size(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).update_max_record_size(req.get("StreamARN"), req["MaxRecordSizeInKiB"])


@SERVICE.op("UpdateStreamWarmThroughput")
async def update_stream_warm_throughput(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_stream_warm_throughput(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["WarmThroughputMiBps"]
    )


@SERVICE.op("IncreaseStreamRetentionPeriod")
async def increase_stream_retention_period(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).change_retention(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["RetentionPeriodHours"], True
    )


@SERVICE.op("DecreaseStreamRetentionPeriod")
async def decrease_stream_retention_period(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).change_retention(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["RetentionPeriodHours"], False
    )


@SERVICE.op("StartStreamEncryption")
async def start_stream_encryption(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_encryption(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["EncryptionType"], req["KeyId"], True
    )


@SERVICE.op("StopStreamEncryption")
async def stop_stream_encryption(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).set_encryption(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["EncryptionType"], req["KeyId"], False
    )


@SERVICE.op("EnableEnhancedMonitoring")
async def enable_enhanced_monitoring(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).set_monitoring(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["ShardLevelMetrics"], True
    )


@SERVICE.op("DisableEnhancedMonitoring")
async def disable_enhanced_monitoring(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).set_monitoring(
        ctx.account, ctx.region, req.get("StreamName"), req.get("StreamARN"), req["ShardLevelMetrics"], False
    )


@SERVICE.op("DescribeLimits")
async def describe_limits(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_limits(ctx.account, ctx.region)


@SERVICE.op("DescribeAccountSettings")
async def describe_account_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_account_settings(ctx.account, ctx.region)


@SERVICE.op("UpdateAccountSettings")
async def update_account_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_account_settings(
        ctx.account, ctx.region, req["MinimumThroughputBillingCommitment"]["Status"]
    )
