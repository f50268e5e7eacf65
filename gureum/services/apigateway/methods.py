"""Methods, method responses, integrations and integration responses in the API document: a method (with its
integration) lives under its resource. What AWS accepts for each, and the defaults it fills in.
Pure: no HTTP, no SQL."""

from __future__ import annotations

import re
from typing import Any

from . import patches
from .apis import given, method, resource
from .errors import BadRequestException, NotFoundException, not_found
from .model import apply_patch

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
AUTHORIZATION_TYPES = {"NONE", "CUSTOM", "AWS_IAM", "COGNITO_USER_POOLS"}
INTEGRATION_TYPES = {"HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"}
PASSTHROUGH = {"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"}
MAX_TIMEOUT_MS = 29000
_STATUS = re.compile(r"^[1-5]\d\d$")
_BAD_AUTHORIZER = (
    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a "
    "valid authorizer."
)
_AWS_PROXY_ONLY = (
    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
)


def _http_method(value: str) -> str:
    value = value.upper()
    if value not in HTTP_METHODS:
        raise BadRequestException(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
        )
    return value


def _status(value: str) -> str:
    if not _STATUS.match(value):
        raise BadRequestException("Invalid status code specified")
    return value


# --- Methods ----------------------------------------------------------------------------------------------------------


def _check_method(doc: dict[str, Any], item: dict[str, Any]) -> None:
    if item.get("authorizationType") not in AUTHORIZATION_TYPES:
        raise BadRequestException(f"Invalid authorization type specified: {item.get('authorizationType')}")
    if item["authorizationType"] in ("CUSTOM", "COGNITO_USER_POOLS"):
        if not item.get("authorizerId") or item["authorizerId"] not in doc.get("authorizers", {}):
            raise BadRequestException(_BAD_AUTHORIZER)
    if item.get("requestValidatorId") and item["requestValidatorId"] not in doc.get("validators", {}):
        raise BadRequestException("Invalid Request Validator identifier specified")
    for name in (item.get("requestModels") or {}).values():
        if name not in doc["models"]:
            raise BadRequestException(f"Invalid model identifier specified: {name}")


def put_method(
    doc: dict[str, Any],
    resource_id: str,
    http_method: str,
    authorization_type: str,
    *,
    api_key_required: bool | None = None,
    authorizer_id: str | None = None,
    operation_name: str | None = None,
    request_parameters: dict[str, bool] | None = None,
    request_models: dict[str, str] | None = None,
    request_validator_id: str | None = None,
    authorization_scopes: list[str] | None = None,
) -> dict[str, Any]:
    target = resource(doc, resource_id)  # AWS looks the resource up before it checks the method
    http_method = _http_method(http_method)
    item: dict[str, Any] = {
        "httpMethod": http_method,
        "authorizationType": authorization_type,
        "apiKeyRequired": bool(api_key_required),
        **given(
            authorizerId=authorizer_id,
            operationName=operation_name,
            requestParameters=request_parameters,
            requestModels=request_models,
            requestValidatorId=request_validator_id,
            authorizationScopes=authorization_scopes,
        ),
    }
    _check_method(doc, item)
    target.setdefault("resourceMethods", {})[http_method] = item
    return item


def update_method(
    doc: dict[str, Any], resource_id: str, http_method: str, operations: list[dict[str, Any]]
) -> dict[str, Any]:
    current = method(doc, resource_id, http_method)
    item = apply_patch(current, operations, patches.METHOD)
    if item.get("authorizationType", "NONE") not in ("CUSTOM", "COGNITO_USER_POOLS"):
        item.pop("authorizerId", None)  # AWS ignores an authorizer for a method that uses none
    _check_method(doc, item)
    resource(doc, resource_id)["resourceMethods"][current["httpMethod"]] = item
    return item


def delete_method(doc: dict[str, Any], resource_id: str, http_method: str) -> None:
    current = method(doc, resource_id, http_method)
    del resource(doc, resource_id)["resourceMethods"][current["httpMethod"]]


# --- MethodResponses --------------------------------------------------------------------------------------------------


def method_response(doc: dict[str, Any], resource_id: str, http_method: str, status_code: str) -> dict[str, Any]:
    found: dict[str, Any] | None = (method(doc, resource_id, http_method).get("methodResponses") or {}).get(status_code)
    if found is None:
        raise not_found("response")
    return found


def put_method_response(
    doc: dict[str, Any],
    resource_id: str,
    http_method: str,
    status_code: str,
    response_parameters: dict[str, bool] | None,
    response_models: dict[str, str] | None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "statusCode": _status(status_code),
        **given(responseParameters=response_parameters, responseModels=response_models),
    }
    method(doc, resource_id, http_method).setdefault("methodResponses", {})[item["statusCode"]] = item
    return item


def update_method_response(
    doc: dict[str, Any], resource_id: str, http_method: str, status_code: str, operations: list[dict[str, Any]]
) -> dict[str, Any]:
    current = method_response(doc, resource_id, http_method, status_code)
    patches.METHOD_RESPONSE.check(operations)
    for operation in operations:  # replacing or removing what the response does not have (recorded)
        member, _, key = str(operation.get("path"))[1:].partition("/")
        if operation.get("op") in ("replace", "remove") and key.replace("~1", "/") not in (current.get(member) or {}):
            if member == "responseModels":
                raise NotFoundException("Content-Type specified was not found")
            raise NotFoundException("Invalid parameter name specified")
    item = apply_patch(current, operations, patches.METHOD_RESPONSE)
    method(doc, resource_id, http_method)["methodResponses"][status_code] = item
    return item


def delete_method_response(doc: dict[str, Any], resource_id: str, http_method: str, status_code: str) -> None:
    method_response(doc, resource_id, http_method, status_code)
    del method(doc, resource_id, http_method)["methodResponses"][status_code]


# --- Integrations -----------------------------------------------------------------------------------------------------


def integration(doc: dict[str, Any], resource_id: str, http_method: str) -> dict[str, Any]:
    found: dict[str, Any] | None = method(doc, resource_id, http_method).get("methodIntegration")
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
        raise BadRequestException(_AWS_PROXY_ONLY)
    if item.get("passthroughBehavior") not in PASSTHROUGH:
        raise BadRequestException(
            "Invalid passthrough behavior specified. Valid options are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER"
        )
    if not 50 <= int(item.get("timeoutInMillis", MAX_TIMEOUT_MS)) <= MAX_TIMEOUT_MS:
        raise BadRequestException("Timeout should be between 50 ms and 29000 ms")


def put_integration(
    doc: dict[str, Any],
    resource_id: str,
    http_method: str,
    integration_type: str,
    *,
    integration_http_method: str | None = None,
    uri: str | None = None,
    connection_type: str | None = None,
    connection_id: str | None = None,
    credentials: str | None = None,
    request_parameters: dict[str, str] | None = None,
    request_templates: dict[str, str] | None = None,
    passthrough_behavior: str | None = None,
    cache_namespace: str | None = None,
    cache_key_parameters: list[str] | None = None,
    content_handling: str | None = None,
    timeout_in_millis: int | None = None,
    tls_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    target = method(doc, resource_id, http_method)
    item: dict[str, Any] = {
        "type": integration_type,
        "passthroughBehavior": passthrough_behavior or "WHEN_NO_MATCH",
        "timeoutInMillis": timeout_in_millis or MAX_TIMEOUT_MS,
        "cacheNamespace": cache_namespace or resource_id,
        "cacheKeyParameters": cache_key_parameters or [],
    }
    if integration_http_method:
        item["httpMethod"] = integration_http_method.upper()
    if integration_type != "MOCK":
        item["connectionType"] = connection_type or "INTERNET"
    item.update(
        given(
            uri=uri,
            connectionId=connection_id,
            credentials=credentials,
            requestParameters=request_parameters,
            requestTemplates=request_templates,
            contentHandling=content_handling,
            tlsConfig=tls_config,
        )
    )
    _check_integration(item)
    target["methodIntegration"] = item
    return item


def update_integration(
    doc: dict[str, Any], resource_id: str, http_method: str, operations: list[dict[str, Any]]
) -> dict[str, Any]:
    item = apply_patch(integration(doc, resource_id, http_method), operations, patches.INTEGRATION)
    _check_integration(item)
    method(doc, resource_id, http_method)["methodIntegration"] = item
    return item


def delete_integration(doc: dict[str, Any], resource_id: str, http_method: str) -> None:
    integration(doc, resource_id, http_method)
    del method(doc, resource_id, http_method)["methodIntegration"]


# --- IntegrationResponses ---------------------------------------------------------------------------------------------


def integration_response(doc: dict[str, Any], resource_id: str, http_method: str, status_code: str) -> dict[str, Any]:
    found: dict[str, Any] | None = (integration(doc, resource_id, http_method).get("integrationResponses") or {}).get(
        status_code
    )
    if found is None:
        raise not_found("response")
    return found


def put_integration_response(
    doc: dict[str, Any],
    resource_id: str,
    http_method: str,
    status_code: str,
    *,
    selection_pattern: str | None = None,
    response_parameters: dict[str, str] | None = None,
    response_templates: dict[str, str] | None = None,
    content_handling: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"statusCode": _status(status_code)}
    if selection_pattern is not None:
        try:
            re.compile(selection_pattern)
        except re.error:
            raise BadRequestException(
                f"Invalid selection pattern specified for integration response: {selection_pattern}"
            ) from None
        item["selectionPattern"] = selection_pattern
    item.update(
        given(
            responseParameters=response_parameters,
            responseTemplates=response_templates,
            contentHandling=content_handling,
        )
    )
    integration(doc, resource_id, http_method).setdefault("integrationResponses", {})[item["statusCode"]] = item
    return item


def update_integration_response(
    doc: dict[str, Any], resource_id: str, http_method: str, status_code: str, operations: list[dict[str, Any]]
) -> dict[str, Any]:
    item = apply_patch(
        integration_response(doc, resource_id, http_method, status_code),
        operations,
        patches.INTEGRATION_RESPONSE,
    )
    integration(doc, resource_id, http_method)["integrationResponses"][status_code] = item
    return item


def delete_integration_response(doc: dict[str, Any], resource_id: str, http_method: str, status_code: str) -> None:
    integration_response(doc, resource_id, http_method, status_code)
    del integration(doc, resource_id, http_method)["integrationResponses"][status_code]
