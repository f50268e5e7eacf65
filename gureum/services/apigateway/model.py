"""Pure helpers for API definitions: ids, PATCH operations, paging and the resource tree (no HTTP, no SQL)."""

from __future__ import annotations

import copy
import secrets
import string
from typing import Any

from .errors import BadRequestException
from .patches import PatchRules

_ALPHABET = string.ascii_lowercase + string.digits

# members whose patch values (always strings on the wire) are numbers or booleans
_BOOLS = {
    "apiKeyRequired",
    "enabled",
    "cacheClusterEnabled",
    "tracingEnabled",
    "disableExecuteApiEndpoint",
    "validateRequestBody",
    "validateRequestParameters",
    "metricsEnabled",
    "dataTraceEnabled",
    "cachingEnabled",
    "requireAuthorizationForCacheControl",
    "cacheDataEncrypted",
    "useStageCache",
}
_INTS = {
    "burstLimit",
    "limit",
    "offset",
    "remaining",
    "minimumCompressionSize",
    "timeoutInMillis",
    "authorizerResultTtlInSeconds",
    "throttlingBurstLimit",
    "cacheTtlInSeconds",
}
_FLOATS = {"rateLimit", "throttlingRateLimit", "percentTraffic"}


def new_id(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _typed(member: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if member in _BOOLS:
            return value.lower() == "true"
        if member in _INTS:
            return int(value)
        if member in _FLOATS:
            return float(value)
    except ValueError:
        raise BadRequestException(f"Invalid value for {member}: {value}") from None
    return value


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def split_path(path: str) -> list[str]:
    if not path.startswith("/"):
        raise BadRequestException(f"Invalid patch path {path}")
    return [_unescape(p) for p in path[1:].split("/")] if path != "/" else []


def apply_patch(doc: dict[str, Any], operations: list[dict[str, Any]], rules: PatchRules) -> dict[str, Any]:
    """Apply API Gateway PatchOperations (op add|remove|replace|move|copy, path with ~1 for '/') to a copy of doc,
    after ``rules`` (patches.py) accepted every one of them.

    A path whose last container is a list (binaryMediaTypes, endpointConfiguration/types) adds or removes the
    element named by the last segment (or the value); anything else sets or deletes a member."""
    rules.check(operations)
    doc = copy.deepcopy(doc)
    for operation in operations:
        op, parts = operation.get("op"), split_path(operation.get("path") or "")
        value = operation.get("value")
        if not parts:
            raise BadRequestException(f"Invalid patch path {operation.get('path')}")
        if op in ("move", "copy"):
            source = split_path(operation.get("from") or "")
            moved = _get(doc, source)
            if op == "move":
                _remove(doc, source)
            _set(doc, parts, moved)
            continue
        parent = _get(doc, parts[:-1]) if len(parts) > 1 else doc
        target = _get(doc, parts)
        if isinstance(parent, list) or isinstance(target, list):
            # /binaryMediaTypes/image~1png names an element; /endpointConfiguration/types with a value names the list
            container, item = (parent, parts[-1]) if isinstance(parent, list) else (target, value)
            if op == "add" and item not in container:
                container.append(item)
            elif op == "remove" and item in container:
                container.remove(item)
            elif op == "replace":
                index = parts[-1]
                if isinstance(parent, list) and index.isdigit() and int(index) < len(container):
                    container[int(index)] = value  # /endpointConfiguration/types/0
                elif isinstance(parent, list) and item in container:
                    # AWS removes the element and appends the new value (its order changes)
                    container.remove(item)
                    container.append(value)
                elif isinstance(target, list):
                    container[:] = [value]
            continue
        if op in ("add", "replace"):
            if rules.pattern_for(str(operation.get("path"))) in rules.booleans and isinstance(value, str):
                _set(doc, parts, value.lower() == "true")
            else:
                _set(doc, parts, _typed(parts[-1], value))
        elif op == "remove":
            _remove(doc, parts)
        else:
            raise BadRequestException(
                "Invalid patch operation specified. Must be one of: [add, remove, move, test, replace, copy]"
            )
    return doc


def _get(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def _set(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        nxt = doc.get(part)
        if not isinstance(nxt, dict):
            nxt = doc[part] = {}
        doc = nxt
    doc[parts[-1]] = value


def _remove(doc: dict[str, Any], parts: list[str]) -> None:
    parent = _get(doc, parts[:-1]) if len(parts) > 1 else doc
    if isinstance(parent, dict):
        parent.pop(parts[-1], None)


def page(
    items: list[dict[str, Any]], limit: int | None, position: str | None, default_limit: int = 25, max_limit: int = 500
) -> dict[str, Any]:
    """AWS's position/limit paging: {"items": [...], "position": token of the next page}."""
    limit = limit or default_limit
    if limit < 1 or limit > max_limit:
        raise BadRequestException(f"Invalid limit: must be between 1 and {max_limit}")
    try:
        start = int(position or 0)
    except ValueError:
        raise BadRequestException("Invalid position parameter") from None
    out: dict[str, Any] = {"items": items[start : start + limit]}
    if start + limit < len(items):
        out["position"] = str(start + limit)
    return out


# --- the resource tree ---------------------------------------------------------------------------------


def resource_path(resources: dict[str, Any], resource: dict[str, Any]) -> str:
    parts: list[str] = []
    while resource.get("parentId"):
        parts.append(resource["pathPart"])
        resource = resources[resource["parentId"]]
    return "/" + "/".join(reversed(parts))


def refresh_paths(resources: dict[str, Any]) -> None:
    for resource in resources.values():
        resource["path"] = resource_path(resources, resource)


def descendants(resources: dict[str, Any], resource_id: str) -> list[str]:
    out, todo = [], [resource_id]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(r["id"] for r in resources.values() if r.get("parentId") == current)
    return out
