"""An API's sub-resources (Routes, Integrations, Authorizers, Models and the WebSocket route/integration responses):
what Create/Update accept for each kind, its defaults and checks, and creating, reading, changing and deleting
them inside one store transaction. The backend wraps these; SQL stays in store.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...store.base import Tx
from . import service_integrations, store
from .errors import ConflictException, bad_request, not_found
from .model import integration_defaults, integration_problem, new_id, route_key_problem

Check = Callable[[Tx, dict[str, Any], dict[str, Any], dict[str, Any]], None]  # (tx, api, doc, siblings by id)
Defaults = Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]]  # (api, members) → defaults


def _no_defaults(api: dict[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Kind:
    name: str  # Route, Integration, ...
    id_member: str  # RouteId, ...
    members: tuple[str, ...]  # what Create/Update accept
    parent: str | None = None  # the parent kind of route/integration responses
    defaults: Defaults = field(default=_no_defaults)
    check: Check | None = None
    websocket_only: bool = False


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


def _route_defaults(api: dict[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    return {"ApiKeyRequired": False, "AuthorizationType": "NONE"}


def _integration_check(tx: Tx, api: dict[str, Any], doc: dict[str, Any], others: dict[str, Any]) -> None:
    problem = integration_problem(api["ProtocolType"], doc) or service_integrations.problem(doc)
    if problem:
        raise bad_request(problem)


def _integration_defaults(api: dict[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    return integration_defaults(api["ProtocolType"], members)


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


def _authorizer_defaults(api: dict[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    if members.get("AuthorizerType") == "JWT":
        return {"IdentitySource": ["$request.header.Authorization"]}
    ttl = (
        0
        if api["ProtocolType"] == "HTTP" and not members.get("AuthorizerResultTtlInSeconds")
        else members.get("AuthorizerResultTtlInSeconds", 300)
    )
    return {"AuthorizerResultTtlInSeconds": ttl, "IdentitySource": members.get("IdentitySource") or []}


ROUTE = Kind(
    "Route",
    "RouteId",
    (
        "ApiKeyRequired",
        "AuthorizationScopes",
        "AuthorizationType",
        "AuthorizerId",
        "ModelSelectionExpression",
        "OperationName",
        "RequestModels",
        "RequestParameters",
        "RouteKey",
        "RouteResponseSelectionExpression",
        "Target",
    ),
    defaults=_route_defaults,
    check=_route_check,
)
INTEGRATION = Kind(
    "Integration",
    "IntegrationId",
    (
        "ConnectionId",
        "ConnectionType",
        "ContentHandlingStrategy",
        "CredentialsArn",
        "Description",
        "IntegrationMethod",
        "IntegrationSubtype",
        "IntegrationType",
        "IntegrationUri",
        "PassthroughBehavior",
        "PayloadFormatVersion",
        "RequestParameters",
        "RequestTemplates",
        "ResponseParameters",
        "TemplateSelectionExpression",
        "TimeoutInMillis",
        "TlsConfig",
    ),
    defaults=_integration_defaults,
    check=_integration_check,
)
AUTHORIZER = Kind(
    "Authorizer",
    "AuthorizerId",
    (
        "AuthorizerCredentialsArn",
        "AuthorizerPayloadFormatVersion",
        "AuthorizerResultTtlInSeconds",
        "AuthorizerType",
        "AuthorizerUri",
        "EnableSimpleResponses",
        "IdentitySource",
        "IdentityValidationExpression",
        "JwtConfiguration",
        "Name",
    ),
    defaults=_authorizer_defaults,
    check=_authorizer_check,
)
MODEL = Kind("Model", "ModelId", ("ContentType", "Description", "Name", "Schema"))
ROUTE_RESPONSE = Kind(
    "RouteResponse",
    "RouteResponseId",
    ("ModelSelectionExpression", "ResponseModels", "ResponseParameters", "RouteResponseKey"),
    parent="Route",
    websocket_only=True,
)
INTEGRATION_RESPONSE = Kind(
    "IntegrationResponse",
    "IntegrationResponseId",
    (
        "ContentHandlingStrategy",
        "IntegrationResponseKey",
        "ResponseParameters",
        "ResponseTemplates",
        "TemplateSelectionExpression",
    ),
    parent="Integration",
    websocket_only=True,
)


# --- inside one transaction ------------------------------------------------------------------------------


def check_parent(tx: Tx, kind: Kind, api_id: str, parent_id: str) -> str:
    """The parent id under which items of ``kind`` are kept ("" for kinds without a parent); NotFound when the
    parent route or integration does not exist."""
    if kind.parent is None:
        return ""
    if store.get_item(tx, api_id, kind.parent, parent_id) is None:
        raise not_found(kind.parent, parent_id)
    return parent_id


def load(tx: Tx, kind: Kind, api_id: str, item_id: str) -> dict[str, Any]:
    doc = store.get_item(tx, api_id, kind.name, item_id)
    if doc is None:
        raise not_found(kind.name, item_id)
    return doc


def _siblings(tx: Tx, kind: Kind, api_id: str, parent: str) -> dict[str, Any]:
    return {d[kind.id_member]: d for d in store.list_items(tx, api_id, kind.name, parent)}


def create(
    tx: Tx, api: dict[str, Any], kind: Kind, members: Mapping[str, Any], parent_id: str, now: float
) -> dict[str, Any]:
    if kind.websocket_only and api["ProtocolType"] != "WEBSOCKET":
        raise bad_request(f"{kind.name}s are supported only for WebSocket APIs.")
    parent = check_parent(tx, kind, api["ApiId"], parent_id)
    doc = {**kind.defaults(api, members), **{k: members[k] for k in kind.members if k in members}}
    doc[kind.id_member] = new_id(7)
    if kind.check is not None:
        kind.check(tx, api, doc, _siblings(tx, kind, api["ApiId"], parent))
    store.insert_item(tx, api["ApiId"], kind.name, doc[kind.id_member], doc, now, parent)
    return doc


def update(
    tx: Tx, api: dict[str, Any], kind: Kind, item_id: str, members: Mapping[str, Any], parent_id: str
) -> dict[str, Any]:
    parent = check_parent(tx, kind, api["ApiId"], parent_id)
    doc = load(tx, kind, api["ApiId"], item_id)
    doc.update({k: members[k] for k in kind.members if k in members})
    if kind.check is not None:
        kind.check(tx, api, doc, _siblings(tx, kind, api["ApiId"], parent))
    store.update_item(tx, api["ApiId"], kind.name, doc[kind.id_member], doc)
    return doc


def delete(tx: Tx, api_id: str, kind: Kind, item_id: str, parent_id: str) -> None:
    """Delete an item (and its responses); refused while a route uses the integration or authorizer."""
    check_parent(tx, kind, api_id, parent_id)
    load(tx, kind, api_id, item_id)
    if kind.name == INTEGRATION.name:
        target = f"integrations/{item_id}"
        if any(r.get("Target") == target for r in store.list_items(tx, api_id, "Route")):
            raise ConflictException("Unable to delete integration: it is the target of a route.")
    if kind.name == AUTHORIZER.name and any(
        r.get("AuthorizerId") == item_id for r in store.list_items(tx, api_id, "Route")
    ):
        raise ConflictException("Unable to delete authorizer: it is used by a route.")
    store.delete_item(tx, api_id, kind.name, item_id)


def delete_route_request_parameter(tx: Tx, api_id: str, route_id: str, key: str) -> None:
    route = load(tx, ROUTE, api_id, route_id)
    parameters = route.get("RequestParameters") or {}
    if key not in parameters:
        raise not_found("RequestParameter", key)
    del parameters[key]
    store.update_item(tx, api_id, "Route", route_id, route)
