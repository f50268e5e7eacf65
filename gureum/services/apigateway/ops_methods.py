"""Methods, MethodResponses, Integrations and IntegrationResponses: a method (with its integration) lives under
its resource in the API document."""

from __future__ import annotations

import re
from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .apis import change_api, method, read_api, resource
from .errors import BadRequestException, not_found
from .model import apply_patch

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
AUTHORIZATION_TYPES = {"NONE", "CUSTOM", "AWS_IAM", "COGNITO_USER_POOLS"}
INTEGRATION_TYPES = {"HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"}
PASSTHROUGH = {"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
_STATUS = re.compile(r"^[1-5]\d\d$")
MAX_TIMEOUT_MS = 29000


def _http_method(value: str) -> str:
    value = value.upper()
    if value not in HTTP_METHODS:
        raise BadRequestException(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
        )
    return value


def _check_method(doc: dict[str, Any], item: dict[str, Any]) -> None:
    if item.get("authorizationType") not in AUTHORIZATION_TYPES:
        raise BadRequestException(f"Invalid authorization type specified: {item.get('authorizationType')}")
    if item["authorizationType"] in ("CUSTOM", "COGNITO_USER_POOLS"):
        if not item.get("authorizerId") or item["authorizerId"] not in doc.get("authorizers", {}):
            raise BadRequestException(
                "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
            )
    if item.get("requestValidatorId") and item["requestValidatorId"] not in doc.get("validators", {}):
        raise BadRequestException("Invalid Request Validator identifier specified")
    for name in (item.get("requestModels") or {}).values():
        if name not in doc["models"]:
            raise BadRequestException(f"Invalid model identifier specified: {name}")


# --- Methods --------------------------------------------------------------------------------------------------------


@SERVICE.op("PutMethod")
async def put_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def put(doc: dict[str, Any]) -> dict[str, Any]:
        http_method = _http_method(req["httpMethod"])
        item: dict[str, Any] = {
            "httpMethod": http_method,
            "authorizationType": req["authorizationType"],
            "apiKeyRequired": bool(req.get("apiKeyRequired")),
        }
        for member in (
            "authorizerId",
            "operationName",
            "requestParameters",
            "requestModels",
            "requestValidatorId",
            "authorizationScopes",
        ):
            if req.get(member) is not None:
                item[member] = req[member]
        _check_method(doc, item)
        resource(doc, req["resourceId"]).setdefault("resourceMethods", {})[http_method] = item
        return item

    return await change_api(ctx, req["restApiId"], put)


@SERVICE.op("GetMethod")
async def get_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: method(doc, req["resourceId"], req["httpMethod"]))


@SERVICE.op("UpdateMethod")
async def update_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        current = method(doc, req["resourceId"], req["httpMethod"])
        item = apply_patch(
            current,
            req.get("patchOperations") or [],
            allowed={
                "authorizationType",
                "authorizerId",
                "apiKeyRequired",
                "operationName",
                "requestParameters",
                "requestModels",
                "requestValidatorId",
                "authorizationScopes",
                "methodResponses",
            },
        )
        _check_method(doc, item)
        resource(doc, req["resourceId"])["resourceMethods"][current["httpMethod"]] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteMethod")
async def delete_method(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        current = method(doc, req["resourceId"], req["httpMethod"])
        del resource(doc, req["resourceId"])["resourceMethods"][current["httpMethod"]]

    await change_api(ctx, req["restApiId"], delete)


# --- MethodResponses ----------------------------------------------------------------------------------------------


def _status(value: str) -> str:
    if not _STATUS.match(value):
        raise BadRequestException("Invalid status code specified")
    return value


def _method_response(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    found = (method(doc, req["resourceId"], req["httpMethod"]).get("methodResponses") or {}).get(req["statusCode"])
    if found is None:
        raise not_found("response")
    return found


@SERVICE.op("PutMethodResponse")
async def put_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def put(doc: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"statusCode": _status(req["statusCode"])}
        for member in ("responseParameters", "responseModels"):
            if req.get(member) is not None:
                item[member] = req[member]
        method(doc, req["resourceId"], req["httpMethod"]).setdefault("methodResponses", {})[item["statusCode"]] = item
        return item

    return await change_api(ctx, req["restApiId"], put)


@SERVICE.op("GetMethodResponse")
async def get_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: _method_response(doc, req))


@SERVICE.op("UpdateMethodResponse")
async def update_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = apply_patch(
            _method_response(doc, req),
            req.get("patchOperations") or [],
            allowed={"responseParameters", "responseModels"},
        )
        method(doc, req["resourceId"], req["httpMethod"])["methodResponses"][req["statusCode"]] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteMethodResponse")
async def delete_method_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        _method_response(doc, req)
        del method(doc, req["resourceId"], req["httpMethod"])["methodResponses"][req["statusCode"]]

    await change_api(ctx, req["restApiId"], delete)


# --- Integrations -----------------------------------------------------------------------------------------------


def _integration(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    found = method(doc, req["resourceId"], req["httpMethod"]).get("methodIntegration")
    if found is None:
        raise not_found("integration")
    return found


def _check_integration(item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind not in INTEGRATION_TYPES:
        raise BadRequestException(f"Invalid integration type specified: {kind}")
    if kind != "MOCK":
        if not item.get("httpMethod"):
            raise BadRequestException("Enumeration value for HttpMethod must be non-empty")
        if not item.get("uri"):
            raise BadRequestException("Invalid HTTP endpoint specified for URI")
    if kind in ("AWS", "AWS_PROXY") and not str(item.get("uri", "")).startswith("arn:"):
        raise BadRequestException("AWS ARN for integration must contain path or action")
    if kind in ("HTTP", "HTTP_PROXY") and not re.match(r"^https?://", str(item.get("uri", ""))):
        raise BadRequestException("Invalid HTTP endpoint specified for URI")
    if kind == "AWS_PROXY" and ":lambda:path/" not in item["uri"]:
        raise BadRequestException(
            "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
        )
    if item.get("passthroughBehavior") not in PASSTHROUGH:
        raise BadRequestException(
            "Invalid passthrough behavior specified. Valid options are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER"
        )
    if not 50 <= int(item.get("timeoutInMillis", MAX_TIMEOUT_MS)) <= MAX_TIMEOUT_MS:
        raise BadRequestException("Timeout should be between 50 ms and 29000 ms")


@SERVICE.op("PutIntegration")
async def put_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def put(doc: dict[str, Any]) -> dict[str, Any]:
        target = method(doc, req["resourceId"], req["httpMethod"])
        item: dict[str, Any] = {
            "type": req["type"],
            "passthroughBehavior": req.get("passthroughBehavior") or "WHEN_NO_MATCH",
            "timeoutInMillis": req.get("timeoutInMillis") or MAX_TIMEOUT_MS,
            "cacheNamespace": req.get("cacheNamespace") or req["resourceId"],
            "cacheKeyParameters": req.get("cacheKeyParameters") or [],
        }
        if req.get("integrationHttpMethod"):
            item["httpMethod"] = req["integrationHttpMethod"].upper()
        if req["type"] != "MOCK":
            item["connectionType"] = req.get("connectionType") or "INTERNET"
        for member in (
            "uri",
            "connectionId",
            "credentials",
            "requestParameters",
            "requestTemplates",
            "contentHandling",
            "tlsConfig",
        ):
            if req.get(member) is not None:
                item[member] = req[member]
        _check_integration(item)
        target["methodIntegration"] = item
        return item

    return await change_api(ctx, req["restApiId"], put)


@SERVICE.op("GetIntegration")
async def get_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: _integration(doc, req))


@SERVICE.op("UpdateIntegration")
async def update_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = apply_patch(
            _integration(doc, req),
            req.get("patchOperations") or [],
            allowed={
                "type",
                "httpMethod",
                "uri",
                "connectionType",
                "connectionId",
                "credentials",
                "requestParameters",
                "requestTemplates",
                "passthroughBehavior",
                "cacheNamespace",
                "cacheKeyParameters",
                "contentHandling",
                "timeoutInMillis",
                "tlsConfig",
            },
        )
        _check_integration(item)
        method(doc, req["resourceId"], req["httpMethod"])["methodIntegration"] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteIntegration")
async def delete_integration(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        _integration(doc, req)
        del method(doc, req["resourceId"], req["httpMethod"])["methodIntegration"]

    await change_api(ctx, req["restApiId"], delete)


# --- IntegrationResponses -----------------------------------------------------------------------------------------


def _integration_response(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    found = (_integration(doc, req).get("integrationResponses") or {}).get(req["statusCode"])
    if found is None:
        raise not_found("response")
    return found


@SERVICE.op("PutIntegrationResponse")
async def put_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def put(doc: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"statusCode": _status(req["statusCode"])}
        if req.get("selectionPattern") is not None:
            try:
                re.compile(req["selectionPattern"])
            except re.error:
                raise BadRequestException(
                    f"Invalid selection pattern specified for integration response: {req['selectionPattern']}"
                ) from None
            item["selectionPattern"] = req["selectionPattern"]
        for member in ("responseParameters", "responseTemplates", "contentHandling"):
            if req.get(member) is not None:
                item[member] = req[member]
        _integration(doc, req).setdefault("integrationResponses", {})[item["statusCode"]] = item
        return item

    return await change_api(ctx, req["restApiId"], put)


@SERVICE.op("GetIntegrationResponse")
async def get_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await read_api(ctx, req["restApiId"], lambda doc: _integration_response(doc, req))


@SERVICE.op("UpdateIntegrationResponse")
async def update_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def update(doc: dict[str, Any]) -> dict[str, Any]:
        item = apply_patch(
            _integration_response(doc, req),
            req.get("patchOperations") or [],
            allowed={"selectionPattern", "responseParameters", "responseTemplates", "contentHandling"},
        )
        _integration(doc, req)["integrationResponses"][req["statusCode"]] = item
        return item

    return await change_api(ctx, req["restApiId"], update)


@SERVICE.op("DeleteIntegrationResponse")
async def delete_integration_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    def delete(doc: dict[str, Any]) -> None:
        _integration_response(doc, req)
        del _integration(doc, req)["integrationResponses"][req["statusCode"]]

    await change_api(ctx, req["restApiId"], delete)
