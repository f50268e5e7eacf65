"""Documentation parts and versions (kept in the API document; a version freezes the parts as they are)."""

from __future__ import annotations

import copy
import json
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .apis import change_api, now, read_api, require_api
from .errors import BadRequestException, ConflictException, not_found
from .model import apply_patch, new_id, page
from .ops_apis import crud

LOCATION_TYPES = {
    "API",
    "AUTHORIZER",
    "MODEL",
    "RESOURCE",
    "METHOD",
    "PATH_PARAMETER",
    "QUERY_PARAMETER",
    "REQUEST_HEADER",
    "REQUEST_BODY",
    "RESPONSE",
    "RESPONSE_HEADER",
    "RESPONSE_BODY",
}


def _check_part(item: dict[str, Any]) -> None:
    location = item.get("location") or {}
    if location.get("type") not in LOCATION_TYPES:
        raise BadRequestException(f"Invalid documentation location type: {location.get('type')}")
    try:
        json.loads(item.get("properties") or "")
    except ValueError:
        raise BadRequestException("Documentation part properties must be a valid JSON object") from None


crud(
    "documentationParts",
    "documentationpart",
    "DocumentationPart",
    "DocumentationParts",
    {"location", "properties"},
    {},
    "documentationPartId",
    check=_check_part,
)


@SERVICE.op("ImportDocumentationParts")
async def import_documentation_parts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """Parts from an OpenAPI document's x-amazon-apigateway-documentation.documentationParts (merge or overwrite)."""
    try:
        spec = json.loads(bytes(req.get("body") or b""))
        parts = spec["x-amazon-apigateway-documentation"]["documentationParts"]
    except (ValueError, KeyError, TypeError):
        raise BadRequestException(
            "Invalid documentation input: x-amazon-apigateway-documentation.documentationParts is required"
        ) from None

    def run(doc: dict[str, Any]) -> dict[str, Any]:
        section = doc.setdefault("documentationParts", {})
        if req.get("mode") == "overwrite":
            section.clear()
        ids = []
        for part in parts:
            properties = part.get("properties")
            item = {
                "id": new_id(6),
                "location": part.get("location") or {},
                "properties": properties if isinstance(properties, str) else json.dumps(properties),
            }
            _check_part(item)
            section[item["id"]] = item
            ids.append(item["id"])
        return {"ids": ids, "warnings": []}

    return await change_api(ctx, req["restApiId"], run)


def _version(doc: dict[str, Any], version: str) -> dict[str, Any]:
    found = doc.get("documentationVersions", {}).get(version)
    if found is None:
        raise not_found("documentationversion")
    return found  # type: ignore[no-any-return]


def _version_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "parts"}


@SERVICE.op("CreateDocumentationVersion")
async def create_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def create(tx: Tx) -> dict[str, Any]:
        doc = require_api(tx, ctx, req["restApiId"])
        versions = doc.setdefault("documentationVersions", {})
        if req["documentationVersion"] in versions:
            raise ConflictException("Documentation version already exists")
        item = {
            "version": req["documentationVersion"],
            "createdDate": now(ctx),
            "parts": copy.deepcopy(doc.get("documentationParts", {})),
        }
        if req.get("description") is not None:
            item["description"] = req["description"]
        versions[item["version"]] = item
        store.save_api(tx, doc)
        if req.get("stageName"):
            stage = store.get_stage(tx, req["restApiId"], req["stageName"])
            if stage is None:
                raise not_found("stage")
            stage["documentationVersion"] = item["version"]
            store.save_stage(tx, req["restApiId"], stage)
        return _version_view(item)

    return await ctx.runtime.store.write(create)


@SERVICE.op("GetDocumentationVersion")
async def get_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: _version_view(_version(doc, req["documentationVersion"])))


@SERVICE.op("GetDocumentationVersions")
async def get_documentation_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(
        ctx,
        req["restApiId"],
        lambda doc: page([_version_view(v) for v in doc.get("documentationVersions", {}).values()], req),
    )


@SERVICE.op("UpdateDocumentationVersion")
async def update_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = apply_patch(
            _version(doc, req["documentationVersion"]), req.get("patchOperations") or [], allowed={"description"}
        )
        doc["documentationVersions"][req["documentationVersion"]] = item
        return _version_view(item)

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteDocumentationVersion")
async def delete_documentation_version(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        _version(doc, req["documentationVersion"])
        del doc["documentationVersions"][req["documentationVersion"]]

    await change_api(ctx, req["restApiId"], delete)
