"""TestInvokeMethod and TestInvokeAuthorizer: a method of the live definition, or an authorizer's function, called
with a simulated request (no stage, no authorization, no API keys, no caches), answered with AWS's test report."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ... import safejson
from ...aws.http import Request
from ...ports import LambdaInvoker
from ...runtime import Runtime
from .access import identity_values, lambda_arn
from .edge import test_invoke


async def invoke_method(
    runtime: Runtime,
    account: str,
    region: str,
    doc: dict[str, Any],
    resource: dict[str, Any],
    method: dict[str, Any],
    *,
    path_with_query_string: str | None,
    headers: dict[str, str] | None,
    multi_value_headers: dict[str, list[str]] | None,
    body: str | None,
    stage_variables: dict[str, str] | None,
    host: str,
) -> dict[str, Any]:
    """The method's answer to the simulated request, with its latency and a one-line execution log."""
    target = urlsplit(path_with_query_string or resource["path"])
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    for key, values in (multi_value_headers or {}).items():
        lowered.setdefault(key.lower(), ",".join(values))
    lowered.setdefault("host", host)
    request = Request(method["httpMethod"], target.path or "/", target.query, lowered, (body or "").encode())
    start = runtime.clock.monotonic()
    response = await test_invoke(runtime, account, region, doc, resource, method, request, stage_variables or {})
    latency = int((runtime.clock.monotonic() - start) * 1000)
    out_headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in response.headers:
        out_headers[key] = value
        multi.setdefault(key, []).append(value)
    log = (
        f"Execution log for request {request.headers.get('x-amzn-requestid', '')}\n"
        f"Method completed with status: {response.status}\n"
    )
    return {
        "status": response.status,
        "body": response.body.decode("utf-8", "replace"),
        "headers": out_headers,
        "multiValueHeaders": multi,
        "log": log,
        "latency": latency,
    }


async def invoke_authorizer(
    runtime: Runtime,
    account: str,
    region: str,
    api_id: str,
    authorizer: dict[str, Any],
    *,
    path_with_query_string: str | None,
    headers: dict[str, str] | None,
    stage_variables: dict[str, str] | None,
) -> dict[str, Any]:
    """Call a TOKEN or REQUEST authorizer's function with a simulated request (no cache, no policy evaluation)."""
    target = urlsplit(path_with_query_string or "/")
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    query = dict(p.partition("=")[::2] for p in target.query.split("&") if p)
    method_arn = f"arn:aws:execute-api:{region}:{account}:{api_id}/test-invoke-stage/GET{target.path or '/'}"
    start = runtime.clock.monotonic()
    identity = identity_values(
        authorizer, {"header": lowered, "querystring": query, "path": {}}, stage_variables or {}, {}
    )
    if identity is None and authorizer.get("type") == "TOKEN":
        return {"clientStatus": 401, "log": "Unauthorized: the identity source is missing or empty", "latency": 0}
    if authorizer.get("type") == "TOKEN":
        event: dict[str, Any] = {"type": "TOKEN", "methodArn": method_arn, "authorizationToken": (identity or [""])[0]}
    else:
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            "resource": target.path or "/",
            "path": target.path or "/",
            "httpMethod": "GET",
            "headers": lowered,
            "queryStringParameters": query,
            "pathParameters": {},
            "stageVariables": stage_variables or {},
        }
    out = await runtime.port(LambdaInvoker).invoke(
        account, region, lambda_arn(authorizer.get("authorizerUri", "")), json.dumps(event).encode()
    )
    latency = int((runtime.clock.monotonic() - start) * 1000)
    try:
        answer = safejson.loads(out.get("Payload") or b"null")
    except ValueError:
        answer = None
    if out.get("FunctionError"):
        unauthorized = isinstance(answer, dict) and answer.get("errorMessage") == "Unauthorized"
        return {"clientStatus": 401 if unauthorized else 500, "log": json.dumps(answer), "latency": latency}
    if not isinstance(answer, dict) or "policyDocument" not in answer:
        return {
            "clientStatus": 500,
            "log": "Execution failed due to configuration error: Invalid JSON in response",
            "latency": latency,
        }
    return {
        "clientStatus": 200,
        "log": f"Authorizer returned for {method_arn}",
        "latency": latency,
        "principalId": str(answer.get("principalId", "")),
        "policy": json.dumps(answer["policyDocument"]),
        "authorization": {k: [str(v)] for k, v in (answer.get("context") or {}).items()},
    }
