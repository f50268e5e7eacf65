"""Pure API Gateway v2 rules: ids, ARNs, endpoints, new API and stage documents, route-key and integration checks,
defaults, paging and deployment snapshots. No HTTP, no SQL, no clock (callers pass the time)."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from typing import Any

from .errors import bad_request

_ALPHABET = string.ascii_lowercase + string.digits

HTTP_METHODS = {"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
MAX_TAGS = 50
API_MEMBERS = ("Description", "Version", "CorsConfiguration", "DisableSchemaValidation")  # copied by CreateApi
API_UPDATE_MEMBERS = (
    "Name",
    "Description",
    "Version",
    "RouteSelectionExpression",
    "ApiKeySelectionExpression",
    "CorsConfiguration",
    "DisableExecuteApiEndpoint",
    "DisableSchemaValidation",
    "IpAddressType",
)
STAGE_MEMBERS = (
    "AccessLogSettings",
    "AutoDeploy",
    "ClientCertificateId",
    "DefaultRouteSettings",
    "DeploymentId",
    "Description",
    "RouteSettings",
    "StageVariables",
)


def new_id(length: int = 10) -> str:
    """API ids are 10 characters, sub-resource ids 7, lower-case letters and digits (as AWS shows them)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def parse_resource_arn(arn: str) -> tuple[str, str, str | None] | None:
    """(kind, id, stage or None) of an ARN the tagging operations take: an API's or a stage's ("Api", api id, stage
    name or None), a custom domain name's ("DomainName", the name in lower case) or a VPC link's ("VpcLink", id)."""
    match = re.fullmatch(r"arn:aws[\w-]*:apigateway:[\w-]+::/apis/(\w+)(?:/stages/([^/]+))?", arn)
    if match is not None:
        return "Api", match.group(1), match.group(2)
    match = re.fullmatch(r"arn:aws[\w-]*:apigateway:[\w-]+::/(domainnames|vpclinks)/([^/]+)", arn)
    if match is not None:
        kind = "DomainName" if match.group(1) == "domainnames" else "VpcLink"
        return kind, match.group(2).lower() if kind == "DomainName" else match.group(2), None
    return None


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The AWS members of a stored document (ours start with "_")."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def endpoint(host: str, default_port: int, api_id: str, protocol: str) -> str:
    """gureum's form of https://{api_id}.execute-api.{region}.amazonaws.com: the API's host on the port the caller
    reached (``host`` is the control-plane request's Host header)."""
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else str(default_port)
    scheme = "ws" if protocol == "WEBSOCKET" else "http"
    return f"{scheme}://{api_id}.execute-api.localhost:{port}"


def page(items: list[dict[str, Any]], next_token: str | None, max_results: int | str | None) -> dict[str, Any]:
    """{"Items", "NextToken"?}: API Gateway v2's tokens are offsets into the full list."""
    start = _paging_number(next_token, "Invalid pagination token")
    size = _paging_number(max_results, "maxResults must be a positive integer") or len(items) or 1
    out: dict[str, Any] = {"Items": items[start : start + size]}
    if start + size < len(items):
        out["NextToken"] = str(start + size)
    return out


def _paging_number(value: int | str | None, problem: str) -> int:
    """A paging parameter (a string in the model) as a non-negative number; BadRequestException otherwise."""
    if value is None or value == "":
        return 0
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise bad_request(problem)
    return int(text)


def route_key_problem(protocol: str, key: str) -> str | None:
    if protocol == "WEBSOCKET":
        return None if key and len(key) <= 128 else "Route key must be between 1 and 128 characters"
    if key == "$default":
        return None
    method, _, path = key.partition(" ")
    if method not in HTTP_METHODS or not path.startswith("/") or " " in path:
        return (
            f"Unable to create or update route with route key {key}. "
            "Route key must be $default or a method and a path, e.g. 'GET /pets'."
        )
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        if segment.endswith("+}") and (i != len(segments) - 1 or not segment.startswith("{")):
            return f"Route key {key} is invalid: a greedy path variable must be the last path segment."
    return None


# --- APIs and stages ---------------------------------------------------------------------------------------


def new_api(api_id: str, members: Mapping[str, Any], now: float) -> dict[str, Any]:
    """CreateApi's document; BadRequest for what AWS refuses beyond the model."""
    protocol = members["ProtocolType"]
    if protocol == "WEBSOCKET" and (
        members.get("Target") or members.get("RouteKey") or members.get("CorsConfiguration")
    ):
        raise bad_request("Target, RouteKey and CorsConfiguration are supported only for HTTP APIs.")
    doc: dict[str, Any] = {
        "ApiId": api_id,
        "Name": members["Name"],
        "ProtocolType": protocol,
        "RouteSelectionExpression": members.get("RouteSelectionExpression")
        or ("$request.body.action" if protocol == "WEBSOCKET" else "${request.method} ${request.path}"),
        "ApiKeySelectionExpression": members.get("ApiKeySelectionExpression") or "$request.header.x-api-key",
        "CreatedDate": now,
        "DisableExecuteApiEndpoint": bool(members.get("DisableExecuteApiEndpoint", False)),
        "IpAddressType": members.get("IpAddressType") or "ipv4",
        "Tags": members.get("Tags") or {},
    }
    for key in API_MEMBERS:
        if key in members:
            doc[key] = members[key]
    problem = route_key_problem(protocol, members["RouteKey"]) if members.get("RouteKey") else None
    if problem:
        raise bad_request(problem)
    return doc


def imported_api(api_id: str, now: float) -> dict[str, Any]:
    """ImportApi's document before the definition's info is applied."""
    return {
        "ApiId": api_id,
        "ProtocolType": "HTTP",
        "RouteSelectionExpression": "${request.method} ${request.path}",
        "ApiKeySelectionExpression": "$request.header.x-api-key",
        "CreatedDate": now,
        "DisableExecuteApiEndpoint": False,
        "IpAddressType": "ipv4",
        "Tags": {},
    }


def quick_create(
    target: str, route_key: str | None, credentials: str | None, now: float
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """CreateApi with Target: (integration, route, $default stage with AutoDeploy), all ApiGatewayManaged."""
    lambda_target = target.startswith("arn:") and ":lambda:" in target
    integration: dict[str, Any] = {
        "IntegrationId": new_id(7),
        "IntegrationType": "AWS_PROXY" if lambda_target else "HTTP_PROXY",
        "IntegrationUri": target,
        "IntegrationMethod": "POST" if lambda_target else "ANY",
        "PayloadFormatVersion": "2.0" if lambda_target else "1.0",
        "ConnectionType": "INTERNET",
        "TimeoutInMillis": 30000,
        "ApiGatewayManaged": True,
    }
    if credentials:
        integration["CredentialsArn"] = credentials
    route: dict[str, Any] = {
        "RouteId": new_id(7),
        "RouteKey": route_key or "$default",
        "AuthorizationType": "NONE",
        "ApiKeyRequired": False,
        "Target": f"integrations/{integration['IntegrationId']}",
        "ApiGatewayManaged": True,
    }
    stage: dict[str, Any] = {
        "StageName": "$default",
        "AutoDeploy": True,
        "CreatedDate": now,
        "LastUpdatedDate": now,
        "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
        "RouteSettings": {},
        "StageVariables": {},
        "Tags": {},
        "ApiGatewayManaged": True,
    }
    return integration, route, stage


def new_stage(name: str, members: Mapping[str, Any], now: float) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "StageName": name,
        "CreatedDate": now,
        "LastUpdatedDate": now,
        "StageVariables": {},
        "RouteSettings": {},
        "Tags": members.get("Tags") or {},
        "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
        "AutoDeploy": False,
    }
    doc.update({k: members[k] for k in STAGE_MEMBERS if k in members})
    return doc


def with_tags(doc: dict[str, Any], tags: Mapping[str, str]) -> None:
    merged = {**(doc.get("Tags") or {}), **tags}
    if len(merged) > MAX_TAGS:
        raise bad_request(f"Too many tags: a resource can have at most {MAX_TAGS} tags.")
    doc["Tags"] = merged


# --- integrations ------------------------------------------------------------------------------------------


def integration_defaults(protocol: str, req: Mapping[str, Any]) -> dict[str, Any]:
    kind = req["IntegrationType"]
    out: dict[str, Any] = {"ConnectionType": "INTERNET", "TimeoutInMillis": 30000 if protocol == "HTTP" else 29000}
    if protocol == "HTTP":
        out["PayloadFormatVersion"] = "2.0" if kind == "AWS_PROXY" else "1.0"
        if kind == "HTTP_PROXY":
            out["IntegrationMethod"] = "ANY"
    else:
        out["PayloadFormatVersion"] = "1.0"
        out["PassthroughBehavior"] = "WHEN_NO_MATCH"
        out["IntegrationResponseSelectionExpression"] = (
            "${integration.response.statuscode}"
            if kind in ("HTTP", "HTTP_PROXY")
            else "${integration.response.body.errorMessage}"
            if kind.startswith("AWS")
            else ""
        )
        if kind == "MOCK":
            out.pop("IntegrationResponseSelectionExpression")
    if kind == "AWS_PROXY":
        out["IntegrationMethod"] = "POST"
    return out


def integration_problem(protocol: str, doc: dict[str, Any]) -> str | None:
    kind = doc.get("IntegrationType")
    if protocol == "HTTP" and kind not in ("AWS_PROXY", "HTTP_PROXY"):
        return f"IntegrationType {kind} is not supported for HTTP APIs. Supported types are AWS_PROXY and HTTP_PROXY."
    if (
        kind in ("AWS_PROXY", "HTTP_PROXY", "HTTP", "AWS")
        and not doc.get("IntegrationUri")
        and not (
            kind == "AWS_PROXY" and doc.get("IntegrationSubtype")  # an AWS service integration names no URI
        )
    ):
        return "IntegrationUri is required for this integration type."
    if doc.get("PayloadFormatVersion") not in ("1.0", "2.0"):
        return "PayloadFormatVersion must be 1.0 or 2.0."
    if protocol == "WEBSOCKET" and doc.get("PayloadFormatVersion") != "1.0":
        return "PayloadFormatVersion 2.0 is not supported for WebSocket APIs."
    if protocol == "HTTP" and kind == "HTTP_PROXY" and doc.get("PayloadFormatVersion") != "1.0":
        return "PayloadFormatVersion 2.0 is only supported for AWS_PROXY integrations."
    limit = 30000 if protocol == "HTTP" else 29000
    if not 50 <= int(doc.get("TimeoutInMillis", limit)) <= limit:
        return f"Timeout must be between 50 ms and {limit} ms."
    return None


def snapshot(api: dict[str, Any], items: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """What a deployment freezes: the API and every route, integration, authorizer and response as they are now."""
    return {"api": api, **items}
