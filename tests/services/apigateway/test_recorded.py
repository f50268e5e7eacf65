"""The REST control plane answering as AWS recorded it: NotFound messages and the order of checks, PATCH validation
per resource, endpoint configuration (ipAddressType), tags, default gateway responses, VPC links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ...expect import ACCOUNT, expect_error
from ..apigatewayv2.helpers import EchoServer
from .helpers import Api, stage_url

DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}


@pytest.fixture
def client(aws: Callable[..., Any]) -> Any:
    return aws("apigateway")


def test_unknown_api_answers(client: Any, name: str) -> None:
    """Most operations name the API ("<account>:<id>"); those on a sub-resource name the sub-resource."""
    missing = "nosuchapi1"
    api_message = f"Invalid API identifier specified {ACCOUNT}:{missing}"
    expect_error(client.get_rest_api, "NotFoundException", api_message, 404, restApiId=missing)
    expect_error(client.get_models, "NotFoundException", api_message, 404, restApiId=missing)
    expect_error(client.get_gateway_responses, "NotFoundException", api_message, 404, restApiId=missing)
    expect_error(
        client.update_rest_api,
        "NotFoundException",
        api_message,
        404,
        restApiId=missing,
        patchOperations=[{"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"}],
    )
    resource_message = "Invalid Resource identifier specified"
    for call, kw in (
        (client.put_method, {"resourceId": "abc", "httpMethod": "GET", "authorizationType": "NONE"}),
        (client.get_integration, {"resourceId": "abc", "httpMethod": "GET"}),
        (client.update_method, {"resourceId": "abc", "httpMethod": "ANY", "patchOperations": []}),
    ):
        expect_error(call, "NotFoundException", resource_message, 404, restApiId=missing, **kw)
    expect_error(
        client.get_request_validator,
        "NotFoundException",
        "Invalid Request Validator identifier specified",
        404,
        restApiId=missing,
        requestValidatorId="abc",
    )
    expect_error(
        client.create_request_validator,
        "BadRequestException",
        "Invalid REST API identifier specified",
        400,
        restApiId=missing,
        name="v",
    )
    expect_error(
        client.create_authorizer,
        "ConflictException",
        "Unable to complete operation due to concurrent modification. Please try again later.",
        409,
        restApiId=missing,
        name="a",
        type="TOKEN",
        authorizerUri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/x/invocations",
        identitySource="method.request.header.Authorization",
    )
    expect_error(
        client.get_model, "NotFoundException", "Invalid model name specified: M", 404, restApiId=missing, modelName="M"
    )


def test_check_order_and_resource_rules(client: Any, name: str) -> None:
    api = Api(client, name)
    root = api.ids["/"]
    # the resource is looked up before the HTTP method is checked
    expect_error(
        client.put_method,
        "NotFoundException",
        "Invalid Resource identifier specified",
        restApiId=api.id,
        resourceId="nosuch",
        httpMethod="FOO",
        authorizationType="NONE",
    )
    expect_error(
        client.put_method,
        "BadRequestException",
        "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
        restApiId=api.id,
        resourceId=root,
        httpMethod="FOO",
        authorizationType="NONE",
    )
    expect_error(
        client.put_method,
        "BadRequestException",
        "Invalid Request Validator identifier specified",
        restApiId=api.id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="NONE",
        requestValidatorId="nosuch",
    )
    for member in ("pathPart", "parentId"):
        expect_error(
            client.update_resource,
            "BadRequestException",
            f"Root resource cannot update its {member}.",
            restApiId=api.id,
            resourceId=root,
            patchOperations=[{"op": "replace", "path": f"/{member}", "value": "x"}],
        )
    greedy = api.resource("/{proxy+}")
    expect_error(
        client.create_resource,
        "BadRequestException",
        "Cannot create a child of a resource with a greedy path variable: {proxy+}",
        restApiId=api.id,
        parentId=greedy,
        pathPart="child",
    )
    pets = api.resource("/pets")
    sub = api.resource("/pets/sub")
    expect_error(
        client.update_resource,
        "BadRequestException",
        "Resources cannot be cyclical.",
        restApiId=api.id,
        resourceId=pets,
        patchOperations=[{"op": "replace", "path": "/parentId", "value": sub}],
    )
    expect_error(
        client.update_resource,
        "NotFoundException",
        "Invalid Resource identifier specified",
        restApiId=api.id,
        resourceId=pets,
        patchOperations=[{"op": "replace", "path": "/parentId", "value": "nosuch"}],
    )


def _patch_error(call: Callable[..., Any], message: str, op: str, path: str, value: str = "x", **kw: Any) -> None:
    expect_error(
        call, "BadRequestException", message, 400, patchOperations=[{"op": op, "path": path, "value": value}], **kw
    )


def test_patch_validation(client: Any, name: str) -> None:
    api = Api(client, name)
    root = api.ids["/"]
    ids = {"restApiId": api.id}
    listed = "Invalid patch path  '{path}' specified for op '{op}'. "
    _patch_error(
        client.update_resource,
        listed.format(path="/pathPart", op="add") + "Please choose supported operations",
        "add",
        "/pathPart",
        resourceId=api.resource("/a"),
        **ids,
    )
    _patch_error(
        client.update_resource,
        listed.format(path="/invalid", op="replace") + "Must be one of: [/parentId, /pathPart]",
        "replace",
        "/invalid",
        resourceId=api.resource("/a"),
        **ids,
    )
    client.put_method(restApiId=api.id, resourceId=root, httpMethod="ANY", authorizationType="NONE")
    method = {"resourceId": root, "httpMethod": "ANY", **ids}
    only_replace = "Invalid patch operation specified. Must be one of: [replace]"
    _patch_error(client.update_method, only_replace, "add", "/operationName", **method)
    _patch_error(client.update_method, "Invalid patch path /httpMethod", "add", "/httpMethod", "PUT", **method)
    _patch_error(
        client.update_method, "Invalid patch path /requestParameters", "replace", "/requestParameters", **method
    )
    _patch_error(
        client.update_method,
        "Invalid patch path /requestModels/application/json",
        "add",
        "/requestModels/application/json",
        "Empty",
        **method,
    )
    added = client.update_method(
        patchOperations=[
            {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "true"},
            {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"},
            {"op": "replace", "path": "/authorizerId", "value": "ignored"},  # AWS ignores it for NONE
        ],
        **method,
    )
    assert added["requestModels"] == {"application/json": "Empty"} and "authorizerId" not in added
    validator = client.create_request_validator(name="v", **ids)["id"]
    for op in ("add", "remove"):
        _patch_error(
            client.update_request_validator,
            listed.format(path="/validateRequestBody", op=op) + "Please choose supported operations",
            op,
            "/validateRequestBody",
            "true",
            requestValidatorId=validator,
            **ids,
        )
    _patch_error(
        client.update_request_validator,
        listed.format(path="/invalidPath", op="replace")
        + "Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
        "replace",
        "/invalidPath",
        requestValidatorId=validator,
        **ids,
    )
    _patch_error(
        client.update_request_validator,
        "Request Validator name cannot be blank",
        "replace",
        "/name",
        "",
        requestValidatorId=validator,
        **ids,
    )
    _patch_error(
        client.update_model,
        listed.format(path="/name", op="replace") + "Must be one of: [/description, /schema]",
        "replace",
        "/name",
        modelName="Empty",
        **ids,
    )
    for op in ("add", "remove"):
        _patch_error(
            client.update_gateway_response,
            "Invalid patch path /statusCode",
            op,
            "/statusCode",
            "444",
            responseType="DEFAULT_4XX",
            **ids,
        )
    _patch_error(
        client.update_gateway_response,
        "Invalid patch path /wrongPath",
        "replace",
        "/wrongPath",
        **{"responseType": "DEFAULT_4XX", **ids},
    )
    _patch_error(client.update_rest_api, "Invalid patch path /binaryMediaTypes", "add", "/binaryMediaTypes", **ids)
    _patch_error(client.update_rest_api, only_replace, "add", "/minimumCompressionSize", "10", **ids)
    _patch_error(
        client.update_rest_api,
        "Invalid minimum compression size, must be between 0 and 10485760",
        "replace",
        "/minimumCompressionSize",
        "-1",
        **ids,
    )
    _patch_error(client.update_rest_api, "Invalid patch path /foo", "replace", "/foo", **ids)


def test_endpoint_configuration_and_tags(client: Any, name: str) -> None:
    edge = client.create_rest_api(name=name)
    assert edge["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"} and "tags" not in edge
    private = client.create_rest_api(name=name, endpointConfiguration={"types": ["PRIVATE"]})
    assert private["endpointConfiguration"]["ipAddressType"] == "dualstack"
    expect_error(
        client.create_rest_api,
        "BadRequestException",
        "Only dualstack ipAddressType is supported for Private APIs.",
        name=name,
        endpointConfiguration={"types": ["PRIVATE"], "ipAddressType": "ipv4"},
    )
    expect_error(
        client.create_rest_api,
        "BadRequestException",
        "Cannot create an api with multiple Endpoint Types.",
        name=name,
        endpointConfiguration={"types": ["EDGE", "REGIONAL"]},
    )
    expect_error(
        client.create_rest_api,
        "BadRequestException",
        "Description cannot be an empty string",
        name=name,
        description="",
    )
    tagged = client.create_rest_api(name=name, tags={"k": "v"})
    assert tagged["tags"] == {"k": "v"} and client.get_rest_api(restApiId=tagged["id"])["tags"] == {"k": "v"}
    # UpdateRestApi always shows tags; types/0 changes the type, a private API gets a dualstack address type
    updated = client.update_rest_api(
        restApiId=edge["id"],
        patchOperations=[{"op": "replace", "path": "/endpointConfiguration/types/0", "value": "PRIVATE"}],
    )
    assert updated["tags"] == {} and updated["endpointConfiguration"] == {
        "types": ["PRIVATE"],
        "ipAddressType": "dualstack",
    }
    expect_error(
        client.update_rest_api,
        "BadRequestException",
        "Only dualstack ipAddressType is supported for Private APIs.",
        restApiId=edge["id"],
        patchOperations=[{"op": "replace", "path": "/endpointConfiguration/ipAddressType", "value": "ipv4"}],
    )
    # a private API cannot become edge-optimized ("Change a public or private API endpoint type")
    expect_error(
        client.update_rest_api,
        "BadRequestException",
        restApiId=edge["id"],
        patchOperations=[{"op": "replace", "path": "/endpointConfiguration/types/0", "value": "EDGE"}],
    )
    expect_error(
        client.update_rest_api,
        "BadRequestException",
        "Invalid patch operation specified. Must be 'add'|'remove'|'replace'",
        restApiId=edge["id"],
        patchOperations=[{"op": "add", "path": "/endpointConfiguration/types/0", "value": "EDGE"}],
    )
    regional = client.update_rest_api(
        restApiId=edge["id"],
        patchOperations=[{"op": "replace", "path": "/endpointConfiguration/types/0", "value": "REGIONAL"}],
    )
    assert regional["endpointConfiguration"] == {"types": ["REGIONAL"], "ipAddressType": "ipv4"}
    swapped = client.update_rest_api(
        restApiId=edge["id"],
        patchOperations=[
            {"op": "add", "path": "/binaryMediaTypes/image~1png"},
            {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"},
            {"op": "replace", "path": "/binaryMediaTypes/image~1png", "value": "image/gif"},
        ],
    )
    assert swapped["binaryMediaTypes"] == ["image/jpeg", "image/gif"]  # AWS removes and appends


def test_default_gateway_responses(client: Any, name: str) -> None:
    api = Api(client, name)
    default = client.get_gateway_response(restApiId=api.id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert default["responseParameters"] == {} and default["responseTemplates"] == DEFAULT_TEMPLATE
    status_only = client.put_gateway_response(restApiId=api.id, responseType="THROTTLED", statusCode="430")
    assert status_only["responseTemplates"] == DEFAULT_TEMPLATE and status_only["responseParameters"] == {}
    params = {"gatewayresponse.header.x-a": "'b'"}
    client.put_gateway_response(
        restApiId=api.id, responseType="DEFAULT_5XX", statusCode="599", responseParameters=params
    )
    inherited = client.get_gateway_response(restApiId=api.id, responseType="INTEGRATION_TIMEOUT")
    assert inherited["defaultResponse"] is True and inherited["statusCode"] == "599"
    assert inherited["responseParameters"] == params and inherited["responseTemplates"] == DEFAULT_TEMPLATE
    assert client.get_gateway_response(restApiId=api.id, responseType="UNAUTHORIZED")["statusCode"] == "401"
    updated = client.update_gateway_response(
        restApiId=api.id,
        responseType="DEFAULT_4XX",
        patchOperations=[{"op": "replace", "path": "/statusCode", "value": "444"}],
    )
    assert updated["defaultResponse"] is False and updated["responseTemplates"] == DEFAULT_TEMPLATE
    expect_error(
        client.delete_gateway_response,
        "NotFoundException",
        "Gateway response type not defined on api",
        restApiId=api.id,
        responseType="ACCESS_DENIED",
    )


def test_vpc_links(client: Any, endpoint: str, name: str) -> None:
    nlb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/my-nlb/1234567890abcdef"
    created = client.create_vpc_link(name=name, targetArns=[nlb])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["status"] == "PENDING" and created["targetArns"] == [nlb] and "tags" not in created
    link = client.get_vpc_link(vpcLinkId=created["id"])
    assert link["status"] == "AVAILABLE" and link["statusMessage"] == "Your vpc link is ready for use"
    assert link["tags"] == {}
    assert created["id"] in [i["id"] for i in client.get_vpc_links(limit=500)["items"]]
    renamed = client.update_vpc_link(
        vpcLinkId=created["id"], patchOperations=[{"op": "replace", "path": "/name", "value": name + "-2"}]
    )
    assert renamed["name"] == name + "-2"
    expect_error(
        client.create_vpc_link,
        "BadRequestException",
        "Invalid ARN. ARN is not well formed invalid-arn",
        name=name,
        targetArns=["invalid-arn"],
    )
    expect_error(client.create_vpc_link, "BadRequestException", "Name cannot be empty", name="", targetArns=[nlb])
    # an integration through the link reaches its URI directly (there is no VPC)
    backend = EchoServer()
    try:
        api = Api(client, name)
        api.method(
            "/private",
            "GET",
            {
                "type": "HTTP_PROXY",
                "integrationHttpMethod": "GET",
                "uri": f"{backend.url}/behind-the-link",
                "connectionType": "VPC_LINK",
                "connectionId": created["id"],
            },
        )
        api.deploy("v1")
        answer = httpx.get(stage_url(endpoint, api.id, "v1", "/private"))
        assert answer.status_code == 200 and answer.json()["path"] == "/behind-the-link"
    finally:
        backend.stop()
    client.delete_vpc_link(vpcLinkId=created["id"])
    expect_error(
        client.get_vpc_link, "NotFoundException", "Invalid Vpc Link identifier specified", 404, vpcLinkId=created["id"]
    )


def test_method_response_patches(client: Any, name: str) -> None:
    api = Api(client, name)
    root = api.ids["/"]
    client.put_method(restApiId=api.id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    target = {"restApiId": api.id, "resourceId": root, "httpMethod": "GET", "statusCode": "200"}
    client.put_method_response(**target)
    added = client.update_method_response(
        patchOperations=[
            {"op": "add", "path": "/responseParameters/method.response.header.my-header", "value": "true"},
            {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"},
        ],
        **target,
    )
    assert added["responseModels"] == {"application/json": "Empty"}
    for path, message in (
        ("/responseParameters/method.response.header.other", "Invalid parameter name specified"),
        ("/responseModels/text~1plain", "Content-Type specified was not found"),
    ):
        expect_error(
            client.update_method_response,
            "NotFoundException",
            message,
            404,
            patchOperations=[{"op": "replace", "path": path, "value": "false"}],
            **target,
        )
    expect_error(
        client.update_method_response,
        "BadRequestException",
        "Invalid patch path /wrong/method.response.header.my-header",
        patchOperations=[{"op": "add", "path": "/wrong/method.response.header.my-header", "value": "true"}],
        **target,
    )
