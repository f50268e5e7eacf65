"""The web console at /_gureum/ui: one static page (static/console.html, no build step) and the JSON it reads
(recent traces; one trace's segments and service graph), its AWS actions (console_aws: the same operations any
client makes) and a live log tail (server-sent events). Off with --no-ui; under --strict-auth it asks for a
configured key (HTTP Basic: access key id and secret) before serving anything, and acts with that key."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from importlib import resources
from typing import Any

from ... import safejson
from ...aws.auth import DEFAULT_ACCOUNT, DEFAULT_REGION
from ...aws.http import Request, Response
from ...runtime import Runtime
from ...tracing.header import valid_trace_id
from . import console_aws
from .backend import XRayBackend

_PAGE = resources.files(__package__).joinpath("static/console.html").read_bytes()
_SECURITY = [
    ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]


def _json(doc: Any, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/json"), *_SECURITY], json.dumps(doc).encode())


def _refused(runtime: Runtime, request: Request) -> Response | None:
    """404 when the console is off; 401 under --strict-auth without a configured key and its secret."""
    if not runtime.config.ui:
        return _json({"error": "the console is off (--no-ui)"}, 404)
    if not runtime.config.strict_auth:
        return None
    if _key(runtime, request) is not None:
        return None
    return Response(
        401,
        [("WWW-Authenticate", 'Basic realm="gureum console"'), ("Content-Type", "text/plain")],
        b"log in with an access key id and its secret",
    )


def _key(runtime: Runtime, request: Request) -> tuple[str, str] | None:
    """The access key id and secret the user logged in with (HTTP Basic), when they are a configured pair."""
    scheme, _, encoded = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            key, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key, secret = "", ""
        known = runtime.secret_for(key) if key else None
        if known is not None and hmac.compare_digest(known.encode(), secret.encode()):
            return key, secret
    return None


def _where(request: Request) -> tuple[str, str]:
    query = request.query
    account = query.get("account") or DEFAULT_ACCOUNT
    region = query.get("region") or DEFAULT_REGION
    return (account if account.isdigit() and len(account) == 12 else DEFAULT_ACCOUNT), region[:32]


def _host(request: Request) -> str:
    """The console's own host:port (a name and a port only: it becomes the URL the operation is made at)."""
    host = request.headers.get("host") or "localhost"
    return host if len(host) <= 255 and all(c.isalnum() or c in ".-:[]" for c in host) else "localhost"


async def page(runtime: Runtime, request: Request) -> Response:
    refused = _refused(runtime, request)
    if refused is not None:
        return refused
    return Response(200, [("Content-Type", "text/html; charset=utf-8"), *_SECURITY], _PAGE)


async def api(runtime: Runtime, request: Request) -> Response:
    refused = _refused(runtime, request)
    if refused is not None:
        return refused
    backend = runtime.state(XRayBackend)
    account, region = _where(request)
    what = request.path.rstrip("/").rsplit("/", 1)[-1]
    if what == "traces":
        return _json({"traces": await backend.recent(account, region, 100)})
    if what == "trace":
        trace_id = request.query.get("id") or ""
        if not valid_trace_id(trace_id):
            return _json({"error": "id: a trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)"}, 400)
        traces = await backend.batch_get_traces(account, region, [trace_id])
        if not traces["Traces"]:
            return _json({"error": "no such trace"}, 404)
        graph = await backend.get_trace_graph(account, region, [trace_id])
        segments = [json.loads(s["Document"]) for s in traces["Traces"][0]["Segments"]]
        return _json({"trace": traces["Traces"][0]["Id"], "segments": segments, "services": graph["Services"]})
    return _json({"error": f"no such endpoint: {request.path}"}, 404)


async def act(runtime: Runtime, request: Request) -> Response:
    """POST /_gureum/ui/api/call {"service", "operation", "params"}: one AWS operation (console_aws.ALLOWED). The
    JSON content type and the X-Gureum-Console header make a browser preflight a cross-site request, which is never
    answered: another page cannot make the console act."""
    refused = _refused(runtime, request)
    if refused is not None:
        return refused
    if request.headers.get("x-gureum-console") != "1" or "json" not in (request.headers.get("content-type") or ""):
        return _json({"code": "Forbidden", "message": "console requests only"}, 403)
    if len(request.body) > console_aws.MAX_BODY:
        return _json({"code": "TooLarge", "message": "request too large"}, 413)
    try:
        doc = safejson.loads(request.body.decode("utf-8", "replace"), max_size=console_aws.MAX_BODY)
    except ValueError:
        return _json({"code": "BadJson", "message": "the request is not JSON"}, 400)
    if not isinstance(doc, dict) or not isinstance(doc.get("params", {}), dict):
        return _json({"code": "BadRequest", "message": "expected {service, operation, params}"}, 400)
    account, region = _where(request)
    key = _key(runtime, request) if runtime.config.strict_auth else None
    try:
        out = await console_aws.call(runtime, account, region, str(doc.get("service")), str(doc.get("operation")),
                                     doc.get("params") or {}, key, _host(request))  # fmt: skip
    except console_aws.ConsoleError as error:
        return _json({"code": error.code, "message": error.message}, error.status)
    return _json(out)


async def tail(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/ui/api/tail?group=…: the log group's new events as server-sent events."""
    refused = _refused(runtime, request)
    if refused is not None:
        return refused
    group = request.query.get("group") or ""
    if not 0 < len(group) <= 512:
        return _json({"error": "group: a log group name"}, 400)
    account, region = _where(request)
    key = _key(runtime, request) if runtime.config.strict_auth else None
    body = console_aws.SseBody(console_aws.tail(runtime, account, region, group, key, _host(request)))
    headers = [("Content-Type", "text/event-stream"), ("X-Accel-Buffering", "no"), *_SECURITY]
    return Response(200, headers, stream=body)


ROUTES = {
    ("GET", "/_gureum/ui"): page,
    ("GET", "/_gureum/ui/api/tail"): tail,
    ("GET", "/_gureum/ui/api/*"): api,
    ("POST", "/_gureum/ui/api/call"): act,
}
