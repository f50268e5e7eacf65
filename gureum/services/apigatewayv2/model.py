"""Pure API Gateway v2 rules: ids, ARNs, route-key checks, defaults, deployment snapshots. No HTTP, no SQL."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

_ALPHABET = string.ascii_lowercase + string.digits

HTTP_METHODS = {"ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def new_id(length: int = 10) -> str:
    """API ids are 10 characters, sub-resource ids 7, lower-case letters and digits (as AWS shows them)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def parse_resource_arn(arn: str) -> tuple[str, str | None] | None:
    """(api_id, stage or None) of an API or stage ARN, the resources gureum tags."""
    match = re.fullmatch(r"arn:aws[\w-]*:apigateway:[\w-]+::/apis/(\w+)(?:/stages/([^/]+))?", arn)
    return None if match is None else (match.group(1), match.group(2))


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The AWS members of a stored document (ours start with "_")."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def route_key_problem(protocol: str, key: str) -> str | None:
    if protocol == "WEBSOCKET":
        return None if key and len(key) <= 128 else "Route key must be between 1 and 128 characters"
    if key == "$default":
        return None
    method, _, path = key.partition(" ")
    if method not in HTTP_METHODS or not path.startswith("/") or " " in path:
        return f"Unable to create or update route with route key {key}. Route key must be $default or a method and a path, e.g. 'GET /pets'."
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        if segment.endswith("+}") and (i != len(segments) - 1 or not segment.startswith("{")):
            return f"Route key {key} is invalid: a greedy path variable must be the last path segment."
    return None


def integration_defaults(protocol: str, req: dict[str, Any]) -> dict[str, Any]:
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
    if kind in ("AWS_PROXY", "HTTP_PROXY", "HTTP", "AWS") and not doc.get("IntegrationUri"):
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
