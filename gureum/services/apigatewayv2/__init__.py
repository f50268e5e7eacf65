"""Amazon API Gateway v2: HTTP and WebSocket APIs (control plane and data plane).

Layout: model.py (pure rules), store.py (SQL), ops_apis.py / ops_items.py (the API), deployed.py (what a stage
serves), routes.py (HTTP route matching), events.py (Lambda proxy events), jwt.py and authorizers.py,
http_api.py (HTTP data plane, the "apigatewayv2.http" port), websocket_api.py (WebSocket data plane, the upgrade
hook and the "apigatewayv2.connections" port the management API uses).
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from ... import ports
from ...aws import sigv4
from ...aws.http import Request, Response
from ...runtime import Runtime
from .. import Service

SERVICE = Service("apigatewayv2", migrations=Path(__file__).parent / "migrations")

from . import http_api, jwt, ops_apis, ops_import, ops_items, store, throttle  # noqa: E402,F401  (registers the operations)
from .state import State  # noqa: E402
from .websocket_api import WebSocketApis  # noqa: E402


async def _upgrade(runtime: Runtime, request: Request, ws: Any) -> bool:
    return await runtime.state(WebSocketApis).upgrade(runtime, request, ws)


SERVICE.upgrade = _upgrade


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(State())
    websockets = runtime.keep(WebSocketApis(runtime, f"{socket.gethostname()}:{runtime.config.port}"))
    node = websockets.node
    await runtime.store.write(lambda tx: store.delete_node_connections(tx, node))
    runtime.store.subscribe(store.RELAY_CHANNEL, websockets.relayed)
    runtime.provide(ports.HttpApiEdge, _HttpApiEdge(runtime))
    runtime.provide(ports.WebSocketConnections, websockets)


class _HttpApiEdge:
    """The HttpApiEdge port the REST edge asks for execute-api ids it does not own."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def handle(self, api_id: str, path: str, request: Request) -> Response | None:
        """An HTTP API request, or the management API under a stage's URL ("/{stage}/@connections/{id}" becomes
        "/@connections/{id}" for the ordinary AWS dispatch)."""
        runtime = self.runtime
        inner = _connections_path(request.raw_path)
        if inner is not None and await _is_ours(runtime, api_id):
            rewritten = Request(
                request.method, inner, request.query_string, request.headers, request.body, request.scheme
            )
            if runtime.config.strict_auth:
                rewritten = _resigned(runtime, request, rewritten)
            return await runtime.port(ports.AwsDispatch)(rewritten)
        return await http_api.handle(runtime, api_id, path, request)


def _resigned(runtime: Runtime, original: Request, rewritten: Request) -> Request:
    """Strict mode: the client signed the stage URL's path. When that signature verifies, the rewritten request is
    signed again with the same key so that the dispatcher's check passes; otherwise it goes on as is (and fails)."""
    try:
        signed = sigv4.authenticate(original, runtime.secret_for, runtime.clock.utcnow())
    except sigv4.SignatureProblem:
        return rewritten
    secret = runtime.secret_for(signed.access_key)
    if secret is None or signed.presigned:
        return rewritten
    signature = sigv4.expected_signature(rewritten, signed, secret)
    headers = {
        **rewritten.headers,
        "authorization": rewritten.headers["authorization"].replace(
            f"Signature={signed.signature}", f"Signature={signature}"
        ),
    }
    return Request(
        rewritten.method, rewritten.raw_path, rewritten.query_string, headers, rewritten.body, rewritten.scheme
    )


def _connections_path(raw_path: str) -> str | None:
    """ "/@connections/{id}" when the raw path ends with "/{stage}/@connections/{id}" (the "@" possibly escaped)."""
    for marker in ("/@connections/", "/%40connections/"):
        at = raw_path.find(marker)
        if at >= 0:
            rest = raw_path[at + len(marker) :]
            return f"/@connections/{rest}" if rest and "/" not in rest else None
    return None


async def _is_ours(runtime: Runtime, api_id: str) -> bool:
    return await runtime.store.read(lambda tx: store.get_api(tx, api_id) is not None)


@SERVICE.on_stop
async def _stop(runtime: Runtime) -> None:
    websockets = runtime.state_or_none(WebSocketApis)
    if websockets is not None:
        websockets.close_all()


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    state = runtime.state(State)
    state.jwks.clear()
    state.authorizer_cache.clear()
    state.buckets.clear()
