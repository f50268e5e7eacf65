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

from ... import safejson
from . import patches
from .errors import BadRequestException, ConflictException, NotFoundException, not_found
from .model import apply_patch, descendants, new_id, refresh_paths, split_path

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

ENDPOINT_TYPES = ("REGIONAL", "EDGE", "PRIVATE")
MAX_COMPRESSION = 10485760
# endpoint type changes AWS supports ("Change a public or private API endpoint type"): a private API cannot become
# edge-optimized
_TYPE_CHANGES = {("PRIVATE", "EDGE")}
_PATH_PART = re.compile(r"^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:@~$&'()*,;=!-]+)$")
_BAD_PATH_PART = (
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional "
    "plus sign before the closing brace."
)
_BAD_SCHEMA = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
_EMPTY_SCHEMA = "Model schema must have at least 1 property or array items defined"
_BAD_COMPRESSION = f"Invalid minimum compression size, must be between 0 and {MAX_COMPRESSION}"
_PRIVATE_DUALSTACK = "Only dualstack ipAddressType is supported for Private APIs."


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


def shown_policy(policy: str) -> str:
    """A resource policy as RestApi shows it: JSON-escaped within its string (quotes as \\", slashes as \\/), as
    AWS answers; the Terraform provider unescapes it, and reads an unescaped one as invalid JSON."""
    return json.dumps(policy, ensure_ascii=False)[1:-1].replace("/", "\\/")


def api_view(doc: dict[str, Any], with_tags: bool = False) -> dict[str, Any]:
    """The RestApi as AWS shows it: ``tags`` only when there are some (UpdateRestApi always shows them)."""
    out = dict(doc["api"])
    out["rootResourceId"] = doc["rootResourceId"]
    if out.get("policy"):
        out["policy"] = shown_policy(out["policy"])
    else:
        out.pop("policy", None)  # UpdateRestApi's replace with "" removes the policy
    if not out.get("tags") and not with_tags:
        out.pop("tags", None)
    else:
        out["tags"] = out.get("tags") or {}
    return out


def _endpoint_configuration(given_config: dict[str, Any] | None) -> dict[str, Any]:
    """CreateRestApi's endpointConfiguration with AWS's defaults (EDGE; ipv4, or dualstack for PRIVATE)."""
    config = dict(given_config or {})
    types = config.get("types")
    if types is None:
        types = ["EDGE"]
    elif not types:
        raise BadRequestException("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
    elif len(types) > 1:
        raise BadRequestException("Cannot create an api with multiple Endpoint Types.")
    config["types"] = list(types)
    private = types == ["PRIVATE"]
    config.setdefault("ipAddressType", "dualstack" if private else "ipv4")
    if private and config["ipAddressType"] == "ipv4":
        raise BadRequestException(_PRIVATE_DUALSTACK)
    return config


def _compression(value: Any) -> int | None:
    """minimumCompressionSize: null or "" turns compression off; anything else is 0..10485760."""
    if value is None or value == "":
        return None
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise BadRequestException(_BAD_COMPRESSION) from None
    if not 0 <= size <= MAX_COMPRESSION:
        raise BadRequestException(_BAD_COMPRESSION)
    return size


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
    if description == "":
        raise BadRequestException("Description cannot be an empty string")
    minimum_compression_size = _compression(minimum_compression_size)
    api_id, root_id = new_id(), new_id()
    api = {
        "id": api_id,
        "name": name,
        "createdDate": created,
        "apiKeySource": api_key_source or "HEADER",
        "endpointConfiguration": _endpoint_configuration(endpoint_configuration),
        "disableExecuteApiEndpoint": bool(disable_execute_api_endpoint),
        "tags": tags or {},
        **given(
            description=description,
            version=version,
            binaryMediaTypes=binary_media_types or None,
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
    """UpdateRestApi: the patches (patches.REST_API) with AWS's checks on compression and endpoint types."""
    patches.REST_API.check(operations)
    before = doc["api"]
    old_type = (before.get("endpointConfiguration") or {}).get("types", ["EDGE"])[0]
    ops = []
    for operation in operations:
        path = operation.get("path")
        if path == "/binaryMediaTypes":
            raise BadRequestException(f"Invalid patch path {path}")
        if path == "/minimumCompressionSize":
            size = _compression(operation.get("value"))
            operation = {"op": "remove", "path": path} if size is None else {**operation, "value": str(size)}
        elif str(path).startswith("/endpointConfiguration/types/"):
            new_type = operation.get("value")
            if new_type not in ENDPOINT_TYPES:
                raise BadRequestException(
                    "Invalid EndpointTypes specified. Valid options are " + ",".join(ENDPOINT_TYPES)
                )
            if (old_type, new_type) in _TYPE_CHANGES:
                raise BadRequestException(f"Cannot update an api from {old_type} to {new_type}.")
            if new_type != old_type and "PRIVATE" in (old_type, new_type):
                # AWS sets the IP address type a private API needs, and back to IPv4 when it becomes regional
                ops.append(operation)
                address = "dualstack" if new_type == "PRIVATE" else "ipv4"
                operation = {"op": "replace", "path": "/endpointConfiguration/ipAddressType", "value": address}
        elif path == "/endpointConfiguration/ipAddressType":
            if operation.get("value") not in ("ipv4", "dualstack"):
                raise BadRequestException("ipAddressType must be either ipv4 or dualstack.")
        ops.append(operation)
    # binaryMediaTypes is a list patched like a map (/binaryMediaTypes/image~1png): it must exist as one
    api = apply_patch({**before, "binaryMediaTypes": list(before.get("binaryMediaTypes") or [])}, ops, patches.REST_API)
    if not api["binaryMediaTypes"]:
        del api["binaryMediaTypes"]
    config = api.get("endpointConfiguration") or {}
    if config.get("types") == ["PRIVATE"] and config.get("ipAddressType") == "ipv4":
        raise BadRequestException(_PRIVATE_DUALSTACK)
    doc["api"] = api
    return api_view(doc, with_tags=True)


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
        raise BadRequestException(
            f"Cannot create a child of a resource with a greedy path variable: {parent['pathPart']}"
        )
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
    patches.RESOURCE.check(operations)
    if not item.get("parentId"):
        member = split_path(str(operations[0].get("path")))[0] if operations else "pathPart"
        raise BadRequestException(f"Root resource cannot update its {member}.")
    changed = apply_patch(item, operations, patches.RESOURCE)
    if changed.get("parentId") != item.get("parentId") or changed.get("pathPart") != item.get("pathPart"):
        resource(doc, changed["parentId"])
        if changed["parentId"] in descendants(doc["resources"], item["id"]):
            raise BadRequestException("Resources cannot be cyclical.")
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
    if not name:
        raise BadRequestException("Model name must be non-empty")
    if not re.match(r"^[a-zA-Z0-9]+$", name):
        raise BadRequestException("Model name must be alphanumeric")
    if name in doc["models"]:
        raise ConflictException("Model name already exists for this REST API")
    if schema == "":
        raise BadRequestException(_EMPTY_SCHEMA)
    if schema:
        try:
            safejson.loads(schema)
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
    item = apply_patch(model(doc, name), operations, patches.MODEL)
    if item.get("schema") == "":
        raise BadRequestException(_EMPTY_SCHEMA)
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
    rules: patches.PatchRules,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    item = apply_patch(require(doc, section, item_id, what), operations, rules)
    if check is not None:
        check(item)
    doc[section][item["id"]] = item
    return item


def delete_item(doc: dict[str, Any], section: str, item_id: str, what: str) -> None:
    require(doc, section, item_id, what)
    del doc[section][item_id]


def check_validator(item: dict[str, Any]) -> None:
    if "name" in item and not str(item["name"]).strip():
        raise BadRequestException("Request Validator name cannot be blank")


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


def _default_of(kind: str) -> str | None:
    """The DEFAULT_4XX or DEFAULT_5XX whose customisation a response type inherits, by its default status."""
    status = GATEWAY_RESPONSE_TYPES[kind]
    if kind.startswith("DEFAULT_") or status is None:
        return None
    return "DEFAULT_5XX" if status.startswith("5") else "DEFAULT_4XX"


def gateway_response(doc: dict[str, Any], kind: str, inherit: bool = True) -> dict[str, Any]:
    """The API's response of this type, or AWS's default one; a default one shows what the API set on its
    DEFAULT_4XX / DEFAULT_5XX (status, parameters, templates) as AWS does, unless ``inherit`` is False."""
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
    parent = _default_of(kind) if inherit else None
    inherited = doc.get("gatewayResponses", {}).get(parent) if parent else None
    if inherited is not None:
        for member in ("statusCode", "responseParameters", "responseTemplates"):
            if member in inherited:
                out[member] = inherited[member]
    return out


def put_gateway_response(
    doc: dict[str, Any],
    kind: str,
    status_code: str | None,
    response_parameters: dict[str, str] | None,
    response_templates: dict[str, str] | None,
) -> dict[str, Any]:
    """PutGatewayResponse: what is not given is AWS's default (the JSON message template, the type's status)."""
    kind = response_type(kind)
    item = {
        "responseType": kind,
        "defaultResponse": False,
        "responseParameters": response_parameters or {},
        "responseTemplates": response_templates or {"application/json": DEFAULT_ERROR_TEMPLATE},
    }
    status = status_code or GATEWAY_RESPONSE_TYPES[kind]
    if status:
        item["statusCode"] = status
    doc["gatewayResponses"][kind] = item
    return item


def update_gateway_response(doc: dict[str, Any], kind: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    kind = response_type(kind)
    current = gateway_response(doc, kind, inherit=False)
    for operation in operations:
        parts = split_path(str(operation.get("path") or "/"))
        if parts and parts[0] in ("responseParameters", "responseTemplates") and operation.get("op") != "remove":
            if not operation.get("value"):
                raise BadRequestException(f"Invalid null or empty value in {parts[0]}")
            if operation.get("op") == "replace" and parts[-1] not in (current.get(parts[0]) or {}):
                raise NotFoundException("Invalid parameter name specified")
    item = apply_patch(current, operations, patches.GATEWAY_RESPONSE)
    item["defaultResponse"] = False
    doc["gatewayResponses"][kind] = item
    return item


def delete_gateway_response(doc: dict[str, Any], kind: str) -> None:
    if doc["gatewayResponses"].pop(response_type(kind), None) is None:
        raise NotFoundException("Gateway response type not defined on api")
