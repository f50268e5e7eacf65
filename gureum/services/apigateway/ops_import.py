"""ImportRestApi, PutRestApi (overwrite or merge) and GetExport: OpenAPI 3 / Swagger 2 with API Gateway's extensions."""

from __future__ import annotations

import json
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .apis import now, require_api
from .errors import BadRequestException, not_found
from .openapi import export_spec, import_spec
from .ops_apis import api_view, new_api_doc


def _parse(body: bytes | None) -> Any:
    text = bytes(body or b"").decode("utf-8", "replace").strip()
    if not text:
        raise BadRequestException("Invalid OpenAPI input.")
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        import yaml  # type: ignore[import-untyped]  # YAML definitions need PyYAML (JSON ones do not)
    except ImportError:
        raise BadRequestException("Invalid OpenAPI input: YAML definitions need PyYAML installed; send JSON.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise BadRequestException("Invalid OpenAPI input.") from None


def _merge(doc: dict[str, Any], imported: dict[str, Any], overwrite: bool) -> None:
    """Put an imported definition into an API document (keeping its id and root resource)."""
    root = doc["rootResourceId"]
    api = doc["api"]
    fields = imported["api"]
    if overwrite:
        for member in ("description", "version", "binaryMediaTypes", "policy"):
            api.pop(member, None)
        doc["resources"] = imported["resources"]
        doc["models"], doc["validators"], doc["authorizers"], doc["gatewayResponses"] = (
            imported["models"],
            imported["validators"],
            imported["authorizers"],
            imported["gatewayResponses"],
        )
    else:
        by_path = {r["path"]: r for r in doc["resources"].values()}
        remap: dict[str, str] = {}
        for item in sorted(imported["resources"].values(), key=lambda r: r["path"]):
            existing = by_path.get(item["path"])
            if existing is None:
                parent = remap.get(item.get("parentId"), item.get("parentId"))
                existing = doc["resources"][item["id"]] = {**item, "parentId": parent}
            else:
                existing.setdefault("resourceMethods", {}).update(item.get("resourceMethods") or {})
            remap[item["id"]] = existing["id"]
        for section in ("models", "validators", "authorizers", "gatewayResponses"):
            doc[section].update(imported[section])
    for member, value in fields.items():
        if member != "name" or overwrite:
            api[member] = value
    assert root in doc["resources"]


@SERVICE.op("ImportRestApi")
async def import_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = _parse(req.get("body"))
    parameters = req.get("parameters") or {}
    title = (spec.get("info") or {}).get("title") if isinstance(spec, dict) else None
    types = parameters.get("endpointConfigurationTypes")
    doc = new_api_doc(
        ctx, {"name": title or "imported", **({"endpointConfiguration": {"types": [types.upper()]}} if types else {})}
    )
    imported = import_spec(spec, doc["api"]["id"], doc["rootResourceId"], parameters.get("basepath", "ignore"))
    _merge(doc, imported, overwrite=True)

    def create(tx: Tx) -> dict[str, Any]:
        store.insert_api(tx, ctx.account, ctx.region, doc, now(ctx))
        return api_view(doc)

    return await ctx.runtime.store.write(create)


@SERVICE.op("PutRestApi")
async def put_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = _parse(req.get("body"))
    mode = req.get("mode") or "merge"
    if mode not in ("merge", "overwrite"):
        raise BadRequestException("Invalid mode: must be merge or overwrite")

    def put(tx: Tx) -> dict[str, Any]:
        doc = require_api(tx, ctx, req["restApiId"])
        imported = import_spec(
            spec, doc["api"]["id"], doc["rootResourceId"], (req.get("parameters") or {}).get("basepath", "ignore")
        )
        _merge(doc, imported, overwrite=mode == "overwrite")
        store.save_api(tx, doc)
        return api_view(doc)

    return await ctx.runtime.store.write(put)


@SERVICE.op("GetExport")
async def get_export(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    kind = req["exportType"]
    if kind not in ("oas30", "swagger"):
        raise BadRequestException(f"Invalid export type: {kind}. Valid options are oas30, swagger")
    extensions = set(filter(None, ((req.get("parameters") or {}).get("extensions") or "").split(",")))

    def read(tx: Tx) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        doc = require_api(tx, ctx, req["restApiId"])
        stage = store.get_stage(tx, req["restApiId"], req["stageName"])
        if stage is None:
            raise not_found("stage")
        snapshot = store.get_snapshot(tx, req["restApiId"], stage["deploymentId"]) or doc
        return doc, stage, snapshot

    doc, stage, snapshot = await ctx.runtime.store.read(read)
    host = f"{req['restApiId']}.execute-api.{ctx.region}.amazonaws.com"
    spec = export_spec(snapshot, doc["api"], stage, kind, extensions, host)
    if "yaml" in (req.get("accepts") or ""):
        import yaml  # type: ignore[import-untyped]

        return {
            "contentType": "application/yaml",
            "body": yaml.safe_dump(spec, sort_keys=False).encode(),
            "contentDisposition": f'attachment; filename="{kind}_{stage["stageName"]}.yaml"',
        }
    return {
        "contentType": "application/json",
        "body": json.dumps(spec, indent=2).encode(),
        "contentDisposition": f'attachment; filename="{kind}_{stage["stageName"]}.json"',
    }
