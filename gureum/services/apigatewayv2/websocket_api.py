"""The WebSocket API data plane: $connect (may refuse the upgrade), route selection over each message, Lambda and
MOCK integrations with two-way route responses, $disconnect, and the connections the management API reaches.

Sockets live in this process's memory; each is also a row of apigwv2_connections naming the node that holds it, so
the management API works through every node: GetConnection reads the row; PostToConnection and DeleteConnection for
another node's socket are relayed through the store (apigwv2_relay, announced with the store's notifications)."""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from typing import Any

from ... import safejson
from ...aws.http import Request, Response
from ...ids import unique_id
from ...runtime import Runtime
from . import authorizers, deployed, domains, store
from .events import time_text
from .lambdas import IntegrationFailed, IntegrationTimeout, invoke, with_stage_variables
from .state import State

log = logging.getLogger("gureum.apigatewayv2")


@dataclass
class Connection:
    connection_id: str
    ws: Any  # gureum.websocket.WebSocket
    stage: deployed.Deployed
    request: Request
    connected_at: float
    source_ip: str
    authorizer: dict[str, Any] | None = None
    last_active: float = 0.0

    @property
    def identity(self) -> dict[str, str]:
        return {"SourceIp": self.source_ip, "UserAgent": self.request.headers.get("user-agent", "")}


def new_connection_id() -> str:
    """AWS's look ("L0SM9cOFvHcCIhw="), URL-safe so it can sit in an @connections path unescaped."""
    return base64.urlsafe_b64encode(os.urandom(11)).decode()


def _context(conn: Connection, route_key: str, event_type: str, request_id: str, now: float) -> dict[str, Any]:
    stage = conn.stage
    # the Host the client connected to, port included: function code builds the management API's endpoint as
    # https://{domainName}/{stage} (gureum answers it on plain HTTP at http://{domainName}/{stage}), so on the
    # path-form URL this is gureum's own host:port, where /{stage}/@connections/{id} reaches the management API
    domain = conn.request.host or f"{stage.api_id}.execute-api.localhost"
    ctx: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time_text(now),
        "messageDirection": "IN",
        "stage": stage.stage_name,
        "connectedAt": int(conn.connected_at * 1000),
        "requestTimeEpoch": int(now * 1000),
        "identity": {"sourceIp": conn.source_ip, "userAgent": conn.request.headers.get("user-agent", "")},
        "requestId": request_id,
        "domainName": domain,
        "connectionId": conn.connection_id,
        "apiId": stage.api_id,
    }
    if conn.authorizer:
        ctx["authorizer"] = conn.authorizer
    return ctx


def _headers(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    single = {k.title() if k != "host" else "Host": v for k, v in request.headers.items()}
    return single, {k: [v] for k, v in single.items()}


def select_route(expression: str, message: str | bytes, routes: dict[str, Any]) -> str:
    """Evaluate a route selection expression such as $request.body.action over a JSON message; $default otherwise."""
    key: Any = None
    if expression.startswith("${") and expression.endswith("}"):  # AWS accepts ${request.body.action} too
        expression = "$" + expression[2:-1]
    if expression.startswith("$request.body.") and isinstance(message, str):
        try:
            key = safejson.loads(message)
            for part in expression[len("$request.body.") :].split("."):
                key = key.get(part) if isinstance(key, dict) else None
        except ValueError:
            key = None
    elif expression in routes:  # a constant expression
        key = expression
    if isinstance(key, str) and key in routes and key not in ("$connect", "$disconnect"):
        return key
    return "$default"


class WebSocketApis:
    """This node's live connections and the upgrade hook."""

    def __init__(self, runtime: Runtime, node: str, state: State) -> None:
        self.runtime = runtime
        self.clock = runtime.clock
        self.node = node
        self.state = state
        self.connections: dict[str, Connection] = {}
        self._draining = False
        self._again = False

    # --- the upgrade hook -------------------------------------------------------------------------

    async def upgrade(self, request: Request, ws: Any) -> bool:
        """False when the URL is not one of our APIs; otherwise ws is refused or served until it closes."""
        runtime = self.runtime
        target = _api_and_path(request)
        host = request.host.split(":")[0].lower()
        if target is not None:
            found = await self.state.deployments.load(runtime.store, api_id=target[0], path=target[1])
            if found is None:
                return False
            stage, _ = found
        elif host in self.state.domains:
            stage = await self._mapped_stage(host, request.path)
        else:
            return False
        if stage is None or stage.protocol != "WEBSOCKET":
            ws.reject(
                Response(
                    403 if stage is None else 404,
                    [("Content-Type", "application/json")],
                    b'{"message":"Forbidden"}' if stage is None else b'{"message":"Not Found"}',
                )
            )
            return True
        now = self.clock.now()
        source_ip = request.peer
        conn = Connection(new_connection_id(), ws, stage, request, now, source_ip, last_active=now)
        request_id = unique_id()
        refusal, subprotocol = await self._connect(conn, request_id)
        self._access_log(conn, "$connect", "CONNECT", request_id, refusal.status if refusal else 200, refusal)
        if refusal is not None:
            ws.reject(refusal)
            return True
        doc = {"ConnectedAt": now, "Identity": conn.identity}
        await runtime.store.write(
            lambda tx: store.insert_connection(tx, conn.connection_id, stage.api_id, stage.stage_name, self.node, doc)
        )
        ws.accept(subprotocol)
        self.connections[conn.connection_id] = conn  # reachable through the management API once connected
        try:
            while True:
                message = await ws.receive()
                if message is None:
                    break
                conn.last_active = self.clock.now()
                # messages are handled concurrently, as AWS does; each is bounded by its integration's timeout
                runtime.spawn(self._message(conn, message), f"apigatewayv2-message-{conn.connection_id}")
        finally:
            self.connections.pop(conn.connection_id, None)
            await runtime.store.write(lambda tx: store.delete_connection(tx, conn.connection_id))
            await self._disconnect(conn)
        return True

    async def _mapped_stage(self, host: str, path: str) -> deployed.Deployed | None:
        """The stage a custom domain name's API mapping gives this URL (None: no mapping, or no deployment)."""
        mappings = await self.runtime.store.read(lambda tx: store.children(tx, "ApiMapping", host))
        found = domains.select_mapping(mappings, path)
        if found is None:
            return None
        mapping = found[0]
        return await self.state.deployments.load_stage(self.runtime.store, mapping["ApiId"], mapping["Stage"])

    async def _connect(self, conn: Connection, request_id: str) -> tuple[Response | None, str | None]:
        """(a refusal, the subprotocol to echo) after the $connect route's authorizer and integration."""
        stage, request = conn.stage, conn.request
        route = stage.routes.get("$connect")
        if route is None:
            return None, None
        single, multi = _headers(request)
        event: dict[str, Any] = {"headers": single, "multiValueHeaders": multi}
        if request.query_list:
            event["queryStringParameters"] = dict(request.query_list)
            multi_query: dict[str, list[str]] = {}
            for k, v in request.query_list:
                multi_query.setdefault(k, []).append(v)
            event["multiValueQueryStringParameters"] = multi_query
        if route.get("AuthorizationType") == "CUSTOM":
            authorizer = stage.authorizers.get(route.get("AuthorizerId") or "")
            if authorizer is None:
                return _refusal(500, "Internal server error"), None
            sources = authorizer.get("IdentitySource") or []
            identity = authorizers.identity_values(sources, request, {}, stage.variables)
            arn = f"arn:aws:execute-api:{stage.region}:{stage.account}:{stage.api_id}/{stage.stage_name}/$connect"
            auth_event = {
                **event,
                "type": "REQUEST",
                "methodArn": arn,
                "requestContext": _context(conn, "$connect", "CONNECT", request_id, self.clock.now()),
                "stageVariables": stage.variables or None,
            }
            try:
                conn.authorizer = await authorizers.check_lambda(
                    self.runtime,
                    self.state,
                    stage.api_id,
                    stage.account,
                    stage.region,
                    authorizer,
                    auth_event,
                    identity,
                    arn,
                    request_id,
                )
            except authorizers.Denied as denied:
                return _refusal(denied.status, denied.message), None
        event["requestContext"] = _context(conn, "$connect", "CONNECT", request_id, self.clock.now())
        event["isBase64Encoded"] = False
        try:
            result = await self._integrate(conn, route, event)
        except (IntegrationFailed, IntegrationTimeout):
            return _refusal(500, "Internal server error"), None
        status, headers = 200, {}
        if isinstance(result, dict):
            try:
                status = int(result.get("statusCode", 200))
            except (TypeError, ValueError):
                status = 500
            headers = {str(k).lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        if not 200 <= status < 300:
            return _refusal(
                status,
                "Forbidden"
                if status == 403
                else "Internal server error"
                if status >= 500
                else "Unauthorized"
                if status == 401
                else "Bad Request",
            ), None
        return None, headers.get("sec-websocket-protocol")

    async def _integrate(self, conn: Connection, route: dict[str, Any], event: dict[str, Any]) -> Any:
        """Run a route's integration; the Lambda's decoded answer (or the MOCK's rendered response)."""
        stage = conn.stage
        integration = stage.integration_for(route)
        if integration is None:
            return None
        kind = integration["IntegrationType"]
        if kind in ("AWS_PROXY", "AWS") and ":lambda:" in integration.get("IntegrationUri", ""):
            uri = with_stage_variables(integration["IntegrationUri"], stage.variables)
            payload = await invoke(
                self.runtime,
                stage.account,
                stage.region,
                uri,
                json.dumps(event).encode(),
                int(integration.get("TimeoutInMillis") or 29000),
                event["requestContext"]["requestId"],
                # IAM enforcement: the function's policy must let API Gateway in for this route
                f"arn:aws:execute-api:{stage.region}:{stage.account}:{event['requestContext']['apiId']}"
                f"/{event['requestContext']['stage']}/{event['requestContext']['routeKey']}",
            )
            try:
                return safejson.loads(payload) if payload else None
            except ValueError:
                return payload.decode("utf-8", "replace")
        if kind == "MOCK":
            return _mock(stage, integration, event)
        if kind in ("HTTP_PROXY", "HTTP"):
            return await _http(conn, integration, event)
        raise IntegrationFailed(f"integration type {kind} is not served by gureum for WebSocket APIs")

    async def _message(self, conn: Connection, message: str | bytes) -> None:
        stage = conn.stage
        route_key = select_route(
            stage.api.get("RouteSelectionExpression", "$request.body.action"), message, stage.routes
        )
        request_id = unique_id()
        route = stage.routes.get(route_key)
        if route is None:
            conn.ws.send(
                json.dumps({"message": "Forbidden", "connectionId": conn.connection_id, "requestId": request_id})
            )
            self._access_log(conn, route_key, "MESSAGE", request_id, 403, error="Forbidden")
            return
        context = _context(conn, route_key, "MESSAGE", request_id, self.clock.now())
        context["messageId"] = unique_id()
        binary = isinstance(message, bytes)
        body = base64.b64encode(message).decode() if isinstance(message, bytes) else message
        event = {"requestContext": context, "body": body, "isBase64Encoded": binary}
        try:
            result = await self._integrate(conn, route, event)
        except (IntegrationFailed, IntegrationTimeout):
            conn.ws.send(
                json.dumps(
                    {"message": "Internal server error", "connectionId": conn.connection_id, "requestId": request_id}
                )
            )
            self._access_log(conn, route_key, "MESSAGE", request_id, 500, error="Internal server error")
            return
        self._access_log(conn, route_key, "MESSAGE", request_id, 200)
        if route.get("RouteResponseSelectionExpression") and stage.route_responses.get(route["RouteId"]):
            reply = _reply(result)
            if reply is not None:
                conn.ws.send(reply)

    async def _disconnect(self, conn: Connection) -> None:
        route = conn.stage.routes.get("$disconnect")
        request_id = unique_id()
        self._access_log(conn, "$disconnect", "DISCONNECT", request_id, 200)
        if route is None:
            return
        single, multi = _headers(conn.request)
        context = _context(conn, "$disconnect", "DISCONNECT", request_id, self.clock.now())
        context["disconnectStatusCode"] = conn.ws.close_code or 1005
        context["disconnectReason"] = conn.ws.close_reason or ""
        event = {"headers": single, "multiValueHeaders": multi, "requestContext": context, "isBase64Encoded": False}
        try:
            await self._integrate(conn, route, event)
        except (IntegrationFailed, IntegrationTimeout) as error:
            log.info("$disconnect of %s failed: %s", conn.connection_id, error)

    def _access_log(
        self,
        conn: Connection,
        route_key: str,
        event_type: str,
        request_id: str,
        status: int | None,
        refusal: Response | None = None,
        error: str | None = None,
    ) -> None:
        """The stage's access log line for a connection's event (its $context variables as WebSocket APIs have
        them: eventType, connectionId, routeKey, status, …)."""
        settings = conn.stage.stage.get("AccessLogSettings") or {}
        if not (settings.get("DestinationArn") and settings.get("Format")):
            return
        now = self.clock.now()
        if refusal is not None:
            error = json.loads(refusal.body).get("message") if refusal.body.startswith(b"{") else None
        context = {
            **_context(conn, route_key, event_type, request_id, now),
            "status": status,
            "error": {"message": error, "messageString": json.dumps(error) if error else None},
        }
        self.state.access_logs.access(
            settings["DestinationArn"], settings["Format"], conn.stage.api_id, conn.stage.stage_name, context,
            int(now * 1000),
        )  # fmt: skip

    # --- the management API's side (the WebSocketConnections port) ---------------------------------------

    async def post(self, connection_id: str, data: bytes) -> bool:
        """Send on the socket (here, or relayed to the node holding it); False when there is no such connection."""
        conn = self.connections.get(connection_id)
        if conn is not None and not conn.ws.closed:
            _send(conn, data)
            return True
        return await self._relay(connection_id, "post", data)

    async def get(self, connection_id: str) -> dict[str, Any] | None:
        conn = self.connections.get(connection_id)
        if conn is not None and not conn.ws.closed:
            return {"ConnectedAt": conn.connected_at, "LastActiveAt": conn.last_active, "Identity": conn.identity}
        found = await self.runtime.store.read(lambda tx: store.get_connection(tx, connection_id))
        if found is None or found[2] == self.node:
            return None
        doc = found[3]
        return {
            "ConnectedAt": doc["ConnectedAt"],
            "LastActiveAt": doc.get("LastActiveAt", doc["ConnectedAt"]),
            "Identity": doc["Identity"],
        }

    async def owner(self, connection_id: str) -> tuple[str, str, str, str] | None:
        conn = self.connections.get(connection_id)
        if conn is not None and not conn.ws.closed:
            return conn.stage.account, conn.stage.region, conn.stage.api_id, conn.stage.stage_name

        def read(tx: Any) -> tuple[str, str, str, str] | None:
            found = store.get_connection(tx, connection_id)
            if found is None or found[2] == self.node:  # this node's rows are its live sockets, checked above
                return None
            api = store.get_api(tx, found[0])
            return None if api is None else (api[0], api[1], found[0], found[1])

        return await self.runtime.store.read(read)

    async def delete(self, connection_id: str) -> bool:
        conn = self.connections.get(connection_id)
        if conn is not None and not conn.ws.closed:
            conn.ws.close(1000, "")
            return True
        return await self._relay(connection_id, "delete", b"")

    async def _relay(self, connection_id: str, action: str, data: bytes) -> bool:
        def write(tx: Any) -> bool:
            found = store.get_connection(tx, connection_id)
            if found is None or found[2] == self.node:
                return False
            store.relay(tx, found[2], connection_id, action, data)
            return True

        return await self.runtime.store.write(write)

    def relayed(self, node: str) -> None:
        """Store notification: another node relayed management calls; the ones for this node are taken and run."""
        if node != self.node:
            return
        self._again = True
        if not self._draining:
            self._draining = True
            self.runtime.spawn(self._drain(), "apigatewayv2-relay")

    async def _drain(self) -> None:
        try:
            while True:
                self._again = False
                items = await self.runtime.store.write(lambda tx: store.take_relayed(tx, self.node))
                if not items and not self._again:  # a notification during the take means another round
                    return
                for connection_id, action, data in items:
                    conn = self.connections.get(connection_id)
                    if conn is None:
                        continue  # closed meanwhile: AWS, too, drops what was accepted for a connection that went away
                    if action == "post":
                        _send(conn, data)
                    else:
                        conn.ws.close(1000, "")
        finally:
            self._draining = False

    def close_all(self, api_id: str | None = None, stage: str | None = None) -> None:
        """Close this node's sockets (of one API, or one stage of it) with 1001 Going Away."""
        for conn in list(self.connections.values()):
            if (api_id is None or conn.stage.api_id == api_id) and (stage is None or conn.stage.stage_name == stage):
                conn.ws.close(1001, "Going away")


def _send(conn: Connection, data: bytes) -> None:
    """Management API data: a text frame when it is UTF-8, else binary."""
    try:
        conn.ws.send(data.decode("utf-8"))
    except UnicodeDecodeError:
        conn.ws.send(data)


def _refusal(status: int, message: str) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode())


def _reply(result: Any) -> str | None:
    """What a two-way route sends back: a proxy answer's body, else the integration's answer as JSON."""
    if result is None:
        return None
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body")
        if body is None:
            return None
        if result.get("isBase64Encoded"):
            return base64.b64decode(body).decode("utf-8", "replace")
        return body if isinstance(body, str) else json.dumps(body)
    return result if isinstance(result, str) else json.dumps(result)


def _mock(stage: deployed.Deployed, integration: dict[str, Any], event: dict[str, Any]) -> Any:
    """A MOCK integration answers with its $default integration response template, where $input.body,
    $context.connectionId, $context.routeKey and $context.requestId are substituted (a small part of VTL)."""
    responses = stage.integration_responses.get(integration["IntegrationId"]) or []
    chosen = next((r for r in responses if r.get("IntegrationResponseKey") in ("$default", "/2\\d\\d/")), None)
    if chosen is None:
        return None
    templates = chosen.get("ResponseTemplates") or {}
    template = templates.get("$default") or next(iter(templates.values()), None)
    if template is None:
        return event.get("body")
    ctx = event["requestContext"]
    text = str(template)
    for name, value in (
        ("$input.body", event.get("body") or ""),
        ("$context.connectionId", ctx["connectionId"]),
        ("$context.routeKey", ctx["routeKey"]),
        ("$context.requestId", ctx["requestId"]),
    ):
        text = text.replace(name, str(value))
    return text


def _ws_parameter(value: str, conn: Connection, event: dict[str, Any]) -> str:
    """A WebSocket request parameter value: 'static', context.X, route.request.header.X / querystring.X,
    stageVariables.X."""
    if value.startswith("'") and value.endswith("'"):
        return value[1:-1]
    if value.startswith("context."):
        return str(event["requestContext"].get(value[8:], ""))
    if value.startswith("route.request.header."):
        return conn.request.headers.get(value[21:].lower(), "")
    if value.startswith("route.request.querystring."):
        return conn.request.query.get(value[26:], "")
    if value.startswith("stageVariables."):
        return conn.stage.variables.get(value[15:], "")
    return ""


async def _http(conn: Connection, integration: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """An HTTP(_PROXY) integration: the message body goes to the backend (IntegrationMethod, default POST), with the
    headers and query parameters the integration's RequestParameters map; the answer is {statusCode, body}."""
    import httpx  # imported on first use: it costs start-up time

    uri = with_stage_variables(integration["IntegrationUri"], conn.stage.variables)
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    for key, value in (integration.get("RequestParameters") or {}).items():
        if key.startswith("integration.request.header."):
            headers[key[27:]] = _ws_parameter(value, conn, event)
        elif key.startswith("integration.request.querystring."):
            query[key[32:]] = _ws_parameter(value, conn, event)
    body = event.get("body") or ""
    content = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    try:
        async with httpx.AsyncClient(timeout=int(integration.get("TimeoutInMillis") or 29000) / 1000) as client:
            answer = await client.request(
                integration.get("IntegrationMethod") or "POST", uri, headers=headers, params=query, content=content
            )
    except httpx.TimeoutException:
        raise IntegrationTimeout() from None
    except httpx.HTTPError as error:
        raise IntegrationFailed(str(error)) from None
    return {"statusCode": answer.status_code, "body": answer.text, "headers": dict(answer.headers)}


def _api_and_path(request: Request) -> tuple[str, str] | None:
    """(api id, path after it) of ws://{api}.execute-api.…/{stage} or /restapis/{api}/{stage}/_user_request_."""
    host = request.host.split(":")[0]
    if ".execute-api." in host:
        return host.split(".", 1)[0], request.path
    parts = request.path.split("/", 5)
    if len(parts) >= 4 and parts[1] == "restapis":
        rest = "/" + parts[3] + ("/" + parts[4] if len(parts) > 4 and parts[4] != "_user_request_" else "")
        return parts[2], rest
    return None
