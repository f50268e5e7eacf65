"""gureum's own Cognito endpoints under /_gureum/cognito/ (not AWS APIs): the codes and messages user pools sent
(sign-up, password reset, attribute verification, MFA and invitations), readable and clearable like SNS's captured
SMS, and signing-key rotation."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from ... import safejson
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...runtime import Runtime
from .backend import CognitoBackend

Handler = Callable[[Runtime, Request], Awaitable[Response]]
CODES_PATH = "/_gureum/cognito/codes"


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


async def list_codes(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/cognito/codes?userPoolId=…&username=…&limit=… (newest first)."""
    try:
        limit = int(request.query.get("limit", "100"))
    except ValueError:
        return _json({"error": "limit must be an integer"}, 400)
    found = await runtime.state(CognitoBackend).captured(
        request.query.get("userPoolId"), request.query.get("username"), max(1, min(limit, 1000))
    )
    return _json({"messages": found})


async def clear_codes(runtime: Runtime, request: Request) -> Response:
    """DELETE /_gureum/cognito/codes?userPoolId=…"""
    deleted = await runtime.state(CognitoBackend).clear_captured(request.query.get("userPoolId"))
    return _json({"deleted": deleted})


async def rotate_keys(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/cognito/rotate-keys {"userPoolId": …, "retireAfterSeconds"?: n}: a new signing key signs from
    now on; with retireAfterSeconds, keys older than that are removed (their tokens stop verifying)."""
    try:
        doc = safejson.loads(request.body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("userPoolId"), str):
        return _json({"error": "the body must be a JSON object with userPoolId"}, 400)
    keep = doc.get("retireAfterSeconds")
    if keep is not None and not isinstance(keep, int | float):
        return _json({"error": "retireAfterSeconds must be a number"}, 400)
    try:
        kid = await runtime.state(CognitoBackend).rotate_keys(doc["userPoolId"], keep)
    except ServiceError as error:
        return _json({"error": error.message}, 404)
    return _json({"kid": kid})


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", CODES_PATH): list_codes,
    ("DELETE", CODES_PATH): clear_codes,
    ("POST", "/_gureum/cognito/rotate-keys"): rotate_keys,
}
