"""Execution logs: what API Gateway writes to ``API-Gateway-Execution-Logs_{restApiId}/{stageName}`` for a method
whose stage settings (``methodSettings``: the method's own key, else ``*/*``) set ``loggingLevel`` INFO or ERROR.

INFO logs each request's steps as API Gateway words them ("Starting execution for request: …", "HTTP Method: GET,
Resource Path: /pets", "Received response. Status: 200, Integration latency: 12 ms", "Method completed with status:
200"), each line starting with the request id in parentheses; ERROR only requests that failed. ``dataTraceEnabled``
adds the request's and the answer's parameters, headers and bodies (truncated as AWS truncates them)."""

from __future__ import annotations

from typing import Any

from ...aws.http import Request, Response
from .access import method_settings

MAX_BODY_CHARS = 1000  # bodies beyond this are cut, "[TRUNCATED]" marking where, as API Gateway logs them


def logging_settings(stage: dict[str, Any], keys: list[str]) -> tuple[str, bool]:
    """(loggingLevel, dataTraceEnabled) for the method: its own method settings, else the stage's ``*/*``."""
    _, found = method_settings(stage, keys)
    if found is None:
        return "OFF", False
    return str(found.get("loggingLevel") or "OFF"), bool(found.get("dataTraceEnabled"))


def group_name(api_id: str, stage: str) -> str:
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def lines(
    level: str,
    data_trace: bool,
    request: Request,
    response: Response,
    context: dict[str, Any],
    method: dict[str, Any],
    resource_path: str,
    path_params: dict[str, str],
    error: tuple[str, str] | None,
) -> list[str]:
    """The request's execution log lines (none at level OFF, or at ERROR for a request that did not fail).
    ``error``: the gateway response type and message that ended the request, if one did."""
    failed = error is not None or response.status >= 500
    if level not in ("INFO", "ERROR") or (level == "ERROR" and not failed):
        return []
    request_id = context["requestId"]
    out: list[str] = []
    if level == "INFO":
        api_stage = f"{context['apiId']}/{context['stage']}"
        key = (context.get("identity") or {}).get("apiKey") or ""
        out += [
            f"Extended Request Id: {context['extendedRequestId']}",
            f"Verifying Usage Plan for request: {request_id}. API Key: {key} API Stage: {api_stage}",
        ]
        if not method.get("apiKeyRequired"):
            out.append(
                f"API Key {key} authorized because method '{request.method} {resource_path}' does not require API "
                "Key. Request will not contribute to throttle or quota limits"
            )
        out += [
            f"Usage Plan check succeeded for API Key {key} and API Stage {api_stage}",
            f"Starting execution for request: {request_id}",
            f"HTTP Method: {request.method}, Resource Path: {context['path'][len(context['stage']) + 1 :] or '/'}",
        ]
        if data_trace:
            out += [
                f"Method request path: {_java_map(path_params)}",
                f"Method request query string: {_java_map(dict(request.query_list))}",
                f"Method request headers: {_java_map(request.headers)}",
                f"Method request body before transformations: {_body(request.body)}",
            ]
        if context.get("integrationStatus") is not None:
            out.append(
                f"Received response. Status: {context['integrationStatus']}, "
                f"Integration latency: {context.get('integrationLatency', 0)} ms"
            )
        if data_trace:
            out += [
                f"Method response body after transformations: {_body(response.body)}",
                f"Method response headers: {_java_map(dict(response.headers))}",
            ]
    if error is not None:
        kind, message = error
        out.append(f"Execution failed due to {kind.lower().replace('_', ' ')}: {message}")
    elif response.status >= 500:
        out.append("Execution failed due to an internal error")
    elif level == "INFO":
        out.append("Successfully completed execution")
    out.append(f"Method completed with status: {response.status}")
    return [f"({request_id}) {line}" for line in out]


def _java_map(values: dict[str, Any]) -> str:
    """A map as API Gateway prints one: {Accept=*/*, Host=example.com}."""
    return "{" + ", ".join(f"{k}={v}" for k, v in values.items()) + "}"


def _body(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS] + " [TRUNCATED]"
