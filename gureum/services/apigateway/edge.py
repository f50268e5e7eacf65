"""The execute-api edge: requests for deployed stages, in host form ({api}.execute-api.<any host>/{stage}/{path}),
path form (/restapis/{api}/{stage}/_user_request_/{path}) or on a custom domain name's base path mappings. An id that
is not a REST API goes to the apigatewayv2.http port; the stage serves its deployment's snapshot (cached per node:
snapshots never change). Pipeline: route → resource policy → authorizer → API key and usage plan → validation →
integration (within its timeout) → or a gateway response."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import re
from typing import Any

from ... import accesslogs, tracing
from ...aws import sigv4
from ...aws.auth import account_for_key
from ...aws.authorize import invocation_refusal
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...ids import unique_id
from ...ports import CognitoTokens, HttpApiEdge, LambdaInvoker
from ...runtime import Runtime
from . import cognito, domains, execution_logs, store
from .access import (
    GatewayError,
    authorize,
    check_api_key,
    identity_values,
    method_keys,
    method_settings,
    resource_policy,
    throttle,
)
from .apis import GATEWAY_RESPONSE_TYPES, gateway_response
from .integrations import Call, http_proxy, lambda_proxy, mapped, proxy_event, source_value
from .state import EdgeState, Snapshot
from .validation import validate_request
from .vtl import TemplateError, render, wrap

log = logging.getLogger("gureum.apigateway")
MAX_PAYLOAD = 10 * 1024 * 1024
_ERROR_TYPES = {
    "MISSING_AUTHENTICATION_TOKEN": "IncompleteSignatureException",
    "INVALID_API_KEY": "ForbiddenException",
    "ACCESS_DENIED": "AccessDeniedException",
    "UNAUTHORIZED": "UnauthorizedException",
    "THROTTLED": "TooManyRequestsException",
    "QUOTA_EXCEEDED": "LimitExceededException",
    "BAD_REQUEST_BODY": "BadRequestException",
    "BAD_REQUEST_PARAMETERS": "BadRequestException",
    "UNSUPPORTED_MEDIA_TYPE": "UnsupportedMediaTypeException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
    "AUTHORIZER_FAILURE": "AuthorizerFailureException",
    "AUTHORIZER_CONFIGURATION_ERROR": "AuthorizerConfigurationException",
    "INTEGRATION_TIMEOUT": "InternalServerErrorException",
    "INTEGRATION_FAILURE": "InternalServerErrorException",
    "API_CONFIGURATION_ERROR": "InternalServerErrorException",
    "DEFAULT_5XX": "InternalServerErrorException",
}


# --- routing ---------------------------------------------------------------------------------------------------------


def _split(request: Request) -> tuple[str, str, str, str] | None:
    """(api id, stage, path after the stage, what follows the api id for the v2 port)."""
    host = request.headers.get("host", "")
    if ".execute-api." in host:
        api_id = host.split(".", 1)[0]
        rest = request.path
        stage, _, path = rest.lstrip("/").partition("/")
        return api_id, stage, "/" + path, rest
    parts = request.path.split("/", 5)  # ["", "restapis", api, stage, "_user_request_", path]
    if len(parts) < 5 or parts[4] != "_user_request_":
        return None
    path = "/" + (parts[5] if len(parts) > 5 else "")
    return parts[2], parts[3], path, f"/{parts[3]}{path}" if path != "/" else f"/{parts[3]}"


def _not_found() -> Response:
    return Response(
        404,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", "NotFoundException")],
        b'{"message":"Not Found"}',
    )


async def handle(runtime: Runtime, request: Request) -> Response:
    host = request.headers.get("host", "").split(":")[0].lower()
    v2_path: str | None = None
    state = runtime.state(EdgeState)
    if host in state.domains and ".execute-api." not in host:
        found_domain = await runtime.store.read(lambda tx: store.find_domain(tx, host))
        target = domains.target(found_domain[2], request.path) if found_domain is not None else None
        if target is None:
            return _plain_error(403, "Forbidden", "ForbiddenException")
        api_id, stage_name, path = target
    else:
        split = _split(request)
        if split is None:
            return _not_found()
        api_id, stage_name, path, v2_path = split
    found = await runtime.store.read(lambda tx: store.edge_lookup(tx, api_id, stage_name))
    if found is None:
        if v2_path is None or await runtime.store.read(lambda tx: store.api_owner(tx, api_id)) is not None:
            return _plain_error(403, "Forbidden", "ForbiddenException")
        v2 = runtime.optional_port(HttpApiEdge)
        if v2 is None:
            return _not_found()
        header = tracing.accepted(runtime.clock.now(), request.headers.get("x-amzn-trace-id"))
        path_v2 = v2_path  # an HTTP API: the caller's trace or a new one goes to the integration
        answer, _ = await tracing.at_edge(runtime, header, lambda: v2.handle(api_id, path_v2, request), _status)
        return answer if answer is not None else _not_found()
    account, region, stage = found
    stage = _canary_or_stage(stage)
    snapshot = state.snapshots.get((api_id, stage["deploymentId"]))
    if snapshot is None:
        doc = await runtime.store.read(lambda tx: store.get_snapshot(tx, api_id, stage["deploymentId"]))
        if doc is None:
            return _plain_error(403, "Forbidden", "ForbiddenException")
        if len(state.snapshots) > 512:
            state.snapshots.clear()
        snapshot = state.snapshots[(api_id, stage["deploymentId"])] = Snapshot(doc)
    if snapshot.doc["api"].get("disableExecuteApiEndpoint"):
        return _plain_error(403, "Forbidden", "ForbiddenException")
    # the caller's trace or a new one goes to the integration; a stage with tracing enabled records its segment
    response, header = await tracing.at_edge(
        runtime,
        tracing.accepted(runtime.clock.now(), request.headers.get("x-amzn-trace-id")),
        lambda: _serve(runtime, state, request, account, region, api_id, stage, snapshot, path),
        _status,
        active=bool(stage.get("tracingEnabled")),
        name=f"{api_id}/{stage['stageName']}",
        origin="AWS::ApiGateway::Stage",
        account=account,
        region=region,
        resource_arn=f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/{stage['stageName']}",
    )
    response.headers.append(("X-Amzn-Trace-Id", header.format()))
    return response


def _canary_or_stage(stage: dict[str, Any]) -> dict[str, Any]:
    """The stage as this request sees it: its canary's percentTraffic share of requests get the canary's deployment,
    with the canary's stage variable overrides (and the stage cache only with useStageCache)."""
    canary = stage.get("canarySettings") or {}
    percent = float(canary.get("percentTraffic") or 0.0)
    if not canary.get("deploymentId") or percent <= 0.0 or random.random() * 100.0 >= percent:
        return {**stage, "isCanary": False}
    return {
        **stage,
        "deploymentId": canary["deploymentId"],
        "variables": {**(stage.get("variables") or {}), **(canary.get("stageVariableOverrides") or {})},
        "cacheClusterEnabled": bool(stage.get("cacheClusterEnabled") and canary.get("useStageCache")),
        "isCanary": True,
    }


def _status(response: Response | None) -> int:
    return response.status if response is not None else 404


def _plain_error(status: int, message: str, error_type: str) -> Response:
    return Response(
        status,
        [("Content-Type", "application/json"), ("x-amzn-RequestId", unique_id()), ("x-amzn-ErrorType", error_type)],
        json.dumps({"message": message}, separators=(",", ":")).encode(),
    )


def _context(
    runtime: Runtime, request: Request, account: str, api_id: str, stage: str, path: str, request_id: str
) -> dict[str, Any]:
    now = runtime.clock.now()
    host = request.headers.get("host", "")
    source_ip = request.peer
    return {
        "requestId": request_id,
        "extendedRequestId": request_id,
        "accountId": account,
        "apiId": api_id,
        "stage": stage,
        "path": f"/{stage}{path}" if path != "/" else f"/{stage}/",
        "protocol": "HTTP/1.1",
        "httpMethod": request.method,
        "requestTime": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now * 1000),
        "domainName": host.split(":")[0],
        "domainPrefix": host.split(".")[0],
        "resourceId": None,
        "resourcePath": None,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": request.headers.get("user-agent", ""),
            "user": None,
            "apiKey": None,
            "apiKeyId": None,
        },
        "authorizer": {},
        "error": {},
    }


async def _serve(
    runtime: Runtime,
    state: EdgeState,
    request: Request,
    account: str,
    region: str,
    api_id: str,
    stage: dict[str, Any],
    snapshot: Snapshot,
    path: str,
) -> Response:
    request_id = unique_id()
    started = runtime.clock.monotonic()
    context = _context(runtime, request, account, api_id, stage["stageName"], path, request_id)
    context["isCanaryRequest"] = wrap(bool(stage.get("isCanary")))  # Velocity shows "true"/"false"
    variables = stage.get("variables") or {}
    call: Call | None = None
    integration_started: float | None = None
    failure: tuple[str, str] | None = None  # the gateway response type and message that ended the request
    try:
        if len(request.body) > MAX_PAYLOAD:
            raise GatewayError("REQUEST_TOO_LARGE", "Request Too Long")
        matched = snapshot.match(path)
        methods = (matched[0].get("resourceMethods") or {}) if matched else {}
        method = methods.get(request.method) or methods.get("ANY")
        if matched is None or method is None:
            raise GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token")
        resource, path_params = matched
        context.update(resourceId=resource["id"], resourcePath=resource["path"])
        call = Call(
            runtime,
            request,
            account,
            region,
            snapshot.doc["api"],
            stage["stageName"],
            variables,
            resource,
            method,
            path,
            path_params,
            context,
        )
        keys = method_keys(resource["path"], method["httpMethod"])
        limit_key, limits = _stage_limits(stage, keys)
        throttle(state.access, ("stage", api_id, stage["stageName"], limit_key), limits, runtime.clock.monotonic())
        _check_resource_policy(call, snapshot)
        usage_key = await _authorize(call, state, snapshot)
        if method.get("apiKeyRequired"):
            value = (
                usage_key
                if snapshot.doc["api"].get("apiKeySource") == "AUTHORIZER"
                else request.headers.get("x-api-key")
            )
            key = await check_api_key(runtime, state.access, account, region, api_id, stage["stageName"], value, keys)
            context["identity"].update(apiKey=key["value"], apiKeyId=key["id"])
        integration_started = runtime.clock.monotonic()
        response = await _cached(state, call, stage, keys, snapshot.doc)
        context.update(integrationStatus=response.status, integrationLatency=_ms_since(runtime, integration_started))
    except GatewayError as error:
        if integration_started is not None:
            context["integrationLatency"] = _ms_since(runtime, integration_started)
        failure = (error.kind, error.message or "")
        response = gateway_error(snapshot.doc, error, call, request, context, variables)
    response.headers.append(("x-amzn-RequestId", request_id))
    response.headers.append(("x-amz-apigw-id", request_id[:16]))
    if call is not None:
        _execution_log(state, call, stage, response, failure)
    settings = stage.get("accessLogSettings") or {}
    if settings.get("destinationArn") and settings.get("format"):
        context.update(
            status=response.status,
            responseLength=len(response.body),
            responseLatency=_ms_since(runtime, started),
            integration={"status": context.get("integrationStatus"), "latency": context.get("integrationLatency")},
        )
        state.access_logs.access(
            settings["destinationArn"], settings["format"], api_id, stage["stageName"], context,
            context["requestTimeEpoch"],
        )  # fmt: skip
    return response


def _execution_log(
    state: EdgeState, call: Call, stage: dict[str, Any], response: Response, failure: tuple[str, str] | None
) -> None:
    """The method's execution log lines, when its stage settings ask for them."""
    level, data_trace = execution_logs.logging_settings(
        stage, method_keys(call.resource["path"], call.method["httpMethod"])
    )
    found = execution_logs.lines(
        level, data_trace, call.request, response, call.context, call.method, call.resource["path"], call.path_params,
        failure,
    )  # fmt: skip
    if not found:
        return
    api_id, stage_name = call.context["apiId"], call.stage
    group = f"arn:aws:logs:{call.region}:{call.account}:log-group:{execution_logs.group_name(api_id, stage_name)}"
    stream = accesslogs.stream_name(api_id, stage_name)
    for line in found:  # API Gateway makes the group when it first logs
        state.access_logs.add(group, stream, line, call.context["requestTimeEpoch"], create_group=True)


def _ms_since(runtime: Runtime, started: float) -> int:
    return int((runtime.clock.monotonic() - started) * 1000)


async def _cached(
    state: EdgeState, call: Call, stage: dict[str, Any], keys: list[str], doc: dict[str, Any]
) -> Response:
    """Stage caching (cacheClusterEnabled and the method's cachingEnabled setting): 2xx answers are kept per node for
    cacheTtlInSeconds, keyed by the request path and the integration's cacheKeyParameters."""
    _, found = method_settings(stage, keys)
    enabled = found.get("cachingEnabled") if found else None
    if not stage.get("cacheClusterEnabled") or not (enabled if enabled is not None else False):
        return await execute(call, doc)
    parts = [source_value(p, call) or "" for p in call.integration.get("cacheKeyParameters") or []]
    cache_key = (call.context["apiId"], call.stage, call.request.method, call.path, *parts)
    now = call.runtime.clock.monotonic()
    hit = state.cache.get(cache_key)
    if hit is not None and hit[0] > now:
        return Response(hit[1].status, list(hit[1].headers), hit[1].body)
    response = await execute(call, doc)
    if 200 <= response.status < 300:
        if len(state.cache) > 10000:
            state.cache.clear()
        ttl = int((found or {}).get("cacheTtlInSeconds", 300))
        state.cache[cache_key] = (now + ttl, Response(response.status, list(response.headers), response.body))
    return response


async def execute(call: Call, doc: dict[str, Any]) -> Response:
    """Validate the request, then run the integration within its timeout (29 s at most)."""
    validate_request(call, doc)
    timeout = int(call.integration.get("timeoutInMillis") or 29000) / 1000
    try:
        return await asyncio.wait_for(_integrate(call), timeout)
    except TimeoutError:
        raise GatewayError("INTEGRATION_TIMEOUT", "Endpoint request timed out") from None


async def test_invoke(
    runtime: Runtime,
    account: str,
    region: str,
    doc: dict[str, Any],
    resource: dict[str, Any],
    method: dict[str, Any],
    request: Request,
    stage_variables: dict[str, str],
) -> Response:
    """TestInvokeMethod: the live definition's method, without authorization or API keys (as the console's test)."""
    path = request.path
    matched = Snapshot(doc).match(path)
    path_params = matched[1] if matched is not None and matched[0]["id"] == resource["id"] else {}
    context = _context(runtime, request, account, doc["api"]["id"], "test-invoke-stage", path, unique_id())
    context.update(resourceId=resource["id"], resourcePath=resource["path"])
    call = Call(
        runtime,
        request,
        account,
        region,
        doc["api"],
        "test-invoke-stage",
        stage_variables,
        resource,
        method,
        path,
        path_params,
        context,
    )
    try:
        return await execute(call, doc)
    except GatewayError as error:
        return gateway_error(doc, error, call, request, context, stage_variables)


def _stage_limits(stage: dict[str, Any], keys: list[str]) -> tuple[str, dict[str, Any] | None]:
    """The stage's method settings throttle for this method (its own key "pets/{id}/GET", or "*/*")."""
    key, found = method_settings(stage, keys)
    if found is None:
        return "", None
    return key, {"rateLimit": found.get("throttlingRateLimit"), "burstLimit": found.get("throttlingBurstLimit")}


async def _integrate(call: Call) -> Response:
    kind = call.integration["type"]
    if kind == "AWS_PROXY":
        return await lambda_proxy(call)
    if kind == "HTTP_PROXY":
        return await http_proxy(call)
    return await mapped(call)


async def _authorize(call: Call, state: EdgeState, snapshot: Snapshot) -> str | None:
    """Run the method's authorization; returns the authorizer's usageIdentifierKey (if any)."""
    kind = call.method.get("authorizationType", "NONE")
    if kind == "AWS_IAM":
        _check_signature(call)
        return None
    if kind not in ("CUSTOM", "COGNITO_USER_POOLS"):
        return None
    authorizer = snapshot.doc["authorizers"].get(call.method.get("authorizerId") or "")
    if authorizer is None:
        raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
    request, context = call.request, call.context
    sources = {"header": dict(request.headers), "querystring": dict(request.query_list), "path": call.path_params}
    identity = identity_values(authorizer, sources, call.stage_variables, context)
    if authorizer.get("type") == "COGNITO_USER_POOLS":
        tokens = call.runtime.optional_port(CognitoTokens)
        try:
            token = identity[0] if identity else None
            if not authorizer.get("identitySource"):
                token = request.headers.get("authorization")
            found = await cognito.claims(tokens, authorizer, call.method, token)
        except cognito.Refused:
            raise GatewayError("UNAUTHORIZED", "Unauthorized") from None
        call.authorizer = {"claims": found}
        context["authorizer"] = {"claims": dict(found)}
        return None
    method_arn = _method_arn(call)
    if authorizer.get("type") == "TOKEN":
        if identity is None:
            raise GatewayError("UNAUTHORIZED", "Unauthorized")
        pattern = authorizer.get("identityValidationExpression")
        if pattern and re.fullmatch(pattern, identity[0]) is None:
            raise GatewayError("UNAUTHORIZED", "Unauthorized")
        event: dict[str, Any] = {"type": "TOKEN", "methodArn": method_arn, "authorizationToken": identity[0]}
    else:
        if identity is None and authorizer.get("identitySource"):
            raise GatewayError("UNAUTHORIZED", "Unauthorized")
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            **{k: v for k, v in proxy_event(call).items() if k not in ("body", "isBase64Encoded")},
        }
        if not authorizer.get("identitySource"):
            identity = None  # without identity sources AWS cannot cache
    invoke = call.runtime.port(LambdaInvoker).invoke

    async def run(function: str, payload: bytes) -> dict[str, Any]:
        if not function.startswith("arn:"):
            function = f"arn:aws:lambda:{call.region}:{call.account}:function:{function}"
        # IAM enforcement: the function's policy must let API Gateway in for this authorizer (or its role may)
        source = f"arn:aws:execute-api:{call.region}:{call.account}:{context['apiId']}/authorizers/{authorizer['id']}"
        role = authorizer.get("authorizerCredentials")
        refusal = await invocation_refusal(
            call.runtime, "apigateway.amazonaws.com", function, source, role if isinstance(role, str) else None
        )
        if refusal is not None:
            log.warning(
                "API %s: Execution failed due to configuration error: Invalid permissions on Lambda function: %s",
                context["apiId"],
                refusal,
            )
            raise GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None)
        try:
            return await invoke(call.account, call.region, function, payload)
        except ServiceError:
            raise GatewayError("AUTHORIZER_FAILURE", None) from None

    cache_identity = identity if identity is not None else [unique_id()]
    result = await authorize(
        state.access,
        {**authorizer, **({"authorizerResultTtlInSeconds": 0} if identity is None else {})},
        context["apiId"],
        method_arn,
        event,
        cache_identity,
        run,
        call.runtime.clock.monotonic(),
    )
    call.authorizer = {"principalId": result.principal_id, **{k: v for k, v in result.context.items()}}
    context["authorizer"] = dict(call.authorizer)
    return result.usage_key


def _check_resource_policy(call: Call, snapshot: Snapshot) -> None:
    """The API's resource policy: an explicit Deny refuses; without an Allow, only methods whose own authorization
    (IAM, Lambda authorizer) can grant access go on (as AWS combines the two)."""
    policy = snapshot.doc["api"].get("policy")
    if not policy:
        return
    arn = _method_arn(call)
    facts = {
        "aws:sourceip": call.context["identity"]["sourceIp"],
        "aws:useragent": call.request.headers.get("user-agent", ""),
        "aws:referer": call.request.headers.get("referer", ""),
    }
    verdict = resource_policy(policy, arn, facts)
    if verdict == "deny":
        raise GatewayError(
            "ACCESS_DENIED",
            f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {arn} "
            "with an explicit deny",
        )
    if verdict == "none" and call.method.get("authorizationType", "NONE") not in (
        "AWS_IAM",
        "CUSTOM",
        "COGNITO_USER_POOLS",
    ):
        raise GatewayError(
            "ACCESS_DENIED", f"User: anonymous is not authorized to perform: execute-api:Invoke on resource: {arn}"
        )


def _method_arn(call: Call) -> str:
    api = f"arn:aws:execute-api:{call.region}:{call.account}:{call.context['apiId']}"
    return f"{api}/{call.stage}/{call.request.method}{call.path}"


def _check_signature(call: Call) -> None:
    """AWS_IAM methods: a SigV4 signature (service execute-api) is required; in strict mode it must verify against a
    key gureum knows, as AWS checks it. The caller's identity goes into $context.identity."""
    request, runtime = call.request, call.runtime
    try:
        signed = sigv4.read_signature(request)
    except sigv4.SignatureProblem:
        raise GatewayError("MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token") from None
    if runtime.config.strict_auth:
        try:
            sigv4.authenticate(request, runtime.secret_for, runtime.clock.utcnow())
        except sigv4.SignatureProblem as problem:
            if problem.kind == "unknown":
                message = "The security token included in the request is invalid."
                raise GatewayError("INVALID_SIGNATURE", message, 403) from None
            raise GatewayError("INVALID_SIGNATURE", _SIGNATURE_MISMATCH, 403) from None
    account = account_for_key(signed.access_key)
    call.context["identity"].update(
        accessKey=signed.access_key,
        accountId=account,
        caller=signed.access_key,
        user=signed.access_key,
        userArn=f"arn:aws:iam::{account}:root",
    )


_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details."
)


def gateway_error(
    doc: dict[str, Any],
    error: GatewayError,
    call: Call | None,
    request: Request,
    context: dict[str, Any],
    variables: dict[str, str],
) -> Response:
    """A gateway response: the API's customised one for the type (or DEFAULT_4XX/5XX), else AWS's default."""
    kind = error.kind if error.kind in GATEWAY_RESPONSE_TYPES else "DEFAULT_5XX"
    default_status = int(error.status or GATEWAY_RESPONSE_TYPES.get(kind) or 500)
    response = gateway_response(doc, kind, inherit=False)
    if response.get("defaultResponse"):
        fallback = gateway_response(doc, "DEFAULT_4XX" if default_status < 500 else "DEFAULT_5XX")
        if not fallback.get("defaultResponse"):
            response = {**fallback, "statusCode": response.get("statusCode")}
    status = (
        int(response.get("statusCode") or default_status)
        if not error.status or not response.get("defaultResponse")
        else default_status
    )
    context["error"] = {
        "message": error.message,
        "messageString": json.dumps(error.message),
        "responseType": kind,
        "validationErrorString": error.message or "",
    }
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", _ERROR_TYPES.get(kind, "ForbiddenException" if status == 403 else "BadRequestException")),
    ]
    headers.extend(error.headers.items())
    for target, expr in (response.get("responseParameters") or {}).items():
        if target.startswith("gatewayresponse.header.") and call is not None:
            value = source_value(expr, call)
            if value is not None:
                headers.append((target[len("gatewayresponse.header.") :], value))
        elif target.startswith("gatewayresponse.header.") and expr.startswith("'"):
            headers.append((target[len("gatewayresponse.header.") :], expr.strip("'")))
    template = (response.get("responseTemplates") or {}).get(
        "application/json", '{"message":$context.error.messageString}'
    )
    params = {"path": {}, "querystring": dict(request.query_list), "header": dict(request.headers)}
    try:
        body = render(template, "", params, wrap(context), variables).encode()
    except (TemplateError, Exception):  # noqa: BLE001 - a broken custom template still answers
        body = json.dumps({"message": error.message}).encode()
    return Response(status, headers, body)


__all__ = ["handle", "test_invoke"]
