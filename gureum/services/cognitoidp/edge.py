"""A user pool's public documents on gureum's port, as Cognito serves them at
https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/…: jwks.json (its signing keys) and
openid-configuration (the issuer, and where its keys and endpoints are: here, on gureum)."""

from __future__ import annotations

import json

from ...aws.http import Request, Response
from ...runtime import Runtime
from .. import EdgeRoute
from . import tokens
from .backend import CognitoBackend

PATH = "/{pool}/.well-known"


def _is_pool_path(request: Request) -> bool:
    """A pool id's first segment is a region and an underscore (no S3 bucket name has one)."""
    first = request.path.strip("/").split("/", 1)[0]
    return tokens.pool_of_issuer("/" + first) is not None


def _json(status: int, doc: object) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


async def serve(runtime: Runtime, request: Request) -> Response:
    parts = request.path.strip("/").split("/")
    pool_id, document = parts[0], "/".join(parts[1:])
    be = runtime.state(CognitoBackend)
    if document == ".well-known/jwks.json":
        found = await be.jwks(pool_id)
        if found is None:
            return _json(404, {"message": f"User pool {pool_id} does not exist."})
        return _json(200, found)
    if document == ".well-known/openid-configuration":
        if not await be.pool_exists(pool_id):
            return _json(404, {"message": f"User pool {pool_id} does not exist."})
        base = f"http://{request.host}"
        return _json(
            200,
            {
                "issuer": tokens.issuer(pool_id),
                "jwks_uri": f"{base}/{pool_id}/.well-known/jwks.json",
                "authorization_endpoint": f"{base}/{pool_id}/oauth2/authorize",
                "token_endpoint": f"{base}/{pool_id}/oauth2/token",
                "userinfo_endpoint": f"{base}/{pool_id}/oauth2/userInfo",
                "end_session_endpoint": f"{base}/{pool_id}/logout",
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "token"],
                "revocation_endpoint": f"{base}/{pool_id}/oauth2/revoke",
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "subject_types_supported": ["public"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            },
        )
    return _json(404, {"message": "Not found"})


ROUTE = EdgeRoute(serve, path=PATH, methods=frozenset({"GET", "HEAD"}), accepts=_is_pool_path)
