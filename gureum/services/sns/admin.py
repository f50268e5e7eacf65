"""gureum's own SNS endpoints under /_gureum/sns/ (not AWS APIs): the captured-delivery outbox (e-mail, SMS,
mobile push, sandbox verification codes, e-mail confirmation links), the signing certificate, and switches for
what only AWS Support or a phone's owner can do (leave the SMS sandbox, opt a number out)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from ... import safejson
from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.http import Request, Response
from ...runtime import Runtime
from . import limits
from .backend import backend
from .signing import CERT_PATH

MESSAGES_PATH = "/_gureum/sns/messages"
_FILTERS = {
    "protocol": "protocol",
    "endpoint": "endpoint",
    "topicArn": "topic_arn",
    "subscriptionArn": "subscription_arn",
    "type": "kind",
    "accountId": "account",
    "region": "region",
}
Handler = Callable[[Runtime, Request], Awaitable[Response]]


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


def _filters(request: Request) -> dict[str, str]:
    return {column: request.query[name] for name, column in _FILTERS.items() if request.query.get(name)}


async def list_messages(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/sns/messages?protocol=email&endpoint=user@example.com (every filter optional)."""
    try:
        limit = int(request.query.get("limit", "1000"))
    except ValueError:
        return _json({"error": "limit must be an integer"}, 400)
    filters = _filters(request)
    found = await backend(runtime).captured(filters, limit)
    return _json({"messages": found})


async def clear_messages(runtime: Runtime, request: Request) -> Response:
    """DELETE /_gureum/sns/messages (same filters)."""
    filters = _filters(request)
    deleted = await backend(runtime).clear_captured(filters)
    return _json({"deleted": deleted})


async def certificate(runtime: Runtime, request: Request) -> Response:
    return Response(200, [("Content-Type", "application/x-pem-file")], backend(runtime).signer.cert_pem.encode())


def _body(request: Request) -> dict[str, Any]:
    try:
        doc = safejson.loads(request.body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise ValueError("the body must be a JSON object")
    return doc


async def sms_sandbox(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/sns/sms-sandbox {"inSandbox": false, "accountId"?, "region"?}: leave (or re-enter) the SMS
    sandbox, as AWS Support does on request."""
    try:
        doc = _body(request)
    except ValueError as error:
        return _json({"error": str(error)}, 400)
    account, region = doc.get("accountId") or DEFAULT_ACCOUNT, doc.get("region") or DEFAULT_REGION
    in_sandbox = bool(doc.get("inSandbox", False))
    await backend(runtime).set_sms_sandbox(account, region, in_sandbox)
    return _json({"accountId": account, "region": region, "isInSandbox": in_sandbox})


async def opt_out(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/sns/opt-out {"phoneNumber": "+15550100", "accountId"?, "region"?}: the recipient replied STOP."""
    try:
        doc = _body(request)
    except ValueError as error:
        return _json({"error": str(error)}, 400)
    number = str(doc.get("phoneNumber") or "")
    if not limits.E164.match(number):
        return _json({"error": "phoneNumber must be an E.164 number"}, 400)
    number = number if number.startswith("+") else f"+{number}"
    account, region = doc.get("accountId") or DEFAULT_ACCOUNT, doc.get("region") or DEFAULT_REGION
    await backend(runtime).opt_out(account, region, number)
    return _json({"phoneNumber": number, "isOptedOut": True})


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", MESSAGES_PATH): list_messages,
    ("DELETE", MESSAGES_PATH): clear_messages,
    ("GET", CERT_PATH): certificate,
    ("POST", "/_gureum/sns/sms-sandbox"): sms_sandbox,
    ("POST", "/_gureum/sns/opt-out"): opt_out,
}
