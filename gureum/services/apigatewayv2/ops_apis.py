"""Apis, Stages, Deployments, CORS and tags. Changes made through ops_items.py redeploy auto-deploy stages here."""

from __future__ import annotations

import time
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ConflictException, bad_request, not_found
from .model import new_id, parse_resource_arn, public, route_key_problem, snapshot
from .websocket_api import WebSocketApis

SNAPSHOT_KINDS = ("Route", "Integration", "Authorizer", "RouteResponse", "IntegrationResponse", "Model")


def endpoint(ctx: RequestContext, api_id: str, protocol: str) -> str:
    """gureum's form of https://{api_id}.execute-api.{region}.amazonaws.com: the API's host on this server's port."""
    host = ctx.request.host
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else str(ctx.runtime.config.port)
    scheme = "ws" if protocol == "WEBSOCKET" else "http"
    return f"{scheme}://{api_id}.execute-api.localhost:{port}"


def load_api(tx: Tx, ctx: RequestContext, api_id: str) -> dict[str, Any]:
    found = store.get_api(tx, api_id)
    if found is None or found[0] != ctx.account or found[1] != ctx.region:
        raise not_found("API", f"{ctx.account}:{api_id}")
    return found[2]


def api_output(ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
    out = public(doc)
    out["ApiEndpoint"] = endpoint(ctx, doc["ApiId"], doc["ProtocolType"])
    return out


def deploy(tx: Tx, api_id: str, api: dict[str, Any], description: str | None, auto: bool) -> dict[str, Any]:
    """Freeze the API's current configuration as a new deployment."""
    items = {kind: store.all_items(tx, api_id, kind) for kind in SNAPSHOT_KINDS}
    now = time.time()
    doc: dict[str, Any] = {
        "DeploymentId": new_id(6),
        "DeploymentStatus": "DEPLOYED",
        "CreatedDate": now,
        "AutoDeployed": auto,
        "_snapshot": snapshot(api, items),
    }
    if description:
        doc["Description"] = description
    store.insert_item(tx, api_id, "Deployment", doc["DeploymentId"], doc, now)
    return doc


def changed(tx: Tx, api_id: str) -> None:
    """The API's configuration changed: stages with AutoDeploy get a fresh deployment (as AWS does within seconds)."""
    stages = [s for s in store.list_items(tx, api_id, "Stage") if s.get("AutoDeploy")]
    if not stages:
        return
    found = store.get_api(tx, api_id)
    assert found is not None
    deployment = deploy(tx, api_id, found[2], None, True)
    for stage in stages:
        stage.update(
            DeploymentId=deployment["DeploymentId"],
            LastUpdatedDate=time.time(),
            LastDeploymentStatusMessage=f"Successfully deployed stage with deployment ID '{deployment['DeploymentId']}'",
        )
        store.update_item(tx, api_id, "Stage", stage["StageName"], stage)


def _page(items: list[dict[str, Any]], req: dict[str, Any]) -> dict[str, Any]:
    start = int(req.get("NextToken") or 0)
    size = int(req.get("MaxResults") or 0) or len(items) or 1
    out: dict[str, Any] = {"Items": items[start : start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


# --- Apis ------------------------------------------------------------------------------------------


@SERVICE.op("CreateApi")
async def create_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    protocol = req["ProtocolType"]
    if protocol == "WEBSOCKET" and (req.get("Target") or req.get("RouteKey") or req.get("CorsConfiguration")):
        raise bad_request("Target, RouteKey and CorsConfiguration are supported only for HTTP APIs.")
    now = time.time()
    api_id = new_id()
    doc: dict[str, Any] = {
        "ApiId": api_id,
        "Name": req["Name"],
        "ProtocolType": protocol,
        "RouteSelectionExpression": req.get("RouteSelectionExpression")
        or ("$request.body.action" if protocol == "WEBSOCKET" else "${request.method} ${request.path}"),
        "ApiKeySelectionExpression": req.get("ApiKeySelectionExpression") or "$request.header.x-api-key",
        "CreatedDate": now,
        "DisableExecuteApiEndpoint": bool(req.get("DisableExecuteApiEndpoint", False)),
        "IpAddressType": req.get("IpAddressType") or "ipv4",
        "Tags": req.get("Tags") or {},
    }
    for key in ("Description", "Version", "CorsConfiguration", "DisableSchemaValidation"):
        if key in req:
            doc[key] = req[key]
    if req.get("RouteKey") and route_key_problem(protocol, req["RouteKey"]):
        raise bad_request(route_key_problem(protocol, req["RouteKey"]) or "")

    def write(tx: Tx) -> None:
        store.insert_api(tx, ctx.account, ctx.region, doc, now)
        if req.get("Target"):
            _quick_create(tx, doc, req)

    await ctx.runtime.store.write(write)
    return api_output(ctx, doc)


def _quick_create(tx: Tx, api: dict[str, Any], req: dict[str, Any]) -> None:
    """CreateApi with Target: an integration, a route (RouteKey, default $default) and an auto-deployed $default stage."""
    api_id, now = api["ApiId"], time.time()
    target = req["Target"]
    lambda_target = target.startswith("arn:") and ":lambda:" in target
    integration: dict[str, Any] = {"IntegrationId": new_id(7), "IntegrationType": "AWS_PROXY" if lambda_target else "HTTP_PROXY", "IntegrationUri": target,
                   "IntegrationMethod": "POST" if lambda_target else "ANY", "PayloadFormatVersion": "2.0" if lambda_target else "1.0",
                   "ConnectionType": "INTERNET", "TimeoutInMillis": 30000, "ApiGatewayManaged": True}  # fmt: skip
    if req.get("CredentialsArn"):
        integration["CredentialsArn"] = req["CredentialsArn"]
    store.insert_item(tx, api_id, "Integration", integration["IntegrationId"], integration, now)
    route: dict[str, Any] = {"RouteId": new_id(7), "RouteKey": req.get("RouteKey") or "$default", "AuthorizationType": "NONE", "ApiKeyRequired": False,
             "Target": f"integrations/{integration['IntegrationId']}", "ApiGatewayManaged": True}  # fmt: skip
    store.insert_item(tx, api_id, "Route", route["RouteId"], route, now)
    stage: dict[str, Any] = {"StageName": "$default", "AutoDeploy": True, "CreatedDate": now, "LastUpdatedDate": now, "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
             "RouteSettings": {}, "StageVariables": {}, "Tags": {}, "ApiGatewayManaged": True}  # fmt: skip
    store.insert_item(tx, api_id, "Stage", "$default", stage, now)
    changed(tx, api_id)


@SERVICE.op("GetApi")
async def get_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc = await ctx.runtime.store.read(lambda tx: load_api(tx, ctx, req["ApiId"]))
    return api_output(ctx, doc)


@SERVICE.op("GetApis")
async def get_apis(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    docs = await ctx.runtime.store.read(lambda tx: store.list_apis(tx, ctx.account, ctx.region))
    return _page([api_output(ctx, d) for d in docs], req)


@SERVICE.op("UpdateApi")
async def update_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> dict[str, Any]:
        doc = load_api(tx, ctx, req["ApiId"])
        if doc["ProtocolType"] == "WEBSOCKET" and req.get("CorsConfiguration"):
            raise bad_request("CorsConfiguration is supported only for HTTP APIs.")
        for key in ("Name", "Description", "Version", "RouteSelectionExpression", "ApiKeySelectionExpression", "CorsConfiguration", "DisableExecuteApiEndpoint",
                    "DisableSchemaValidation", "IpAddressType"):  # fmt: skip
            if key in req:
                doc[key] = req[key]
        store.update_api(tx, doc)
        changed(tx, doc["ApiId"])
        return doc

    return api_output(ctx, await ctx.runtime.store.write(write))


@SERVICE.op("DeleteApi")
async def delete_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        load_api(tx, ctx, req["ApiId"])
        store.delete_api(tx, req["ApiId"])

    await ctx.runtime.store.write(write)
    ctx.runtime.state(WebSocketApis).close_all(req["ApiId"])  # clients of a deleted API are disconnected
    return {}


@SERVICE.op("DeleteCorsConfiguration")
async def delete_cors(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        doc = load_api(tx, ctx, req["ApiId"])
        doc.pop("CorsConfiguration", None)
        store.update_api(tx, doc)
        changed(tx, doc["ApiId"])

    await ctx.runtime.store.write(write)
    return {}


# --- Stages ----------------------------------------------------------------------------------------

_STAGE_MEMBERS = (
    "AccessLogSettings",
    "AutoDeploy",
    "ClientCertificateId",
    "DefaultRouteSettings",
    "DeploymentId",
    "Description",
    "RouteSettings",
    "StageVariables",
)


def _load_stage(tx: Tx, api_id: str, name: str) -> dict[str, Any]:
    doc = store.get_item(tx, api_id, "Stage", name)
    if doc is None:
        raise not_found("Stage", name)
    return doc


def _check_deployment(tx: Tx, api_id: str, deployment_id: str | None) -> None:
    if deployment_id and store.get_item(tx, api_id, "Deployment", deployment_id) is None:
        raise not_found("Deployment", deployment_id)


@SERVICE.op("CreateStage")
async def create_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = req["StageName"]
    now = time.time()
    doc: dict[str, Any] = {"StageName": name, "CreatedDate": now, "LastUpdatedDate": now, "StageVariables": {}, "RouteSettings": {}, "Tags": req.get("Tags") or {},
                           "DefaultRouteSettings": {"DetailedMetricsEnabled": False}, "AutoDeploy": False}  # fmt: skip
    doc.update({k: req[k] for k in _STAGE_MEMBERS if k in req})

    def write(tx: Tx) -> dict[str, Any]:
        api = load_api(tx, ctx, req["ApiId"])
        if api["ProtocolType"] == "WEBSOCKET" and name == "$default":
            raise bad_request("The $default stage is supported only for HTTP APIs.")
        if store.get_item(tx, api["ApiId"], "Stage", name) is not None:
            raise ConflictException(f"Stage already exist: {name}")
        _check_deployment(tx, api["ApiId"], doc.get("DeploymentId"))
        store.insert_item(tx, api["ApiId"], "Stage", name, doc, now)
        if doc.get("AutoDeploy"):
            changed(tx, api["ApiId"])
        return store.get_item(tx, api["ApiId"], "Stage", name) or doc

    return public(await ctx.runtime.store.write(write))


@SERVICE.op("GetStage")
async def get_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> dict[str, Any]:
        load_api(tx, ctx, req["ApiId"])
        return _load_stage(tx, req["ApiId"], req["StageName"])

    return public(await ctx.runtime.store.read(read))


@SERVICE.op("GetStages")
async def get_stages(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> list[dict[str, Any]]:
        load_api(tx, ctx, req["ApiId"])
        return store.list_items(tx, req["ApiId"], "Stage")

    return _page([public(d) for d in await ctx.runtime.store.read(read)], req)


@SERVICE.op("UpdateStage")
async def update_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> dict[str, Any]:
        load_api(tx, ctx, req["ApiId"])
        doc = _load_stage(tx, req["ApiId"], req["StageName"])
        _check_deployment(tx, req["ApiId"], req.get("DeploymentId"))
        doc.update({k: req[k] for k in _STAGE_MEMBERS if k in req})
        doc["LastUpdatedDate"] = time.time()
        store.update_item(tx, req["ApiId"], "Stage", doc["StageName"], doc)
        if req.get("AutoDeploy"):
            changed(tx, req["ApiId"])
        return store.get_item(tx, req["ApiId"], "Stage", doc["StageName"]) or doc

    return public(await ctx.runtime.store.write(write))


@SERVICE.op("DeleteStage")
async def delete_stage(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        load_api(tx, ctx, req["ApiId"])
        _load_stage(tx, req["ApiId"], req["StageName"])
        store.delete_item(tx, req["ApiId"], "Stage", req["StageName"])

    await ctx.runtime.store.write(write)
    ctx.runtime.state(WebSocketApis).close_all(req["ApiId"], req["StageName"])
    return {}


# --- Deployments -----------------------------------------------------------------------------------


@SERVICE.op("CreateDeployment")
async def create_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> dict[str, Any]:
        api = load_api(tx, ctx, req["ApiId"])
        stage = _load_stage(tx, api["ApiId"], req["StageName"]) if req.get("StageName") else None
        if stage is not None and stage.get("AutoDeploy"):
            raise bad_request("Cannot create a deployment for a stage with AutoDeploy enabled.")
        doc = deploy(tx, api["ApiId"], api, req.get("Description"), False)
        if stage is not None:
            stage.update(DeploymentId=doc["DeploymentId"], LastUpdatedDate=time.time())
            store.update_item(tx, api["ApiId"], "Stage", stage["StageName"], stage)
        return doc

    return public(await ctx.runtime.store.write(write))


@SERVICE.op("GetDeployment")
async def get_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> dict[str, Any]:
        load_api(tx, ctx, req["ApiId"])
        doc = store.get_item(tx, req["ApiId"], "Deployment", req["DeploymentId"])
        if doc is None:
            raise not_found("Deployment", req["DeploymentId"])
        return doc

    return public(await ctx.runtime.store.read(read))


@SERVICE.op("GetDeployments")
async def get_deployments(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> list[dict[str, Any]]:
        load_api(tx, ctx, req["ApiId"])
        return store.list_items(tx, req["ApiId"], "Deployment")

    return _page([public(d) for d in await ctx.runtime.store.read(read)], req)


@SERVICE.op("UpdateDeployment")
async def update_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> dict[str, Any]:
        load_api(tx, ctx, req["ApiId"])
        doc = store.get_item(tx, req["ApiId"], "Deployment", req["DeploymentId"])
        if doc is None:
            raise not_found("Deployment", req["DeploymentId"])
        if "Description" in req:
            doc["Description"] = req["Description"]
        store.update_item(tx, req["ApiId"], "Deployment", req["DeploymentId"], doc)
        return doc

    return public(await ctx.runtime.store.write(write))


@SERVICE.op("DeleteDeployment")
async def delete_deployment(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        load_api(tx, ctx, req["ApiId"])
        if store.get_item(tx, req["ApiId"], "Deployment", req["DeploymentId"]) is None:
            raise not_found("Deployment", req["DeploymentId"])
        if any(s.get("DeploymentId") == req["DeploymentId"] for s in store.list_items(tx, req["ApiId"], "Stage")):
            raise bad_request("Active stages pointing to this deployment must be moved or deleted")
        store.delete_item(tx, req["ApiId"], "Deployment", req["DeploymentId"])

    await ctx.runtime.store.write(write)
    return {}


# --- Tags ------------------------------------------------------------------------------------------


def _tagged(tx: Tx, ctx: RequestContext, arn: str) -> tuple[dict[str, Any], str | None]:
    """The document holding the tags of an API or stage ARN."""
    parsed = parse_resource_arn(arn)
    if parsed is None:
        raise not_found("Resource", arn)
    api_id, stage = parsed
    api = load_api(tx, ctx, api_id)
    return (api, None) if stage is None else (_load_stage(tx, api_id, stage), stage)


def _save_tagged(tx: Tx, arn: str, doc: dict[str, Any], stage: str | None) -> None:
    if stage is None:
        store.update_api(tx, doc)
    else:
        api_id = parse_resource_arn(arn)[0]  # type: ignore[index]
        store.update_item(tx, api_id, "Stage", stage, doc)


@SERVICE.op("GetTags")
async def get_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    doc, _ = await ctx.runtime.store.read(lambda tx: _tagged(tx, ctx, req["ResourceArn"]))
    return {"Tags": doc.get("Tags") or {}}


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        doc, stage = _tagged(tx, ctx, req["ResourceArn"])
        tags = {**(doc.get("Tags") or {}), **(req.get("Tags") or {})}
        if len(tags) > 50:
            raise bad_request("Too many tags: a resource can have at most 50 tags.")
        doc["Tags"] = tags
        _save_tagged(tx, req["ResourceArn"], doc, stage)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        doc, stage = _tagged(tx, ctx, req["ResourceArn"])
        doc["Tags"] = {k: v for k, v in (doc.get("Tags") or {}).items() if k not in set(req.get("TagKeys") or [])}
        _save_tagged(tx, req["ResourceArn"], doc, stage)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("DeleteAccessLogSettings")
async def delete_access_log_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _edit_stage(ctx, req, lambda stage: stage.pop("AccessLogSettings", None))
    return {}


@SERVICE.op("DeleteRouteSettings")
async def delete_route_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def edit(stage: dict[str, Any]) -> None:
        if req["RouteKey"] not in (stage.get("RouteSettings") or {}):
            raise not_found("RouteSettings", req["RouteKey"])
        del stage["RouteSettings"][req["RouteKey"]]

    await _edit_stage(ctx, req, edit)
    return {}


async def _edit_stage(ctx: RequestContext, req: dict[str, Any], edit: Any) -> None:
    def write(tx: Tx) -> None:
        load_api(tx, ctx, req["ApiId"])
        stage = _load_stage(tx, req["ApiId"], req["StageName"])
        edit(stage)
        stage["LastUpdatedDate"] = time.time()
        store.update_item(tx, req["ApiId"], "Stage", stage["StageName"], stage)

    await ctx.runtime.store.write(write)
