"""Integrations at the edge: Lambda proxy (REST payload 1.0), HTTP proxy, and the mapped integrations (MOCK,
HTTP, AWS service, Lambda) with request parameters, mapping templates and integration responses."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from botocore.model import OperationNotFoundError
from botocore.serialize import create_serializer

from ... import safejson, tracing
from ...aws import sigv4
from ...aws.authorize import cached_role_credentials, invocation_refusal, service_credentials
from ...aws.errors import ServiceError
from ...aws.http import Request, Response
from ...aws.specs import load_spec
from ...ports import AwsDispatch, LambdaInvoker
from ...runtime import Runtime
from .access import GatewayError, lambda_arn
from .state import EdgeState
from .vtl import TemplateError, json_path, render, wrap

log = logging.getLogger("gureum.apigateway")
_AWS_URI = re.compile(r"^arn:aws[\w-]*:apigateway:([^:]*):([^:]+):(action|path)/(.*)$")
_HOP = {
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "expect",
    "accept-encoding",
}
_RESPONSE_HOP = _HOP | {"content-encoding"}  # httpx hands us the decoded body
_PROXY_KEYS = {
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
}  # anything else: malformed (REST, 1.0)


@dataclass
class Call:
    """One request at the edge, after routing."""

    runtime: Runtime
    request: Request
    account: str
    region: str
    api: dict[str, Any]  # the snapshot's API fields
    stage: str
    stage_variables: dict[str, str]
    resource: dict[str, Any]
    method: dict[str, Any]
    path: str  # the request path after the stage ("/pets/1")
    path_params: dict[str, str]
    context: dict[str, Any]
    authorizer: dict[str, Any] = field(default_factory=dict)

    @property
    def integration(self) -> dict[str, Any]:
        return self.method["methodIntegration"]  # type: ignore[no-any-return]

    def params(self) -> dict[str, dict[str, str]]:
        return {
            "path": self.path_params,
            "querystring": dict(self.request.query_list),
            "header": dict(self.request.headers),
        }

    def binary(self, content_type: str) -> bool:
        return any(fnmatch.fnmatch(content_type, t) for t in self.api.get("binaryMediaTypes") or [] if content_type)


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


# --- Lambda proxy -----------------------------------------------------------------------------------------------------


def proxy_event(call: Call) -> dict[str, Any]:
    """The REST API Lambda proxy event (payload format 1.0)."""
    request = call.request
    headers = dict(request.header_list)  # the client's own header names, as REST APIs pass them; the last value wins
    trace = tracing.current_text()
    if trace:  # the edge's trace (the caller's, or the one the stage started), as API Gateway adds it
        headers = {k: v for k, v in headers.items() if k.lower() != "x-amzn-trace-id"} | {"X-Amzn-Trace-Id": trace}
    multi: dict[str, list[str]] = {}
    for name, value in request.header_list:
        multi.setdefault(name, []).append(value)
    query = request.query_list
    body: str | None = None
    encoded = False
    if request.body:
        if call.binary(request.content_type):
            body, encoded = base64.b64encode(request.body).decode(), True
        else:
            body = request.body.decode("utf-8", "replace")
    return {
        "resource": call.resource["path"],
        "path": call.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": dict(query) or None,
        "multiValueQueryStringParameters": _multi(query) or None,
        "pathParameters": call.path_params or None,
        "stageVariables": call.stage_variables or None,
        "requestContext": request_context(call),
        "body": body,
        "isBase64Encoded": encoded,
    }


def request_context(call: Call) -> dict[str, Any]:
    ctx = call.context
    out = {
        k: ctx[k]
        for k in (
            "resourceId",
            "resourcePath",
            "httpMethod",
            "extendedRequestId",
            "requestTime",
            "path",
            "accountId",
            "protocol",
            "stage",
            "domainPrefix",
            "requestTimeEpoch",
            "requestId",
            "identity",
            "domainName",
            "apiId",
        )
    }
    if call.authorizer:
        out["authorizer"] = call.authorizer
    return out


def _internal_error() -> GatewayError:
    return GatewayError("DEFAULT_5XX", "Internal server error", 502)


async def lambda_proxy(call: Call) -> Response:
    out = await invoke_lambda(call, json.dumps(proxy_event(call)).encode())
    if out.get("FunctionError"):
        raise _internal_error()
    try:
        doc = safejson.loads(out.get("Payload") or b"null")
    except ValueError:
        raise _internal_error() from None
    if not isinstance(doc, dict) or set(doc) - _PROXY_KEYS:
        raise _internal_error()
    status = doc.get("statusCode", 200)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    body = doc.get("body")
    if not isinstance(status, int) or not 100 <= status <= 599 or (body is not None and not isinstance(body, str)):
        raise _internal_error()
    headers: list[tuple[str, str]] = []
    for key, values in (doc.get("multiValueHeaders") or {}).items():
        headers.extend((key, _scalar(v)) for v in (values if isinstance(values, list) else [values]))
    for key, value in (doc.get("headers") or {}).items():
        if isinstance(value, (dict, list)):
            raise _internal_error()
        headers = [(k, v) for k, v in headers if k.lower() != key.lower()] + [(key, _scalar(value))]
    raw = (body or "").encode()
    if doc.get("isBase64Encoded") and body:
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if call.binary(call.request.headers.get("accept", "")) or call.binary(content_type):
            try:
                raw = base64.b64decode(body)
            except ValueError:
                raise _internal_error() from None
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return Response(status, headers, raw)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _method_source(call: Call) -> str:
    """The method's ARN as API Gateway names itself to other services (aws:SourceArn)."""
    api = f"arn:aws:execute-api:{call.region}:{call.account}:{call.context['apiId']}"
    return f"{api}/{call.stage}/{call.request.method}{call.context.get('resourcePath') or call.path}"


def _credentials_role(call: Call) -> str | None:
    role = call.integration.get("credentials")
    return role if isinstance(role, str) and ":role/" in role else None


async def invoke_lambda(call: Call, payload: bytes) -> dict[str, Any]:
    invoke = call.runtime.port(LambdaInvoker).invoke
    function = lambda_arn(call.integration.get("uri", ""))
    if not function.startswith("arn:"):
        function = f"arn:aws:lambda:{call.region}:{call.account}:function:{function}"
    # IAM enforcement: the function's policy must let API Gateway in for this method (or the credentials role may)
    refusal = await invocation_refusal(
        call.runtime, "apigateway.amazonaws.com", function, _method_source(call), _credentials_role(call)
    )
    if refusal is not None:
        log.warning(
            "API %s: Execution failed due to configuration error: Invalid permissions on Lambda function: %s",
            call.context["apiId"],
            refusal,
        )
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
    try:
        return await invoke(call.account, call.region, function, payload, request_id=call.context["requestId"])
    except ServiceError as error:
        log.warning("API %s: Lambda invocation failed: %s", call.context["apiId"], error)
        if error.status == 429:
            raise GatewayError("THROTTLED", "Too Many Requests") from None
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None


# --- parameter mapping ------------------------------------------------------------------------------------------------


def source_value(expr: str, call: Call, response: Response | None = None) -> str | None:
    """The value of a mapping expression: 'literal', method.request.*, integration.response.*, stageVariables.*,
    context.*."""
    expr = expr.strip()
    if len(expr) >= 2 and expr[0] == "'" and expr[-1] == "'":
        return expr[1:-1]
    if expr.startswith("stageVariables."):
        return call.stage_variables.get(expr[15:])
    if expr.startswith("context."):
        value: Any = call.context
        for part in expr[8:].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else _scalar(value)
    for prefix, source_body, headers in (
        ("method.request.", call.request.body, call.request.headers),
        ("integration.response.", response.body if response else b"", dict(response.headers) if response else {}),
    ):
        if not expr.startswith(prefix):
            continue
        part, _, name = expr[len(prefix) :].partition(".")
        if part in ("header", "multivalueheader"):
            return {k.lower(): v for k, v in headers.items()}.get(name.lower())
        if part in ("querystring", "multivaluequerystring"):
            return call.request.query.get(name)
        if part == "path":
            return call.path_params.get(name)
        if part == "body":
            if not name:
                return source_body.decode("utf-8", "replace")
            try:
                found = json_path(
                    safejson.loads(source_body or b"null"), "$." + name if not name.startswith("$") else name
                )
            except ValueError:
                return None
            return found if isinstance(found, str) else None if found is None else json.dumps(found)
    return None


def integration_parameters(call: Call) -> dict[str, dict[str, str]]:
    """integration.request.{header,querystring,path}.X from the integration's requestParameters."""
    out: dict[str, dict[str, str]] = {"header": {}, "querystring": {}, "path": {}}
    for target, expr in (call.integration.get("requestParameters") or {}).items():
        parts = target.split(".", 3)
        if len(parts) == 4 and parts[0] == "integration" and parts[1] == "request":
            kind = {"multivalueheader": "header", "multivaluequerystring": "querystring"}.get(parts[2], parts[2])
            value = source_value(expr, call)
            if value is not None and kind in out:
                out[kind][parts[3]] = value
    return out


def _stage_variables_in(text: str, call: Call) -> str:
    return re.sub(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}", lambda m: call.stage_variables.get(m.group(1), ""), text)


# --- HTTP proxy and HTTP ----------------------------------------------------------------------------------------------


def _fill_uri(uri: str, call: Call, path_params: dict[str, str]) -> str:
    uri = _stage_variables_in(uri, call)
    return re.sub(
        r"\{([A-Za-z0-9._-]+)\+?\}",
        lambda m: quote(path_params.get(m.group(1), call.path_params.get(m.group(1).rstrip("+"), "")), safe="/"),
        uri,
    )


async def _http(call: Call, method: str, url: str, headers: dict[str, str], body: bytes) -> Response:
    client = call.runtime.state(EdgeState).http_client()
    try:
        answer = await client.request(method, url, headers=headers, content=body)
    except Exception as exc:  # noqa: BLE001 - any connection problem is the integration's failure
        if type(exc).__name__.endswith("Timeout") or "Timeout" in type(exc).__name__:
            raise GatewayError("INTEGRATION_TIMEOUT", "Endpoint request timed out") from None
        raise GatewayError("INTEGRATION_FAILURE", "Internal server error", 500) from None
    return Response(
        answer.status_code,
        [(k, v) for k, v in answer.headers.items() if k.lower() not in _RESPONSE_HOP],
        answer.content,
    )


async def http_proxy(call: Call) -> Response:
    mapped = integration_parameters(call)
    url = _fill_uri(call.integration["uri"], call, mapped["path"])
    query = [*call.request.query_list, *mapped["querystring"].items()]
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    headers = {k: v for k, v in call.request.headers.items() if k not in _HOP}
    headers.update(mapped["header"])
    method = call.integration.get("httpMethod") or call.request.method
    return await _http(call, call.request.method if method == "ANY" else method, url, headers, call.request.body)


# --- mapped integrations (MOCK, HTTP, AWS, Lambda) --------------------------------------------------------------------


def _template_for(templates: dict[str, str], content_type: str) -> str | None:
    if content_type in templates:
        return templates[content_type]
    for key, text in templates.items():
        if fnmatch.fnmatch(content_type, key):
            return text
    return None


def map_request(call: Call) -> bytes:
    """The integration request body: the mapping template for the request's Content-Type, or the body passed
    through as passthroughBehavior allows (otherwise 415)."""
    templates = call.integration.get("requestTemplates") or {}
    content_type = call.request.content_type or "application/json"
    template = _template_for(templates, content_type)
    behavior = call.integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
    if template is None:
        if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
            raise GatewayError("UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type")
        if call.integration["type"] == "MOCK":
            return b'{"statusCode": 200}'
        return call.request.body
    if template == "":
        return _convert(call.request.body, call.integration.get("contentHandling"))
    call.context["requestOverride"] = wrap({"header": {}, "querystring": {}, "path": {}})
    return _render(
        template, _convert(call.request.body, call.integration.get("contentHandling")), call.params(), call
    ).encode()


def _convert(body: bytes, handling: str | None) -> bytes:
    """contentHandling: CONVERT_TO_TEXT base64-encodes a (binary) payload, CONVERT_TO_BINARY decodes a base64 one."""
    if handling == "CONVERT_TO_TEXT":
        return base64.b64encode(body)
    if handling == "CONVERT_TO_BINARY":
        try:
            return base64.b64decode(body, validate=False)
        except ValueError:
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    return body


def _render(template: str, body: bytes, params: dict[str, dict[str, str]], call: Call) -> str:
    try:
        return render(template, body.decode("utf-8", "replace"), params, call.context, call.stage_variables)
    except TemplateError as error:
        log.warning(
            "API %s: Execution failed due to configuration error: mapping template: %s", call.context["apiId"], error
        )
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    except Exception:  # a template reading the body as JSON when it is not
        raise GatewayError(
            "BAD_REQUEST_BODY", "Could not parse request body into json: Unexpected character", 400
        ) from None


@dataclass(slots=True)
class Outcome:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    error_message: str | None = None  # a Lambda function error's errorMessage (what selectionPattern matches)


async def _mock(call: Call, body: bytes) -> Outcome:
    try:
        doc = safejson.loads(body or b"{}")
        status = int(doc.get("statusCode", 200)) if isinstance(doc, dict) else 200
    except (ValueError, TypeError):
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    return Outcome(status, [], b"")


async def _lambda(call: Call, body: bytes, mapped: dict[str, dict[str, str]]) -> Outcome:
    invocation_type = {k.lower(): v for k, v in mapped["header"].items()}.get(
        "x-amz-invocation-type", "RequestResponse"
    )
    if invocation_type in ("Event", "DryRun"):
        # an asynchronous invocation (integration.request.header.X-Amz-Invocation-Type = 'Event'): Lambda's own
        # Invoke API queues it durably and answers 202, which the integration responses then map
        path = "/2015-03-31/functions/" + quote(lambda_arn(call.integration.get("uri", "")), safe="") + "/invocations"
        request = Request(
            "POST",
            path,
            "",
            {"host": call.request.host, "content-type": "application/json", "x-amz-invocation-type": invocation_type},
            body or b"{}",
        )
        _sign(request, call, call.region, "lambda")
        answer = await call.runtime.port(AwsDispatch)(request)
        if answer.status >= 300:
            log.warning("API %s: asynchronous Lambda invocation failed: %s", call.context["apiId"], answer.body[:500])
            raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
        return Outcome(answer.status, [], b"")
    out = await invoke_lambda(call, body or b"{}")
    payload = bytes(out.get("Payload") or b"")
    message = None
    if out.get("FunctionError"):
        try:
            doc = safejson.loads(payload)
            message = str(doc.get("errorMessage", "")) if isinstance(doc, dict) else ""
        except ValueError:
            message = payload.decode("utf-8", "replace")
    return Outcome(200, [], payload, message)


def _sign(request: Request, call: Call, region: str, service: str) -> None:
    """Sign like a client would, with the integration's credentials: a session of its credentials role, else API
    Gateway's own for this method (under IAM enforcement only resource policies let that one in, as on AWS)."""
    runtime, role = call.runtime, _credentials_role(call)
    if role is not None:
        credentials = cached_role_credentials(runtime, role, "BackplaneAssumeRoleSession")
    else:
        credentials = service_credentials(runtime, call.account, "apigateway.amazonaws.com", _method_source(call))
    key = credentials.access_key
    now = runtime.clock.utcnow()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    request.headers["x-amz-date"] = stamp
    request.headers["x-amz-content-sha256"] = hashlib.sha256(request.body).hexdigest()
    request.headers["x-amz-security-token"] = credentials.token
    names = sorted(
        n
        for n in request.headers
        if n in ("host", "content-type", "x-amz-date", "x-amz-target", "x-amz-content-sha256", "x-amz-security-token")
    )
    signed = sigv4.Signed(key, stamp[:8], region, service, names, "", stamp, False)
    signature = sigv4.expected_signature(request, signed, credentials.secret)
    request.headers["authorization"] = (
        f"{sigv4.ALGORITHM} Credential={key}/{stamp[:8]}/{region}/{service}/aws4_request, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )


def _rest_action(
    model: Any, protocol: str, rest: str, body: bytes, headers: dict[str, str], query: list[tuple[str, str]]
) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """(method, path, query, body) of a REST service's operation named by an action URI ("GetObject&Bucket=b&Key=k"):
    its members from the URI, the integration request's body as its payload member, serialised by botocore."""
    action, _, members = rest.partition("&")
    try:
        operation = model.operation_model(action)
    except OperationNotFoundError:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    params: dict[str, Any] = {}
    for part in members.split("&"):
        name, _, value = part.partition("=")
        if name:
            params[unquote(name)] = unquote(value)
    shape = operation.input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and body and shape.members[payload].type_name == "blob":
        params[payload] = body
    try:
        serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    except (ValueError, TypeError, KeyError):
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    for name, value in serialized["headers"].items():
        headers.setdefault(name.lower(), str(value))
    extra = serialized["query_string"]
    if isinstance(extra, dict):
        query = query + [(k, str(v)) for k, v in extra.items()]
    data = serialized["body"]
    return serialized["method"], serialized["url_path"], query, data if isinstance(data, bytes) else str(data).encode()


async def _aws_service(call: Call, body: bytes, mapped: dict[str, dict[str, str]]) -> Outcome:
    match = _AWS_URI.match(call.integration.get("uri", ""))
    if match is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
    region, service, kind, rest = (
        match.group(1) or call.region,
        match.group(2).split(".")[-1],
        match.group(3),
        match.group(4),
    )
    rest = _fill_uri(rest, call, mapped["path"])
    headers = {k.lower(): v for k, v in mapped["header"].items()}
    headers["host"] = call.request.host
    query = list(mapped["querystring"].items())
    try:
        spec = load_spec(service)
    except Exception:  # noqa: BLE001 - a service botocore does not know
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500) from None
    protocol = spec.model.metadata.get("protocol")
    raw_path = "/"
    method = call.integration.get("httpMethod") or "POST"
    if kind == "action" and protocol in ("rest-xml", "rest-json"):
        # a REST service's action (s3:action/GetObject&Bucket=b&Key=k): its request as the SDKs build it
        method, raw_path, query, body = _rest_action(spec.model, protocol, rest, body, headers, query)
    elif kind == "action":
        action = rest.split("&")[0]
        if protocol in ("json",):
            headers.setdefault("x-amz-target", f"{spec.model.metadata.get('targetPrefix')}.{action}")
            headers.setdefault(
                "content-type", f"application/x-amz-json-{spec.model.metadata.get('jsonVersion', '1.0')}"
            )
        else:
            query.insert(0, ("Action", action))
            if "?" in rest:
                query.extend((k, v) for k, _, v in (p.partition("=") for p in rest.split("?", 1)[1].split("&")))
    else:
        path, _, extra = rest.partition("?")
        raw_path = "/" + quote(path.lstrip("/"), safe="/~")
        if extra:
            query.extend((k, v) for k, _, v in (p.partition("=") for p in extra.split("&")))
    headers.setdefault("content-type", "application/json")
    signing_name = spec.model.metadata.get("signingName") or spec.model.metadata.get("endpointPrefix") or service
    if signing_name == "s3":
        headers["host"] = f"s3.{region}.localhost"  # path-style: the API's own host is no bucket's
    request = Request(method, raw_path, urlencode(query), headers, body)
    _sign(request, call, region, signing_name)
    answer = await call.runtime.port(AwsDispatch)(request)
    return Outcome(answer.status, answer.headers, answer.body)


async def _http_backend(call: Call, body: bytes, mapped: dict[str, dict[str, str]]) -> Outcome:
    url = _fill_uri(call.integration["uri"], call, mapped["path"])
    if mapped["querystring"]:
        url += ("&" if "?" in url else "?") + urlencode(mapped["querystring"])
    headers = {"content-type": call.request.headers.get("content-type", "application/json"), **mapped["header"]}
    if urlsplit(url).hostname is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
    answer = await _http(call, call.integration.get("httpMethod") or "GET", url, headers, body)
    return Outcome(answer.status, answer.headers, answer.body)


def select_response(integration: dict[str, Any], outcome: Outcome) -> dict[str, Any] | None:
    """The integration response whose selectionPattern matches (the Lambda errorMessage, or the status code);
    else the default one (no pattern)."""
    responses: list[dict[str, Any]] = list((integration.get("integrationResponses") or {}).values())
    subject = outcome.error_message if outcome.error_message is not None else str(outcome.status)
    default: dict[str, Any] | None = None
    for response in responses:
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
            continue
        if re.fullmatch(pattern, subject, re.DOTALL):
            return response
    if outcome.error_message is not None and default is not None:
        return default  # an unmatched Lambda error falls to the default response, as AWS does
    return default


async def mapped(call: Call) -> Response:
    body = map_request(call)
    params = integration_parameters(call)
    override = call.context.get("requestOverride") or {}
    for part in (
        "header",
        "querystring",
        "path",
    ):  # #set($context.requestOverride.header.X = …) in the request template
        params[part].update({k: str(v) for k, v in (override.get(part) or {}).items()})
    kind = call.integration["type"]
    if kind == "MOCK":
        outcome = await _mock(call, body)
    elif kind == "HTTP":
        outcome = await _http_backend(call, body, params)
    elif ":lambda:path/" in call.integration.get("uri", ""):
        outcome = await _lambda(call, body, params)
    else:
        outcome = await _aws_service(call, body, params)
    response = select_response(call.integration, outcome)
    if response is None:
        raise GatewayError("API_CONFIGURATION_ERROR", "Internal server error", 500)
    return _map_response(call, response, outcome)


def _map_response(call: Call, response: dict[str, Any], outcome: Outcome) -> Response:
    integration_response = Response(outcome.status, outcome.headers, outcome.body)
    headers: list[tuple[str, str]] = []
    for target, expr in (response.get("responseParameters") or {}).items():
        if target.startswith("method.response.header."):
            value = source_value(expr, call, response=integration_response)
            if value is not None:
                headers.append((target[len("method.response.header.") :], value))
    templates = response.get("responseTemplates") or {}
    accept = call.request.headers.get("accept", "")
    content_type = next((t for t in templates if t in accept), None) or (
        "application/json" if "application/json" in templates else next(iter(templates), None)
    )
    status = int(response["statusCode"])
    body = _convert(outcome.body, response.get("contentHandling"))
    template = templates.get(content_type) if content_type else None
    if template:
        override = {"status": "", "header": {}}
        call.context["responseOverride"] = wrap(override)
        body = _render(
            template, outcome.body, call.params(), call
        ).encode()  # $input.params() stay the method request's
        override = call.context["responseOverride"]
        if str(override.get("status") or "").isdigit():
            status = int(override["status"])
        headers.extend((k, str(v)) for k, v in (override.get("header") or {}).items())
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", content_type or "application/json"))
    return Response(status, headers, body)
