"""Who may call a method: Lambda authorizers (TOKEN and REQUEST, cached per identity), their IAM policies,
and API keys with usage-plan throttling (per node, token buckets) and quotas (counted in the store)."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ... import safejson
from ...patterns.wildcard import IamGlob
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .keys import quota_period

_FUNCTION = re.compile(r"functions/(.+?)/invocations")


class GatewayError(Exception):
    """A gateway response the edge answers with (type from GATEWAY_RESPONSE_TYPES)."""

    def __init__(
        self, kind: str, message: str | None, status: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.kind, self.message, self.status, self.headers = kind, message, status, headers or {}


def lambda_arn(uri: str) -> str:
    match = _FUNCTION.search(uri or "")
    if match is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
    return match.group(1)


# --- policies -----------------------------------------------------------------------------------------------------


def _wildcard(pattern: str) -> IamGlob:
    """A policy's wildcard (``*``, ``?``), matched in linear time: a regex built from it would backtrack on a long
    request path."""
    return IamGlob.of(pattern)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def policy_allows(policy: Any, method_arn: str) -> bool:
    """IAM evaluation for execute-api:Invoke on the method ARN: an explicit Deny wins, then an Allow; else deny."""
    if not isinstance(policy, dict):
        raise ValueError("policyDocument must be an object")
    allowed = False
    for statement in _as_list(policy.get("Statement")):
        actions = _as_list(statement.get("Action"))
        if not any(_wildcard(a).fullmatch("execute-api:Invoke") for a in actions if isinstance(a, str)):
            continue
        if not any(
            _wildcard(r).fullmatch(method_arn) for r in _as_list(statement.get("Resource")) if isinstance(r, str)
        ):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        allowed = allowed or effect == "allow"
    return allowed


def _condition_holds(operator: str, key: str, expected: Any, facts: dict[str, str]) -> bool:
    actual = facts.get(key.lower())
    values = [str(v) for v in _as_list(expected)]
    if operator in ("IpAddress", "NotIpAddress"):
        try:
            inside = actual is not None and any(
                ipaddress.ip_address(actual) in ipaddress.ip_network(v, strict=False) for v in values
            )
        except ValueError:
            inside = False
        return inside if operator == "IpAddress" else not inside
    if operator in ("StringEquals", "StringNotEquals"):
        return (actual in values) == (operator == "StringEquals")
    if operator in ("StringLike", "StringNotLike"):
        matched = actual is not None and any(_wildcard(v).fullmatch(actual) for v in values)
        return matched == (operator == "StringLike")
    return False  # an operator gureum does not evaluate never matches


def resource_policy(policy_text: str | None, method_arn: str, facts: dict[str, str]) -> str:
    """A REST API's resource policy on execute-api:Invoke: "deny" (explicit), "allow" or "none" (no statement applies).
    Resources may use the "execute-api:/stage/METHOD/path" shorthand; conditions on aws:SourceIp (IpAddress,
    NotIpAddress) and string keys (StringEquals/NotEquals/Like/NotLike) are evaluated."""
    if not policy_text:
        return "none"
    try:
        policy = safejson.loads(policy_text)
    except ValueError:
        return "none"
    arn_prefix = method_arn.split("/", 1)[0]
    verdict = "none"
    for statement in _as_list(policy.get("Statement") if isinstance(policy, dict) else None):
        if not any(
            _wildcard(a).fullmatch("execute-api:Invoke")
            for a in _as_list(statement.get("Action"))
            if isinstance(a, str)
        ):
            continue
        resources = [
            arn_prefix + r[len("execute-api:") :] if r.startswith("execute-api:/") else r
            for r in _as_list(statement.get("Resource"))
            if isinstance(r, str)
        ]
        if not any(_wildcard(r).fullmatch(method_arn) for r in resources):
            continue
        conditions = statement.get("Condition") or {}
        if not all(
            _condition_holds(op, key, value, facts)
            for op, checks in conditions.items()
            for key, value in (checks or {}).items()
        ):
            continue
        if str(statement.get("Effect", "")).lower() == "deny":
            return "deny"
        verdict = "allow"
    return verdict


# --- Lambda authorizers ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class AuthResult:
    principal_id: str
    policy: dict[str, Any]
    context: dict[str, Any]
    usage_key: str | None


@dataclass
class AccessState:
    """Per-node caches: authorizer results by identity, and token buckets by usage plan and key."""

    auth_cache: dict[tuple[str, ...], tuple[float, AuthResult]] = field(default_factory=dict)
    buckets: dict[tuple[str, ...], list[float]] = field(default_factory=dict)


Invoke = Callable[[str, bytes], Awaitable[dict[str, Any]]]


def identity_values(
    authorizer: dict[str, Any],
    sources: dict[str, dict[str, str]],
    stage_variables: dict[str, str],
    context: dict[str, Any],
) -> list[str] | None:
    """The values named by identitySource ("method.request.header.Auth, method.request.querystring.q, stageVariables.x,
    context.y"); None when one is missing or empty (AWS answers 401 without calling the authorizer)."""
    values = []
    for source in filter(None, (s.strip() for s in (authorizer.get("identitySource") or "").split(","))):
        value: str | None = None
        if source.startswith("method.request."):
            part, _, name = source[len("method.request.") :].partition(".")
            table = sources.get(
                {"multivalueheader": "header", "multivaluequerystring": "querystring"}.get(part, part), {}
            )
            value = (
                {k.lower(): v for k, v in table.items()}.get(name.lower())
                if part.endswith("header")
                else table.get(name)
            )
        elif source.startswith("stageVariables."):
            value = stage_variables.get(source[len("stageVariables.") :])
        elif source.startswith("context."):
            value = context.get(source[len("context.") :])
        if not value:
            return None
        values.append(str(value))
    return values


async def authorize(
    state: AccessState,
    authorizer: dict[str, Any],
    api_id: str,
    method_arn: str,
    event: dict[str, Any],
    identity: list[str],
    invoke: Invoke,
    now: float,
) -> AuthResult:
    """Run (or reuse the cached answer of) a TOKEN/REQUEST authorizer; raise GatewayError unless it allows
    method_arn."""
    ttl = int(authorizer.get("authorizerResultTtlInSeconds", 300) or 0)
    key = (api_id, authorizer["id"], *identity)
    cached = state.auth_cache.get(key) if ttl else None
    if cached is not None and cached[0] > now:
        result = cached[1]
    else:
        out = await invoke(lambda_arn(authorizer.get("authorizerUri", "")), json.dumps(event).encode())
        payload = out.get("Payload") or b""
        try:
            doc = safejson.loads(payload) if payload else None
        except ValueError:
            doc = None
        if out.get("FunctionError"):
            if isinstance(doc, dict) and doc.get("errorMessage") == "Unauthorized":
                raise GatewayError("UNAUTHORIZED", "Unauthorized")
            raise GatewayError("AUTHORIZER_FAILURE", None)
        if not isinstance(doc, dict) or not isinstance(doc.get("policyDocument"), dict) or "principalId" not in doc:
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
        context = doc.get("context") or {}
        if not isinstance(context, dict) or any(isinstance(v, (dict, list)) for v in context.values()):
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
        result = AuthResult(str(doc["principalId"]), doc["policyDocument"], context, doc.get("usageIdentifierKey"))
        if ttl:
            if len(state.auth_cache) > 10000:
                state.auth_cache.clear()
            state.auth_cache[key] = (now + ttl, result)
    try:
        allowed = policy_allows(result.policy, method_arn)
    except ValueError:
        raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None) from None
    if not allowed:
        raise GatewayError("ACCESS_DENIED", "User is not authorized to access this resource")
    return result


# --- API keys and usage plans ---------------------------------------------------------------------------------------


def _take(state: AccessState, key: tuple[str, ...], rate: float, burst: float, now: float) -> bool:
    """Token bucket: ``burst`` tokens, refilled at ``rate`` per second; False when empty."""
    capacity = max(burst, 1.0)
    bucket = state.buckets.get(key)
    if bucket is None:
        bucket = state.buckets[key] = [capacity, now]
    tokens = min(capacity, bucket[0] + (now - bucket[1]) * rate)
    bucket[1] = now
    if tokens < 1:
        bucket[0] = tokens
        return False
    bucket[0] = tokens - 1
    return True


def throttle(state: AccessState, key: tuple[str, ...], limits: dict[str, Any] | None, now: float) -> None:
    """Take a token from the bucket of ``key`` (rateLimit per second, burstLimit at most); THROTTLED when empty."""
    if not limits or (limits.get("rateLimit") is None and limits.get("burstLimit") is None):
        return
    rate = float(limits["rateLimit"]) if limits.get("rateLimit") is not None else 10000.0
    burst = float(limits["burstLimit"]) if limits.get("burstLimit") is not None else 5000.0
    if not _take(state, key, rate, burst, now):
        raise GatewayError("THROTTLED", "Too Many Requests")


def method_keys(resource_path: str, http_method: str) -> list[str]:
    """The keys a per-method throttle may be set under, most specific first: "/pets/{id}/GET", "/pets/{id}/*", "*/*"."""
    return [f"{resource_path}/{http_method}", f"{resource_path}/*", "*/*"]


def method_settings(stage: dict[str, Any], keys: list[str]) -> tuple[str, dict[str, Any] | None]:
    """The stage's methodSettings entry that applies to the method (``keys`` from method_keys: its own, else
    "*/*"), with the key it was found under; ("", None) when none does."""
    settings = stage.get("methodSettings") or {}
    for key in keys:
        found = settings.get(key.lstrip("/"))
        if found:
            return key, found
    return "", None


def method_limits(settings: dict[str, Any], keys: list[str]) -> Any:
    return next((settings[k] for k in keys if k in settings), None)


async def check_api_key(
    runtime: Runtime,
    state: AccessState,
    account: str,
    region: str,
    api_id: str,
    stage: str,
    value: str | None,
    keys: list[str],
) -> dict[str, Any]:
    """The enabled key with this value in a usage plan of the stage; throttle and count it. Returns the key."""
    if not value:
        raise GatewayError("INVALID_API_KEY", "Forbidden")

    def find(tx: Tx) -> tuple[dict[str, Any], dict[str, Any]] | None:
        key = store.key_by_value(tx, account, region, value)
        if key is None or not key.get("enabled"):
            return None
        for plan in store.list_entities(tx, account, region, "usageplan"):
            if key["id"] in plan.get("_keys", []) and any(
                s.get("apiId") == api_id and s.get("stage") == stage for s in plan.get("apiStages", [])
            ):
                return key, plan
        return None

    found = await runtime.store.read(find)
    if found is None:
        raise GatewayError("INVALID_API_KEY", "Forbidden")
    key, plan = found
    now = runtime.clock.monotonic()
    throttle(state, ("plan", plan["id"], key["id"]), plan.get("throttle"), now)
    stage_limits = next(
        (
            s.get("throttle") or {}
            for s in plan.get("apiStages", [])
            if s.get("apiId") == api_id and s.get("stage") == stage
        ),
        {},
    )
    for method_key in keys:  # an API stage's per-method throttle ("/pets/GET") or its "*/*"
        if method_key in stage_limits:
            limits = stage_limits[method_key]
            throttle(state, ("planstage", plan["id"], key["id"], api_id, stage, method_key), limits, now)
            break
    quota = plan.get("quota")
    if quota and quota.get("limit") is not None:
        period = quota_period(quota.get("period", "DAY"), runtime.clock.now())
        counted = await runtime.store.write(
            lambda tx: store.count_usage(tx, plan["id"], key["id"], period, int(quota["limit"]))
        )
        if not counted:
            raise GatewayError("QUOTA_EXCEEDED", "Limit Exceeded")
    return key
