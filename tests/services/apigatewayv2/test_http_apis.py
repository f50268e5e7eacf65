"""HTTP APIs end to end: boto3 builds them, httpx calls them (Lambda proxy 2.0 and 1.0, route matching, stages, CORS,
HTTP_PROXY, errors)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ...expect import ACCOUNT, expect_error
from .helpers import EchoServer, function, stage_url


@pytest.fixture(scope="module")
def echo_arn(aws: Callable[..., Any]) -> str:
    import uuid

    return function(aws, f"apigw-echo-{uuid.uuid4().hex[:8]}")


def _api(
    aws: Callable[..., Any], name: str, arn: str, routes: list[str], version: str = "2.0", **api: Any
) -> tuple[Any, str]:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP", **api)["ApiId"]
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion=version
    )["IntegrationId"]
    for key in routes:
        gw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}")
    return gw, api_id


def test_payload_2_0_event_and_stage(aws: Callable[..., Any], endpoint: str, name: str, echo_arn: str) -> None:
    gw, api_id = _api(aws, name, echo_arn, ["GET /pets/{id}"])
    gw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True, StageVariables={"color": "blue"})
    answer = httpx.get(
        f"{stage_url(endpoint, api_id, 'prod')}/pets/42?a=1&a=2&b=x",
        headers={"Cookie": "c1=v1; c2=v2", "User-Agent": "ua/1"},
    )
    assert answer.status_code == 200 and answer.headers["x-echo"] == "1" and answer.headers["apigw-requestid"]
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "GET /pets/{id}"
    assert event["rawPath"] == "/prod/pets/42" and event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"} and event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] == {"color": "blue"}
    assert event["headers"]["user-agent"] == "ua/1" and "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-for"] == "127.0.0.1" and event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    ctx = event["requestContext"]
    assert (
        ctx["apiId"] == api_id
        and ctx["accountId"] == ACCOUNT
        and ctx["stage"] == "prod"
        and ctx["routeKey"] == "GET /pets/{id}"
    )
    assert ctx["http"] == {
        "method": "GET",
        "path": "/prod/pets/42",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "ua/1",
    }
    assert ctx["requestId"] == answer.headers["apigw-requestid"] and isinstance(ctx["timeEpoch"], int)
    assert "body" not in event and event["isBase64Encoded"] is False
    # a binary body travels base64, a JSON one as text
    binary = httpx.post(f"{stage_url(endpoint, api_id, 'prod')}/pets/1", content=b"\x00\xff")
    assert binary.status_code == 404  # no POST route
    gw.create_route(ApiId=api_id, RouteKey="POST /pets/{id}", Target=gw.get_routes(ApiId=api_id)["Items"][0]["Target"])
    event = httpx.post(
        f"{stage_url(endpoint, api_id, 'prod')}/pets/1",
        content=b"\x00\xff",
        headers={"content-type": "application/octet-stream"},
    ).json()
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\xff"
    event = httpx.post(f"{stage_url(endpoint, api_id, 'prod')}/pets/1", json={"x": 1}).json()
    assert event["isBase64Encoded"] is False and json.loads(event["body"]) == {"x": 1}


def test_payload_1_0_event(aws: Callable[..., Any], endpoint: str, name: str, echo_arn: str) -> None:
    gw, api_id = _api(aws, name, echo_arn, ["ANY /items/{proxy+}"], version="1.0")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = httpx.put(
        f"{stage_url(endpoint, api_id, '$default')}/items/a/b?q=1&q=2",
        content=b"hello",
        headers={"content-type": "text/plain", "x-multi": "1"},
    )
    event = answer.json()
    assert (
        event["version"] == "1.0"
        and event["resource"] == "/items/{proxy+}"
        and event["path"] == "/items/a/b"
        and event["httpMethod"] == "PUT"
    )
    assert event["pathParameters"] == {"proxy": "a/b"} and event["queryStringParameters"] == {"q": "2"}
    assert event["multiValueQueryStringParameters"] == {"q": ["1", "2"]} and event["headers"]["x-multi"] == "1"
    assert (
        event["multiValueHeaders"]["x-multi"] == ["1"]
        and event["body"] == "hello"
        and event["isBase64Encoded"] is False
    )
    assert event["stageVariables"] is None and event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert (
        event["requestContext"]["resourcePath"] == "/items/{proxy+}" and event["requestContext"]["stage"] == "$default"
    )


def test_route_matching(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    arn = function(
        aws,
        name,
        "def handler(event, context):\n"
        "    return {'route': event['routeKey'], 'params': event.get('pathParameters')}\n",
    )
    gw, api_id = _api(
        aws,
        name,
        arn,
        [
            "GET /pets",
            "GET /pets/{id}",
            "GET /pets/dog",
            "ANY /pets/{id}",
            "GET /{proxy+}",
            "GET /pets/{id}/{proxy+}",
            "$default",
        ],
    )
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = stage_url(endpoint, api_id, "$default")

    def route(method: str, path: str) -> Any:
        answer = httpx.request(method, base + path)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        return answer.json()

    assert route("GET", "/pets") == {"route": "GET /pets", "params": None}
    assert route("GET", "/pets/dog") == {"route": "GET /pets/dog", "params": None}
    assert route("GET", "/pets/7") == {"route": "GET /pets/{id}", "params": {"id": "7"}}
    assert route("DELETE", "/pets/7") == {"route": "ANY /pets/{id}", "params": {"id": "7"}}
    assert route("GET", "/pets/7/toys/1") == {
        "route": "GET /pets/{id}/{proxy+}",
        "params": {"id": "7", "proxy": "toys/1"},
    }
    assert route("GET", "/a/b/c") == {"route": "GET /{proxy+}", "params": {"proxy": "a/b/c"}}
    assert route("POST", "/nothing") == {"route": "$default", "params": None}


def test_not_found_errors_and_response_mapping(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    code = """
import base64
def handler(event, context):
    path = event['rawPath']
    if path.endswith('/plain'):
        return 'just text'
    if path.endswith('/object'):
        return {'a': 1}
    if path.endswith('/full'):
        body = base64.b64encode(b'\\x01\\x02').decode()
        return {'statusCode': 201, 'headers': {'x-a': 'b'}, 'cookies': ['k=v'], 'body': body, 'isBase64Encoded': True}
    raise RuntimeError('boom')
"""
    arn = function(aws, name, code)
    gw, api_id = _api(aws, name, arn, ["GET /{proxy+}"])
    gw.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)
    base = stage_url(endpoint, api_id, "live")
    assert httpx.get(f"{base}/plain").text == "just text"
    obj = httpx.get(f"{base}/object")
    assert obj.status_code == 200 and obj.json() == {"a": 1} and obj.headers["content-type"] == "application/json"
    full = httpx.get(f"{base}/full")
    assert (
        full.status_code == 201
        and full.content == b"\x01\x02"
        and full.headers["x-a"] == "b"
        and full.headers["set-cookie"] == "k=v"
    )
    failed = httpx.get(f"{base}/fails")
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}
    missing = httpx.get(f"{stage_url(endpoint, api_id, 'nostage')}/x")
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    assert httpx.post(f"{base}/plain").json() == {"message": "Not Found"}
    too_big = httpx.request("GET", f"{base}/plain", content=b"x" * (10 * 1024 * 1024 + 1))
    assert too_big.status_code == 413 and too_big.json() == {"message": "Request Entity Too Large"}


def test_deployments_and_stages(aws: Callable[..., Any], endpoint: str, name: str, echo_arn: str) -> None:
    gw, api_id = _api(aws, name, echo_arn, ["GET /a"])
    gw.create_stage(ApiId=api_id, StageName="manual")
    base = stage_url(endpoint, api_id, "manual")
    assert httpx.get(f"{base}/a").status_code == 404  # nothing deployed yet
    deployment = gw.create_deployment(ApiId=api_id, StageName="manual", Description="first")
    assert (
        deployment["DeploymentStatus"] == "DEPLOYED"
        and gw.get_stage(ApiId=api_id, StageName="manual")["DeploymentId"] == deployment["DeploymentId"]
    )
    assert httpx.get(f"{base}/a").status_code == 200
    gw.create_route(ApiId=api_id, RouteKey="GET /b", Target=gw.get_routes(ApiId=api_id)["Items"][0]["Target"])
    assert httpx.get(f"{base}/b").status_code == 404  # not deployed: a manual stage serves its deployment
    gw.create_deployment(ApiId=api_id, StageName="manual")
    assert httpx.get(f"{base}/b").status_code == 200
    assert len(gw.get_deployments(ApiId=api_id)["Items"]) == 2
    expect_error(
        gw.delete_deployment,
        "BadRequestException",
        ApiId=api_id,
        DeploymentId=gw.get_stage(ApiId=api_id, StageName="manual")["DeploymentId"],
    )


def test_quick_create_and_cors(aws: Callable[..., Any], endpoint: str, name: str, echo_arn: str) -> None:
    gw = aws("apigatewayv2")
    cors = {
        "AllowOrigins": ["https://app.example"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["x-custom"],
        "ExposeHeaders": ["x-echo"],
        "MaxAge": 300,
    }
    api = gw.create_api(Name=name, ProtocolType="HTTP", Target=echo_arn, CorsConfiguration=cors)
    api_id = api["ApiId"]
    assert api["ApiEndpoint"].startswith(f"http://{api_id}.execute-api.localhost:")
    assert [r["RouteKey"] for r in gw.get_routes(ApiId=api_id)["Items"]] == ["$default"]
    assert gw.get_stage(ApiId=api_id, StageName="$default")["AutoDeploy"] is True
    # the host form of the URL reaches the $default stage without a stage segment
    host = f"{api_id}.execute-api.localhost"
    answer = httpx.get(f"{endpoint}/any/path", headers={"Host": host, "Origin": "https://app.example"})
    assert (
        answer.status_code == 200
        and answer.json()["rawPath"] == "/any/path"
        and answer.json()["requestContext"]["domainName"] == host
    )
    assert (
        answer.headers["access-control-allow-origin"] == "https://app.example"
        and answer.headers["access-control-expose-headers"] == "x-echo"
    )
    preflight = httpx.options(
        f"{endpoint}/any",
        headers={"Host": host, "Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert (
        preflight.headers["access-control-allow-headers"] == "x-custom"
        and preflight.headers["access-control-max-age"] == "300"
    )
    other = httpx.get(f"{endpoint}/x", headers={"Host": host, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    gw.delete_cors_configuration(ApiId=api_id)
    assert (
        "access-control-allow-origin"
        not in httpx.get(f"{endpoint}/x", headers={"Host": host, "Origin": "https://app.example"}).headers
    )


def test_http_proxy(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    # the integration calls gureum's own health endpoint: a real HTTP round trip through httpx
    integration = gw.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationUri=f"{endpoint}/_gureum/{{proxy}}",
        IntegrationMethod="GET",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    gw.create_route(ApiId=api_id, RouteKey="GET /up/{proxy+}", Target=f"integrations/{integration}")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    answer = httpx.get(f"{stage_url(endpoint, api_id, '$default')}/up/health")
    assert answer.status_code == 200 and answer.json()["status"] == "running" and answer.headers["apigw-requestid"]


def test_control_plane_errors_and_tags(aws: Callable[..., Any], name: str, echo_arn: str) -> None:
    gw, api_id = _api(aws, name, echo_arn, ["GET /x"], Tags={"team": "a"})
    expect_error(gw.create_route, "ConflictException", ApiId=api_id, RouteKey="GET /x")
    expect_error(gw.create_route, "BadRequestException", ApiId=api_id, RouteKey="FETCH /x")
    expect_error(gw.create_route, "BadRequestException", ApiId=api_id, RouteKey="GET /{p+}/x")
    expect_error(gw.create_integration, "BadRequestException", ApiId=api_id, IntegrationType="MOCK")
    expect_error(gw.get_route, "NotFoundException", status=404, ApiId=api_id, RouteId="nope")
    expect_error(
        gw.get_api, "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", status=404, ApiId="nope"
    )
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api_id}"
    assert gw.get_tags(ResourceArn=arn)["Tags"] == {"team": "a"}
    gw.tag_resource(ResourceArn=arn, Tags={"env": "dev"})
    gw.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert gw.get_api(ApiId=api_id)["Tags"] == {"env": "dev"}
    updated = gw.update_api(ApiId=api_id, Name=name + "-2", Description="d")
    assert updated["Name"] == name + "-2" and updated["Description"] == "d"
    assert api_id in [a["ApiId"] for a in gw.get_apis()["Items"]]
    integration_id = gw.get_integrations(ApiId=api_id)["Items"][0]["IntegrationId"]
    assert gw.get_integration(ApiId=api_id, IntegrationId=integration_id)["TimeoutInMillis"] == 30000
    expect_error(gw.delete_integration, "ConflictException", ApiId=api_id, IntegrationId=integration_id)
    route = gw.get_routes(ApiId=api_id)["Items"][0]
    gw.update_route(
        ApiId=api_id, RouteId=route["RouteId"], RequestParameters={"route.request.header.x": {"Required": True}}
    )
    gw.delete_route_request_parameter(
        ApiId=api_id, RouteId=route["RouteId"], RequestParameterKey="route.request.header.x"
    )
    assert not gw.get_route(ApiId=api_id, RouteId=route["RouteId"]).get("RequestParameters")
    gw.create_stage(
        ApiId=api_id,
        StageName="s",
        RouteSettings={"GET /x": {"ThrottlingBurstLimit": 5}},
        AccessLogSettings={
            "DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:g",
            "Format": "$context.requestId",
        },
    )
    gw.delete_route_settings(ApiId=api_id, StageName="s", RouteKey="GET /x")
    gw.delete_access_log_settings(ApiId=api_id, StageName="s")
    stage = gw.get_stage(ApiId=api_id, StageName="s")
    assert stage["RouteSettings"] == {} and "AccessLogSettings" not in stage
    gw.delete_api(ApiId=api_id)
    expect_error(gw.get_api, "NotFoundException", ApiId=api_id)


def test_integration_timeout_is_503(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    code = (
        "import time\ndef handler(event, context):\n    if event['rawPath'].endswith('/slow'):\n"
        "        time.sleep(3)\n    return {'ok': True}\n"
    )
    arn = function(aws, name, code)
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0", TimeoutInMillis=1000
    )
    gw.create_route(ApiId=api_id, RouteKey="GET /{proxy+}", Target=f"integrations/{integration['IntegrationId']}")
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = stage_url(endpoint, api_id, "$default")
    slow = httpx.get(f"{base}/slow", timeout=10)
    assert slow.status_code == 503 and slow.json() == {"message": "Service Unavailable"}
    assert httpx.get(f"{base}/fast", timeout=10).json() == {"ok": True}
    expect_error(
        gw.update_integration,
        "ValidationException",
        ApiId=api_id,
        IntegrationId=integration["IntegrationId"],
        TimeoutInMillis=30001,
    )
    # a burst of 2 and almost no refill: the third quick call is throttled
    gw.update_stage(
        ApiId=api_id,
        StageName="$default",
        RouteSettings={"GET /{proxy+}": {"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 0.01}},
    )
    statuses = [httpx.get(f"{base}/fast", timeout=10).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert httpx.get(f"{base}/fast").json() == {"message": "Too Many Requests"}


def test_http_proxy_parameter_mapping(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    backend = EchoServer()
    try:
        gw = aws("apigatewayv2")
        api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
        integration = gw.create_integration(
            ApiId=api_id,
            IntegrationType="HTTP_PROXY",
            IntegrationUri=backend.url + "/base/{proxy}",
            IntegrationMethod="ANY",
            PayloadFormatVersion="1.0",
            RequestParameters={
                "append:header.x-from": "gw-$request.header.x-user",
                "remove:header.x-secret": "''",
                "overwrite:querystring.page": "$request.querystring.p",
                "append:querystring.stage": "$context.stage",
            },
            ResponseParameters={
                "200": {
                    "overwrite:statuscode": "202",
                    "append:header.x-backend-seen": "$response.header.x-backend",
                    "remove:header.x-backend": "''",
                }
            },
        )["IntegrationId"]
        gw.create_route(ApiId=api_id, RouteKey="ANY /svc/{proxy+}", Target=f"integrations/{integration}")
        gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
        answer = httpx.post(
            f"{stage_url(endpoint, api_id, '$default')}/svc/a/b?p=3&keep=1",
            content=b"payload",
            headers={"x-user": "ann", "x-secret": "s"},
        )
        assert (
            answer.status_code == 202
            and answer.headers["x-backend-seen"] == "echo"
            and "x-backend" not in answer.headers
        )
        seen = answer.json()
        assert seen["method"] == "POST" and seen["path"] == "/base/a/b" and seen["body"] == "payload"
        assert sorted(seen["query"].split("&")) == ["keep=1", "p=3", "page=3", "stage=%24default"]
        assert (
            seen["headers"]["x-from"] == "gw-ann"
            and "x-secret" not in seen["headers"]
            and seen["headers"]["x-forwarded-for"] == "127.0.0.1"
        )
    finally:
        backend.stop()
