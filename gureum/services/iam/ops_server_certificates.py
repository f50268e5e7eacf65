"""Server certificate operations: upload, read, list, rename or move, delete, tags."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("UploadServerCertificate")
async def upload_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).upload_server_certificate(
        ctx.account, req["ServerCertificateName"], req.get("Path"), req["CertificateBody"], req["PrivateKey"],
        req.get("CertificateChain"), req.get("Tags") or [],
    )  # fmt: skip


@SERVICE.op("GetServerCertificate")
async def get_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"ServerCertificate": await backend(ctx).get_server_certificate(ctx.account, req["ServerCertificateName"])}


@SERVICE.op("ListServerCertificates")
async def list_server_certificates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_server_certificates(
        ctx.account, req.get("PathPrefix"), req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("UpdateServerCertificate")
async def update_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_server_certificate(
        ctx.account, req["ServerCertificateName"], req.get("NewServerCertificateName"), req.get("NewPath")
    )
    return {}


@SERVICE.op("DeleteServerCertificate")
async def delete_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_server_certificate(ctx.account, req["ServerCertificateName"])
    return {}


@SERVICE.op("TagServerCertificate")
async def tag_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).retag_server_certificate(ctx.account, req["ServerCertificateName"], req["Tags"], [])
    return {}


@SERVICE.op("UntagServerCertificate")
async def untag_server_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).retag_server_certificate(ctx.account, req["ServerCertificateName"], [], req["TagKeys"])
    return {}


@SERVICE.op("ListServerCertificateTags")
async def list_server_certificate_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_server_certificate_tags(
        ctx.account, req["ServerCertificateName"], req.get("Marker"), req.get("MaxItems")
    )
