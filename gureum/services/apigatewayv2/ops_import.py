"""ImportApi, ReimportApi and ExportApi for HTTP APIs described in OpenAPI 3 (developer guide: "Working with
OpenAPI definitions for HTTP APIs"): paths and methods become routes, x-amazon-apigateway-integration becomes
integrations, x-amazon-apigateway-authorizer security schemes become authorizers, x-amazon-apigateway-cors the
CORS configuration. JSON always; YAML when PyYAML is installed."""

from __future__ import annotations

import json
import time
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import bad_request
from .model import new_id, public
from .ops_apis import api_output, changed, load_api

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_ANY = "x-amazon-apigateway-any-method"


def _parse(body: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError:
        try:
            import yaml  # type: ignore[import-untyped]  # optional: JSON needs nothing
        except ImportError:
            raise bad_request("Failed to parse the definition as JSON (YAML needs PyYAML installed).") from None
        try:
            doc = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise bad_request(f"Failed to parse the definition: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise bad_request("Only OpenAPI 3.0 definitions are supported for HTTP APIs.")
    return doc


def _cors(ext: dict[str, Any]) -> dict[str, Any]:
    names = {"allowOrigins": "AllowOrigins", "allowMethods": "AllowMethods", "allowHeaders": "AllowHeaders", "exposeHeaders": "ExposeHeaders",
             "allowCredentials": "AllowCredentials", "maxAge": "MaxAge"}  # fmt: skip
    return {names[k]: v for k, v in ext.items() if k in names}


def _authorizer(name: str, ext: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"AuthorizerId": new_id(7), "Name": name}
    identity = ext.get("identitySource")
    sources = [s.strip() for s in identity.split(",")] if isinstance(identity, str) else list(identity or [])
    if ext.get("type") == "jwt":
        jwt = ext.get("jwtConfiguration") or {}
        doc.update(AuthorizerType="JWT", IdentitySource=sources or ["$request.header.Authorization"],
                   JwtConfiguration={"Issuer": jwt.get("issuer"), "Audience": list(jwt.get("audience") or [])})  # fmt: skip
    else:
        doc.update(AuthorizerType="REQUEST", IdentitySource=sources, AuthorizerUri=ext.get("authorizerUri"),
                   AuthorizerPayloadFormatVersion=ext.get("authorizerPayloadFormatVersion", "2.0"),
                   EnableSimpleResponses=bool(ext.get("enableSimpleResponses", False)), AuthorizerResultTtlInSeconds=int(ext.get("authorizerResultTtlInSeconds", 0)))  # fmt: skip
    return doc


def _integration(ext: dict[str, Any]) -> dict[str, Any]:
    kind = str(ext.get("type", "aws_proxy")).upper()
    doc = {"IntegrationId": new_id(7), "IntegrationType": kind, "IntegrationUri": ext.get("uri"), "ConnectionType": str(ext.get("connectionType", "INTERNET")).upper(),
           "IntegrationMethod": ext.get("httpMethod", "POST" if kind == "AWS_PROXY" else "ANY"), "TimeoutInMillis": int(ext.get("timeoutInMillis", 30000)),
           "PayloadFormatVersion": str(ext.get("payloadFormatVersion", "2.0" if kind == "AWS_PROXY" else "1.0"))}  # fmt: skip
    return doc


def _load(tx: Tx, api: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    """Write the definition's routes, integrations and authorizers into the API; return warnings."""
    api_id, now, warnings = api["ApiId"], time.time(), []
    authorizers: dict[str, dict[str, Any]] = {}
    for name, scheme in ((spec.get("components") or {}).get("securitySchemes") or {}).items():
        ext = scheme.get("x-amazon-apigateway-authorizer")
        if ext:
            authorizers[name] = _authorizer(name, ext)
            store.insert_item(tx, api_id, "Authorizer", authorizers[name]["AuthorizerId"], authorizers[name], now)
    default_security = spec.get("security") or []
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if method not in _METHODS and method != _ANY:
                continue
            key = "$default" if path == "$default" else f"{'ANY' if method == _ANY else method.upper()} {path}"
            route: dict[str, Any] = {
                "RouteId": new_id(7),
                "RouteKey": key,
                "ApiKeyRequired": False,
                "AuthorizationType": "NONE",
            }
            if operation.get("operationId"):
                route["OperationName"] = operation["operationId"]
            ext = operation.get("x-amazon-apigateway-integration")
            if ext:
                integration = _integration(ext)
                store.insert_item(tx, api_id, "Integration", integration["IntegrationId"], integration, now)
                route["Target"] = f"integrations/{integration['IntegrationId']}"
            else:
                warnings.append(f"Route {key} has no x-amazon-apigateway-integration")
            for requirement in operation.get("security", default_security) or []:
                for name, scopes in requirement.items():
                    if name in authorizers:
                        authorizer = authorizers[name]
                        route.update(
                            AuthorizationType="JWT" if authorizer["AuthorizerType"] == "JWT" else "CUSTOM",
                            AuthorizerId=authorizer["AuthorizerId"],
                        )
                        if scopes:
                            route["AuthorizationScopes"] = list(scopes)
            store.insert_item(tx, api_id, "Route", route["RouteId"], route, now)
    return warnings


def _apply_info(api: dict[str, Any], spec: dict[str, Any]) -> None:
    info = spec.get("info") or {}
    api["Name"] = str(info.get("title") or api.get("Name") or "imported")
    for key, member in (("version", "Version"), ("description", "Description")):
        if info.get(key) is not None:
            api[member] = str(info[key])
    cors = spec.get("x-amazon-apigateway-cors")
    if cors:
        api["CorsConfiguration"] = _cors(cors)


@SERVICE.op("ImportApi")
async def import_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = _parse(req["Body"])
    now = time.time()
    api: dict[str, Any] = {"ApiId": new_id(), "ProtocolType": "HTTP", "RouteSelectionExpression": "${request.method} ${request.path}",
                           "ApiKeySelectionExpression": "$request.header.x-api-key", "CreatedDate": now, "DisableExecuteApiEndpoint": False,
                           "IpAddressType": "ipv4", "Tags": {}}  # fmt: skip
    _apply_info(api, spec)

    def write(tx: Tx) -> list[str]:
        store.insert_api(tx, ctx.account, ctx.region, api, now)
        warnings = _load(tx, api, spec)
        if warnings and req.get("FailOnWarnings"):
            raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))
        return warnings

    warnings = await ctx.runtime.store.write(write)
    return {**api_output(ctx, api), **({"Warnings": warnings} if warnings else {})}


@SERVICE.op("ReimportApi")
async def reimport_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    spec = _parse(req["Body"])

    def write(tx: Tx) -> tuple[dict[str, Any], list[str]]:
        api = load_api(tx, ctx, req["ApiId"])
        if api["ProtocolType"] != "HTTP":
            raise bad_request("Only HTTP APIs can be reimported.")
        for kind in ("Route", "Integration", "Authorizer"):
            store.delete_kind(tx, api["ApiId"], kind)
        api.pop("CorsConfiguration", None)
        _apply_info(api, spec)
        store.update_api(tx, api)
        warnings = _load(tx, api, spec)
        if warnings and req.get("FailOnWarnings"):
            raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))
        changed(tx, api["ApiId"])
        return api, warnings

    api, warnings = await ctx.runtime.store.write(write)
    return {**api_output(ctx, api), **({"Warnings": warnings} if warnings else {})}


@SERVICE.op("ExportApi")
async def export_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req["Specification"] != "OAS30":
        raise bad_request("Only the OAS30 specification is supported.")
    output = req["OutputType"]

    def read(tx: Tx) -> dict[str, Any]:
        api = load_api(tx, ctx, req["ApiId"])
        if api["ProtocolType"] != "HTTP":
            raise bad_request("Only HTTP APIs can be exported.")
        if req.get("StageName"):
            stage = store.get_item(tx, api["ApiId"], "Stage", req["StageName"])
            if stage is None or not stage.get("DeploymentId"):
                raise bad_request(f"Stage {req['StageName']} has no deployment to export.")
            deployment = store.get_item(tx, api["ApiId"], "Deployment", stage["DeploymentId"]) or {}
            return dict(deployment.get("_snapshot") or {})
        return {
            "api": api,
            **{kind: store.list_items(tx, api["ApiId"], kind) for kind in ("Route", "Integration", "Authorizer")},
        }

    snapshot = await ctx.runtime.store.read(read)
    doc = _export(
        snapshot,
        req.get("IncludeExtensions", True) is not False,
        endpoint=api_output(ctx, snapshot["api"])["ApiEndpoint"],
    )
    if output == "YAML":
        import yaml  # type: ignore[import-untyped]

        return {"body": yaml.safe_dump(doc, sort_keys=False).encode()}
    return {"body": json.dumps(doc, indent=2).encode()}


def _export(snapshot: dict[str, Any], extensions: bool, endpoint: str) -> dict[str, Any]:
    api = public(snapshot["api"])
    info: dict[str, Any] = {
        "title": api["Name"],
        "version": api.get("Version") or time.strftime("%Y-%m-%d %H:%M:%S%z", time.gmtime(api["CreatedDate"])),
    }
    if api.get("Description"):
        info["description"] = api["Description"]
    doc: dict[str, Any] = {"openapi": "3.0.1", "info": info, "servers": [{"url": endpoint}], "paths": {}}
    integrations = {i["IntegrationId"]: i for i in snapshot.get("Integration", [])}
    authorizers = {a["AuthorizerId"]: a for a in snapshot.get("Authorizer", [])}
    for route in snapshot.get("Route", []):
        key = route["RouteKey"]
        method, path = ("x-amazon-apigateway-any-method", "$default") if key == "$default" else key.split(" ", 1)
        method = _ANY if method == "ANY" else method.lower()
        operation: dict[str, Any] = {"responses": {"default": {"description": "Default response for " + key}}}
        if route.get("OperationName"):
            operation["operationId"] = route["OperationName"]
        params = [segment[1:-1].rstrip("+") for segment in path.split("/") if segment.startswith("{")]
        if params:
            operation["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params
            ]
        authorizer = authorizers.get(route.get("AuthorizerId") or "")
        if authorizer is not None:
            operation["security"] = [{authorizer["Name"]: list(route.get("AuthorizationScopes") or [])}]
        target = route.get("Target") or ""
        integration = integrations.get(target.split("/", 1)[1]) if target.startswith("integrations/") else None
        if extensions and integration is not None:
            operation["x-amazon-apigateway-integration"] = {"type": integration["IntegrationType"].lower(), "uri": integration.get("IntegrationUri"),
                "httpMethod": integration.get("IntegrationMethod"), "payloadFormatVersion": integration.get("PayloadFormatVersion"),
                "connectionType": integration.get("ConnectionType", "INTERNET"), "timeoutInMillis": integration.get("TimeoutInMillis", 30000)}  # fmt: skip
        doc["paths"].setdefault(path, {})[method] = operation
    if extensions and authorizers:
        schemes: dict[str, Any] = {}
        for a in authorizers.values():
            ext: dict[str, Any] = {"identitySource": ",".join(a.get("IdentitySource") or [])}
            if a["AuthorizerType"] == "JWT":
                ext.update(
                    type="jwt",
                    jwtConfiguration={
                        "issuer": a["JwtConfiguration"]["Issuer"],
                        "audience": a["JwtConfiguration"]["Audience"],
                    },
                )
            else:
                ext.update(type="request", authorizerUri=a.get("AuthorizerUri"), authorizerPayloadFormatVersion=a.get("AuthorizerPayloadFormatVersion"),
                           enableSimpleResponses=bool(a.get("EnableSimpleResponses")), authorizerResultTtlInSeconds=a.get("AuthorizerResultTtlInSeconds", 0))  # fmt: skip
            schemes[a["Name"]] = {
                "type": "oauth2" if a["AuthorizerType"] == "JWT" else "apiKey",
                "x-amazon-apigateway-authorizer": ext,
            }
            if a["AuthorizerType"] != "JWT":
                schemes[a["Name"]].update({"name": "Unused", "in": "header"})
            else:
                schemes[a["Name"]]["flows"] = {}
        doc["components"] = {"securitySchemes": schemes}
    if extensions and api.get("CorsConfiguration"):
        cors = api["CorsConfiguration"]
        names = {"AllowOrigins": "allowOrigins", "AllowMethods": "allowMethods", "AllowHeaders": "allowHeaders", "ExposeHeaders": "exposeHeaders",
                 "AllowCredentials": "allowCredentials", "MaxAge": "maxAge"}  # fmt: skip
        doc["x-amazon-apigateway-cors"] = {names[k]: v for k, v in cors.items() if k in names}
    if extensions:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
    return doc
