"""Operations on documentation parts and versions: each calls one method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- DocumentationParts -----------------------------------------------------------------------------------------------


@SERVICE.op("CreateDocumentationPart")
async def create_documentation_part(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_documentation_part(
        ctx.account, ctx.region, req["restApiId"], req["location"], req["properties"]
    )


@SERVICE.op("GetDocumentationPart")
async def get_documentation_part(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_documentation_part(
        ctx.account, ctx.region, req["restApiId"], req["documentationPartId"]
    )


@SERVICE.op("GetDocumentationParts")
async def get_documentation_parts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_documentation_parts(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateDocumentationPart")
async def update_documentation_part(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_documentation_part(
        ctx.account, ctx.region, req["restApiId"], req["documentationPartId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteDocumentationPart")
async def delete_documentation_part(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_documentation_part(ctx.account, ctx.region, req["restApiId"], req["documentationPartId"])


@SERVICE.op("ImportDocumentationParts")
async def import_documentation_parts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).import_documentation_parts(
        ctx.account, ctx.region, req["restApiId"], req.get("body"), req.get("mode")
    )


# --- DocumentationVersions --------------------------------------------------------------------------------------------


@SERVICE.op("CreateDocumentationVersion")
async def create_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_documentation_version(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["documentationVersion"],
        req.get("description"),
        req.get("stageName"),
    )


@SERVICE.op("GetDocumentationVersion")
async def get_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_documentation_version(
        ctx.account, ctx.region, req["restApiId"], req["documentationVersion"]
    )


@SERVICE.op("GetDocumentationVersions")
async def get_documentation_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_documentation_versions(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateDocumentationVersion")
async def update_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_documentation_version(
        ctx.account, ctx.region, req["restApiId"], req["documentationVersion"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteDocumentationVersion")
async def delete_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_documentation_version(
        ctx.account, ctx.region, req["restApiId"], req["documentationVersion"]
    )
