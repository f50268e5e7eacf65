"""HTTP APIs described in OpenAPI 3 (developer guide: "Working with OpenAPI definitions for HTTP APIs"): paths and
methods become routes, x-amazon-apigateway-integration becomes integrations, x-amazon-apigateway-authorizer
security schemes become authorizers, x-amazon-apigateway-cors the CORS configuration; and the way back for
ExportApi. JSON always; YAML when PyYAML is installed. Pure: no SQL, no clock."""

from __future__ import annotations

import json
import time
from typing import Any

from ... import safejson
from .errors import bad_request
from .model import new_id, public

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_ANY = "x-amazon-apigateway-any-method"
_CORS_NAMES = {
    "allowOrigins": "AllowOrigins",
    "allowMethods": "AllowMethods",
    "allowHeaders": "AllowHeaders",
    "exposeHeaders": "ExposeHeaders",
    "allowCredentials": "AllowCredentials",
    "maxAge": "MaxAge",
}


def parse(body: str) -> dict[str, Any]:
    """The definition as a document; BadRequest unless it is OpenAPI 3 in JSON (or YAML, with PyYAML)."""
    try:
        doc = safejson.loads(body)
    except safejson.UnsafeJson as exc:
        raise bad_request(f"Failed to parse the definition: {exc}") from None
    except ValueError:
        try:
            import yaml  # optional: JSON needs nothing
        except ImportError:
            raise bad_request("Failed to parse the definition as JSON (YAML needs PyYAML installed).") from None
        try:
            doc = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise bad_request(f"Failed to parse the definition: {exc}") from None
        except RecursionError:  # block nesting deeper than Python's stack
            raise bad_request("Failed to parse the definition: nested too deeply") from None
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        raise bad_request("Only OpenAPI 3.0 definitions are supported for HTTP APIs.")
    return doc


def apply_info(api: dict[str, Any], spec: dict[str, Any]) -> None:
    """The definition's title, version, description and CORS configuration, onto the API's document."""
    info = spec.get("info") or {}
    api["Name"] = str(info.get("title") or api.get("Name") or "imported")
    for key, member in (("version", "Version"), ("description", "Description")):
        if info.get(key) is not None:
            api[member] = str(info[key])
    cors = spec.get("x-amazon-apigateway-cors")
    if cors:
        api["CorsConfiguration"] = {_CORS_NAMES[k]: v for k, v in cors.items() if k in _CORS_NAMES}


def _authorizer(name: str, ext: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"AuthorizerId": new_id(7), "Name": name}
    identity = ext.get("identitySource")
    sources = [s.strip() for s in identity.split(",")] if isinstance(identity, str) else list(identity or [])
    if ext.get("type") == "jwt":
        jwt = ext.get("jwtConfiguration") or {}
        doc.update(
            AuthorizerType="JWT",
            IdentitySource=sources or ["$request.header.Authorization"],
            JwtConfiguration={"Issuer": jwt.get("issuer"), "Audience": list(jwt.get("audience") or [])},
        )
    else:
        doc.update(
            AuthorizerType="REQUEST",
            IdentitySource=sources,
            AuthorizerUri=ext.get("authorizerUri"),
            AuthorizerPayloadFormatVersion=ext.get("authorizerPayloadFormatVersion", "2.0"),
            EnableSimpleResponses=bool(ext.get("enableSimpleResponses", False)),
            AuthorizerResultTtlInSeconds=int(ext.get("authorizerResultTtlInSeconds", 0)),
        )
    return doc


def _integration(ext: dict[str, Any]) -> dict[str, Any]:
    kind = str(ext.get("type", "aws_proxy")).upper()
    return {
        "IntegrationId": new_id(7),
        "IntegrationType": kind,
        "IntegrationUri": ext.get("uri"),
        "ConnectionType": str(ext.get("connectionType", "INTERNET")).upper(),
        "IntegrationMethod": ext.get("httpMethod", "POST" if kind == "AWS_PROXY" else "ANY"),
        "TimeoutInMillis": int(ext.get("timeoutInMillis", 30000)),
        "PayloadFormatVersion": str(ext.get("payloadFormatVersion", "2.0" if kind == "AWS_PROXY" else "1.0")),
    }


def items_of(spec: dict[str, Any]) -> tuple[list[tuple[str, str, dict[str, Any]]], list[str]]:
    """The definition's authorizers, integrations and routes as (kind, id, document), and the import's warnings."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    warnings: list[str] = []
    authorizers: dict[str, dict[str, Any]] = {}
    for name, scheme in ((spec.get("components") or {}).get("securitySchemes") or {}).items():
        ext = scheme.get("x-amazon-apigateway-authorizer")
        if ext:
            authorizers[name] = _authorizer(name, ext)
            out.append(("Authorizer", authorizers[name]["AuthorizerId"], authorizers[name]))
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
                out.append(("Integration", integration["IntegrationId"], integration))
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
            out.append(("Route", route["RouteId"], route))
    return out, warnings


def check_warnings(warnings: list[str], fail_on_warnings: bool | None) -> None:
    if warnings and fail_on_warnings:
        raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))


# --- ExportApi -----------------------------------------------------------------------------------------------


def render(doc: dict[str, Any], output_type: str) -> bytes:
    """The exported definition as JSON or YAML text."""
    if output_type == "YAML":
        import yaml

        return str(yaml.safe_dump(doc, sort_keys=False)).encode()
    return json.dumps(doc, indent=2).encode()


def _export_integration(integration: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": integration["IntegrationType"].lower(),
        "uri": integration.get("IntegrationUri"),
        "httpMethod": integration.get("IntegrationMethod"),
        "payloadFormatVersion": integration.get("PayloadFormatVersion"),
        "connectionType": integration.get("ConnectionType", "INTERNET"),
        "timeoutInMillis": integration.get("TimeoutInMillis", 30000),
    }


def _export_authorizer(a: dict[str, Any]) -> dict[str, Any]:
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
        ext.update(
            type="request",
            authorizerUri=a.get("AuthorizerUri"),
            authorizerPayloadFormatVersion=a.get("AuthorizerPayloadFormatVersion"),
            enableSimpleResponses=bool(a.get("EnableSimpleResponses")),
            authorizerResultTtlInSeconds=a.get("AuthorizerResultTtlInSeconds", 0),
        )
    scheme: dict[str, Any] = {
        "type": "oauth2" if a["AuthorizerType"] == "JWT" else "apiKey",
        "x-amazon-apigateway-authorizer": ext,
    }
    if a["AuthorizerType"] != "JWT":
        scheme.update({"name": "Unused", "in": "header"})
    else:
        scheme["flows"] = {}
    return scheme


def export(snapshot: dict[str, Any], extensions: bool, endpoint: str) -> dict[str, Any]:
    """An OpenAPI 3.0.1 document of a snapshot (a deployment's, or the API as it is now)."""
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
            operation["x-amazon-apigateway-integration"] = _export_integration(integration)
        doc["paths"].setdefault(path, {})[method] = operation
    if extensions and authorizers:
        doc["components"] = {"securitySchemes": {a["Name"]: _export_authorizer(a) for a in authorizers.values()}}
    if extensions and api.get("CorsConfiguration"):
        names = {member: name for name, member in _CORS_NAMES.items()}
        doc["x-amazon-apigateway-cors"] = {names[k]: v for k, v in api["CorsConfiguration"].items() if k in names}
    if extensions:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
    return doc
