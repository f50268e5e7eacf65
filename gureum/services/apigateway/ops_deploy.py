"""Deployments (immutable snapshots of the API document) and Stages, which serve one deployment each."""

from __future__ import annotations

import copy
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .apis import now, require_api
from .errors import BadRequestException, ConflictException, not_found
from .model import apply_patch, new_id, page, split_path

_METHOD_SETTINGS = {
    ("throttling", "rateLimit"): "throttlingRateLimit",
    ("throttling", "burstLimit"): "throttlingBurstLimit",
    ("metrics", "enabled"): "metricsEnabled",
    ("logging", "loglevel"): "loggingLevel",
    ("logging", "dataTrace"): "dataTraceEnabled",
    ("caching", "enabled"): "cachingEnabled",
    ("caching", "ttlInSeconds"): "cacheTtlInSeconds",
    ("caching", "dataEncrypted"): "cacheDataEncrypted",
    ("caching", "requireAuthorizationForCacheControl"): "requireAuthorizationForCacheControl",
    ("caching", "unauthorizedCacheControlHeaderStrategy"): "unauthorizedCacheControlHeaderStrategy",
}
_METHOD_SETTING_DEFAULTS = {
    "metricsEnabled": False,
    "loggingLevel": "OFF",
    "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0,
    "cachingEnabled": False,
    "cacheTtlInSeconds": 300,
    "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
_STAGE_FIELDS = {
    "deploymentId",
    "description",
    "variables",
    "cacheClusterEnabled",
    "cacheClusterSize",
    "tracingEnabled",
    "clientCertificateId",
    "webAclArn",
    "canarySettings",
    "accessLogSettings",
}


def snapshot(doc: dict[str, Any]) -> dict[str, Any]:
    """What a deployment freezes: everything the edge needs to serve the API as it is now."""
    api = doc["api"]
    methods = [m for r in doc["resources"].values() for m in (r.get("resourceMethods") or {}).values()]
    if not methods:
        raise BadRequestException("The REST API doesn't contain any methods")
    for r in doc["resources"].values():
        for m in (r.get("resourceMethods") or {}).values():
            if "methodIntegration" not in m:
                raise BadRequestException("No integration defined for method")
    return {
        "api": {
            k: api.get(k)
            for k in (
                "id",
                "name",
                "binaryMediaTypes",
                "apiKeySource",
                "minimumCompressionSize",
                "disableExecuteApiEndpoint",
                "policy",
            )
        },
        **{
            k: copy.deepcopy(doc[k])
            for k in ("resources", "models", "validators", "authorizers", "gatewayResponses", "rootResourceId")
        },
    }


def _upsert_stage(
    tx: Tx, ctx: RequestContext, api_id: str, name: str, deployment_id: str, req: dict[str, Any], create_only: bool
) -> dict[str, Any]:
    stage = store.get_stage(tx, api_id, name)
    if stage is not None and create_only:
        raise ConflictException("Stage already exists")
    ts = now(ctx)
    if stage is None:
        stage = {
            "stageName": name,
            "deploymentId": deployment_id,
            "cacheClusterEnabled": bool(req.get("cacheClusterEnabled")),
            "cacheClusterStatus": "AVAILABLE" if req.get("cacheClusterEnabled") else "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": bool(req.get("tracingEnabled")),
            "createdDate": ts,
            "lastUpdatedDate": ts,
            "tags": req.get("tags") or {},
        }
        for member in ("description", "variables", "cacheClusterSize", "canarySettings", "documentationVersion"):
            if req.get(member) is not None:
                stage[member] = req[member]
        store.insert_stage(tx, api_id, stage)
    else:
        stage["deploymentId"], stage["lastUpdatedDate"] = deployment_id, ts
        if req.get("variables") is not None:
            stage["variables"] = {**(stage.get("variables") or {}), **req["variables"]}
        store.save_stage(tx, api_id, stage)
    return stage


# --- Deployments -------------------------------------------------------------------------------------------------


@SERVICE.op("CreateDeployment")
async def create_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    api_id = req["restApiId"]

    def create(tx: Tx) -> dict[str, Any]:
        doc = require_api(tx, ctx, api_id)
        deployment: dict[str, Any] = {"id": new_id(6), "createdDate": now(ctx)}
        if req.get("description") is not None:
            deployment["description"] = req["description"]
        store.insert_deployment(tx, api_id, deployment, snapshot(doc))
        if req.get("stageName"):
            stage_req = {**req, "description": req.get("stageDescription")}
            _upsert_stage(tx, ctx, api_id, req["stageName"], str(deployment["id"]), stage_req, create_only=False)
        return deployment

    return await ctx.runtime.store.write(create)


def _deployment(tx: Tx, ctx: RequestContext, api_id: str, deployment_id: str) -> dict[str, Any]:
    require_api(tx, ctx, api_id)
    found = store.get_deployment(tx, api_id, deployment_id)
    if found is None:
        raise not_found("deployment")
    return found


@SERVICE.op("GetDeployment")
async def get_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await ctx.runtime.store.read(lambda tx: _deployment(tx, ctx, req["restApiId"], req["deploymentId"]))


@SERVICE.op("GetDeployments")
async def get_deployments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(tx: Tx) -> dict[str, Any]:
        require_api(tx, ctx, req["restApiId"])
        return page(store.list_deployments(tx, req["restApiId"]), req)

    return await ctx.runtime.store.read(get)


@SERVICE.op("UpdateDeployment")
async def update_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        item = apply_patch(
            _deployment(tx, ctx, req["restApiId"], req["deploymentId"]),
            req.get("patchOperations") or [],
            allowed={"description"},
        )
        store.save_deployment(tx, req["restApiId"], item)
        return item

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteDeployment")
async def delete_deployment(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        _deployment(tx, ctx, req["restApiId"], req["deploymentId"])
        if any(s["deploymentId"] == req["deploymentId"] for s in store.list_stages(tx, req["restApiId"])):
            raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
        store.delete_deployment(tx, req["restApiId"], req["deploymentId"])

    await ctx.runtime.store.write(delete)


# --- Stages ---------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateStage")
async def create_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def create(tx: Tx) -> dict[str, Any]:
        _deployment(tx, ctx, req["restApiId"], req["deploymentId"])
        return _upsert_stage(tx, ctx, req["restApiId"], req["stageName"], req["deploymentId"], req, create_only=True)

    return await ctx.runtime.store.write(create)


def _stage(tx: Tx, ctx: RequestContext, api_id: str, name: str) -> dict[str, Any]:
    require_api(tx, ctx, api_id)
    found = store.get_stage(tx, api_id, name)
    if found is None:
        raise not_found("stage")
    return found


@SERVICE.op("GetStage")
async def get_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await ctx.runtime.store.read(lambda tx: _stage(tx, ctx, req["restApiId"], req["stageName"]))


@SERVICE.op("GetStages")
async def get_stages(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(tx: Tx) -> dict[str, Any]:
        require_api(tx, ctx, req["restApiId"])
        stages = store.list_stages(tx, req["restApiId"])
        if req.get("deploymentId"):
            stages = [s for s in stages if s["deploymentId"] == req["deploymentId"]]
        return {"item": stages}

    return await ctx.runtime.store.read(get)


def _method_setting_patches(stage: dict[str, Any], operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply /{resource path}/{METHOD}/{category}/{setting} patches (e.g. /*/*/throttling/rateLimit) to
    methodSettings; return the other operations."""
    rest = []
    for operation in operations:
        parts = split_path(operation.get("path") or "")
        setting = _METHOD_SETTINGS.get((parts[-2], parts[-1])) if len(parts) >= 4 else None
        if setting is None:
            rest.append(operation)
            continue
        # "/*/*/…", "/~1pets~1{id}/GET/…" or (as Terraform writes it) "/pets/{id}/GET/…": keyed "pets/{id}/GET"
        key = "/".join(parts[:-2]).lstrip("/")
        settings = stage.setdefault("methodSettings", {}).setdefault(key, dict(_METHOD_SETTING_DEFAULTS))
        if operation.get("op") == "remove":
            settings[setting] = _METHOD_SETTING_DEFAULTS[setting]
        else:
            patched = apply_patch(
                {setting: None}, [{"op": "replace", "path": f"/{setting}", "value": operation.get("value")}]
            )
            settings[setting] = patched[setting]
    return rest


@SERVICE.op("UpdateStage")
async def update_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(tx: Tx) -> dict[str, Any]:
        stage = _stage(tx, ctx, req["restApiId"], req["stageName"])
        rest = _method_setting_patches(stage, req.get("patchOperations") or [])
        stage = apply_patch(stage, rest, allowed=_STAGE_FIELDS)
        if store.get_deployment(tx, req["restApiId"], stage["deploymentId"]) is None:
            raise BadRequestException("Invalid deployment identifier specified")
        stage["lastUpdatedDate"] = now(ctx)
        stage["cacheClusterStatus"] = "AVAILABLE" if stage.get("cacheClusterEnabled") else "NOT_AVAILABLE"
        if stage.get("cacheClusterEnabled"):
            stage.setdefault("cacheClusterSize", "0.5")
        store.save_stage(tx, req["restApiId"], stage)
        return stage

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteStage")
async def delete_stage(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        _stage(tx, ctx, req["restApiId"], req["stageName"])
        store.delete_stage(tx, req["restApiId"], req["stageName"])

    await ctx.runtime.store.write(delete)
