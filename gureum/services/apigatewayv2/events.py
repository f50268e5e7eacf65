"""The Lambda proxy event shapes (payload format 1.0 and 2.0) and the mapping of a function's answer to HTTP.

Developer guide: "Working with AWS Lambda proxy integrations for HTTP APIs". Pure logic: no HTTP server, no SQL."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

from ... import safejson, tracing
from ...aws.http import Request

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)


@dataclass
class Incoming:
    """One data-plane request as the events need it."""

    request: Request
    api_id: str
    account: str
    stage: str
    path: str  # within the stage
    route_key: str
    path_params: dict[str, str]
    stage_variables: dict[str, str]
    request_id: str
    source_ip: str
    when: float
    custom_domain: str | None = None  # the custom domain name the request came to (API mappings)
    mapping_key: str = ""  # the API mapping key it matched there

    @property
    def raw_path(self) -> str:
        """The path the client called: with the stage for a named stage (AWS's rawPath), or with the API mapping key
        on a custom domain name."""
        if self.custom_domain is not None:
            if not self.mapping_key:
                return self.path
            return f"/{self.mapping_key}{self.path if self.path != '/' else ''}"
        return self.path if self.stage == "$default" else f"/{self.stage}{self.path if self.path != '/' else ''}" or "/"

    def headers(self) -> dict[str, str]:
        """The request's headers plus those API Gateway adds (x-forwarded-*, x-amzn-trace-id)."""
        headers = dict(self.request.headers)
        host = self.request.host
        port = (
            host.rsplit(":", 1)[1]
            if ":" in host and not host.endswith("]")
            else ("443" if self.request.scheme == "https" else "80")
        )
        forwarded = headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = (
            f"{forwarded}, {self.source_ip}"
            if forwarded and self.source_ip not in forwarded
            else forwarded or self.source_ip
        )
        headers.setdefault("x-forwarded-port", port)
        headers.setdefault("x-forwarded-proto", self.request.scheme)
        # the edge's trace (the caller's X-Amzn-Trace-Id, or the one the edge started) as the integration sees it
        headers["x-amzn-trace-id"] = (
            tracing.current_text()
            or headers.get("x-amzn-trace-id")
            or (f"Root=1-{int(self.when):08x}-{self.request_id.replace('-', '')[:24]}")
        )
        return headers

    @property
    def domain(self) -> str:
        if self.custom_domain is not None:
            return self.custom_domain
        return (
            self.request.host.split(":")[0]
            if ".execute-api." in self.request.host
            else f"{self.api_id}.execute-api.localhost"
        )


def body_field(request: Request) -> tuple[str | None, bool]:
    """(body, isBase64Encoded): text content types travel as text, everything else base64."""
    if not request.body:
        return None, False
    ctype = request.content_type
    if not ctype or ctype.startswith(_TEXT_TYPES) or ctype.endswith(("+json", "+xml")):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode(), True


def time_text(when: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(when))


def _multi_query(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_list:
        out.setdefault(key, []).append(value)
    return out


def event_v2(inc: Incoming, authorizer: dict[str, Any] | None) -> dict[str, Any]:
    request = inc.request
    headers = {k: v for k, v in inc.headers().items() if k != "cookie"}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": inc.route_key,
        "rawPath": inc.raw_path,
        "rawQueryString": request.query_string,
    }
    cookies = [c.strip() for c in request.headers.get("cookie", "").split(";") if c.strip()]
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _multi_query(request)
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    context: dict[str, Any] = {
        "accountId": inc.account,
        "apiId": inc.api_id,
        "domainName": inc.domain,
        "domainPrefix": inc.domain.split(".")[0],
        "http": {
            "method": request.method,
            "path": inc.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": inc.source_ip,
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": inc.request_id,
        "routeKey": inc.route_key,
        "stage": inc.stage,
        "time": time_text(inc.when),
        "timeEpoch": int(inc.when * 1000),
    }
    if authorizer:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    if inc.path_params:
        event["pathParameters"] = inc.path_params
    if inc.stage_variables:
        event["stageVariables"] = inc.stage_variables
    body, encoded = body_field(request)
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = encoded
    return event


def event_v1(inc: Incoming, authorizer: dict[str, Any] | None) -> dict[str, Any]:
    request = inc.request
    # gureum's server joins a repeated header with ","; values are not split again (they may hold commas themselves)
    multi_headers: dict[str, list[str]] = {k: [v] for k, v in inc.headers().items()}
    query = _multi_query(request)
    resource = inc.route_key.split(" ", 1)[1] if " " in inc.route_key else inc.route_key
    body, encoded = body_field(request)
    identity = {
        "accessKey": None,
        "accountId": None,
        "caller": None,
        "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "principalOrgId": None,
        "sourceIp": inc.source_ip,
        "user": None,
        "userAgent": request.headers.get("user-agent", ""),
        "userArn": None,
    }
    context: dict[str, Any] = {
        "accountId": inc.account,
        "apiId": inc.api_id,
        "domainName": inc.domain,
        "domainPrefix": inc.domain.split(".")[0],
        "extendedRequestId": inc.request_id,
        "httpMethod": request.method,
        "identity": identity,
        "path": inc.raw_path,
        "protocol": "HTTP/1.1",
        "requestId": inc.request_id,
        "requestTime": time_text(inc.when),
        "requestTimeEpoch": int(inc.when * 1000),
        "resourceId": inc.route_key,
        "resourcePath": resource,
        "stage": inc.stage,
    }
    if authorizer:
        context["authorizer"] = authorizer
    return {
        "version": "1.0",
        "resource": resource,
        "path": inc.raw_path,
        "httpMethod": request.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": context,
        "pathParameters": inc.path_params or None,
        "stageVariables": inc.stage_variables or None,
        "body": body,
        "isBase64Encoded": encoded,
    }


class BadLambdaResponse(Exception):
    """The function's answer cannot be mapped (AWS answers 500 Internal Server Error)."""


def _decode_body(doc: dict[str, Any]) -> bytes:
    body = doc.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        body = json.dumps(body)
    return base64.b64decode(body) if doc.get("isBase64Encoded") else body.encode()


def response_v2(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Format 2.0: an object with statusCode is a response; anything else is a 200 JSON body."""
    try:
        doc = safejson.loads(payload) if payload else None
    except ValueError as exc:
        raise BadLambdaResponse(str(exc)) from None
    if not isinstance(doc, dict) or "statusCode" not in doc:
        body = doc.encode() if isinstance(doc, str) else payload
        return 200, [("Content-Type", "application/json")], body
    try:
        status = int(doc["statusCode"])
    except (TypeError, ValueError):
        raise BadLambdaResponse("statusCode") from None
    headers = [(str(k), str(v)) for k, v in (doc.get("headers") or {}).items()]
    for cookie in doc.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return status, headers, _decode_body(doc)


def response_v1(payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Format 1.0: the object must have statusCode; headers and multiValueHeaders are merged."""
    try:
        doc = safejson.loads(payload) if payload else None
    except ValueError as exc:
        raise BadLambdaResponse(str(exc)) from None
    if not isinstance(doc, dict) or "statusCode" not in doc:
        raise BadLambdaResponse("statusCode missing")
    try:
        status = int(doc["statusCode"])
    except (TypeError, ValueError):
        raise BadLambdaResponse("statusCode") from None
    headers = [(str(k), str(v)) for k, v in (doc.get("headers") or {}).items()]
    single = {k.lower() for k, _ in headers}
    for key, values in (doc.get("multiValueHeaders") or {}).items():
        if key.lower() not in single:
            headers.extend((str(key), str(v)) for v in values or [])
    return status, headers, _decode_body(doc)
