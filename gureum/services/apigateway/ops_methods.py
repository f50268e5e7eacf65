"""Operations on Methods, MethodResponses, Integrations and IntegrationResponses: each calls one method of the
backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- Methods ----------------------------------------------------------------------------------------------------------


@SERVICE.op("PutMethod")
async def put_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_method(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["authorizationType"],
        api_key_required=req.get("apiKeyRequired"),
        authorizer_id=req.get("authorizerId"),
        operation_name=req.get("operationName"),
        request_parameters=req.get("requestParameters"),
        request_models=req.get("requestModels"),
        request_validator_id=req.get("requestValidatorId"),
        authorization_scopes=req.get("authorizationScopes"),
    )


@SERVICE.op("GetMethod")
async def get_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_method(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"]
    )


@SERVICE.op("UpdateMethod")
async def update_method(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_method(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req.get("patchOperations") or [],
    )


@SERVICE.op("DeleteMethod")
async def delete_method(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_method(ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"])


# --- MethodResponses --------------------------------------------------------------------------------------------------


@SERVICE.op("PutMethodResponse")
async def put_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_method_response(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["statusCode"],
        req.get("responseParameters"),
        req.get("responseModels"),
    )


@SERVICE.op("GetMethodResponse")
async def get_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_method_response(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"], req["statusCode"]
    )


@SERVICE.op("UpdateMethodResponse")
async def update_method_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_method_response(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["statusCode"],
        req.get("patchOperations") or [],
    )


@SERVICE.op("DeleteMethodResponse")
async def delete_method_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_method_response(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"], req["statusCode"]
    )


# --- Integrations -----------------------------------------------------------------------------------------------------


@SERVICE.op("PutIntegration")
async def put_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_integration(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["type"],
        integration_http_method=req.get("integrationHttpMethod"),
        uri=req.get("uri"),
        connection_type=req.get("connectionType"),
        connection_id=req.get("connectionId"),
        credentials=req.get("credentials"),
        request_parameters=req.get("requestParameters"),
        request_templates=req.get("requestTemplates"),
        passthrough_behavior=req.get("passthroughBehavior"),
        cache_namespace=req.get("cacheNamespace"),
        cache_key_parameters=req.get("cacheKeyParameters"),
        content_handling=req.get("contentHandling"),
        timeout_in_millis=req.get("timeoutInMillis"),
        tls_config=req.get("tlsConfig"),
    )


@SERVICE.op("GetIntegration")
async def get_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_integration(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"]
    )


@SERVICE.op("UpdateIntegration")
async def update_integration(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_integration(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req.get("patchOperations") or [],
    )


@SERVICE.op("DeleteIntegration")
async def delete_integration(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_integration(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"]
    )


# --- IntegrationResponses ---------------------------------------------------------------------------------------------


@SERVICE.op("PutIntegrationResponse")
async def put_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_integration_response(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["statusCode"],
        selection_pattern=req.get("selectionPattern"),
        response_parameters=req.get("responseParameters"),
        response_templates=req.get("responseTemplates"),
        content_handling=req.get("contentHandling"),
    )


@SERVICE.op("GetIntegrationResponse")
async def get_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_integration_response(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"], req["statusCode"]
    )


@SERVICE.op("UpdateIntegrationResponse")
async def update_integration_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_integration_response(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["resourceId"],
        req["httpMethod"],
        req["statusCode"],
        req.get("patchOperations") or [],
    )


@SERVICE.op("DeleteIntegrationResponse")
async def delete_integration_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_integration_response(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req["httpMethod"], req["statusCode"]
    )
