"""Operations on RestApis, Resources, Models, RequestValidators, Authorizers, GatewayResponses and tags: each calls
one method of the backend (backend.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend

# --- RestApis ---------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateRestApi")
async def create_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_rest_api(
        ctx.account,
        ctx.region,
        req["name"],
        req.get("cloneFrom"),
        description=req.get("description"),
        version=req.get("version"),
        binary_media_types=req.get("binaryMediaTypes"),
        minimum_compression_size=req.get("minimumCompressionSize"),
        api_key_source=req.get("apiKeySource"),
        endpoint_configuration=req.get("endpointConfiguration"),
        policy=req.get("policy"),
        disable_execute_api_endpoint=req.get("disableExecuteApiEndpoint"),
        tags=req.get("tags"),
    )


@SERVICE.op("GetRestApi")
async def get_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_rest_api(ctx.account, ctx.region, req["restApiId"])


@SERVICE.op("GetRestApis")
async def get_rest_apis(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_rest_apis(ctx.account, ctx.region, req.get("limit"), req.get("position"))


@SERVICE.op("UpdateRestApi")
async def update_rest_api(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_rest_api(
        ctx.account, ctx.region, req["restApiId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteRestApi")
async def delete_rest_api(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_rest_api(ctx.account, ctx.region, req["restApiId"])


# --- Resources --------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateResource")
async def create_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_resource(
        ctx.account, ctx.region, req["restApiId"], req["parentId"], req["pathPart"]
    )


@SERVICE.op("GetResource")
async def get_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_resource(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req.get("embed")
    )


@SERVICE.op("GetResources")
async def get_resources(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_resources(
        ctx.account, ctx.region, req["restApiId"], req.get("embed"), req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateResource")
async def update_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_resource(
        ctx.account, ctx.region, req["restApiId"], req["resourceId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteResource")
async def delete_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_resource(ctx.account, ctx.region, req["restApiId"], req["resourceId"])


# --- Models -----------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateModel")
async def create_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_model(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["name"],
        req["contentType"],
        req.get("description"),
        req.get("schema"),
    )


@SERVICE.op("GetModel")
async def get_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_model(ctx.account, ctx.region, req["restApiId"], req["modelName"])


@SERVICE.op("GetModels")
async def get_models(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_models(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateModel")
async def update_model(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_model(
        ctx.account, ctx.region, req["restApiId"], req["modelName"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteModel")
async def delete_model(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_model(ctx.account, ctx.region, req["restApiId"], req["modelName"])


@SERVICE.op("GetModelTemplate")
async def get_model_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_model_template(ctx.account, ctx.region, req["restApiId"], req["modelName"])


# --- RequestValidators ------------------------------------------------------------------------------------------------


@SERVICE.op("CreateRequestValidator")
async def create_request_validator(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_request_validator(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req.get("name"),
        req.get("validateRequestBody"),
        req.get("validateRequestParameters"),
    )


@SERVICE.op("GetRequestValidator")
async def get_request_validator(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_request_validator(
        ctx.account, ctx.region, req["restApiId"], req["requestValidatorId"]
    )


@SERVICE.op("GetRequestValidators")
async def get_request_validators(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_request_validators(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateRequestValidator")
async def update_request_validator(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_request_validator(
        ctx.account, ctx.region, req["restApiId"], req["requestValidatorId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteRequestValidator")
async def delete_request_validator(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_request_validator(ctx.account, ctx.region, req["restApiId"], req["requestValidatorId"])


# --- Authorizers ------------------------------------------------------------------------------------------------------


@SERVICE.op("CreateAuthorizer")
async def create_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).create_authorizer(
        ctx.account,
        ctx.region,
        req["restApiId"],
        name=req["name"],
        authorizer_type=req["type"],
        provider_arns=req.get("providerARNs"),
        auth_type=req.get("authType"),
        authorizer_uri=req.get("authorizerUri"),
        authorizer_credentials=req.get("authorizerCredentials"),
        identity_source=req.get("identitySource"),
        identity_validation_expression=req.get("identityValidationExpression"),
        authorizer_result_ttl_in_seconds=req.get("authorizerResultTtlInSeconds"),
    )


@SERVICE.op("GetAuthorizer")
async def get_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_authorizer(ctx.account, ctx.region, req["restApiId"], req["authorizerId"])


@SERVICE.op("GetAuthorizers")
async def get_authorizers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_authorizers(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateAuthorizer")
async def update_authorizer(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_authorizer(
        ctx.account, ctx.region, req["restApiId"], req["authorizerId"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteAuthorizer")
async def delete_authorizer(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_authorizer(ctx.account, ctx.region, req["restApiId"], req["authorizerId"])


# --- GatewayResponses -------------------------------------------------------------------------------------------------


@SERVICE.op("PutGatewayResponse")
async def put_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_gateway_response(
        ctx.account,
        ctx.region,
        req["restApiId"],
        req["responseType"],
        req.get("statusCode"),
        req.get("responseParameters"),
        req.get("responseTemplates"),
    )


@SERVICE.op("GetGatewayResponse")
async def get_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_gateway_response(ctx.account, ctx.region, req["restApiId"], req["responseType"])


@SERVICE.op("GetGatewayResponses")
async def get_gateway_responses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_gateway_responses(
        ctx.account, ctx.region, req["restApiId"], req.get("limit"), req.get("position")
    )


@SERVICE.op("UpdateGatewayResponse")
async def update_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).update_gateway_response(
        ctx.account, ctx.region, req["restApiId"], req["responseType"], req.get("patchOperations") or []
    )


@SERVICE.op("DeleteGatewayResponse")
async def delete_gateway_response(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_gateway_response(ctx.account, ctx.region, req["restApiId"], req["responseType"])


# --- tags -------------------------------------------------------------------------------------------------------------


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).tag_resource(ctx.account, ctx.region, req["resourceArn"], req["tags"])


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).untag_resource(ctx.account, ctx.region, req["resourceArn"], req["tagKeys"])


@SERVICE.op("GetTags")
async def get_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"tags": await backend(ctx).get_tags(ctx.account, ctx.region, req["resourceArn"])}
