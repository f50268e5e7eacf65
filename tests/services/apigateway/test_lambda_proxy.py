"""Lambda proxy integrations end to end: boto3 builds the API, httpx calls the stage (path and host forms)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx

from .helpers import Api, function, host_headers, stage_url

ECHO = """
import base64, json
def handler(event, context):
    path = event["path"]
    if path.endswith("/malformed"):
        return {"statusCode": 200, "body": {"not": "a string"}}
    if path.endswith("/crash"):
        raise RuntimeError("boom")
    if path.endswith("/binary"):
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG\\x00\\x01").decode(), "isBase64Encoded": True}
    return {"statusCode": 201, "headers": {"X-Echo": "yes"}, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": json.dumps(event)}
"""


def test_proxy_event_and_response(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    arn = function(aws, name, ECHO)
    api = Api(aws("apigateway"), name, binaryMediaTypes=["image/png", "application/octet-stream"])
    api.lambda_proxy("/items/{id}", "POST", arn)
    api.lambda_proxy("/{proxy+}", "ANY", arn)
    api.deploy("dev", variables={"color": "blue"})
    with httpx.Client() as http:
        r = http.post(
            stage_url(endpoint, api.id, "dev", "/items/42?q=1&q=2&x=y"),
            content=b'{"hello": "world"}',
            headers=[("Content-Type", "application/json"), ("X-Custom", "c1"), ("X-Multi", "m1"), ("X-Multi", "m2")],
        )
        assert r.status_code == 201, r.text
        assert r.headers["x-echo"] == "yes" and r.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert r.headers["x-amzn-requestid"]
        event = r.json()
        assert event["resource"] == "/items/{id}" and event["path"] == "/items/42" and event["httpMethod"] == "POST"
        assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] == {"color": "blue"}
        assert event["queryStringParameters"] == {"q": "2", "x": "y"} and event["multiValueQueryStringParameters"] == {
            "q": ["1", "2"],
            "x": ["y"],
        }
        # REST APIs pass header names as the client sent them; repeated headers: the last in headers, all in
        # multiValueHeaders
        assert event["headers"]["X-Custom"] == "c1" and event["multiValueHeaders"]["X-Custom"] == ["c1"]
        assert event["headers"]["X-Multi"] == "m2" and event["multiValueHeaders"]["X-Multi"] == ["m1", "m2"]
        assert event["body"] == '{"hello": "world"}' and event["isBase64Encoded"] is False
        ctx = event["requestContext"]
        assert (
            ctx["stage"] == "dev"
            and ctx["apiId"] == api.id
            and ctx["resourcePath"] == "/items/{id}"
            and ctx["httpMethod"] == "POST"
        )
        assert (
            ctx["accountId"] == "000000000000"
            and ctx["path"] == "/dev/items/42"
            and ctx["requestId"] == r.headers["x-amzn-requestid"]
        )
        assert (
            ctx["identity"]["sourceIp"] and ctx["protocol"] == "HTTP/1.1" and isinstance(ctx["requestTimeEpoch"], int)
        )

        # host form, greedy path, binary request body
        r = http.put(
            f"{endpoint}/dev/a/b/c",
            content=b"\x00\x01\x02",
            headers={**host_headers(api.id, endpoint), "Content-Type": "application/octet-stream"},
        )
        event = r.json()
        assert (
            event["resource"] == "/{proxy+}"
            and event["pathParameters"] == {"proxy": "a/b/c"}
            and event["path"] == "/a/b/c"
        )
        assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\x01\x02"
        assert event["queryStringParameters"] is None and event["requestContext"]["path"] == "/dev/a/b/c"

        r = http.get(stage_url(endpoint, api.id, "dev", "/x/binary"), headers={"Accept": "image/png"})
        assert r.status_code == 200 and r.content == b"\x89PNG\x00\x01" and r.headers["content-type"] == "image/png"

        for path in ("/x/malformed", "/x/crash"):
            r = http.get(stage_url(endpoint, api.id, "dev", path))
            assert r.status_code == 502 and r.json() == {"message": "Internal server error"}

        # a path no resource serves, a method the resource lacks, an unknown stage and an unknown API
        r = http.get(stage_url(endpoint, api.id, "dev", "/items/42"))
        assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}
        r = http.get(stage_url(endpoint, api.id, "nostage", "/items/42"))
        assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
        r = http.get(stage_url(endpoint, "nosuchapi1", "dev", "/"))
        assert (
            r.status_code == 404
            and r.json() == {"message": "Not Found"}
            and r.headers["x-amzn-errortype"] == "NotFoundException"
        )


def test_stage_serves_its_deployment_snapshot(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method("/v", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond("/v", "GET", responseTemplates={"application/json": '{"version": 1, "color": "$stageVariables.color"}'})
    first = api.deploy("prod", variables={"color": "red"})
    api.respond("/v", "GET", responseTemplates={"application/json": '{"version": 2, "color": "$stageVariables.color"}'})
    url = stage_url(endpoint, api.id, "prod", "/v")
    assert httpx.get(url).json() == {"version": 1, "color": "red"}  # the live definition changed; the stage did not
    second = api.deploy("prod")
    assert httpx.get(url).json() == {"version": 2, "color": "red"}
    client.update_stage(
        restApiId=api.id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": first},
            {"op": "replace", "path": "/variables/color", "value": "green"},
        ],
    )
    assert httpx.get(url).json() == {"version": 1, "color": "green"}
    client.create_stage(restApiId=api.id, stageName="beta", deploymentId=second, variables={"color": "teal"})
    assert httpx.get(stage_url(endpoint, api.id, "beta", "/v")).json() == {"version": 2, "color": "teal"}
