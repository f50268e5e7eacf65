"""RestApis, Resources, Models, RequestValidators, Authorizers, GatewayResponses and tags."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .apis import GATEWAY_RESPONSE_TYPES, change_api, gateway_response, now, read_api, require, resource
from .errors import BadRequestException, ConflictException, NotFoundException, not_found
from .model import apply_patch, descendants, new_id, page, refresh_paths

_PATH_PART = re.compile(r"^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:@~$&'()*,;=!-]+)$")
_API_FIELDS = {
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


def api_view(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc["api"])
    out["rootResourceId"] = doc["rootResourceId"]
    return out


# --- RestApis -------------------------------------------------------------------------------------------


def new_api_doc(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    api_id, root_id = new_id(), new_id()
    api = {
        "id": api_id,
        "name": req["name"],
        "createdDate": now(ctx),
        "apiKeySource": req.get("apiKeySource") or "HEADER",
        "endpointConfiguration": req.get("endpointConfiguration") or {"types": ["EDGE"]},
        "disableExecuteApiEndpoint": bool(req.get("disableExecuteApiEndpoint")),
        "tags": req.get("tags") or {},
    }
    for member in ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "policy"):
        if req.get(member) is not None:
            api[member] = req[member]
    return {
        "api": api,
        "rootResourceId": root_id,
        "resources": {root_id: {"id": root_id, "path": "/"}},
        "models": {},
        "validators": {},
        "authorizers": {},
        "gatewayResponses": {},
    }


def default_models(doc: dict[str, Any]) -> None:
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


@SERVICE.op("CreateRestApi")
async def create_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if req.get("apiKeySource") not in (None, "HEADER", "AUTHORIZER"):
        raise BadRequestException("Invalid apiKeySource: must be HEADER or AUTHORIZER")
    doc = new_api_doc(ctx, req)
    default_models(doc)
    clone = req.get("cloneFrom")

    def create(tx: Tx) -> dict[str, Any]:
        if clone:
            source = store.get_api(tx, ctx.account, ctx.region, clone)
            if source is None:
                raise not_found("api")
            for section in ("resources", "models", "validators", "authorizers", "gatewayResponses"):
                doc[section] = copy.deepcopy(source[section])
            doc["rootResourceId"] = source["rootResourceId"]
        store.insert_api(tx, ctx.account, ctx.region, doc, now(ctx))
        return api_view(doc)

    return await ctx.runtime.store.write(create)


@SERVICE.op("GetRestApi")
async def get_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], api_view)


@SERVICE.op("GetRestApis")
async def get_rest_apis(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    docs = await ctx.runtime.store.read(lambda tx: store.list_apis(tx, ctx.account, ctx.region))
    return page([api_view(doc) for doc in docs], req)


@SERVICE.op("UpdateRestApi")
async def update_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        doc["api"] = apply_patch(doc["api"], req.get("patchOperations") or [], allowed=_API_FIELDS)
        return api_view(doc)

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteRestApi")
async def delete_rest_api(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(tx: Tx) -> None:
        if store.get_api(tx, ctx.account, ctx.region, req["restApiId"]) is None:
            raise not_found("api")
        store.delete_api(tx, req["restApiId"])

    await ctx.runtime.store.write(delete)


# --- Resources -------------------------------------------------------------------------------------------


def resource_view(item: dict[str, Any], embed_methods: bool) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k != "resourceMethods"}
    methods = item.get("resourceMethods") or {}
    if methods:
        out["resourceMethods"] = methods if embed_methods else {m: {} for m in methods}
    return out


def _check_path_part(doc: dict[str, Any], parent_id: str, part: str, own_id: str | None = None) -> None:
    if not _PATH_PART.match(part):
        raise BadRequestException(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
        )
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
                f"A sibling ({sibling['pathPart']}) of this resource already has a variable path part -- only one is allowed"
            )


@SERVICE.op("CreateResource")
async def create_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def create(doc: dict[str, Any]) -> dict[str, Any]:
        _check_path_part(doc, req["parentId"], req["pathPart"])
        item = {"id": new_id(6), "parentId": req["parentId"], "pathPart": req["pathPart"]}
        doc["resources"][item["id"]] = item
        refresh_paths(doc["resources"])
        return resource_view(item, False)

    return await change_api(ctx, req["restApiId"], create)


def _embeds_methods(req: dict[str, Any]) -> bool:
    return "methods" in (req.get("embed") or [])


@SERVICE.op("GetResource")
async def get_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(
        ctx, req["restApiId"], lambda doc: resource_view(resource(doc, req["resourceId"]), _embeds_methods(req))
    )


@SERVICE.op("GetResources")
async def get_resources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def get(doc: dict[str, Any]) -> dict[str, Any]:
        items = sorted(doc["resources"].values(), key=lambda r: r["path"])
        return page([resource_view(r, _embeds_methods(req)) for r in items], req)

    return await read_api(ctx, req["restApiId"], get)


@SERVICE.op("UpdateResource")
async def update_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = resource(doc, req["resourceId"])
        changed = apply_patch(item, req.get("patchOperations") or [], allowed={"pathPart", "parentId"})
        if changed.get("parentId") != item.get("parentId") or changed.get("pathPart") != item.get("pathPart"):
            if not item.get("parentId"):
                raise BadRequestException("Cannot modify the root resource")
            if changed["parentId"] in descendants(doc["resources"], item["id"]):
                raise BadRequestException("A resource cannot be moved under itself")
            _check_path_part(doc, changed["parentId"], changed["pathPart"], own_id=item["id"])
        doc["resources"][item["id"]] = changed
        refresh_paths(doc["resources"])
        return resource_view(changed, False)

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteResource")
async def delete_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        item = resource(doc, req["resourceId"])
        if not item.get("parentId"):
            raise BadRequestException("Cannot delete the root resource")
        for resource_id in descendants(doc["resources"], item["id"]):
            del doc["resources"][resource_id]

    await change_api(ctx, req["restApiId"], delete)


# --- Models, RequestValidators, Authorizers -----------------------------------------------------------------


@SERVICE.op("CreateModel")
async def create_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def create(doc: dict[str, Any]) -> dict[str, Any]:
        if not re.match(r"^[a-zA-Z0-9]+$", req["name"]):
            raise BadRequestException("Model name must be alphanumeric")
        if req["name"] in doc["models"]:
            raise ConflictException("Model name already exists for this REST API")
        if req.get("schema"):
            try:
                json.loads(req["schema"])
            except ValueError:
                raise BadRequestException(
                    "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
                ) from None
        item = {"id": new_id(6), "name": req["name"], "contentType": req["contentType"]}
        for member in ("description", "schema"):
            if req.get(member) is not None:
                item[member] = req[member]
        doc["models"][item["name"]] = item
        return item

    return await change_api(ctx, req["restApiId"], create)


def _model(doc: dict[str, Any], name: str) -> dict[str, Any]:
    item = doc["models"].get(name)
    if item is None:
        raise NotFoundException(f"Invalid model name specified: {name}")
    return item


@SERVICE.op("GetModel")
async def get_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: _model(doc, req["modelName"]))


@SERVICE.op("GetModels")
async def get_models(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: page(list(doc["models"].values()), req))


@SERVICE.op("UpdateModel")
async def update_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = apply_patch(
            _model(doc, req["modelName"]), req.get("patchOperations") or [], allowed={"schema", "description"}
        )
        doc["models"][req["modelName"]] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteModel")
async def delete_model(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        _model(doc, req["modelName"])
        del doc["models"][req["modelName"]]

    await change_api(ctx, req["restApiId"], delete)


def crud(
    section: str,
    what: str,
    singular: str,
    plural: str,
    fields: set[str],
    defaults: dict[str, Any],
    id_member: str,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Create/Get/Gets/Update/Delete ops for an id-keyed section of the API document."""

    async def create(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def run(doc: dict[str, Any]) -> dict[str, Any]:
            item = {"id": new_id(6), **defaults, **{k: v for k, v in req.items() if k in fields and v is not None}}
            if check is not None:
                check(item)
            doc.setdefault(section, {})[item["id"]] = item
            return item

        return await change_api(ctx, req["restApiId"], run)

    async def get(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        return await read_api(ctx, req["restApiId"], lambda doc: require(doc, section, req[id_member], what))

    async def get_all(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        return await read_api(ctx, req["restApiId"], lambda doc: page(list(doc.get(section, {}).values()), req))

    async def update(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
        def run(doc: dict[str, Any]) -> dict[str, Any]:
            item = apply_patch(
                require(doc, section, req[id_member], what), req.get("patchOperations") or [], allowed=fields
            )
            if check is not None:
                check(item)
            doc[section][item["id"]] = item
            return item

        return await change_api(ctx, req["restApiId"], run)

    async def delete(ctx: RequestContext, req: dict[str, Any]) -> None:
        def run(doc: dict[str, Any]) -> None:
            require(doc, section, req[id_member], what)
            del doc[section][req[id_member]]

        await change_api(ctx, req["restApiId"], run)

    SERVICE.op(f"Create{singular}")(create)
    SERVICE.op(f"Get{singular}")(get)
    SERVICE.op(f"Get{plural}")(get_all)
    SERVICE.op(f"Update{singular}")(update)
    SERVICE.op(f"Delete{singular}")(delete)


def _check_authorizer(item: dict[str, Any]) -> None:
    if item.get("type") in ("TOKEN", "REQUEST") and not item.get("authorizerUri"):
        raise BadRequestException("Authorizer URI must be specified for TOKEN and REQUEST authorizers")
    if item.get("type") == "TOKEN" and not item.get("identitySource"):
        raise BadRequestException("Identity source must be specified for TOKEN authorizers")
    if item.get("type") == "COGNITO_USER_POOLS" and not item.get("providerARNs"):
        raise BadRequestException("Provider ARNs must be specified for COGNITO_USER_POOLS authorizers")


crud(
    "validators",
    "validator",
    "RequestValidator",
    "RequestValidators",
    {"name", "validateRequestBody", "validateRequestParameters"},
    {"validateRequestBody": False, "validateRequestParameters": False},
    "requestValidatorId",
)
crud(
    "authorizers",
    "authorizer",
    "Authorizer",
    "Authorizers",
    {
        "name",
        "type",
        "providerARNs",
        "authType",
        "authorizerUri",
        "authorizerCredentials",
        "identitySource",
        "identityValidationExpression",
        "authorizerResultTtlInSeconds",
    },
    {"authorizerResultTtlInSeconds": 300},
    "authorizerId",
    check=_check_authorizer,
)


# --- GatewayResponses -----------------------------------------------------------------------------------------


def _response_type(value: str) -> str:
    if value not in GATEWAY_RESPONSE_TYPES:
        raise BadRequestException(f"Invalid response type: {value}")
    return value


@SERVICE.op("PutGatewayResponse")
async def put_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def put(doc: dict[str, Any]) -> dict[str, Any]:
        kind = _response_type(req["responseType"])
        item = {
            "responseType": kind,
            "defaultResponse": False,
            "responseParameters": req.get("responseParameters") or {},
            "responseTemplates": req.get("responseTemplates") or {},
        }
        status = req.get("statusCode") or GATEWAY_RESPONSE_TYPES[kind]
        if status:
            item["statusCode"] = status
        doc["gatewayResponses"][kind] = item
        return item

    return await change_api(ctx, req["restApiId"], put)


@SERVICE.op("GetGatewayResponse")
async def get_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: gateway_response(doc, _response_type(req["responseType"])))


@SERVICE.op("GetGatewayResponses")
async def get_gateway_responses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(
        ctx, req["restApiId"], lambda doc: page([gateway_response(doc, t) for t in GATEWAY_RESPONSE_TYPES], req)
    )


@SERVICE.op("UpdateGatewayResponse")
async def update_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        kind = _response_type(req["responseType"])
        item = apply_patch(
            gateway_response(doc, kind),
            req.get("patchOperations") or [],
            allowed={"statusCode", "responseParameters", "responseTemplates"},
        )
        item["defaultResponse"] = False
        doc["gatewayResponses"][kind] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteGatewayResponse")
async def delete_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        if doc["gatewayResponses"].pop(_response_type(req["responseType"]), None) is None:
            raise not_found("gatewayresponse")

    await change_api(ctx, req["restApiId"], delete)


# --- tags ----------------------------------------------------------------------------------------------------------

_ARN = re.compile(
    r"^arn:aws[\w-]*:apigateway:([^:]*)::/(restapis/([^/]+)(/stages/([^/]+))?|apikeys/([^/]+)|usageplans/([^/]+))$"
)


def _tag_target(tx: Tx, ctx: RequestContext, arn: str) -> tuple[dict[str, Any], Any]:
    """(object holding "tags", save function) for a resource ARN."""
    match = _ARN.match(arn)
    if match is None:
        raise BadRequestException(f"Invalid ARN specified in the request: {arn}")
    if match.group(3) and match.group(5):
        stage = store.get_stage(tx, match.group(3), match.group(5))
        if stage is None or store.get_api(tx, ctx.account, ctx.region, match.group(3)) is None:
            raise not_found("stage")
        return stage, lambda: store.save_stage(tx, match.group(3), stage)
    if match.group(3):
        doc = store.get_api(tx, ctx.account, ctx.region, match.group(3))
        if doc is None:
            raise not_found("api")
        return doc["api"], lambda: store.save_api(tx, doc)
    kind, entity_id = ("apikey", match.group(6)) if match.group(6) else ("usageplan", match.group(7))
    item = store.get_entity(tx, ctx.account, ctx.region, kind, entity_id)
    if item is None:
        raise not_found(kind)
    return item, lambda: store.save_entity(
        tx, ctx.account, ctx.region, kind, item, lookup=item.get("value") if kind == "apikey" else None
    )


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    def tag(tx: Tx) -> None:
        item, save = _tag_target(tx, ctx, req["resourceArn"])
        item["tags"] = {**(item.get("tags") or {}), **req["tags"]}
        if len(item["tags"]) > 50:
            raise BadRequestException("Too many tags: a resource can have at most 50 tags")
        save()

    await ctx.runtime.store.write(tag)


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    def untag(tx: Tx) -> None:
        item, save = _tag_target(tx, ctx, req["resourceArn"])
        item["tags"] = {k: v for k, v in (item.get("tags") or {}).items() if k not in set(req["tagKeys"])}
        save()

    await ctx.runtime.store.write(untag)


@SERVICE.op("GetTags")
async def get_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await ctx.runtime.store.read(
        lambda tx: {"tags": _tag_target(tx, ctx, req["resourceArn"])[0].get("tags") or {}}
    )
