"""Routes, Integrations, Authorizers, Models and the WebSocket route/integration responses: one CRUD shape each."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ConflictException, bad_request, not_found
from .model import integration_defaults, integration_problem, new_id, public, route_key_problem
from .ops_apis import _page, changed, load_api
from .state import State

Check = Callable[[Tx, dict[str, Any], dict[str, Any], dict[str, Any]], None]  # (tx, api, doc, siblings-by-id)


@dataclass(frozen=True)
class Kind:
    name: str  # Route, Integration, ...
    id_member: str  # RouteId, ...
    members: tuple[str, ...]  # what Create/Update accept
    parent: tuple[str, str] | None = None  # (parent kind, its id member) for route/integration responses
    defaults: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] = lambda api, req: {}
    check: Check | None = None
    plural: str = ""


def _route_check(tx: Tx, api: dict[str, Any], doc: dict[str, Any], others: dict[str, Any]) -> None:
    problem = route_key_problem(api["ProtocolType"], doc["RouteKey"])
    if problem:
        raise bad_request(problem)
    if any(o["RouteKey"] == doc["RouteKey"] for i, o in others.items() if i != doc["RouteId"]):
        raise ConflictException(f"Route with key {doc['RouteKey']} already exists for this API")
    target = doc.get("Target")
    if target:
        if (
            not target.startswith("integrations/")
            or store.get_item(tx, api["ApiId"], "Integration", target.split("/", 1)[1]) is None
        ):
            raise bad_request(
                f"Invalid integration target {target}: Target must be integrations/<IntegrationId> of this API."
            )
    kind = doc.get("AuthorizationType", "NONE")
    if kind in ("JWT", "CUSTOM"):
        authorizer = store.get_item(tx, api["ApiId"], "Authorizer", doc.get("AuthorizerId") or "")
        if authorizer is None:
            raise bad_request(
                f"AuthorizerId is required and must name an authorizer of this API when AuthorizationType is {kind}."
            )
        expected = "JWT" if kind == "JWT" else "REQUEST"
        if authorizer["AuthorizerType"] != expected:
            raise bad_request(f"AuthorizationType {kind} requires an authorizer of type {expected}.")
    if api["ProtocolType"] == "WEBSOCKET" and kind != "NONE" and doc["RouteKey"] != "$connect" and kind != "AWS_IAM":
        raise bad_request("Currently, authorization is restricted to the $connect route only")


def _integration_check(tx: Tx, api: dict[str, Any], doc: dict[str, Any], others: dict[str, Any]) -> None:
    problem = integration_problem(api["ProtocolType"], doc)
    if problem:
        raise bad_request(problem)


def _authorizer_check(tx: Tx, api: dict[str, Any], doc: dict[str, Any], others: dict[str, Any]) -> None:
    kind = doc["AuthorizerType"]
    if kind == "JWT":
        if api["ProtocolType"] != "HTTP":
            raise bad_request("JWT authorizers are supported only for HTTP APIs.")
        jwt = doc.get("JwtConfiguration") or {}
        if not jwt.get("Issuer") or not jwt.get("Audience"):
            raise bad_request("JwtConfiguration must have an Issuer and at least one Audience.")
    elif kind == "REQUEST":
        if not doc.get("AuthorizerUri"):
            raise bad_request("AuthorizerUri is required for REQUEST authorizers.")
        if api["ProtocolType"] == "HTTP" and doc.get("AuthorizerPayloadFormatVersion") not in ("1.0", "2.0"):
            raise bad_request(
                "AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs: 1.0 or 2.0."
            )
        if doc.get("EnableSimpleResponses") and doc.get("AuthorizerPayloadFormatVersion") != "2.0":
            raise bad_request("EnableSimpleResponses is supported only with AuthorizerPayloadFormatVersion 2.0.")
        if not 0 <= int(doc.get("AuthorizerResultTtlInSeconds", 0)) <= 3600:
            raise bad_request("AuthorizerResultTtlInSeconds must be between 0 and 3600.")
    else:
        raise bad_request(f"Invalid AuthorizerType {kind}: JWT or REQUEST.")


def _authorizer_defaults(api: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    if req.get("AuthorizerType") == "JWT":
        return {"IdentitySource": ["$request.header.Authorization"]}
    ttl = (
        0
        if api["ProtocolType"] == "HTTP" and not req.get("AuthorizerResultTtlInSeconds")
        else req.get("AuthorizerResultTtlInSeconds", 300)
    )
    return {"AuthorizerResultTtlInSeconds": ttl, "IdentitySource": req.get("IdentitySource") or []}


ROUTE = Kind("Route", "RouteId", ("ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId", "ModelSelectionExpression", "OperationName",
             "RequestModels", "RequestParameters", "RouteKey", "RouteResponseSelectionExpression", "Target"),
             defaults=lambda api, req: {"ApiKeyRequired": False, "AuthorizationType": "NONE"}, check=_route_check)  # fmt: skip
INTEGRATION = Kind("Integration", "IntegrationId", ("ConnectionId", "ConnectionType", "ContentHandlingStrategy", "CredentialsArn", "Description",
                   "IntegrationMethod", "IntegrationSubtype", "IntegrationType", "IntegrationUri", "PassthroughBehavior", "PayloadFormatVersion",
                   "RequestParameters", "RequestTemplates", "ResponseParameters", "TemplateSelectionExpression", "TimeoutInMillis", "TlsConfig"),
                   defaults=lambda api, req: integration_defaults(api["ProtocolType"], req), check=_integration_check)  # fmt: skip
AUTHORIZER = Kind("Authorizer", "AuthorizerId", ("AuthorizerCredentialsArn", "AuthorizerPayloadFormatVersion", "AuthorizerResultTtlInSeconds", "AuthorizerType",
                  "AuthorizerUri", "EnableSimpleResponses", "IdentitySource", "IdentityValidationExpression", "JwtConfiguration", "Name"),
                  defaults=_authorizer_defaults, check=_authorizer_check)  # fmt: skip
MODEL = Kind("Model", "ModelId", ("ContentType", "Description", "Name", "Schema"))
ROUTE_RESPONSE = Kind(
    "RouteResponse",
    "RouteResponseId",
    ("ModelSelectionExpression", "ResponseModels", "ResponseParameters", "RouteResponseKey"),
    parent=("Route", "RouteId"),
)
INTEGRATION_RESPONSE = Kind("IntegrationResponse", "IntegrationResponseId", ("ContentHandlingStrategy", "IntegrationResponseKey", "ResponseParameters",
                            "ResponseTemplates", "TemplateSelectionExpression"), parent=("Integration", "IntegrationId"))  # fmt: skip


def _parent_id(kind: Kind, tx: Tx, api_id: str, req: dict[str, Any]) -> str:
    if kind.parent is None:
        return ""
    parent_kind, member = kind.parent
    if store.get_item(tx, api_id, parent_kind, req[member]) is None:
        raise not_found(parent_kind, req[member])
    return str(req[member])


def _load(kind: Kind, tx: Tx, api_id: str, item_id: str) -> dict[str, Any]:
    doc = store.get_item(tx, api_id, kind.name, item_id)
    if doc is None:
        raise not_found(kind.name, item_id)
    return doc


def _siblings(kind: Kind, tx: Tx, api_id: str, parent: str) -> dict[str, Any]:
    return {d[kind.id_member]: d for d in store.list_items(tx, api_id, kind.name, parent)}


def register(kind: Kind) -> None:
    plural = kind.plural or f"{kind.name}s"

    @SERVICE.op(f"Create{kind.name}")
    async def create(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            api = load_api(tx, ctx, req["ApiId"])
            if kind.name in ("RouteResponse", "IntegrationResponse") and api["ProtocolType"] != "WEBSOCKET":
                raise bad_request(f"{kind.name}s are supported only for WebSocket APIs.")
            parent = _parent_id(kind, tx, api["ApiId"], req)
            doc = {
                **kind.defaults(api, req),
                **{k: req[k] for k in kind.members if k in req},
                kind.id_member: new_id(7),
            }
            if kind.check is not None:
                kind.check(tx, api, doc, _siblings(kind, tx, api["ApiId"], parent))
            store.insert_item(tx, api["ApiId"], kind.name, doc[kind.id_member], doc, time.time(), parent)
            changed(tx, api["ApiId"])
            return doc

        return public(await ctx.runtime.store.write(write))

    @SERVICE.op(f"Get{kind.name}")
    async def get(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def read(tx: Tx) -> dict[str, Any]:
            load_api(tx, ctx, req["ApiId"])
            _parent_id(kind, tx, req["ApiId"], req)
            return _load(kind, tx, req["ApiId"], req[kind.id_member])

        return public(await ctx.runtime.store.read(read))

    @SERVICE.op(f"Get{plural}")
    async def get_all(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def read(tx: Tx) -> list[dict[str, Any]]:
            load_api(tx, ctx, req["ApiId"])
            return store.list_items(tx, req["ApiId"], kind.name, _parent_id(kind, tx, req["ApiId"], req))

        return _page([public(d) for d in await ctx.runtime.store.read(read)], req)

    @SERVICE.op(f"Update{kind.name}")
    async def update(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            api = load_api(tx, ctx, req["ApiId"])
            parent = _parent_id(kind, tx, api["ApiId"], req)
            doc = _load(kind, tx, api["ApiId"], req[kind.id_member])
            doc.update({k: req[k] for k in kind.members if k in req})
            if kind.check is not None:
                kind.check(tx, api, doc, _siblings(kind, tx, api["ApiId"], parent))
            store.update_item(tx, api["ApiId"], kind.name, doc[kind.id_member], doc)
            changed(tx, api["ApiId"])
            return doc

        return public(await ctx.runtime.store.write(write))

    @SERVICE.op(f"Delete{kind.name}")
    async def delete(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def write(tx: Tx) -> None:
            api = load_api(tx, ctx, req["ApiId"])
            _parent_id(kind, tx, api["ApiId"], req)
            _load(kind, tx, api["ApiId"], req[kind.id_member])
            if kind.name == "Integration":
                target = f"integrations/{req['IntegrationId']}"
                if any(r.get("Target") == target for r in store.list_items(tx, api["ApiId"], "Route")):
                    raise ConflictException("Unable to delete integration: it is the target of a route.")
            if kind.name == "Authorizer" and any(
                r.get("AuthorizerId") == req["AuthorizerId"] for r in store.list_items(tx, api["ApiId"], "Route")
            ):
                raise ConflictException("Unable to delete authorizer: it is used by a route.")
            store.delete_item(tx, api["ApiId"], kind.name, req[kind.id_member])
            changed(tx, api["ApiId"])

        await ctx.runtime.store.write(write)
        return {}


for _kind in (ROUTE, INTEGRATION, AUTHORIZER, MODEL, ROUTE_RESPONSE, INTEGRATION_RESPONSE):
    register(_kind)


@SERVICE.op("ResetAuthorizersCache")
async def reset_authorizers_cache(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.read(lambda tx: load_api(tx, ctx, req["ApiId"]))
    cache = ctx.runtime.state(State).authorizer_cache
    for key in [k for k in cache if k[0] == req["ApiId"]]:
        del cache[key]
    return {}


@SERVICE.op("DeleteRouteRequestParameter")
async def delete_route_request_parameter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        load_api(tx, ctx, req["ApiId"])
        route = _load(ROUTE, tx, req["ApiId"], req["RouteId"])
        parameters = route.get("RequestParameters") or {}
        if req["RequestParameterKey"] not in parameters:
            raise not_found("RequestParameter", req["RequestParameterKey"])
        del parameters[req["RequestParameterKey"]]
        store.update_item(tx, req["ApiId"], "Route", req["RouteId"], route)
        changed(tx, req["ApiId"])

    await ctx.runtime.store.write(write)
    return {}
