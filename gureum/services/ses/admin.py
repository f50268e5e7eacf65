"""gureum's own SES endpoints under /_gureum/ses/ (not AWS APIs): the captured mailbox (list, raw download,
clear), the verification link a verification mail carries, tracking and List-Unsubscribe links, and what stands in
for DNS and AWS Support (a domain's records found, production access granted)."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ... import safejson
from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.http import Request, Response
from ...runtime import Runtime
from .backend import VERIFY_PATH, backend
from .backend_sending import UNSUBSCRIBE_PATH
from .tracking import PIXEL, TRACK_PATH

MESSAGES_PATH = "/_gureum/ses/messages"
_FILTERS = {"id": "message_id", "source": "source", "destination": "destination", "accountId": "account"}
_FILTERS["region"] = "region"
Handler = Callable[[Runtime, Request], Awaitable[Response]]


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


def _filters(request: Request) -> dict[str, str]:
    return {column: request.query[name] for name, column in _FILTERS.items() if request.query.get(name)}


def _body(request: Request) -> dict[str, Any]:
    try:
        doc = safejson.loads(request.body or b"{}")
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise ValueError("the body must be a JSON object")
    return doc


async def list_messages(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/ses/messages?source=&destination=&id=&accountId=&region=&limit= (raw=1 adds base64 MIME)."""
    try:
        limit = int(request.query.get("limit", "1000"))
    except ValueError:
        return _json({"error": "limit must be an integer"}, 400)
    with_raw = request.query.get("raw") in ("1", "true")
    found = await backend(runtime).captured(_filters(request), limit, with_raw)
    out = []
    for m in found:
        doc = {
            "Id": m["message_id"],
            "AccountId": m["account"],
            "Region": m["region"],
            "Source": m["source"],
            "Destination": m["destinations"],
            "Subject": m["subject"],
            "Origin": m["origin"],
            "Timestamp": m["sent_at"],
        }
        if with_raw:
            doc["RawData"] = base64.b64encode(m["raw"]).decode()
        out.append(doc)
    return _json({"messages": out})


async def raw_message(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/ses/messages/raw?id=<message id>: the message as SES keeps it (message/rfc822)."""
    message_id = request.query.get("id")
    if not message_id:
        return _json({"error": "id is required"}, 400)
    found = await backend(runtime).captured({"message_id": message_id}, 1, True)
    if not found:
        return _json({"error": f"no message {message_id}"}, 404)
    return Response(200, [("Content-Type", "message/rfc822")], found[0]["raw"])


async def clear_messages(runtime: Runtime, request: Request) -> Response:
    """DELETE /_gureum/ses/messages (same filters)."""
    return _json({"deleted": await backend(runtime).clear_captured(_filters(request))})


async def verify_link(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/ses/verify?token=…: the link of a verification mail, opened."""
    identity = await backend(runtime).verify_token(request.query.get("token", ""))
    if identity is None:
        page = "<html><body><h1>Verification failed</h1><p>The link is invalid or has expired.</p></body></html>"
        return Response(400, [("Content-Type", "text/html; charset=utf-8")], page.encode())
    page = (
        "<html><body><h1>Congratulations!</h1><p>You have successfully verified an email address. You can now "
        f"start sending email from this address.</p><p>{identity.name}</p></body></html>"
    )
    return Response(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())


async def track(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/ses/track?t=…: a sent message's open-tracking image (a 1x1 GIF) or tracked link (a redirect to
    the original) fetched; its Open or Click event goes to the configuration set's destinations."""
    agent = next((v for k, v in request.headers.items() if k.lower() == "user-agent"), "")
    found = await backend(runtime).tracked(request.query.get("t", ""), request.peer, agent)
    if found is None:
        return _json({"error": "unknown tracking link"}, 404)
    if found["kind"] == "click":
        return Response(302, [("Location", found["link"]), ("Content-Length", "0")], b"")
    return Response(200, [("Content-Type", "image/gif"), ("Cache-Control", "no-cache")], PIXEL)


async def unsubscribe(runtime: Runtime, request: Request) -> Response:
    """GET or POST (RFC 8058's one click) /_gureum/ses/unsubscribe?t=…: a List-Unsubscribe link SES added to mail
    sent to a contact list; the recipient opts out of the topic (or of the list)."""
    found = await backend(runtime).unsubscribe(request.query.get("t", ""))
    if found is None:
        return _json({"error": "unknown unsubscribe link"}, 404)
    what = f"the topic {found['topic']} of" if found["topic"] else "every topic of"
    text = f"{found['address']} is unsubscribed from {what} the list {found['list']}.\n"
    return Response(200, [("Content-Type", "text/plain; charset=utf-8")], text.encode())


async def verify_domain(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/ses/identities/verify {"identity": "example.com", "accountId"?, "region"?}: the domain's TXT
    and DKIM records are found (what SES's DNS lookup does)."""
    try:
        doc = _body(request)
    except ValueError as error:
        return _json({"error": str(error)}, 400)
    name = str(doc.get("identity") or request.query.get("identity") or "")
    account = doc.get("accountId") or request.query.get("accountId") or DEFAULT_ACCOUNT
    region = doc.get("region") or request.query.get("region") or DEFAULT_REGION
    identity = await backend(runtime).confirm_domain(account, region, name)
    if identity is None:
        return _json({"error": f"no identity {name} in {account} {region}"}, 404)
    return _json({"identity": name, "accountId": account, "region": region, "verificationStatus": identity.status})


async def production(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/ses/account/production {"accountId"?, "region"?, "max24HourSend"?, "maxSendRate"?}: AWS Support
    moves the account out of the sandbox with a quota."""
    try:
        doc = _body(request)
        max_24 = None if doc.get("max24HourSend") is None else float(doc["max24HourSend"])
        rate = None if doc.get("maxSendRate") is None else float(doc["maxSendRate"])
    except (TypeError, ValueError) as error:
        return _json({"error": str(error)}, 400)
    account, region = doc.get("accountId") or DEFAULT_ACCOUNT, doc.get("region") or DEFAULT_REGION
    be = backend(runtime)
    await be.grant_production(account, region, max_24, rate)
    state, sent = await be.account(account, region)
    return _json(
        {
            "accountId": account,
            "region": region,
            "productionAccessEnabled": state.production,
            "max24HourSend": state.max_24_hour_send,
            "maxSendRate": state.max_send_rate,
            "sentLast24Hours": sent,
        }
    )


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", MESSAGES_PATH): list_messages,
    ("DELETE", MESSAGES_PATH): clear_messages,
    ("GET", MESSAGES_PATH + "/raw"): raw_message,
    ("GET", VERIFY_PATH): verify_link,
    ("POST", "/_gureum/ses/identities/verify"): verify_domain,
    ("GET", TRACK_PATH): track,
    ("GET", UNSUBSCRIBE_PATH): unsubscribe,
    ("POST", UNSUBSCRIBE_PATH): unsubscribe,
    ("POST", "/_gureum/ses/account/production"): production,
}
