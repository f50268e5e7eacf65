"""HTTP API parameter mapping (developer guide: "Transforming API requests and responses"): an integration's
RequestParameters change the headers, query string and path sent to an HTTP_PROXY backend; ResponseParameters,
keyed by the backend's status code, change the response's headers and status. Pure logic."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

_VALUE = re.compile(
    r"\$(?:request\.(?:header|querystring|path|body)(?:\.[\w.\-]+)?|context\.[\w.]+|stageVariables\.\w+|response\.(?:header|body)(?:\.[\w.\-]+)?)"
)


def _lookup(expression: str, sources: dict[str, Any]) -> str:
    kind, _, name = expression[1:].partition(".")
    if kind == "request" or kind == "response":
        where, _, key = name.partition(".")
        if where == "header":
            return str(sources[kind + ".headers"].get(key.lower(), ""))
        if where == "querystring":
            return str(sources["request.query"].get(key, ""))
        if where == "path":
            return str(sources["request.path"]) if not key else str(sources["request.path_params"].get(key, ""))
        if where == "body":
            if not key and sources.get(kind + ".text") is not None:
                return str(sources[kind + ".text"])  # the whole body, as sent (JSON or not)
            value: Any = sources.get(kind + ".json")
            for part in filter(None, key.split(".")):
                value = value.get(part) if isinstance(value, dict) else None
            return "" if value is None else value if isinstance(value, str) else json.dumps(value)
    if kind == "context":
        return str(sources["context"].get(name, ""))
    if kind == "stageVariables":
        return str(sources["stage_variables"].get(name, ""))
    return ""


def evaluate(template: str, sources: dict[str, Any]) -> str:
    """A mapping value: static text with $request…, $response…, $context… and $stageVariables… references."""
    return _VALUE.sub(lambda m: _lookup(m.group(0), sources), template)


def map_request(
    parameters: dict[str, str], headers: dict[str, str], query: str, path: str, sources: dict[str, Any]
) -> tuple[dict[str, str], str, str]:
    """(headers, query string, path) for the backend after the integration's RequestParameters."""
    pairs = parse_qsl(query, keep_blank_values=True)
    for key, template in parameters.items():
        action, _, target = key.partition(":")
        where, _, name = target.partition(".")
        value = evaluate(template, sources)
        if where == "header":
            name = name.lower()
            if action == "remove":
                headers.pop(name, None)
            elif action == "append" and name in headers:
                headers[name] = f"{headers[name]},{value}"
            else:
                headers[name] = value
        elif where == "querystring":
            if action in ("remove", "overwrite"):
                pairs = [(k, v) for k, v in pairs if k != name]
            if action != "remove":
                pairs.append((name, value))
        elif where == "path" and action == "overwrite":
            path = value if value.startswith("/") else "/" + value
    return headers, urlencode(pairs), path


def map_response(
    parameters: dict[str, dict[str, str]], status: int, headers: list[tuple[str, str]], sources: dict[str, Any]
) -> tuple[int, list[tuple[str, str]]]:
    """(status, headers) after the ResponseParameters for the backend's status code."""
    mapping = parameters.get(str(status))
    if not mapping:
        return status, headers
    for key, template in mapping.items():
        action, _, target = key.partition(":")
        value = evaluate(template, sources)
        if target == "statuscode" and action == "overwrite":
            try:
                status = int(value)
            except ValueError:
                pass
            continue
        where, _, name = target.partition(".")
        if where != "header":
            continue
        if action in ("remove", "overwrite"):
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        if action != "remove":
            headers.append((name, value))
    return status, headers
