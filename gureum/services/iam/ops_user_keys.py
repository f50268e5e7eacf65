"""IAM users' SSH public key and signing certificate operations."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("UploadSSHPublicKey")
async def upload_ssh_public_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    key = await backend(ctx).upload_ssh_public_key(ctx.account, req["UserName"], req["SSHPublicKeyBody"])
    return {"SSHPublicKey": key}


@SERVICE.op("GetSSHPublicKey")
async def get_ssh_public_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    key = await backend(ctx).get_ssh_public_key(ctx.account, req["UserName"], req["SSHPublicKeyId"], req["Encoding"])
    return {"SSHPublicKey": key}


@SERVICE.op("ListSSHPublicKeys")
async def list_ssh_public_keys(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_ssh_public_keys(
        ctx.account, req.get("UserName"), req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("UpdateSSHPublicKey")
async def update_ssh_public_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_ssh_public_key(ctx.account, req["UserName"], req["SSHPublicKeyId"], req["Status"])
    return {}


@SERVICE.op("DeleteSSHPublicKey")
async def delete_ssh_public_key(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_ssh_public_key(ctx.account, req["UserName"], req["SSHPublicKeyId"])
    return {}


@SERVICE.op("UploadSigningCertificate")
async def upload_signing_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    cert = await backend(ctx).upload_signing_certificate(ctx.account, req.get("UserName"), req["CertificateBody"])
    return {"Certificate": cert}


@SERVICE.op("ListSigningCertificates")
async def list_signing_certificates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).list_signing_certificates(
        ctx.account, req.get("UserName"), req.get("Marker"), req.get("MaxItems")
    )


@SERVICE.op("UpdateSigningCertificate")
async def update_signing_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).update_signing_certificate(ctx.account, req.get("UserName"), req["CertificateId"], req["Status"])
    return {}


@SERVICE.op("DeleteSigningCertificate")
async def delete_signing_certificate(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_signing_certificate(ctx.account, req.get("UserName"), req["CertificateId"])
    return {}
