"""ImportApi, ReimportApi and ExportApi with OpenAPI 3 definitions; an imported API serves requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import yaml

from ...expect import expect_error
from .helpers import function, stage_url


def _definition(arn: str, title: str) -> dict[str, Any]:
    integration = {"type": "aws_proxy", "uri": arn, "httpMethod": "POST", "payloadFormatVersion": "2.0"}
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": "1.2"},
        "paths": {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "x-amazon-apigateway-integration": integration,
                    "security": [{"jwt": ["read"]}],
                }
            },
            "/pets": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": integration}},
        },
        "components": {
            "securitySchemes": {
                "jwt": {
                    "type": "oauth2",
                    "flows": {},
                    "x-amazon-apigateway-authorizer": {
                        "type": "jwt",
                        "identitySource": "$request.header.Authorization",
                        "jwtConfiguration": {"issuer": "https://issuer.example", "audience": ["app"]},
                    },
                }
            }
        },
        "x-amazon-apigateway-cors": {"allowOrigins": ["*"], "allowMethods": ["GET"]},
    }


def test_import_serve_export_reimport(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    arn = function(aws, name, "def handler(event, context):\n    return {'route': event['routeKey']}\n")
    gw = aws("apigatewayv2")
    api = gw.import_api(Body=json.dumps(_definition(arn, name)))
    api_id = api["ApiId"]
    assert (
        api["Name"] == name
        and api["Version"] == "1.2"
        and api["ProtocolType"] == "HTTP"
        and api["CorsConfiguration"]["AllowOrigins"] == ["*"]
    )
    routes = {r["RouteKey"]: r for r in gw.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == {"GET /pets/{id}", "ANY /pets"}
    assert routes["GET /pets/{id}"]["AuthorizationType"] == "JWT" and routes["GET /pets/{id}"][
        "AuthorizationScopes"
    ] == ["read"]
    assert routes["GET /pets/{id}"]["OperationName"] == "getPet"
    assert gw.get_authorizers(ApiId=api_id)["Items"][0]["JwtConfiguration"] == {
        "Issuer": "https://issuer.example",
        "Audience": ["app"],
    }
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    assert httpx.post(f"{stage_url(endpoint, api_id, '$default')}/pets").json() == {"route": "ANY /pets"}

    exported = json.loads(gw.export_api(ApiId=api_id, Specification="OAS30", OutputType="JSON")["body"].read())
    assert exported["openapi"] == "3.0.1" and exported["info"]["title"] == name
    assert exported["paths"]["/pets/{id}"]["get"]["x-amazon-apigateway-integration"]["uri"] == arn
    assert exported["paths"]["/pets/{id}"]["get"]["security"] == [{"jwt": ["read"]}]
    assert exported["components"]["securitySchemes"]["jwt"]["x-amazon-apigateway-authorizer"]["type"] == "jwt"
    as_yaml = yaml.safe_load(
        gw.export_api(ApiId=api_id, Specification="OAS30", OutputType="YAML", StageName="$default")["body"].read()
    )
    assert set(as_yaml["paths"]) == {"/pets/{id}", "/pets"}

    changed = _definition(arn, name + "-v2")
    changed["paths"] = {
        "/cats": {
            "get": {
                "x-amazon-apigateway-integration": changed["paths"]["/pets"]["x-amazon-apigateway-any-method"][
                    "x-amazon-apigateway-integration"
                ]
            }
        }
    }
    assert gw.reimport_api(ApiId=api_id, Body=yaml.safe_dump(changed))["Name"] == name + "-v2"
    assert [r["RouteKey"] for r in gw.get_routes(ApiId=api_id)["Items"]] == ["GET /cats"]
    assert httpx.get(f"{stage_url(endpoint, api_id, '$default')}/cats").json() == {"route": "GET /cats"}
    expect_error(gw.import_api, "BadRequestException", Body='{"swagger": "2.0"}')
