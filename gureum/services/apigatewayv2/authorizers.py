"""Route authorization on the data plane: JWT authorizers and Lambda REQUEST authorizers (simple responses with
payload 2.0, IAM policies with 1.0 or when simple responses are off), with their result cache.

Outcomes as the developer guide documents them: no identity → 401 {"message":"Unauthorized"}; denied → 403
{"message":"Forbidden"}; an authorizer that fails → 500 {"message":"Internal Server Error"}."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from ... import safejson
from ...aws.http import Request
from ...runtime import Runtime
from . import jwt
from .lambdas import IntegrationFailed, IntegrationTimeout, invoke
from .state import State


@dataclass
class Denied(Exception):
    status: int
    message: str
    headers: list[tuple[str, str]]


def identity_values(
    sources: list[str], request: Request, path_params: dict[str, str], variables: dict[str, str]
) -> list[str] | None:
    """The identity source values ($request.header.X, $request.querystring.x, $context.x, $stageVariables.x); None
    when one is missing (AWS then answers 401 without calling the authorizer)."""
    values = []
    for source in sources:
        value: str | None = None
        if source.lower().startswith("$request.header."):
            value = request.headers.get(source[16:].lower())
        elif source.startswith("$request.querystring."):
            value = request.query.get(source[21:])
        elif source.startswith("$request.path."):
            value = path_params.get(source[14:])
        elif source.startswith("$stageVariables."):
            value = variables.get(source[16:])
        elif source.startswith("route.request.header."):  # WebSocket form
            value = request.headers.get(source[21:].lower())
        elif source.startswith("route.request.querystring."):
            value = request.query.get(source[26:])
        if not value:
            return None
        values.append(value)
    return values


async def check_jwt(
    state: State,
    authorizer: dict[str, Any],
    route: dict[str, Any],
    request: Request,
    local: jwt.LocalKeys | None = None,
) -> dict[str, Any]:
    """requestContext.authorizer for a valid token; Denied (401/403 with www-authenticate) otherwise."""
    sources = authorizer.get("IdentitySource") or ["$request.header.Authorization"]
    values = identity_values(sources, request, {}, {})
    if not values:
        raise Denied(401, "Unauthorized", [("www-authenticate", "Bearer")])
    token = values[0]
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    config = authorizer.get("JwtConfiguration") or {}
    try:
        claims = await jwt.verify(
            token, config.get("Issuer", ""), list(config.get("Audience") or []), state.jwks, state.clock.now(), local
        )
    except jwt.TokenProblem as problem:
        raise Denied(
            401,
            "Unauthorized",
            [("www-authenticate", f'Bearer scope="" error="invalid_token" error_description="{problem}"')],
        ) from None
    scopes = jwt.scopes_of(claims)
    wanted = route.get("AuthorizationScopes") or []
    if wanted and not set(wanted) & set(scopes):
        header = (
            f'Bearer scope="{" ".join(wanted)}" error="insufficient_scope" '
            f'error_description="expected scopes: {wanted}"'
        )
        raise Denied(403, "Forbidden", [("www-authenticate", header)])
    return {"jwt": {"claims": jwt.claims_for_event(claims), "scopes": scopes or None}}


def _policy_allows(policy: dict[str, Any], arn: str) -> bool:
    statements = (policy.get("policyDocument") or {}).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        resources = statement.get("Resource") or []
        resources = [resources] if isinstance(resources, str) else resources
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) or a == "*" for a in actions):
            continue
        if any(fnmatch.fnmatchcase(arn, r) for r in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


async def check_lambda(
    runtime: Runtime,
    state: State,
    api_id: str,
    account: str,
    region: str,
    authorizer: dict[str, Any],
    event: dict[str, Any],
    identity: list[str] | None,
    arn: str,
    request_id: str,
) -> dict[str, Any]:
    """requestContext.authorizer's "lambda" context after the function allowed the request; Denied otherwise."""
    sources = authorizer.get("IdentitySource") or []
    if sources and identity is None:
        raise Denied(401, "Unauthorized", [])
    ttl = int(authorizer.get("AuthorizerResultTtlInSeconds") or 0)
    key = (api_id, authorizer["AuthorizerId"], tuple(identity or ()))
    cached = state.authorizer_cache.get(key) if ttl and sources else None
    if cached is not None and cached[0] > state.clock.monotonic():
        result = cached[1]
    else:
        try:
            # IAM enforcement: the function's policy must let API Gateway in for this authorizer
            source = f"arn:aws:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer['AuthorizerId']}"
            payload = await invoke(
                runtime,
                account,
                region,
                authorizer["AuthorizerUri"],
                json.dumps(event).encode(),
                10000,
                request_id,
                source,
            )
            result = safejson.loads(payload)
        except (IntegrationFailed, IntegrationTimeout, ValueError):
            raise Denied(500, "Internal Server Error", []) from None
        if ttl and sources:
            state.authorizer_cache[key] = (state.clock.monotonic() + ttl, result)
    if not isinstance(result, dict):
        raise Denied(500, "Internal Server Error", [])
    if authorizer.get("EnableSimpleResponses"):
        allowed = result.get("isAuthorized") is True
    else:
        allowed = _policy_allows(result, arn)
    if not allowed:
        raise Denied(403, "Forbidden", [])
    context = dict(result.get("context") or {})
    if "principalId" in result:
        context.setdefault("principalId", result["principalId"])
    return context
