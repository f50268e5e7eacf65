"""The control plane through boto3: APIs, the resource tree, methods, patches, errors, tags, keys, plans."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509

from ...expect import expect_error
from .helpers import Api


@pytest.fixture
def client(aws: Callable[..., Any]) -> Any:
    return aws("apigateway")


def test_rest_api_lifecycle(client: Any, name: str) -> None:
    created = client.create_rest_api(
        name=name, description="d", endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "a"}
    )
    assert (
        created["apiKeySource"] == "HEADER"
        and created["endpointConfiguration"]["types"] == ["REGIONAL"]
        and created["rootResourceId"]
    )
    api_id = created["id"]
    assert client.get_rest_api(restApiId=api_id)["description"] == "d"
    assert api_id in [a["id"] for a in client.get_rest_apis(limit=500)["items"]]
    updated = client.update_rest_api(
        restApiId=api_id,
        patchOperations=[
            {"op": "replace", "path": "/name", "value": name + "2"},
            {"op": "add", "path": "/binaryMediaTypes/image~1png", "value": ""},
            {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"},
            {"op": "replace", "path": "/disableExecuteApiEndpoint", "value": "true"},
        ],
    )
    assert (
        updated["name"] == name + "2"
        and updated["binaryMediaTypes"] == ["image/png"]
        and updated["apiKeySource"] == "AUTHORIZER"
    )
    assert updated["disableExecuteApiEndpoint"] is True
    removed = client.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "remove", "path": "/binaryMediaTypes/image~1png"}]
    )
    assert removed.get("binaryMediaTypes", []) == []
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    client.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert client.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
    client.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert client.get_tags(resourceArn=arn)["tags"] == {"env": "dev"}
    assert {m["name"] for m in client.get_models(restApiId=api_id)["items"]} == {"Empty", "Error"}
    client.delete_rest_api(restApiId=api_id)
    expect_error(
        client.get_rest_api,
        "NotFoundException",
        f"Invalid API identifier specified 000000000000:{api_id}",
        404,
        restApiId=api_id,
    )


def test_rest_api_policy_is_shown_escaped(client: Any, name: str) -> None:
    """AWS shows a REST API's resource policy JSON-escaped inside its string (the Terraform provider's
    aws_api_gateway_rest_api_policy and aws_api_gateway_rest_api unescape it, and fail on plain JSON; test_edge's
    test_resource_policy shows it enforced); replacing it with "" removes it."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                       "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc/*"}],
    }  # fmt: skip
    text = json.dumps(policy, separators=(",", ":"))
    escaped = text.replace('"', '\\"').replace("/", "\\/")
    api_id = client.create_rest_api(name=name, policy=text)["id"]
    assert client.get_rest_api(restApiId=api_id)["policy"] == escaped
    assert json.loads(json.loads(f'"{escaped}"')) == policy  # what the provider does with it
    replaced = client.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": text}]
    )
    assert replaced["policy"] == escaped
    listed = [a for a in client.get_rest_apis(limit=500)["items"] if a["id"] == api_id]
    assert listed[0]["policy"] == escaped
    cleared = client.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": ""}]
    )
    assert "policy" not in cleared and "policy" not in client.get_rest_api(restApiId=api_id)
    client.delete_rest_api(restApiId=api_id)


def test_resource_tree_and_methods(client: Any, name: str) -> None:
    api = Api(client, name)
    pets = api.resource("/pets")
    pet = api.resource("/pets/{petId}")
    toys = api.resource("/pets/{petId}/toys")
    assert client.get_resource(restApiId=api.id, resourceId=toys)["path"] == "/pets/{petId}/toys"
    expect_error(
        client.create_resource,
        "ConflictException",
        "Another resource with the same parent already has this name: pets",
        409,
        restApiId=api.id,
        parentId=api.ids["/"],
        pathPart="pets",
    )
    expect_error(
        client.create_resource, "BadRequestException", status=400, restApiId=api.id, parentId=pets, pathPart="{other}"
    )
    greedy = api.resource("/files/{proxy+}")
    expect_error(
        client.create_resource, "BadRequestException", status=400, restApiId=api.id, parentId=greedy, pathPart="x"
    )

    method = client.put_method(
        restApiId=api.id,
        resourceId=pet,
        httpMethod="get",
        authorizationType="NONE",
        apiKeyRequired=True,
        requestParameters={"method.request.path.petId": True},
    )
    assert method["httpMethod"] == "GET" and method["apiKeyRequired"] is True
    integration = client.put_integration(
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        type="HTTP",
        integrationHttpMethod="GET",
        uri="http://example.com/pets/{id}",
        requestParameters={"integration.request.path.id": "method.request.path.petId"},
    )
    assert (
        integration["passthroughBehavior"] == "WHEN_NO_MATCH"
        and integration["timeoutInMillis"] == 29000
        and integration["httpMethod"] == "GET"
    )
    expect_error(
        client.put_integration,
        "BadRequestException",
        status=400,
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        type="HTTP",
        uri="http://x",
    )
    expect_error(
        client.put_integration,
        "BadRequestException",
        status=400,
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        type="MOCK",
        timeoutInMillis=30000,
    )
    client.put_method_response(
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        statusCode="200",
        responseModels={"application/json": "Empty"},
    )
    client.put_integration_response(
        restApiId=api.id, resourceId=pet, httpMethod="GET", statusCode="200", selectionPattern="2\\d{2}"
    )
    got = client.get_method(restApiId=api.id, resourceId=pet, httpMethod="GET")
    assert got["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    assert got["methodIntegration"]["integrationResponses"]["200"]["selectionPattern"] == "2\\d{2}"
    patched = client.update_method(
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        patchOperations=[
            {"op": "replace", "path": "/apiKeyRequired", "value": "false"},
            {"op": "add", "path": "/requestParameters/method.request.header.X-Id", "value": "false"},
        ],
    )
    assert patched["apiKeyRequired"] is False and patched["requestParameters"] == {
        "method.request.path.petId": True,
        "method.request.header.X-Id": False,
    }
    patched = client.update_integration(
        restApiId=api.id,
        resourceId=pet,
        httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "5000"}],
    )
    assert patched["timeoutInMillis"] == 5000

    listed = client.get_resources(restApiId=api.id, embed=["methods"])["items"]
    by_path = {r["path"]: r for r in listed}
    assert set(by_path) == {"/", "/pets", "/pets/{petId}", "/pets/{petId}/toys", "/files", "/files/{proxy+}"}
    assert by_path["/pets/{petId}"]["resourceMethods"]["GET"]["methodIntegration"]["type"] == "HTTP"
    plain = {r["path"]: r for r in client.get_resources(restApiId=api.id)["items"]}
    assert plain["/pets/{petId}"]["resourceMethods"] == {"GET": {}}

    moved = client.update_resource(
        restApiId=api.id, resourceId=pet, patchOperations=[{"op": "replace", "path": "/pathPart", "value": "{id}"}]
    )
    assert (
        moved["path"] == "/pets/{id}"
        and client.get_resource(restApiId=api.id, resourceId=toys)["path"] == "/pets/{id}/toys"
    )
    client.delete_resource(restApiId=api.id, resourceId=pets)  # and everything under it
    expect_error(
        client.get_resource,
        "NotFoundException",
        "Invalid Resource identifier specified",
        404,
        restApiId=api.id,
        resourceId=toys,
    )
    expect_error(
        client.get_method, "NotFoundException", status=404, restApiId=api.id, resourceId=greedy, httpMethod="GET"
    )
    expect_error(client.delete_resource, "BadRequestException", status=400, restApiId=api.id, resourceId=api.ids["/"])


def test_patched_required_flags_are_booleans_on_the_wire(client: Any, name: str) -> None:
    """A method's requestParameters and a method response's responseParameters map names to booleans: a patch's
    "true"/"false" is stored as one (it was answered as a JSON string, which the Go SDK, and so Terraform, refuses to
    read: "expected NullableBoolean to be of type *bool")."""
    bodies: list[dict[str, Any]] = []
    client.meta.events.register(
        "after-call.apigateway.GetMethod", lambda http_response, **_: bodies.append(json.loads(http_response.content))
    )
    api = Api(client, name)
    res = api.resource("/items")
    client.put_method(
        restApiId=api.id, resourceId=res, httpMethod="POST", authorizationType="NONE",
        requestParameters={"method.request.header.A": True},
    )  # fmt: skip
    client.put_method_response(
        restApiId=api.id, resourceId=res, httpMethod="POST", statusCode="200",
        responseParameters={"method.response.header.X-Foo": True},
    )  # fmt: skip
    client.update_method(
        restApiId=api.id, resourceId=res, httpMethod="POST",
        patchOperations=[
            {"op": "add", "path": "/requestParameters/method.request.header.B", "value": "false"},
            {"op": "replace", "path": "/requestParameters/method.request.header.A", "value": "false"},
        ],
    )  # fmt: skip
    client.update_method_response(
        restApiId=api.id, resourceId=res, httpMethod="POST", statusCode="200",
        patchOperations=[
            {"op": "add", "path": "/responseParameters/method.response.header.X-Bar", "value": "true"},
            {"op": "replace", "path": "/responseParameters/method.response.header.X-Foo", "value": "false"},
        ],
    )  # fmt: skip
    client.get_method(restApiId=api.id, resourceId=res, httpMethod="POST")
    assert bodies[0]["requestParameters"] == {"method.request.header.A": False, "method.request.header.B": False}
    assert bodies[0]["methodResponses"]["200"]["responseParameters"] == {
        "method.response.header.X-Foo": False,
        "method.response.header.X-Bar": True,
    }


def test_deployments_and_stages(client: Any, name: str) -> None:
    api = Api(client, name)
    expect_error(
        client.create_deployment,
        "BadRequestException",
        "The REST API doesn't contain any methods",
        400,
        restApiId=api.id,
        stageName="x",
    )
    api.method("/", "GET", {"type": "MOCK"})
    deployment = client.create_deployment(restApiId=api.id, stageName="dev", description="first", variables={"a": "1"})
    stage = client.get_stage(restApiId=api.id, stageName="dev")
    assert stage["deploymentId"] == deployment["id"] and stage["variables"] == {"a": "1"}
    expect_error(
        client.create_stage,
        "ConflictException",
        "Stage already exists",
        409,
        restApiId=api.id,
        stageName="dev",
        deploymentId=deployment["id"],
    )
    expect_error(
        client.delete_deployment, "BadRequestException", status=400, restApiId=api.id, deploymentId=deployment["id"]
    )
    updated = client.update_stage(
        restApiId=api.id,
        stageName="dev",
        patchOperations=[
            {"op": "replace", "path": "/variables/b", "value": "2"},
            {"op": "remove", "path": "/variables/a"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
        ],
    )
    assert updated["variables"] == {"b": "2"} and updated["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert [s["stageName"] for s in client.get_stages(restApiId=api.id)["item"]] == ["dev"]
    assert [d["id"] for d in client.get_deployments(restApiId=api.id)["items"]] == [deployment["id"]]
    client.delete_stage(restApiId=api.id, stageName="dev")
    client.delete_deployment(restApiId=api.id, deploymentId=deployment["id"])
    expect_error(
        client.get_stage,
        "NotFoundException",
        "Invalid Stage identifier specified",
        404,
        restApiId=api.id,
        stageName="dev",
    )


def test_method_settings_removed_as_a_whole(client: Any, name: str) -> None:
    """UpdateStage's "remove /{resource path}/{method}" drops that method's settings (Terraform deletes
    aws_api_gateway_method_settings so; it was refused as an invalid patch path)."""
    api = Api(client, name)
    api.method("/pets", "GET", {"type": "MOCK"})
    api.deploy("prod")
    client.update_stage(
        restApiId=api.id, stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
            {"op": "replace", "path": "/~1pets/GET/throttling/burstLimit", "value": "5"},
            {"op": "replace", "path": "/variables/GET", "value": "kept"},
        ],
    )  # fmt: skip
    assert set(client.get_stage(restApiId=api.id, stageName="prod")["methodSettings"]) == {"*/*", "pets/GET"}
    updated = client.update_stage(
        restApiId=api.id, stageName="prod", patchOperations=[{"op": "remove", "path": "/*/*"}]
    )
    assert set(updated["methodSettings"]) == {"pets/GET"} and updated["variables"] == {"GET": "kept"}
    client.update_stage(restApiId=api.id, stageName="prod", patchOperations=[{"op": "remove", "path": "/~1pets/GET"}])
    stage = client.get_stage(restApiId=api.id, stageName="prod")
    assert stage.get("methodSettings", {}) == {} and stage["variables"] == {"GET": "kept"}


def test_tags_on_domain_names_and_vpc_links(client: Any, name: str) -> None:
    """TagResource, UntagResource and GetTags take a custom domain name's and a VPC link's ARN, as AWS does
    (Terraform tags aws_api_gateway_domain_name so when its tags change; it was refused as an invalid ARN)."""
    domain = f"{name}.tags.example.com"
    client.create_domain_name(
        domainName=domain, regionalCertificateArn="arn:aws:acm:us-east-1:000000000000:certificate/x",
        endpointConfiguration={"types": ["REGIONAL"]}, tags={"a": "1"},
    )  # fmt: skip
    arn = f"arn:aws:apigateway:us-east-1::/domainnames/{domain}"
    client.tag_resource(resourceArn=arn, tags={"b": "2"})
    client.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert client.get_tags(resourceArn=arn)["tags"] == {"b": "2"}
    assert client.get_domain_name(domainName=domain)["tags"] == {"b": "2"}
    link = client.create_vpc_link(name=name, targetArns=["arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/x"])
    link_arn = f"arn:aws:apigateway:us-east-1::/vpclinks/{link['id']}"
    client.tag_resource(resourceArn=link_arn, tags={"team": "x"})
    assert client.get_tags(resourceArn=link_arn)["tags"] == {"team": "x"}
    client.delete_domain_name(domainName=domain)
    expect_error(client.get_tags, "NotFoundException", status=404, resourceArn=arn)
    client.delete_vpc_link(vpcLinkId=link["id"])


def test_client_certificates(client: Any, name: str) -> None:
    """GenerateClientCertificate makes a self-signed certificate valid for a year; it is read, listed, described
    anew, tagged and deleted (Terraform's aws_api_gateway_client_certificate)."""
    made = client.generate_client_certificate(description=name, tags={"a": "b"})
    cert_id = made["clientCertificateId"]
    pem = made["pemEncodedCertificate"]
    parsed = x509.load_pem_x509_certificate(pem.encode())
    assert (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days == 365
    assert (made["expirationDate"] - made["createdDate"]).days == 365 and made["tags"] == {"a": "b"}
    got = client.get_client_certificate(clientCertificateId=cert_id)
    assert got["pemEncodedCertificate"] == pem and got["description"] == name
    assert cert_id in [c["clientCertificateId"] for c in client.get_client_certificates(limit=500)["items"]]
    updated = client.update_client_certificate(
        clientCertificateId=cert_id, patchOperations=[{"op": "replace", "path": "/description", "value": "new"}]
    )
    assert updated["description"] == "new"
    expect_error(
        client.update_client_certificate, "BadRequestException", clientCertificateId=cert_id,
        patchOperations=[{"op": "replace", "path": "/pemEncodedCertificate", "value": "x"}],
    )  # fmt: skip
    arn = f"arn:aws:apigateway:us-east-1::/clientcertificates/{cert_id}"
    client.tag_resource(resourceArn=arn, tags={"c": "d"})
    assert client.get_tags(resourceArn=arn)["tags"] == {"a": "b", "c": "d"}
    client.delete_client_certificate(clientCertificateId=cert_id)
    expect_error(
        client.get_client_certificate, "NotFoundException", "Invalid Client Certificate identifier specified", 404,
        clientCertificateId=cert_id,
    )  # fmt: skip


def test_keys_plans_and_gateway_responses(client: Any, name: str) -> None:
    api = Api(client, name)
    api.method("/", "GET", {"type": "MOCK"})
    api.deploy("prod")
    key = client.create_api_key(name=name, enabled=True, tags={"k": "v"})
    assert len(key["value"]) >= 20 and "value" not in client.get_api_key(apiKey=key["id"])
    assert client.get_api_key(apiKey=key["id"], includeValue=True)["value"] == key["value"]
    expect_error(client.create_api_key, "BadRequestException", status=400, name=name, value="short")
    assert (
        client.update_api_key(
            apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
        )["enabled"]
        is False
    )
    plan = client.create_usage_plan(
        name=name, throttle={"rateLimit": 10, "burstLimit": 20}, quota={"limit": 100, "period": "WEEK"}
    )
    expect_error(
        client.create_usage_plan,
        "BadRequestException",
        status=400,
        name=name,
        apiStages=[{"apiId": api.id, "stage": "nope"}],
    )
    plan = client.update_usage_plan(
        usagePlanId=plan["id"],
        patchOperations=[
            {"op": "add", "path": "/apiStages", "value": f"{api.id}:prod"},
            {"op": "replace", "path": "/quota/limit", "value": "50"},
        ],
    )
    assert plan["apiStages"] == [{"apiId": api.id, "stage": "prod"}] and plan["quota"] == {
        "limit": 50,
        "offset": 0,
        "period": "WEEK",
    }
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert client.get_usage_plans(keyId=key["id"])["items"][0]["id"] == plan["id"]
    client.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    expect_error(client.get_usage_plan_key, "NotFoundException", status=404, usagePlanId=plan["id"], keyId=key["id"])
    client.delete_usage_plan(usagePlanId=plan["id"])
    client.delete_api_key(apiKey=key["id"])
    expect_error(client.get_api_key, "NotFoundException", "Invalid API Key identifier specified", 404, apiKey=key["id"])

    csv_body = (
        f"name,key,description,enabled,usageplanIds\n{name}-a,{name}-import-key-aaaaaaaaaa,first,true,\n"
        f"{name}-b,short,bad,true,\n"
    ).encode()
    imported = client.import_api_keys(body=csv_body, format="csv")
    assert len(imported["ids"]) == 1 and len(imported["warnings"]) == 1
    got = client.get_api_key(apiKey=imported["ids"][0], includeValue=True)
    assert got["name"] == f"{name}-a" and got["value"] == f"{name}-import-key-aaaaaaaaaa" and got["enabled"] is True
    # a file that is not UTF-8 text: 400, not 500 (the hostile suite's generated ImportApiKeys found it)
    expect_error(client.import_api_keys, "BadRequestException", status=400, body=b"\x80", format="csv")

    default = client.get_gateway_response(restApiId=api.id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert default["statusCode"] == "403" and default["defaultResponse"] is True
    assert len(client.get_gateway_responses(restApiId=api.id)["items"]) == 21
    custom = client.put_gateway_response(
        restApiId=api.id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseTemplates={"application/json": '{"error": $context.error.messageString}'},
    )
    assert custom["defaultResponse"] is False


def test_test_invoke_account_and_model_template(client: Any, name: str) -> None:
    api = Api(client, name)
    resource = api.method(
        "/echo/{word}", "POST", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    )
    api.respond(
        "/echo/{word}",
        "POST",
        responseTemplates={
            "application/json": '{"word": "$input.params(\'word\')", "q": "$input.params(\'q\')", '
            '"sv": "$stageVariables.s"}'
        },
    )
    out = client.test_invoke_method(
        restApiId=api.id,
        resourceId=resource,
        httpMethod="POST",
        pathWithQueryString="/echo/hi?q=2",
        body="{}",
        headers={"Content-Type": "application/json"},
        stageVariables={"s": "x"},
    )
    assert (
        out["status"] == 200
        and out["body"] == '{"word": "hi", "q": "2", "sv": "x"}'
        and out["headers"]["Content-Type"] == "application/json"
    )
    account = client.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:aws:iam::000000000000:role/cw"}]
    )
    assert (
        account["cloudwatchRoleArn"] == "arn:aws:iam::000000000000:role/cw"
        and client.get_account()["throttleSettings"]["burstLimit"] == 5000
    )
    client.create_model(
        restApiId=api.id,
        name="Pet",
        contentType="application/json",
        schema='{"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}',
    )
    template = client.get_model_template(restApiId=api.id, modelName="Pet")["value"]
    assert '"name" : "$o0.name"' in template and '"age" : $o0.age' in template
    api.deploy()
    client.flush_stage_authorizers_cache(restApiId=api.id, stageName="test")
    expect_error(
        client.flush_stage_authorizers_cache, "NotFoundException", status=404, restApiId=api.id, stageName="nope"
    )


def test_documentation_parts_and_versions(client: Any, name: str) -> None:
    api = Api(client, name)
    part = client.create_documentation_part(
        restApiId=api.id, location={"type": "API"}, properties='{"description": "Pets API"}'
    )
    assert (
        client.get_documentation_part(restApiId=api.id, documentationPartId=part["id"])["properties"]
        == '{"description": "Pets API"}'
    )
    expect_error(
        client.create_documentation_part,
        "BadRequestException",
        status=400,
        restApiId=api.id,
        location={"type": "API"},
        properties="not json",
    )
    imported = client.import_documentation_parts(
        restApiId=api.id,
        mode="merge",
        body=json.dumps(
            {
                "x-amazon-apigateway-documentation": {
                    "documentationParts": [
                        {"location": {"type": "RESOURCE", "path": "/pets"}, "properties": {"description": "pets"}}
                    ]
                }
            }
        ).encode(),
    )
    assert len(imported["ids"]) == 1 and len(client.get_documentation_parts(restApiId=api.id)["items"]) == 2
    version = client.create_documentation_version(restApiId=api.id, documentationVersion="1.0", description="first")
    assert (
        version["version"] == "1.0"
        and client.get_documentation_versions(restApiId=api.id)["items"][0]["description"] == "first"
    )
    client.update_documentation_part(
        restApiId=api.id,
        documentationPartId=part["id"],
        patchOperations=[{"op": "replace", "path": "/properties", "value": '{"description": "v2"}'}],
    )
    client.delete_documentation_version(restApiId=api.id, documentationVersion="1.0")
    expect_error(
        client.get_documentation_version, "NotFoundException", status=404, restApiId=api.id, documentationVersion="1.0"
    )
