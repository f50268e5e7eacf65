"""COGNITO_USER_POOLS authorizers of REST APIs: the token in the identity source (the raw token, no "Bearer ")
must be signed by one of the authorizer's user pools (providerARNs) and unexpired, checked through the CognitoTokens
port. A method with authorizationScopes takes an access token holding one of them; one without takes an ID token.
The claims reach the integration as $context.authorizer.claims (strings, as API Gateway passes them)."""

from __future__ import annotations

import json
from typing import Any

from ...ports import CognitoTokens


class Refused(Exception):
    """The token does not admit the caller (API Gateway answers 401 Unauthorized)."""


def _pool_ids(authorizer: dict[str, Any]) -> set[str]:
    return {arn.rsplit("/", 1)[-1] for arn in authorizer.get("providerARNs") or [] if "/" in arn}


def _as_string(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict) else str(value)


async def claims(
    tokens: CognitoTokens | None, authorizer: dict[str, Any], method: dict[str, Any], token: str | None
) -> dict[str, str]:
    """The verified token's claims as strings; Refused otherwise."""
    if not token or tokens is None:
        raise Refused()
    try:
        found = await tokens.verify(token)
    except ValueError:
        raise Refused() from None
    issuer = str(found.get("iss", ""))
    if issuer.rstrip("/").rsplit("/", 1)[-1] not in _pool_ids(authorizer):
        raise Refused()
    wanted = method.get("authorizationScopes") or []
    if wanted:
        held = str(found.get("scope", "")).split()
        if found.get("token_use") != "access" or not set(wanted) & set(held):
            raise Refused()
    elif found.get("token_use") != "id":
        raise Refused()
    return {name: _as_string(value) for name, value in found.items()}
