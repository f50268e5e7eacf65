"""S3 bucket configurations gureum keeps and shows without acting on them (backend_configs.py): analytics,
inventory, metrics and intelligent-tiering configurations by Id, replication, and the Object Lock calls no gureum
bucket can take. Each operation calls one S3Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend


async def _list(ctx: RequestContext, req: dict[str, Any], kind: str, member: str) -> dict[str, Any]:
    """A List*Configurations page: up to 100, IsTruncated, and NextContinuationToken when more follow."""
    token = req.get("ContinuationToken")
    items, following = await backend(ctx).list_named_configs(await caller(ctx, req), req["Bucket"], kind, token)
    out: dict[str, Any] = {"IsTruncated": following is not None}
    if items:
        out[member] = items
    if token:
        out["ContinuationToken"] = token
    if following:
        out["NextContinuationToken"] = following
    return out


async def _put(ctx: RequestContext, req: dict[str, Any], kind: str, member: str) -> None:
    await backend(ctx).put_named_config(await caller(ctx, req), req["Bucket"], kind, req["Id"], req.get(member) or {})


async def _get(ctx: RequestContext, req: dict[str, Any], kind: str) -> dict[str, Any]:
    return await backend(ctx).get_named_config(await caller(ctx, req), req["Bucket"], kind, req["Id"])


async def _delete(ctx: RequestContext, req: dict[str, Any], kind: str) -> None:
    await backend(ctx).delete_named_config(await caller(ctx, req), req["Bucket"], kind, req["Id"])


# --- analytics (storage class analysis) -----------------------------------------------------------------------------


@SERVICE.op("PutBucketAnalyticsConfiguration")
async def put_bucket_analytics_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _put(ctx, req, "analytics", "AnalyticsConfiguration")


@SERVICE.op("GetBucketAnalyticsConfiguration")
async def get_bucket_analytics_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"AnalyticsConfiguration": await _get(ctx, req, "analytics")}


@SERVICE.op("DeleteBucketAnalyticsConfiguration")
async def delete_bucket_analytics_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _delete(ctx, req, "analytics")


@SERVICE.op("ListBucketAnalyticsConfigurations")
async def list_bucket_analytics_configurations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _list(ctx, req, "analytics", "AnalyticsConfigurationList")


# --- inventory ------------------------------------------------------------------------------------------------------


@SERVICE.op("PutBucketInventoryConfiguration")
async def put_bucket_inventory_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _put(ctx, req, "inventory", "InventoryConfiguration")


@SERVICE.op("GetBucketInventoryConfiguration")
async def get_bucket_inventory_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"InventoryConfiguration": await _get(ctx, req, "inventory")}


@SERVICE.op("DeleteBucketInventoryConfiguration")
async def delete_bucket_inventory_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _delete(ctx, req, "inventory")


@SERVICE.op("ListBucketInventoryConfigurations")
async def list_bucket_inventory_configurations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _list(ctx, req, "inventory", "InventoryConfigurationList")


# --- CloudWatch request metrics -------------------------------------------------------------------------------------


@SERVICE.op("PutBucketMetricsConfiguration")
async def put_bucket_metrics_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _put(ctx, req, "metrics", "MetricsConfiguration")


@SERVICE.op("GetBucketMetricsConfiguration")
async def get_bucket_metrics_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"MetricsConfiguration": await _get(ctx, req, "metrics")}


@SERVICE.op("DeleteBucketMetricsConfiguration")
async def delete_bucket_metrics_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _delete(ctx, req, "metrics")


@SERVICE.op("ListBucketMetricsConfigurations")
async def list_bucket_metrics_configurations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _list(ctx, req, "metrics", "MetricsConfigurationList")


# --- S3 Intelligent-Tiering archive configurations ------------------------------------------------------------------


@SERVICE.op("PutBucketIntelligentTieringConfiguration")
async def put_bucket_intelligent_tiering_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _put(ctx, req, "intelligentTiering", "IntelligentTieringConfiguration")


@SERVICE.op("GetBucketIntelligentTieringConfiguration")
async def get_bucket_intelligent_tiering_configuration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"IntelligentTieringConfiguration": await _get(ctx, req, "intelligentTiering")}


@SERVICE.op("DeleteBucketIntelligentTieringConfiguration")
async def delete_bucket_intelligent_tiering_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await _delete(ctx, req, "intelligentTiering")


@SERVICE.op("ListBucketIntelligentTieringConfigurations")
async def list_bucket_intelligent_tiering_configurations(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _list(ctx, req, "intelligentTiering", "IntelligentTieringConfigurationList")


# --- replication (stored and shown; nothing is replicated) ----------------------------------------------------------


@SERVICE.op("PutBucketReplication")
async def put_bucket_replication(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_replication(await caller(ctx, req), req["Bucket"], req.get("ReplicationConfiguration") or {})


@SERVICE.op("GetBucketReplication")
async def get_bucket_replication(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    config = await backend(ctx).get_config(await caller(ctx, req), req["Bucket"], "replication")
    return {"ReplicationConfiguration": config}


@SERVICE.op("DeleteBucketReplication")
async def delete_bucket_replication(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_config(await caller(ctx, req), req["Bucket"], "replication")


# --- Object Lock: no gureum bucket has it ---------------------------------------------------------------------------


@SERVICE.op("PutObjectLockConfiguration")
async def put_object_lock_configuration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).put_object_lock(await caller(ctx, req), req["Bucket"])


@SERVICE.op("GetObjectRetention")
async def get_object_retention(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).object_lock_call(await caller(ctx, req), req["Bucket"])


@SERVICE.op("PutObjectRetention")
async def put_object_retention(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).object_lock_call(await caller(ctx, req), req["Bucket"])


@SERVICE.op("GetObjectLegalHold")
async def get_object_legal_hold(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).object_lock_call(await caller(ctx, req), req["Bucket"])


@SERVICE.op("PutObjectLegalHold")
async def put_object_legal_hold(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).object_lock_call(await caller(ctx, req), req["Bucket"])
