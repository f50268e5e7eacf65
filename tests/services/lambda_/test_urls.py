"""Function URLs end to end: the config API through boto3, and HTTP requests through httpx to the path form
(/lambda-url/{id}/…) and the host form ({id}.lambda-url.{region}.localhost), with payload format 2.0 events."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from ...expect import ACCOUNT, expect_error
from .zips import create

ECHO = """
import base64, json
def handler(event, context):
    path = event["rawPath"]
    if path == "/fail":
        raise RuntimeError("boom")
    if path == "/binary":
        return {"statusCode": 201, "headers": {"content-type": "application/octet-stream", "x-custom": "yes"},
                "cookies": ["a=1; Path=/", "b=2"], "body": base64.b64encode(bytes(range(256))).decode(),
                "isBase64Encoded": True}
    if path == "/plain":
        return "just text"
    if path == "/object":
        return {"hello": ["world"]}
    if path == "/bad":
        return {"statusCode": "teapot"}
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"event": event, "request_id": context.aws_request_id})}
"""


@pytest.fixture(scope="module")
def fn(aws: Callable[..., Any]) -> str:
    name = f"url-{uuid.uuid4().hex[:10]}"
    create(aws("lambda"), name, {"index.py": ECHO})
    return name


def _path_url(function_url: str, endpoint: str) -> str:
    """The DNS-free form of a FunctionUrl: {endpoint}/lambda-url/{url-id}/."""
    url_id = urlparse(function_url).hostname.split(".")[0]  # type: ignore[union-attr]
    return f"{endpoint}/lambda-url/{url_id}"


def _allow_public(client: Any, name: str) -> None:
    client.add_permission(
        FunctionName=name,
        StatementId=f"url-{uuid.uuid4().hex[:6]}",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )


def test_url_config_api(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-api"
    create(client, name, {"index.py": ECHO}, wait=False)
    port = urlparse(endpoint).port
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"], "MaxAge": 60}
    out = client.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=cors)
    url = out["FunctionUrl"]
    assert url.endswith(f".lambda-url.us-east-1.localhost:{port}/") and len(urlparse(url).hostname.split(".")[0]) == 32  # type: ignore[union-attr]
    assert (
        out["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
        and out["AuthType"] == "NONE"
        and out["InvokeMode"] == "BUFFERED"
    )
    assert out["Cors"]["AllowOrigins"] == ["https://example.com"] and out["CreationTime"]
    expect_error(client.create_function_url_config, "ResourceConflictException", FunctionName=name, AuthType="NONE")
    got = client.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == url and got["LastModifiedTime"]
    updated = client.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"]["MaxAge"] == 60 and updated["FunctionUrl"] == url
    expect_error(
        client.get_function_url_config, "ResourceNotFoundException", FunctionName=name, Qualifier="live"
    )  # no such alias
    # PublishVersion waits for the function to be Active, as on AWS (it was created without waiting)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    alias_url = client.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    assert alias_url["FunctionArn"].endswith(f":function:{name}:live") and alias_url["FunctionUrl"] != url
    listed = client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert sorted(c["FunctionUrl"] for c in listed) == sorted([url, alias_url["FunctionUrl"]])
    client.delete_function_url_config(FunctionName=name)
    expect_error(client.get_function_url_config, "ResourceNotFoundException", status=404, FunctionName=name)
    expect_error(client.delete_function_url_config, "ResourceNotFoundException", FunctionName=name)
    expect_error(
        client.create_function_url_config, "ResourceNotFoundException", FunctionName=f"{name}-missing", AuthType="NONE"
    )
    client.delete_function(FunctionName=name)
    assert (
        httpx.get(_path_url(alias_url["FunctionUrl"], endpoint) + "/").status_code == 404
    )  # deleted with its function


def test_none_needs_permission_then_echoes_the_event(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    url = client.create_function_url_config(FunctionName=fn, AuthType="NONE")["FunctionUrl"]
    base = _path_url(url, endpoint)
    denied = httpx.get(base + "/")
    assert (
        denied.status_code == 403 and denied.json() == {"Message": "Forbidden"} and denied.headers["x-amzn-RequestId"]
    )
    _allow_public(client, fn)
    response = httpx.post(
        base + "/items/7?b=2&a=1&a=3",
        content=b'{"x": 1}',
        headers={
            "Content-Type": "application/json",
            "Cookie": "s=1; t=2",
            "X-Test": "v",
            "User-Agent": "ua/1",
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    assert response.status_code == 200, response.text
    doc = response.json()
    event = doc["event"]
    assert response.headers["x-amzn-RequestId"] == doc["request_id"] == event["requestContext"]["requestId"]
    url_id = urlparse(url).hostname.split(".")[0]  # type: ignore[union-attr]
    assert (
        event["version"] == "2.0"
        and event["routeKey"] == "$default"
        and event["rawPath"] == "/items/7"
        and event["rawQueryString"] == "b=2&a=1&a=3"
    )
    assert event["queryStringParameters"] == {"a": "1,3", "b": "2"} and event["cookies"] == ["s=1", "t=2"]
    assert (
        event["headers"]["x-test"] == "v"
        and "cookie" not in event["headers"]
        and event["body"] == '{"x": 1}'
        and event["isBase64Encoded"] is False
    )
    context = event["requestContext"]
    assert context["accountId"] == "anonymous" and context["apiId"] == url_id and context["domainPrefix"] == url_id
    assert (
        context["domainName"] == f"{url_id}.lambda-url.us-east-1.localhost"
        and context["routeKey"] == context["stage"] == "$default"
    )
    assert context["http"] == {
        "method": "POST",
        "path": "/items/7",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "ua/1",
    }  # the peer, not what the client claims
    assert isinstance(context["timeEpoch"], int) and context["time"].endswith("+0000") and "authorizer" not in context
    # the host form, as a browser would send it through DNS
    host = urlparse(url).netloc
    via_host = httpx.get(f"{endpoint}/hello", headers={"Host": host})
    assert via_host.status_code == 200 and via_host.json()["event"]["rawPath"] == "/hello"
    assert via_host.json()["event"]["requestContext"]["domainName"] == urlparse(url).hostname
    # other answers: a plain string, any JSON value, a bad statusCode, a function error
    plain = httpx.get(base + "/plain")
    assert (
        plain.status_code == 200 and plain.text == "just text" and plain.headers["content-type"] == "application/json"
    )
    assert httpx.get(base + "/object").json() == {"hello": ["world"]}
    assert httpx.get(base + "/bad").status_code == 502
    failed = httpx.get(base + "/fail")
    assert failed.status_code == 502 and failed.json() == {"Message": "Internal Server Error"}


def test_binary_bodies_and_cookies(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-bin"
    create(client, name, {"index.py": ECHO})
    _allow_public(client, name)
    base = _path_url(client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"], endpoint)
    payload = bytes(range(256)) * 4
    sent = httpx.put(base + "/upload", content=payload, headers={"Content-Type": "application/octet-stream"})
    event = sent.json()["event"]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == payload
    got = httpx.get(base + "/binary")
    assert got.status_code == 201 and got.content == bytes(range(256)) and got.headers["x-custom"] == "yes"
    assert got.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    too_big = httpx.post(base + "/", content=b"x" * (6 * 1024 * 1024 + 1), headers={"Content-Type": "text/plain"})
    assert too_big.status_code == 413


def test_aws_iam_needs_a_signature(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-iam"
    create(client, name, {"index.py": ECHO})
    url = client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    base = _path_url(url, endpoint)
    unsigned = httpx.get(base + "/x")
    assert unsigned.status_code == 403 and unsigned.json() == {"Message": "Forbidden"}
    request = AWSRequest(method="GET", url=base + "/x", headers={})
    SigV4Auth(
        boto3.Session(aws_access_key_id="123456789012", aws_secret_access_key="s").get_credentials(),
        "lambda",
        "us-east-1",
    ).add_auth(request)
    signed = httpx.get(base + "/x", headers=dict(request.headers))
    assert signed.status_code == 200, signed.text
    context = signed.json()["event"]["requestContext"]
    assert (
        context["authorizer"]["iam"]["accessKey"] == "123456789012"
        and context["authorizer"]["iam"]["accountId"] == "123456789012"
    )
    assert context["accountId"] == ACCOUNT


def test_cors_preflight_and_headers(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-cors"
    create(client, name, {"index.py": ECHO})
    _allow_public(client, name)
    cors = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["x-custom"],
            "ExposeHeaders": ["x-out"], "MaxAge": 300, "AllowCredentials": True}  # fmt: skip
    base = _path_url(
        client.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=cors)["FunctionUrl"], endpoint
    )
    pre = httpx.options(
        base + "/thing",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-custom",
        },
    )
    assert pre.status_code == 200 and pre.content == b""
    assert (
        pre.headers["access-control-allow-origin"] == "https://app.example.com"
        and pre.headers["access-control-allow-methods"] == "GET,POST"
    )
    assert pre.headers["access-control-allow-headers"] == "x-custom" and pre.headers["access-control-max-age"] == "300"
    assert pre.headers["access-control-allow-credentials"] == "true"
    other = httpx.options(
        base + "/thing", headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
    actual = httpx.get(base + "/thing", headers={"Origin": "https://app.example.com"})
    assert actual.status_code == 200 and actual.headers["access-control-allow-origin"] == "https://app.example.com"
    assert actual.headers["access-control-expose-headers"] == "x-out"
    assert actual.json()["event"]["requestContext"]["http"]["method"] == "GET"


def test_alias_url_needs_the_alias_permission(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-alias"
    create(client, name, {"index.py": ECHO})
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    base = _path_url(
        client.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"], endpoint
    )
    _allow_public(client, name)  # the unqualified function's policy does not cover the alias
    assert httpx.get(base + "/").status_code == 403
    client.add_permission(
        FunctionName=name,
        Qualifier="live",
        StatementId="alias-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    policy = json.loads(client.get_policy(FunctionName=name, Qualifier="live")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["alias-url"] and policy["Statement"][0]["Resource"].endswith(
        f":{name}:live"
    )
    assert "alias-url" not in client.get_policy(FunctionName=name)["Policy"]
    response = httpx.get(base + "/via-alias")
    assert response.status_code == 200 and response.json()["event"]["rawPath"] == "/via-alias"
    client.remove_permission(FunctionName=name, Qualifier="live", StatementId="alias-url")
    assert httpx.get(base + "/").status_code == 403


def test_deleting_an_alias_takes_its_url_and_permissions(aws: Callable[..., Any], fn: str, endpoint: str) -> None:
    client = aws("lambda")
    name = f"{fn}-gone"
    create(client, name, {"index.py": ECHO})
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    base = _path_url(
        client.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"], endpoint
    )
    client.add_permission(
        FunctionName=name,
        Qualifier="live",
        StatementId="alias-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    _allow_public(client, name)
    assert httpx.get(base + "/").status_code == 200
    client.delete_alias(FunctionName=name, Name="live")
    assert client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"] == []
    assert httpx.get(base + "/").status_code != 200
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy(FunctionName=name, Qualifier="live")  # the old alias's statement did not come back
    statements = json.loads(client.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [s["Resource"] for s in statements] == [
        client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    ]  # the function's own stays
