"""CognitoTokens (gureum.ports), as this package provides it: a pool's JWKS by issuer, and the claims of a token a
pool signed, for API Gateway's authorizers and Cognito identity pools."""

from __future__ import annotations

from typing import Any

from ...aws.errors import ServiceError
from . import tokens
from .backend import CognitoBackend


class TokensPort:
    def __init__(self, backend: CognitoBackend) -> None:
        self._backend = backend

    async def jwks(self, issuer: str) -> dict[str, Any] | None:
        pool_id = tokens.pool_of_issuer(issuer)
        if pool_id is None or tokens.issuer(pool_id) != issuer.rstrip("/"):
            return None
        return await self._backend.jwks(pool_id)

    async def verify(self, token: str) -> dict[str, Any]:
        try:
            _, claims = await self._backend.verified_claims(token)
        except ServiceError as error:
            raise ValueError(error.message) from None
        return claims
