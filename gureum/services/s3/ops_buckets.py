"""S3 bucket operations (create, head, delete, list, location, versioning, ACL): each calls one S3Backend method.
ListDirectoryBuckets answers an empty list: gureum has no directory buckets (S3 Express One Zone)."""

from __future__ import annotations

from typing import Any

from ...aws.auth import credential_scope
from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend
from .documents import location_document


@SERVICE.op("CreateBucket")
async def create_bucket(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    configuration = req.get("CreateBucketConfiguration") or {}
    location = await backend(ctx).create_bucket(
        ctx.account,
        ctx.region,
        req["Bucket"],
        configuration.get("LocationConstraint"),
        req.get("ObjectOwnership"),
        req.get("ACL"),
        bool(req.get("ObjectLockEnabledForBucket")),
    )
    return {"Location": location}


@SERVICE.op("HeadBucket")
async def head_bucket(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).head_bucket(await caller(ctx, req), req["Bucket"])


@SERVICE.op("DeleteBucket")
async def delete_bucket(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_bucket(await caller(ctx, req), req["Bucket"])


def _directory_listing(ctx: RequestContext) -> bool:
    """Whether a GET / is ListDirectoryBuckets: the SDKs send it as ListBuckets' URI, signed for "s3express" (at
    AWS's s3express-control endpoint), which the router does not tell apart."""
    request = ctx.request
    scope = credential_scope(request)
    return (
        (scope is not None and scope[3] == "s3express")
        or request.host.lower().startswith("s3express-control.")
        or "max-directory-buckets" in request.query
    )


@SERVICE.op("ListDirectoryBuckets")
async def list_directory_buckets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Buckets": []}


@SERVICE.op("ListBuckets")
async def list_buckets(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if _directory_listing(ctx):
        return {"Buckets": []}  # ListDirectoryBuckets: gureum has no directory buckets
    return await backend(ctx).list_buckets(
        ctx.account, req.get("Prefix"), req.get("ContinuationToken"), req.get("MaxBuckets")
    )


@SERVICE.op("GetBucketLocation")
async def get_bucket_location(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    region = await backend(ctx).bucket_location(await caller(ctx, req), req["Bucket"])
    return {"LocationConstraint": location_document(region)}


@SERVICE.op("GetBucketVersioning")
async def get_bucket_versioning(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_versioning(await caller(ctx, req), req["Bucket"])


@SERVICE.op("PutBucketVersioning")
async def put_bucket_versioning(ctx: RequestContext, req: dict[str, Any]) -> None:
    configuration = req.get("VersioningConfiguration") or {}
    await backend(ctx).put_versioning(
        await caller(ctx, req), req["Bucket"], configuration.get("Status"), configuration.get("MFADelete")
    )


@SERVICE.op("GetBucketAcl")
async def get_bucket_acl(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).bucket_acl(await caller(ctx, req), req["Bucket"])


@SERVICE.op("PutBucketAcl")
async def put_bucket_acl(ctx: RequestContext, req: dict[str, Any]) -> None:
    grants = any(
        req.get(name) for name in ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")
    )
    await backend(ctx).put_bucket_acl(
        await caller(ctx, req), req["Bucket"], req.get("ACL"), req.get("AccessControlPolicy"), grants
    )


@SERVICE.op("GetBucketPolicyStatus")
async def get_bucket_policy_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyStatus": await backend(ctx).policy_status(await caller(ctx, req), req["Bucket"])}
