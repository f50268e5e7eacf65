"""S3 multipart upload operations (create, upload part, upload part copy, list parts, list uploads, complete,
abort): each calls one S3Backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .access import caller
from .backend import backend
from .transfer import incoming, requester
from .writes import write_spec

_COPY_CONDITIONS = (
    "CopySourceIfMatch",
    "CopySourceIfNoneMatch",
    "CopySourceIfModifiedSince",
    "CopySourceIfUnmodifiedSince",
)


@SERVICE.op("CreateMultipartUpload")
async def create_multipart_upload(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_multipart_upload(
        await caller(ctx, req), req["Bucket"], req["Key"], write_spec(req)
    )


@SERVICE.op("UploadPart")
async def upload_part(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).upload_part(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req["UploadId"],
        req["PartNumber"],
        req.get("Body"),
        incoming(ctx, req),
        ctx.request.headers.get("origin"),
    )


@SERVICE.op("UploadPartCopy")
async def upload_part_copy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).upload_part_copy(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req["UploadId"],
        req["PartNumber"],
        req["CopySource"],
        req.get("CopySourceRange"),
        {name: req.get(name) for name in _COPY_CONDITIONS},
    )


@SERVICE.op("ListParts")
async def list_parts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_parts(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req["UploadId"],
        req.get("MaxParts"),
        req.get("PartNumberMarker"),
    )


@SERVICE.op("ListMultipartUploads")
async def list_multipart_uploads(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_multipart_uploads(
        await caller(ctx, req),
        req["Bucket"],
        req.get("Prefix"),
        req.get("Delimiter"),
        req.get("KeyMarker"),
        req.get("UploadIdMarker"),
        req.get("MaxUploads"),
        req.get("EncodingType") == "url",
    )


@SERVICE.op("CompleteMultipartUpload")
async def complete_multipart_upload(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).complete_multipart_upload(
        await caller(ctx, req),
        req["Bucket"],
        req["Key"],
        req["UploadId"],
        (req.get("MultipartUpload") or {}).get("Parts") or [],
        req.get("MpuObjectSize"),
        req.get("IfMatch"),
        req.get("IfNoneMatch"),
        f"{ctx.request.base_url}/{req['Bucket']}/{req['Key']}",
        requester(ctx),
    )


@SERVICE.op("AbortMultipartUpload")
async def abort_multipart_upload(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).abort_multipart_upload(await caller(ctx, req), req["Bucket"], req["Key"], req["UploadId"])
