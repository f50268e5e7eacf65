"""CORS as S3 answers it (the S3 user guide's "Using cross-origin resource sharing"): the first rule whose
AllowedOrigins (one "*" wildcard each), AllowedMethods and AllowedHeaders take the request gives the
Access-Control-* headers of a preflight (OPTIONS) and of the actual request."""

from __future__ import annotations

from typing import Any

from .errors import ServiceError

_VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


def _wildcard(pattern: str, value: str) -> bool:
    """A pattern with at most one "*" (any run of characters), compared without regular expressions."""
    if "*" not in pattern:
        return pattern == value
    head, _, tail = pattern.partition("*")
    return len(value) >= len(head) + len(tail) and value.startswith(head) and value.endswith(tail)


def _rule_for(rules: list[dict[str, Any]], origin: str, method: str, headers: list[str]) -> dict[str, Any] | None:
    for rule in rules:
        if not any(_wildcard(allowed, origin) for allowed in rule.get("AllowedOrigins") or []):
            continue
        if method not in (rule.get("AllowedMethods") or []):
            continue
        allowed_headers = [h.lower() for h in rule.get("AllowedHeaders") or []]
        if all(any(_wildcard(a, h) for a in allowed_headers) for h in headers):
            return rule
    return None


def _headers(rule: dict[str, Any], origin: str, requested: list[str], preflight: bool) -> dict[str, Any]:
    star = "*" in (rule.get("AllowedOrigins") or [])
    out: dict[str, Any] = {
        "CorsAllowOrigin": "*" if star else origin,
        "CorsAllowMethods": ", ".join(rule.get("AllowedMethods") or []),
        "CorsVary": _VARY,
    }
    if not star:
        out["CorsAllowCredentials"] = "true"
    if preflight and requested:
        out["CorsAllowHeaders"] = ", ".join(requested)
    if rule.get("ExposeHeaders"):
        out["CorsExposeHeaders"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        out["CorsMaxAge"] = str(rule["MaxAgeSeconds"])
    return out


def preflight(
    config: dict[str, Any] | None, origin: str | None, method: str | None, headers: str | None
) -> dict[str, Any]:
    """The answer's headers to an OPTIONS request; 403 when CORS is off or no rule allows it."""
    if not origin or not method:
        raise ServiceError("Insufficient information. Origin request header needed.", code="BadRequest", status=400)
    if not config or not config.get("CORSRules"):
        raise ServiceError(
            "CORSResponse: CORS is not enabled for this bucket.",
            code="AccessForbidden",
            status=403,
            fields={"Method": method, "ResourceType": "BUCKET"},
        )
    requested = [h.strip().lower() for h in (headers or "").split(",") if h.strip()]
    rule = _rule_for(config["CORSRules"], origin, method, requested)
    if rule is None:
        raise ServiceError(
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
            "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
            "resource's CORS spec.",
            code="AccessForbidden",
            status=403,
            fields={"Method": method, "ResourceType": "OBJECT"},
        )
    return _headers(rule, origin, requested, preflight=True)


def actual(config: dict[str, Any] | None, origin: str | None, method: str) -> dict[str, Any]:
    """The CORS headers of an actual request with an Origin (none when no rule allows it)."""
    if not origin or not config or not config.get("CORSRules"):
        return {}
    rule = _rule_for(config["CORSRules"], origin, method, [])
    return _headers(rule, origin, [], preflight=False) if rule is not None else {}
