"""The REST API document and the rules for what goes in it: RestApi fields, resources, models, request validators,
authorizers and gateway responses. An API is one JSON document {"api": RestApi fields, "rootResourceId",
"resources": {id: Resource}, "models", "validators", "authorizers", "gatewayResponses", "documentationParts",
"documentationVersions"}; methods (with their integration) live under their resource (methods.py).
Pure: no HTTP, no SQL."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from .errors import BadRequestException, ConflictException, NotFoundException, not_found
from .model import apply_patch, descendants, new_id, refresh_paths

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
SECTIONS = ("resources", "models", "validators", "authorizers", "gatewayResponses")

API_FIELDS = {  # what UpdateRestApi may patch
    "name",
    "description",
    "version",
    "binaryMediaTypes",
    "minimumCompressionSize",
    "apiKeySource",
    "endpointConfiguration",
    "policy",
    "disableExecuteApiEndpoint",
}
VALIDATOR_FIELDS = {"name", "validateRequestBody", "validateRequestParameters"}
AUTHORIZER_FIELDS = {
    "name",
    "type",
    "providerARNs",
    "authType",
    "authorizerUri",
    "authorizerCredentials",
    "identitySource",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
}
_PATH_PART = re.compile(r"^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:@~$&'()*,;=!-]+)$")
_BAD_PATH_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional "
    "plus sign before the closing brace."
)
_BAD_SCHEMA = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"


def given(**members: Any) -> dict[str, Any]:
    """The members a request set (None means "not given")."""
    return {k: v for k, v in members.items() if v is not None}


# --- lookups ------------------------------------------------------------------------------------------------------


def require(doc: dict[str, Any], section: str, key: str, what: str) -> dict[str, Any]:
    item: dict[str, Any] | None = doc.get(section, {}).get(key)
    if item is None:
        raise not_found(what)
    return item


def resource(doc: dict[str, Any], resource_id: str) -> dict[str, Any]:
    return require(doc, "resources", resource_id, "resource")


def method(doc: dict[str, Any], resource_id: str, http_method: str) -> dict[str, Any]:
    found: dict[str, Any] | None = resource(doc, resource_id).get("resourceMethods", {}).get(http_method.upper())
    if found is None:
        raise not_found("method")
    return found


# --- RestApis -------------------------------------------------------------------------------------------------------


def api_view(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc["api"])
    out["rootResourceId"] = doc["rootResourceId"]
    return out


def new_api_doc(
    name: str,
    created: int,
    *,
    description: str | None = None,
    version: str | None = None,
    binary_media_types: list[str] | None = None,
    minimum_compression_size: int | None = None,
    api_key_source: str | None = None,
    endpoint_configuration: dict[str, Any] | None = None,
    policy: str | None = None,
    disable_execute_api_endpoint: bool | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A new API's document: its root resource and nothing else."""
    if api_key_source not in (None, "HEADER", "AUTHORIZER"):
        raise BadRequestException("Invalid apiKeySource: must be HEADER or AUTHORIZER")
    api_id, root_id = new_id(), new_id()
    api = {
        "id": api_id,
        "name": name,
        "createdDate": created,
        "apiKeySource": api_key_source or "HEADER",
        "endpointConfiguration": endpoint_configuration or {"types": ["EDGE"]},
        "disableExecuteApiEndpoint": bool(disable_execute_api_endpoint),
        "tags": tags or {},
        **given(
            description=description,
            version=version,
            binaryMediaTypes=binary_media_types,
            minimumCompressionSize=minimum_compression_size,
            policy=policy,
        ),
    }
    return {
        "api": api,
        "rootResourceId": root_id,
        "resources": {root_id: {"id": root_id, "path": "/"}},
        "models": {},
        "validators": {},
        "authorizers": {},
        "gatewayResponses": {},
    }


def add_default_models(doc: dict[str, Any]) -> None:
    """Every new API has the Empty and Error models (as the console and the API create them)."""
    doc["models"]["Empty"] = {
        "id": new_id(6),
        "name": "Empty",
        "description": "This is a default empty schema model",
        "contentType": "application/json",
        "schema": json.dumps(
            {"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}
        ),
    }
    doc["models"]["Error"] = {
        "id": new_id(6),
        "name": "Error",
        "description": "This is a default error schema model",
        "contentType": "application/json",
        "schema": json.dumps(
            {
                "$schema": "http://json-schema.org/draft-04/schema#",
                "title": "Error Schema",
                "type": "object",
                "properties": {"message": {"type": "string"}},
            }
        ),
    }


def clone_into(doc: dict[str, Any], source: dict[str, Any]) -> None:
    """CreateRestApi's cloneFrom: the source API's resources, models, validators, authorizers and responses."""
    for section in SECTIONS:
        doc[section] = copy.deepcopy(source[section])
    doc["rootResourceId"] = source["rootResourceId"]


def update_api(doc: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    doc["api"] = apply_patch(doc["api"], operations, allowed=API_FIELDS)
    return api_view(doc)


# --- Resources ------------------------------------------------------------------------------------------------------


def resource_view(item: dict[str, Any], embed_methods: bool) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k != "resourceMethods"}
    methods = item.get("resourceMethods") or {}
    if methods:
        out["resourceMethods"] = methods if embed_methods else {m: {} for m in methods}
    return out


def _check_path_part(doc: dict[str, Any], parent_id: str, part: str, own_id: str | None = None) -> None:
    if not _PATH_PART.match(part):
        raise BadRequestException(_BAD_PATH_PART)
    parent = resource(doc, parent_id)
    if (parent.get("pathPart") or "").endswith("+}"):
        raise BadRequestException(f"Cannot create a child of a resource with a greedy path variable: {parent['path']}")
    for sibling in doc["resources"].values():
        if sibling.get("parentId") != parent_id or sibling["id"] == own_id:
            continue
        if sibling["pathPart"] == part:
            raise ConflictException(f"Another resource with the same parent already has this name: {part}")
        if part.startswith("{") and sibling["pathPart"].startswith("{"):
            raise BadRequestException(
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part -- "
                "only one is allowed"
            )


def create_resource(doc: dict[str, Any], parent_id: str, path_part: str) -> dict[str, Any]:
    _check_path_part(doc, parent_id, path_part)
    item = {"id": new_id(6), "parentId": parent_id, "pathPart": path_part}
    doc["resources"][item["id"]] = item
    refresh_paths(doc["resources"])
    return resource_view(item, False)


def resources(doc: dict[str, Any], embed_methods: bool) -> list[dict[str, Any]]:
    items = sorted(doc["resources"].values(), key=lambda r: r["path"])
    return [resource_view(r, embed_methods) for r in items]


def update_resource(doc: dict[str, Any], resource_id: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    item = resource(doc, resource_id)
    changed = apply_patch(item, operations, allowed={"pathPart", "parentId"})
    if changed.get("parentId") != item.get("parentId") or changed.get("pathPart") != item.get("pathPart"):
        if not item.get("parentId"):
            raise BadRequestException("Cannot modify the root resource")
        if changed["parentId"] in descendants(doc["resources"], item["id"]):
            raise BadRequestException("A resource cannot be moved under itself")
        _check_path_part(doc, changed["parentId"], changed["pathPart"], own_id=item["id"])
    doc["resources"][item["id"]] = changed
    refresh_paths(doc["resources"])
    return resource_view(changed, False)


def delete_resource(doc: dict[str, Any], resource_id: str) -> None:
    item = resource(doc, resource_id)
    if not item.get("parentId"):
        raise BadRequestException("Cannot delete the root resource")
    for found in descendants(doc["resources"], item["id"]):
        del doc["resources"][found]


# --- Models -----------------------------------------------------------------------------------------------------------


def create_model(
    doc: dict[str, Any], name: str, content_type: str, description: str | None, schema: str | None
) -> dict[str, Any]:
    if not re.match(r"^[a-zA-Z0-9]+$", name):
        raise BadRequestException("Model name must be alphanumeric")
    if name in doc["models"]:
        raise ConflictException("Model name already exists for this REST API")
    if schema:
        try:
            json.loads(schema)
        except ValueError:
            raise BadRequestException(_BAD_SCHEMA) from None
    item = {"id": new_id(6), "name": name, "contentType": content_type, **given(description=description, schema=schema)}
    doc["models"][name] = item
    return item


def model(doc: dict[str, Any], name: str) -> dict[str, Any]:
    item: dict[str, Any] | None = doc["models"].get(name)
    if item is None:
        raise NotFoundException(f"Invalid model name specified: {name}")
    return item


def update_model(doc: dict[str, Any], name: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    item = apply_patch(model(doc, name), operations, allowed={"schema", "description"})
    doc["models"][name] = item
    return item


def delete_model(doc: dict[str, Any], name: str) -> None:
    model(doc, name)
    del doc["models"][name]


# --- id-keyed sections: request validators, authorizers, documentation parts ----------------------------------------


def add_item(
    doc: dict[str, Any], section: str, item: dict[str, Any], check: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Give the item an id and add it to an id-keyed section of the document (after ``check``)."""
    item = {"id": new_id(6), **item}
    if check is not None:
        check(item)
    doc.setdefault(section, {})[item["id"]] = item
    return item


def update_item(
    doc: dict[str, Any],
    section: str,
    item_id: str,
    what: str,
    operations: list[dict[str, Any]],
    allowed: set[str],
    check: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    item = apply_patch(require(doc, section, item_id, what), operations, allowed=allowed)
    if check is not None:
        check(item)
    doc[section][item["id"]] = item
    return item


def delete_item(doc: dict[str, Any], section: str, item_id: str, what: str) -> None:
    require(doc, section, item_id, what)
    del doc[section][item_id]


def check_authorizer(item: dict[str, Any]) -> None:
    if item.get("type") in ("TOKEN", "REQUEST") and not item.get("authorizerUri"):
        raise BadRequestException("Authorizer URI must be specified for TOKEN and REQUEST authorizers")
    if item.get("type") == "TOKEN" and not item.get("identitySource"):
        raise BadRequestException("Identity source must be specified for TOKEN authorizers")
    if item.get("type") == "COGNITO_USER_POOLS" and not item.get("providerARNs"):
        raise BadRequestException("Provider ARNs must be specified for COGNITO_USER_POOLS authorizers")


# --- GatewayResponses -------------------------------------------------------------------------------------------------


def response_type(value: str) -> str:
    if value not in GATEWAY_RESPONSE_TYPES:
        raise BadRequestException(f"Invalid response type: {value}")
    return value


def gateway_response(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """The API's response of this type, or AWS's default one."""
    custom: dict[str, Any] | None = doc.get("gatewayResponses", {}).get(kind)
    if custom is not None:
        return custom
    out: dict[str, Any] = {
        "responseType": kind,
        "defaultResponse": True,
        "responseParameters": {},
        "responseTemplates": {"application/json": DEFAULT_ERROR_TEMPLATE},
    }
    status = GATEWAY_RESPONSE_TYPES[kind]
    if status:
        out["statusCode"] = status
    return out


def put_gateway_response(
    doc: dict[str, Any],
    kind: str,
    status_code: str | None,
    response_parameters: dict[str, str] | None,
    response_templates: dict[str, str] | None,
) -> dict[str, Any]:
    kind = response_type(kind)
    item = {
        "responseType": kind,
        "defaultResponse": False,
        "responseParameters": response_parameters or {},
        "responseTemplates": response_templates or {},
    }
    status = status_code or GATEWAY_RESPONSE_TYPES[kind]
    if status:
        item["statusCode"] = status
    doc["gatewayResponses"][kind] = item
    return item


def update_gateway_response(doc: dict[str, Any], kind: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    kind = response_type(kind)
    item = apply_patch(
        gateway_response(doc, kind), operations, allowed={"statusCode", "responseParameters", "responseTemplates"}
    )
    item["defaultResponse"] = False
    doc["gatewayResponses"][kind] = item
    return item


def delete_gateway_response(doc: dict[str, Any], kind: str) -> None:
    if doc["gatewayResponses"].pop(response_type(kind), None) is None:
        raise not_found("gatewayresponse")
