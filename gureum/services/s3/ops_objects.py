"""S3 object operations (put, get, head, restore, delete, delete many, copy, list v1/v2/versions, tagging, ACL,
attributes): each calls one S3Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller, iam_refused
from .backend import backend
from .backend_buckets import owner_full_control
from .transfer import incoming, requester
from .writes import write_spec

_CONDITIONS = ("IfMatch", "IfNoneMatch", "IfModifiedSince", "IfUnmodifiedSince")
_COPY_CONDITIONS = (
    "CopySourceIfMatch",
    "CopySourceIfNoneMatch",
    "CopySourceIfModifiedSince",
    "CopySourceIfUnmodifiedSince",
)
_OVERRIDES = (
    "ResponseCacheControl",
    "ResponseContentDisposition",
    "ResponseContentEncoding",
    "ResponseContentLanguage",
    "ResponseContentType",
    "ResponseExpires",
)
_REPLACING = ("StorageClass", "WebsiteRedirectLocation", "SSEKMSKeyId")


@SERVICE.op("PutObject")
async def put_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_object(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req.get("Body"),
        incoming(ctx, req),
        write_spec(req),
        requester(ctx),
        ctx.request.headers.get("origin"),
    )


async def _get(ctx: RequestContext, req: dict[str, Any], head: bool) -> dict[str, Any]:
    return await backend(ctx).get_object(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req.get("VersionId"),
        req.get("Range"),
        req.get("PartNumber"),
        {name: req.get(name) for name in _CONDITIONS},
        {name: req.get(name) for name in _OVERRIDES},
        req.get("ChecksumMode") == "ENABLED",
        head,
        ctx.request.headers.get("origin"),
    )


@SERVICE.op("GetObject")
async def get_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _get(ctx, req, head=False)


@SERVICE.op("HeadObject")
async def head_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _get(ctx, req, head=True)


@SERVICE.op("RestoreObject")
async def restore_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).restore_object(
        await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId"), req.get("RestoreRequest") or {},
        requester(ctx),
    )  # fmt: skip


@SERVICE.op("DeleteObject")
async def delete_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_object(
        await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId"), req.get("IfMatch"), requester(ctx)
    )


@SERVICE.op("DeleteObjects")
async def delete_objects(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    delete = req.get("Delete") or {}
    return await backend(ctx).delete_objects(
        await caller(ctx, req), req["Bucket"], delete.get("Objects") or [], bool(delete.get("Quiet")), requester(ctx),
        await iam_refused(ctx, req),
    )  # fmt: skip


@SERVICE.op("CopyObject")
async def copy_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).copy_object(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req["CopySource"],
        {name: req.get(name) for name in _COPY_CONDITIONS},
        req.get("MetadataDirective"),
        req.get("TaggingDirective"),
        write_spec(req),
        any(req.get(name) for name in _REPLACING),
        requester(ctx),
    )


@SERVICE.op("ListObjects")
async def list_objects(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_objects(
        await caller(ctx, req),
        req["Bucket"],
        req.get("Prefix"),
        req.get("Delimiter"),
        req.get("Marker"),
        req.get("MaxKeys"),
        req.get("EncodingType") == "url",
        False,
        None,
        True,
        _restore_status(req),
    )


@SERVICE.op("ListObjectsV2")
async def list_objects_v2(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_objects(
        await caller(ctx, req),
        req["Bucket"],
        req.get("Prefix"),
        req.get("Delimiter"),
        req.get("StartAfter"),
        req.get("MaxKeys"),
        req.get("EncodingType") == "url",
        True,
        req.get("ContinuationToken"),
        bool(req.get("FetchOwner")),
        _restore_status(req),
    )


@SERVICE.op("ListObjectVersions")
async def list_object_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_object_versions(
        await caller(ctx, req),
        req["Bucket"],
        req.get("Prefix"),
        req.get("Delimiter"),
        req.get("KeyMarker"),
        req.get("VersionIdMarker"),
        req.get("MaxKeys"),
        req.get("EncodingType") == "url",
        _restore_status(req),
    )


def _restore_status(req: dict[str, Any]) -> bool:
    """Whether a listing asks for each object's RestoreStatus (x-amz-optional-object-attributes)."""
    return "RestoreStatus" in (req.get("OptionalObjectAttributes") or [])


@SERVICE.op("GetObjectTagging")
async def get_object_tagging(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_object_tagging(
        await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId")
    )


@SERVICE.op("PutObjectTagging")
async def put_object_tagging(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = {t["Key"]: t.get("Value", "") for t in (req.get("Tagging") or {}).get("TagSet") or []}
    return await backend(ctx).put_object_tagging(
        await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId"), tags, requester(ctx)
    )


@SERVICE.op("DeleteObjectTagging")
async def delete_object_tagging(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_object_tagging(
        await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId"), None, requester(ctx)
    )


@SERVICE.op("GetObjectAcl")
async def get_object_acl(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).object_exists(await caller(ctx, req), req["Bucket"], req["Key"], req.get("VersionId"))
    return owner_full_control(await caller(ctx, req))


@SERVICE.op("PutObjectAcl")
async def put_object_acl(ctx: RequestContext, req: dict[str, Any]) -> None:
    grants = any(
        req.get(name) for name in ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")
    )
    await backend(ctx).put_object_acl(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req.get("VersionId"),
        req.get("ACL"),
        req.get("AccessControlPolicy"),
        grants,
    )


@SERVICE.op("OptionsObject")
async def options_object(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).cors_preflight(
        req["Bucket"], req.get("Origin"), req.get("AccessControlRequestMethod"), req.get("AccessControlRequestHeaders")
    )


@SERVICE.op("OptionsBucket")
async def options_bucket(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).cors_preflight(
        req["Bucket"], req.get("Origin"), req.get("AccessControlRequestMethod"), req.get("AccessControlRequestHeaders")
    )


@SERVICE.op("GetObjectAttributes")
async def get_object_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).object_attributes(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req.get("VersionId"),
        req.get("ObjectAttributes") or [],
        req.get("MaxParts"),
        req.get("PartNumberMarker"),
    )
