"""Shared control-plane plumbing: load an API's document, change it in one transaction, shape outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...store.base import Tx
from . import store
from .errors import not_found

T = TypeVar("T")

GATEWAY_RESPONSE_TYPES = {
    "ACCESS_DENIED": "403",
    "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "EXPIRED_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "INVALID_API_KEY": "403",
    "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "QUOTA_EXCEEDED": "429",
    "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404",
    "THROTTLED": "429",
    "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}
DEFAULT_ERROR_TEMPLATE = '{"message":$context.error.messageString}'


def now(ctx: RequestContext) -> int:
    return int(ctx.runtime.clock.now())


def require_api(tx: Tx, ctx: RequestContext, api_id: str) -> dict[str, Any]:
    doc = store.get_api(tx, ctx.account, ctx.region, api_id)
    if doc is None:
        raise not_found("api")
    return doc


async def read_api(ctx: RequestContext, api_id: str, fn: Callable[[dict[str, Any]], T]) -> T:
    return await ctx.runtime.store.read(lambda tx: fn(require_api(tx, ctx, api_id)))


async def change_api(ctx: RequestContext, api_id: str, fn: Callable[[dict[str, Any]], T]) -> T:
    """Run fn on the API's document and save it, in one transaction; fn's result is the answer."""

    def run(tx: Tx) -> T:
        doc = require_api(tx, ctx, api_id)
        result = fn(doc)
        store.save_api(tx, doc)
        return result

    return await ctx.runtime.store.write(run)


def require(doc: dict[str, Any], section: str, key: str, what: str) -> dict[str, Any]:
    item = doc.get(section, {}).get(key)
    if item is None:
        raise not_found(what)
    return item


def resource(doc: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return require(doc, "resources", resource_id, "resource")


def method(doc: dict[str, Any], resource_id: str, http_method: str) -> dict[str, Any]:
    found = resource(doc, resource_id).get("resourceMethods", {}).get(http_method.upper())
    if found is None:
        raise not_found("method")
    return found


def gateway_response(doc: dict[str, Any], response_type: str) -> dict[str, Any]:
    custom = doc.get("gatewayResponses", {}).get(response_type)
    if custom is not None:
        return custom
    out: dict[str, Any] = {
        "responseType": response_type,
        "defaultResponse": True,
        "responseParameters": {},
        "responseTemplates": {"application/json": DEFAULT_ERROR_TEMPLATE},
    }
    status = GATEWAY_RESPONSE_TYPES[response_type]
    if status:
        out["statusCode"] = status
    return out
