"""Custom domain names and their base path mappings. The edge serves a mapped domain by its Host header (see
edge.py); every node keeps the set of domain names, refreshed on each committed change (store notifications)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...aws.context import RequestContext
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .apis import now, require_api
from .errors import BadRequestException, ConflictException, NotFoundException
from .model import apply_patch, page

CHANNEL = "apigateway_domains"
DOMAINS: set[str] = set()  # this node's view of every custom domain name (lower case), for the edge's cheap claim
_NONE = "(none)"


def _view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _domain(tx: Tx, name: str) -> tuple[str, str, dict[str, Any]] | None:
    row = tx.one(
        "SELECT account, region, doc FROM apigateway_entities WHERE kind = 'domain' AND entity_id = ?", (name.lower(),)
    )
    return (row[0], row[1], json.loads(row[2])) if row else None


def domain_target(tx: Tx, host: str, path: str) -> tuple[str, str, str] | None:
    """(api id, stage, path inside the stage) for a request to a custom domain, by its longest matching base path."""
    found = _domain(tx, host)
    if found is None:
        return None
    mappings = found[2].get("_mappings") or {}
    first, _, rest = path.lstrip("/").partition("/")
    if first and first in mappings:
        mapping = mappings[first]
        return mapping["restApiId"], mapping["stage"], "/" + rest
    if _NONE in mappings:
        mapping = mappings[_NONE]
        return mapping["restApiId"], mapping["stage"], path or "/"
    return None


async def load_domains(runtime: Runtime) -> None:
    rows = await runtime.store.read(
        lambda tx: tx.all("SELECT entity_id FROM apigateway_entities WHERE kind = 'domain'")
    )
    DOMAINS.clear()
    DOMAINS.update(row[0] for row in rows)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    await load_domains(runtime)
    runtime.store.subscribe(CHANNEL, lambda _payload: runtime.spawn(load_domains(runtime), "apigateway-domains"))


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    DOMAINS.clear()


def _require(tx: Tx, ctx: RequestContext, name: str) -> dict[str, Any]:
    found = store.get_entity(tx, ctx.account, ctx.region, "domain", name.lower())
    if found is None:
        raise NotFoundException("Invalid domain name identifier specified")
    return found


@SERVICE.op("CreateDomainName")
async def create_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["domainName"].lower()
    types = (req.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    token = hashlib.sha256(name.encode()).hexdigest()
    item: dict[str, Any] = {
        "id": name,
        "domainName": name,
        "domainNameStatus": "AVAILABLE",
        "endpointConfiguration": {"types": types},
        "securityPolicy": req.get("securityPolicy") or "TLS_1_2",
        "tags": req.get("tags") or {},
        "_mappings": {},
    }
    if "REGIONAL" in types:
        item.update(
            regionalDomainName=f"d-{token[:10]}.execute-api.{ctx.region}.amazonaws.com",
            regionalHostedZoneId="Z1UJRXOUMOOFQ8",
            regionalCertificateArn=req.get("regionalCertificateArn"),
            regionalCertificateName=req.get("regionalCertificateName"),
        )
    else:
        item.update(
            distributionDomainName=f"d{token[:13]}.cloudfront.net",
            distributionHostedZoneId="Z2FDTNDATAQYW2",
            certificateArn=req.get("certificateArn"),
            certificateName=req.get("certificateName"),
            certificateUploadDate=now(ctx),
        )
    item = {k: v for k, v in item.items() if v is not None}

    def create(tx: Tx) -> dict[str, Any]:
        if _domain(tx, name) is not None:
            raise ConflictException("The domain name you provided already exists.")
        store.insert_entity(tx, ctx.account, ctx.region, "domain", item, now(ctx))
        tx.notify(CHANNEL, name)
        return _view(item)

    return await ctx.runtime.store.write(create)


@SERVICE.op("GetDomainName")
async def get_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return _view(await ctx.runtime.store.read(lambda tx: _require(tx, ctx, req["domainName"])))


@SERVICE.op("GetDomainNames")
async def get_domain_names(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    items = await ctx.runtime.store.read(lambda tx: store.list_entities(tx, ctx.account, ctx.region, "domain"))
    return page([_view(i) for i in items], req)


@SERVICE.op("UpdateDomainName")
async def update_domain_name(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        item = apply_patch(
            _require(tx, ctx, req["domainName"]),
            req.get("patchOperations") or [],
            allowed={
                "certificateName",
                "certificateArn",
                "regionalCertificateArn",
                "regionalCertificateName",
                "securityPolicy",
                "endpointConfiguration",
            },
        )
        store.save_entity(tx, ctx.account, ctx.region, "domain", item)
        return _view(item)

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteDomainName")
async def delete_domain_name(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        item = _require(tx, ctx, req["domainName"])
        store.delete_entity(tx, ctx.account, ctx.region, "domain", item["id"])
        tx.notify(CHANNEL, item["id"])

    await ctx.runtime.store.write(delete)


# --- base path mappings ------------------------------------------------------------------------------------------


def _mapping_view(base_path: str, mapping: dict[str, Any]) -> dict[str, Any]:
    return {"basePath": base_path, "restApiId": mapping["restApiId"], "stage": mapping.get("stage")}


def _mapping(item: dict[str, Any], base_path: str) -> dict[str, Any]:
    found = item.get("_mappings", {}).get(base_path or _NONE)
    if found is None:
        raise NotFoundException("Invalid base path mapping identifier specified")
    return found


def _check_target(tx: Tx, ctx: RequestContext, mapping: dict[str, Any]) -> None:
    require_api(tx, ctx, mapping["restApiId"])
    if not mapping.get("stage") or store.get_stage(tx, mapping["restApiId"], mapping["stage"]) is None:
        raise BadRequestException("Invalid stage identifier specified")


@SERVICE.op("CreateBasePathMapping")
async def create_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    base_path = (req.get("basePath") or "").strip("/") or _NONE

    def create(tx: Tx) -> dict[str, Any]:
        item = _require(tx, ctx, req["domainName"])
        if base_path in item["_mappings"]:
            raise ConflictException("Base path already exists for this domain name")
        mapping = {"restApiId": req["restApiId"], "stage": req.get("stage")}
        _check_target(tx, ctx, mapping)
        item["_mappings"][base_path] = mapping
        store.save_entity(tx, ctx.account, ctx.region, "domain", item)
        return _mapping_view(base_path, mapping)

    return await ctx.runtime.store.write(create)


@SERVICE.op("GetBasePathMapping")
async def get_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(tx: Tx) -> dict[str, Any]:
        return _mapping_view(req["basePath"], _mapping(_require(tx, ctx, req["domainName"]), req["basePath"]))

    return await ctx.runtime.store.read(get)


@SERVICE.op("GetBasePathMappings")
async def get_base_path_mappings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    item = await ctx.runtime.store.read(lambda tx: _require(tx, ctx, req["domainName"]))
    return page([_mapping_view(k, v) for k, v in item["_mappings"].items()], req)


@SERVICE.op("UpdateBasePathMapping")
async def update_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        item = _require(tx, ctx, req["domainName"])
        current = _mapping(item, req["basePath"])
        changed = apply_patch(
            {"basePath": req["basePath"], **current},
            req.get("patchOperations") or [],
            allowed={"basePath", "restApiId", "stage"},
        )
        _check_target(tx, ctx, changed)
        del item["_mappings"][req["basePath"] or _NONE]
        new_path = (changed.pop("basePath") or "").strip("/") or _NONE
        if new_path in item["_mappings"]:
            raise ConflictException("Base path already exists for this domain name")
        item["_mappings"][new_path] = changed
        store.save_entity(tx, ctx.account, ctx.region, "domain", item)
        return _mapping_view(new_path, changed)

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteBasePathMapping")
async def delete_base_path_mapping(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        item = _require(tx, ctx, req["domainName"])
        _mapping(item, req["basePath"])
        del item["_mappings"][req["basePath"] or _NONE]
        store.save_entity(tx, ctx.account, ctx.region, "domain", item)

    await ctx.runtime.store.write(delete)
