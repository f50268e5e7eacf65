"""ImportRestApi / PutRestApi / GetExport with OpenAPI 3 and Swagger 2 (x-amazon-apigateway-* extensions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from .helpers import function, lambda_uri, stage_url

HELLO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"hello": event["pathParameters"]["name"],
                                                   "key": event["requestContext"]["identity"]["apiKeyId"]})}
"""


def _spec(function_arn: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "pets", "version": "1.0", "description": "imported"},
        "x-amazon-apigateway-request-validators": {
            "body": {"validateRequestBody": True, "validateRequestParameters": False}
        },
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "paths": {
            "/pets": {
                "get": {
                    "responses": {"200": {"description": "ok", "headers": {"X-Kind": {"schema": {"type": "string"}}}}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {
                            "default": {
                                "statusCode": "200",
                                "responseTemplates": {"application/json": '{"pets": []}'},
                                "responseParameters": {"method.response.header.X-Kind": "'mock'"},
                            }
                        },
                    },
                },
                "post": {
                    "x-amazon-apigateway-request-validator": "body",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "responses": {"201": {"description": "created"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 201}'},
                        "responses": {"default": {"statusCode": "201"}},
                    },
                },
            },
            "/hello/{name}": {
                "get": {
                    "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "security": [{"api_key": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": lambda_uri(function_arn),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "owner": {"$ref": "#/components/schemas/Owner"}},
                },
                "Owner": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            },
            "securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
        },
    }


def test_import_call_export_and_reimport(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    arn = function(aws, name, HELLO)
    api = client.import_rest_api(body=json.dumps(_spec(arn)).encode())
    assert api["name"] == "pets" and api["version"] == "1.0" and api["binaryMediaTypes"] == ["image/png"]
    paths = {r["path"]: r for r in client.get_resources(restApiId=api["id"], embed=["methods"])["items"]}
    assert set(paths) == {"/", "/pets", "/hello", "/hello/{name}"}
    hello = paths["/hello/{name}"]["resourceMethods"]["GET"]
    assert hello["apiKeyRequired"] is True and hello["requestParameters"] == {"method.request.path.name": True}
    assert hello["methodIntegration"]["type"] == "AWS_PROXY"
    client.create_deployment(restApiId=api["id"], stageName="v1")
    key = client.create_api_key(name=name, enabled=True)
    plan = client.create_usage_plan(name=name, apiStages=[{"apiId": api["id"], "stage": "v1"}])
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")

    r = httpx.get(stage_url(endpoint, api["id"], "v1", "/pets"))
    assert r.status_code == 200 and r.json() == {"pets": []} and r.headers["x-kind"] == "mock"
    url = stage_url(endpoint, api["id"], "v1", "/pets")
    assert httpx.post(url, json={"name": "rex", "owner": {"id": 3}}).status_code == 201
    assert httpx.post(url, json={"name": "rex", "owner": {"id": "three"}}).status_code == 400  # $ref to another model
    assert httpx.get(stage_url(endpoint, api["id"], "v1", "/hello/ann")).status_code == 403
    r = httpx.get(stage_url(endpoint, api["id"], "v1", "/hello/ann"), headers={"x-api-key": key["value"]})
    assert r.json() == {"hello": "ann", "key": key["id"]}

    exported = json.loads(
        client.get_export(
            restApiId=api["id"], stageName="v1", exportType="oas30", parameters={"extensions": "integrations"}
        )["body"].read()
    )
    assert exported["openapi"].startswith("3") and exported["info"]["title"] == "pets"
    assert exported["paths"]["/hello/{name}"]["get"]["security"] == [{"api_key": []}]
    assert exported["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"
    }
    assert exported["components"]["schemas"]["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert (
        exported["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["responses"]["default"]["statusCode"]
        == "200"
    )
    swagger = json.loads(client.get_export(restApiId=api["id"], stageName="v1", exportType="swagger")["body"].read())
    assert (
        swagger["swagger"] == "2.0"
        and swagger["basePath"] == "/v1"
        and "x-amazon-apigateway-integration" not in swagger["paths"]["/pets"]["get"]
    )

    # the export imports again: a second API that behaves the same
    again = client.import_rest_api(body=json.dumps(exported).encode())
    client.create_deployment(restApiId=again["id"], stageName="v1")
    assert httpx.get(stage_url(endpoint, again["id"], "v1", "/pets")).json() == {"pets": []}


def test_put_rest_api_merge_and_overwrite(aws: Callable[..., Any], name: str) -> None:
    client = aws("apigateway")
    api = client.create_rest_api(name=name)
    swagger = {
        "swagger": "2.0",
        "info": {"title": name, "version": "2"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {"type": "mock"},
                }
            }
        },
    }
    client.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(swagger).encode())
    swagger["paths"] = {"/b": {"post": {"responses": {}, "x-amazon-apigateway-integration": {"type": "mock"}}}}
    client.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(swagger).encode())
    assert {r["path"] for r in client.get_resources(restApiId=api["id"])["items"]} == {"/", "/a", "/b"}
    out = client.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(swagger).encode())
    assert out["id"] == api["id"] and out["rootResourceId"] == api["rootResourceId"] and out["version"] == "2"
    assert {r["path"] for r in client.get_resources(restApiId=api["id"])["items"]} == {"/", "/b"}
