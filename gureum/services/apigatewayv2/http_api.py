"""The HTTP API data plane behind the HttpApiEdge port (edge.py): stage and route selection, CORS, authorizers,
AWS_PROXY (Lambda, payload 1.0/2.0) and HTTP_PROXY integrations, AWS's error answers and limits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ... import safejson
from ...aws.http import Request, Response
from ...ids import unique_id
from ...ports import CognitoTokens
from ...runtime import Runtime
from . import authorizers, deployed, events, mapping, service_integrations, throttle
from .lambdas import IntegrationFailed, IntegrationTimeout, invoke, with_stage_variables
from .state import State

MAX_PAYLOAD = 10 * 1024 * 1024  # HTTP API quota: 10 MB request payload
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
    "date",
    "server",
}


def _json(status: int, message: str, request_id: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(
        status,
        [("Content-Type", "application/json"), ("apigw-requestid", request_id), *(headers or [])],
        json.dumps({"message": message}).encode(),
    )


async def handle(runtime: Runtime, state: State, api_id: str, path: str, request: Request) -> Response | None:
    """The answer to a request for an HTTP API; None when ``api_id`` is not one of ours."""
    found = await state.deployments.load(runtime.store, api_id, path)
    if found is None:
        return None
    stage, inner = found
    return await serve(runtime, state, stage, inner, request)


async def serve(
    runtime: Runtime,
    state: State,
    stage: deployed.Deployed | None,
    inner: str,
    request: Request,
    custom_domain: str | None = None,
    mapping_key: str = "",
) -> Response:
    """A request for a deployed stage (None: the stage has no deployment), at ``inner`` within it; on a custom domain
    name, through the API mapping with ``mapping_key``."""
    request_id = unique_id()
    if stage is None:
        return _json(404, "Not Found", request_id)
    if stage.protocol != "HTTP":
        return _json(404, "Not Found", request_id)  # a WebSocket API answers only upgrades
    started, facts = runtime.clock.monotonic(), {"requestTimeEpoch": int(runtime.clock.now() * 1000)}
    cors = stage.api.get("CorsConfiguration")
    if len(request.body) > MAX_PAYLOAD:
        response = _json(413, "Request Entity Too Large", request_id)
    elif (
        cors
        and request.method == "OPTIONS"
        and "origin" in request.headers
        and "access-control-request-method" in request.headers
    ):
        response = _preflight(cors, request, request_id)
    else:
        response = await _serve(runtime, state, stage, inner, request, request_id, custom_domain, mapping_key, facts)
        if cors and "origin" in request.headers:
            _cors_headers(cors, request, response)
    settings = stage.stage.get("AccessLogSettings") or {}
    if settings.get("DestinationArn") and settings.get("Format"):
        facts["responseLatency"] = int((runtime.clock.monotonic() - started) * 1000)
        _access_log(state, stage, request, request_id, response, custom_domain, facts, settings)
    return response


def _access_log(
    state: State,
    stage: deployed.Deployed,
    request: Request,
    request_id: str,
    response: Response,
    custom_domain: str | None,
    facts: dict[str, Any],
    settings: dict[str, Any],
) -> None:
    """The stage's access log line for this request (its $context variables as HTTP APIs define them)."""
    host = custom_domain or request.host.split(":")[0]
    when = facts["requestTimeEpoch"] / 1000
    message = None
    if "integrationStatus" not in facts and response.body.startswith(b'{"message": '):
        message = json.loads(response.body).get("message")  # an answer of API Gateway's own: its error message
    context = {
        **facts,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "accountId": stage.account,
        "apiId": stage.api_id,
        "stage": stage.stage_name,
        "httpMethod": request.method,
        "path": request.path,
        "protocol": "HTTP/1.1",
        "requestTime": dt.datetime.fromtimestamp(when, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "domainName": host,
        "domainPrefix": host.split(".")[0],
        "identity": {"sourceIp": request.peer, "userAgent": request.headers.get("user-agent")},
        "status": response.status,
        "responseLength": len(response.body),
        "error": {"message": message, "messageString": json.dumps(message) if message else None},
        "integration": {
            "status": facts.get("integrationStatus"),
            "latency": facts.get("integrationLatency"),
            "error": facts.get("integrationErrorMessage"),
        },
    }
    state.access_logs.access(
        settings["DestinationArn"], settings["Format"], stage.api_id, stage.stage_name, context,
        facts["requestTimeEpoch"],
    )  # fmt: skip


async def _serve(
    runtime: Runtime,
    state: State,
    stage: deployed.Deployed,
    inner: str,
    request: Request,
    request_id: str,
    custom_domain: str | None,
    mapping_key: str,
    facts: dict[str, Any],
) -> Response:
    matched = stage.table.match(request.method, inner)
    if matched is None:
        return _json(404, "Not Found", request_id)
    route_key, params = matched
    facts["routeKey"] = route_key
    route = stage.routes[route_key]
    integration = stage.integration_for(route)
    if integration is None:
        return _json(404, "Not Found", request_id)
    settings = throttle.settings_for(stage.stage, route_key)
    if not state.buckets.allow((stage.api_id, stage.stage_name, route_key), settings, runtime.clock.monotonic()):
        return _json(429, "Too Many Requests", request_id)
    inc = events.Incoming(
        request,
        stage.api_id,
        stage.account,
        stage.stage_name,
        inner,
        route_key,
        params,
        stage.variables,
        request_id,
        request.peer,
        runtime.clock.now(),
        custom_domain,
        mapping_key,
    )
    try:
        authorizer_context = await _authorize(runtime, state, stage, route, inc)
    except authorizers.Denied as denied:
        return _json(denied.status, denied.message, request_id, denied.headers)
    if integration["IntegrationType"] not in ("AWS_PROXY", "HTTP_PROXY"):
        return _json(500, "Internal Server Error", request_id)
    integration_started = runtime.clock.monotonic()
    if integration.get("IntegrationSubtype"):  # an AWS service integration (SQS-SendMessage, …)
        response = await service_integrations.call(runtime, stage.account, stage.region, integration, _sources(inc))
        facts["integrationStatus"] = response.status
    elif integration["IntegrationType"] == "AWS_PROXY":
        response = await _lambda(runtime, stage, integration, inc, authorizer_context, facts)
    else:
        response = await _http_proxy(stage, integration, inc, facts)
    facts["integrationLatency"] = int((runtime.clock.monotonic() - integration_started) * 1000)
    if integration.get("ResponseParameters"):
        response.status, response.headers = mapping.map_response(
            integration["ResponseParameters"], response.status, response.headers, _sources(inc, response)
        )
    return response


def _sources(inc: events.Incoming, response: Response | None = None) -> dict[str, Any]:
    """What parameter-mapping expressions may read."""
    sources: dict[str, Any] = {
        "request.headers": inc.request.headers,
        "request.query": inc.request.query,
        "request.path": inc.path,
        "request.path_params": inc.path_params,
        "stage_variables": inc.stage_variables,
        "context": {
            "requestId": inc.request_id,
            "apiId": inc.api_id,
            "stage": inc.stage,
            "routeKey": inc.route_key,
            "httpMethod": inc.request.method,
            "accountId": inc.account,
            "path": inc.raw_path,
            "domainName": inc.domain,
            "identity.sourceIp": inc.source_ip,
        },
    }
    sources["request.text"] = inc.request.body.decode("utf-8", "replace")
    try:
        sources["request.json"] = safejson.loads(inc.request.body) if inc.request.body else None
    except (ValueError, UnicodeDecodeError):
        sources["request.json"] = None
    if response is not None:
        sources["response.headers"] = {k.lower(): v for k, v in response.headers}
        try:
            sources["response.json"] = safejson.loads(response.body) if response.body else None
        except (ValueError, UnicodeDecodeError):
            sources["response.json"] = None
    return sources


async def _authorize(
    runtime: Runtime, state: State, stage: deployed.Deployed, route: dict[str, Any], inc: events.Incoming
) -> dict[str, Any] | None:
    kind = route.get("AuthorizationType") or "NONE"
    if kind == "NONE":
        return None
    if kind == "AWS_IAM":
        # gureum does not evaluate IAM policies: a SigV4-signed request is let through
        if "authorization" not in inc.request.headers and "X-Amz-Signature" not in inc.request.query:
            raise authorizers.Denied(403, "Forbidden", [])
        return {"iam": {"accountId": inc.account, "callerId": None, "userArn": None}}
    authorizer = stage.authorizers.get(route.get("AuthorizerId") or "")
    if authorizer is None:
        raise authorizers.Denied(500, "Internal Server Error", [])
    if kind == "JWT":
        cognito = runtime.optional_port(CognitoTokens)  # tokens of this server's user pools verify locally
        return await authorizers.check_jwt(state, authorizer, route, inc.request, cognito.jwks if cognito else None)
    version = authorizer.get("AuthorizerPayloadFormatVersion") or "2.0"
    identity = authorizers.identity_values(
        authorizer.get("IdentitySource") or [], inc.request, inc.path_params, inc.stage_variables
    )
    arn = (
        f"arn:aws:execute-api:{stage.region}:{stage.account}:{stage.api_id}/{stage.stage_name}/"
        f"{inc.request.method}{inc.path}"
    )
    if version == "2.0":
        event = {k: v for k, v in events.event_v2(inc, None).items() if k not in ("body", "isBase64Encoded")}
        event.update(type="REQUEST", routeArn=arn, identitySource=identity or [])
    else:
        event = {k: v for k, v in events.event_v1(inc, None).items() if k not in ("body", "isBase64Encoded")}
        event.update(type="REQUEST", methodArn=arn, identitySource=",".join(identity or []))
    context = await authorizers.check_lambda(
        runtime, state, stage.api_id, stage.account, stage.region, authorizer, event, identity, arn, inc.request_id
    )
    return {"lambda": context}


def _route_source(stage: deployed.Deployed, inc: events.Incoming) -> str:
    """The route's execute-api ARN (aws:SourceArn of API Gateway's invocation): api/stage/METHOD/path."""
    return f"arn:aws:execute-api:{stage.region}:{stage.account}:{inc.api_id}/{inc.stage}/{inc.request.method}{inc.path}"


async def _lambda(
    runtime: Runtime,
    stage: deployed.Deployed,
    integration: dict[str, Any],
    inc: events.Incoming,
    authorizer: dict[str, Any] | None,
    facts: dict[str, Any],
) -> Response:
    """The Lambda proxy integration; ``facts`` gets the integration's status (Lambda's) or its error message."""
    version = integration.get("PayloadFormatVersion") or "2.0"
    event = events.event_v2(inc, authorizer) if version == "2.0" else events.event_v1(inc, authorizer)
    uri = with_stage_variables(integration["IntegrationUri"], inc.stage_variables)
    try:
        payload = await invoke(
            runtime,
            stage.account,
            stage.region,
            uri,
            json.dumps(event).encode(),
            int(integration.get("TimeoutInMillis") or 30000),
            inc.request_id,
            _route_source(stage, inc),
        )
        facts["integrationStatus"] = 200
        status, headers, body = (events.response_v2 if version == "2.0" else events.response_v1)(payload)
    except IntegrationTimeout:
        facts["integrationErrorMessage"] = "Integration timeout"
        return _json(503, "Service Unavailable", inc.request_id)
    except (IntegrationFailed, events.BadLambdaResponse) as error:
        facts["integrationErrorMessage"] = str(error) or type(error).__name__
        return _json(500, "Internal Server Error", inc.request_id)
    return Response(status, [*headers, ("apigw-requestid", inc.request_id)], body)


async def _http_proxy(
    stage: deployed.Deployed, integration: dict[str, Any], inc: events.Incoming, facts: dict[str, Any]
) -> Response:
    """The HTTP proxy integration; ``facts`` gets the integration's status or its error message."""
    import httpx  # imported on first use: it costs start-up time

    uri = with_stage_variables(integration["IntegrationUri"], inc.stage_variables)
    for name, value in inc.path_params.items():
        uri = uri.replace("{" + name + "+}", value).replace("{" + name + "}", value)
    headers = {k: v for k, v in inc.headers().items() if k not in _HOP_HEADERS}
    query = inc.request.query_string
    if integration.get("RequestParameters"):
        scheme, _, rest = uri.partition("://")
        host, slash, path = rest.partition("/")
        headers, query, path = mapping.map_request(
            integration["RequestParameters"], headers, query, slash + path, _sources(inc)
        )
        uri = f"{scheme}://{host}{path}"
    if query:
        uri += ("&" if "?" in uri else "?") + query
    method = integration.get("IntegrationMethod") or "ANY"
    method = inc.request.method if method == "ANY" else method
    timeout = int(integration.get("TimeoutInMillis") or 30000) / 1000
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            answer = await client.request(method, uri, headers=headers, content=inc.request.body)
    except httpx.TimeoutException:
        facts["integrationErrorMessage"] = "Integration timeout"
        return _json(504, "Gateway Timeout", inc.request_id)
    except httpx.HTTPError as error:
        facts["integrationErrorMessage"] = str(error) or type(error).__name__
        return _json(500, "Internal Server Error", inc.request_id)
    facts["integrationStatus"] = answer.status_code
    out = [
        (k, v)
        for k, v in answer.headers.multi_items()
        if k.lower() not in _HOP_HEADERS and k.lower() != "content-encoding"
    ]
    return Response(answer.status_code, [*out, ("apigw-requestid", inc.request_id)], answer.content)


# --- CORS (developer guide: "Configuring CORS for an HTTP API") -----------------------------------------


def _origin_allowed(cors: dict[str, Any], origin: str) -> str | None:
    allowed = cors.get("AllowOrigins") or []
    if "*" in allowed:
        return "*" if not cors.get("AllowCredentials") else origin
    return origin if origin in allowed else None


def _preflight(cors: dict[str, Any], request: Request, request_id: str) -> Response:
    headers: list[tuple[str, str]] = [("apigw-requestid", request_id)]
    origin = _origin_allowed(cors, request.headers["origin"])
    wanted_method = request.headers["access-control-request-method"].upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if origin is not None and ("*" in methods or wanted_method in methods):
        headers.append(("access-control-allow-origin", origin))
        headers.append(("access-control-allow-methods", ",".join(methods) if "*" not in methods else wanted_method))
        allow_headers = cors.get("AllowHeaders") or []
        if allow_headers:
            wanted = request.headers.get("access-control-request-headers", "")
            headers.append(
                (
                    "access-control-allow-headers",
                    wanted if "*" in allow_headers and wanted else ",".join(allow_headers).lower(),
                )
            )
        if cors.get("AllowCredentials"):
            headers.append(("access-control-allow-credentials", "true"))
        if cors.get("MaxAge") is not None:
            headers.append(("access-control-max-age", str(cors["MaxAge"])))
    return Response(204, headers, b"")


def _cors_headers(cors: dict[str, Any], request: Request, response: Response) -> None:
    origin = _origin_allowed(cors, request.headers["origin"])
    if origin is None:
        return
    # API Gateway's CORS headers replace any the integration returned
    response.headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
    response.headers.append(("access-control-allow-origin", origin))
    if cors.get("AllowCredentials"):
        response.headers.append(("access-control-allow-credentials", "true"))
    if cors.get("ExposeHeaders"):
        response.headers.append(("access-control-expose-headers", ",".join(cors["ExposeHeaders"])))
    response.headers.append(("vary", "origin"))
