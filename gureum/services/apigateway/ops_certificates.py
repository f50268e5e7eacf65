"""Operations on client certificates: each calls one method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("GenerateClientCertificate")
async def generate_client_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).generate_client_certificate(
        ctx.account, ctx.region, req.get("description"), req.get("tags")
    )


@SERVICE.op("GetClientCertificate")
async def get_client_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_client_certificate(ctx.account, ctx.region, req["clientCertificateId"])


@SERVICE.op("GetClientCertificates")
async def get_client_certificates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_client_certificates(ctx.account, ctx.region, req.get("limit"), req.get("position"))


@SERVICE.op("UpdateClientCertificate")
async def update_client_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_client_certificate(
        ctx.account, ctx.region, req["clientCertificateId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteClientCertificate")
async def delete_client_certificate(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_client_certificate(ctx.account, ctx.region, req["clientCertificateId"])
