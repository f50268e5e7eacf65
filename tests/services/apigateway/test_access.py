"""Lambda authorizers (TOKEN and REQUEST, policies, caching), API keys and usage plans (throttle and quota)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from .helpers import Api, function, lambda_uri, stage_url

TOKEN_AUTHORIZER = """
import json, os
CALLS = 0
def handler(event, context):
    global CALLS
    CALLS += 1
    token = event["authorizationToken"]
    if token == "Bearer crash":
        raise RuntimeError("authorizer bug")
    if token == "Bearer nobody":
        raise Exception("Unauthorized")
    effect = "Allow" if token.startswith("Bearer allow") else "Deny"
    arn = event["methodArn"].rsplit("/", 2)[0] + "/*"   # arn:…:api/stage/METHOD/path → every path of the stage's GET
    return {"principalId": "user-" + token.split()[-1], "context": {"calls": CALLS, "tier": "gold", "ok": True},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": arn}]}}
"""

REQUEST_AUTHORIZER = """
def handler(event, context):
    # REST APIs keep the client's header case
    allowed = event["headers"].get("X-Tenant") == "acme" and event["queryStringParameters"].get("key") == "k1"
    return {"principalId": "tenant", "context": {"path": event["path"], "kind": event["type"]},
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:*", "Effect": "Allow" if allowed else "Deny",
                                              "Resource": event["methodArn"]}]}}
"""

WHOAMI = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


def test_token_authorizer(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    auth_arn = function(aws, name + "-auth", TOKEN_AUTHORIZER)
    whoami = function(aws, name, WHOAMI)
    api = Api(client, name)
    authorizer = client.create_authorizer(
        restApiId=api.id,
        name="tok",
        type="TOKEN",
        authorizerUri=lambda_uri(auth_arn),
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^Bearer .+$",
        authorizerResultTtlInSeconds=300,
    )
    assert authorizer["authorizerResultTtlInSeconds"] == 300
    api.lambda_proxy("/me", "GET", whoami, authorizationType="CUSTOM", authorizerId=authorizer["id"])
    api.method(
        "/mapped",
        "GET",
        {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        authorizationType="CUSTOM",
        authorizerId=authorizer["id"],
    )
    api.respond(
        "/mapped",
        "GET",
        responseTemplates={
            "application/json": '{"principal": "$context.authorizer.principalId", "tier": "$context.authorizer.tier"}'
        },
    )
    api.deploy()
    url = stage_url(endpoint, api.id, "test", "/me")
    with httpx.Client() as http:
        r = http.get(url)
        assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}
        assert (
            http.get(url, headers={"Authorization": "Basic x"}).status_code == 401
        )  # fails identityValidationExpression
        r = http.get(url, headers={"Authorization": "Bearer allow-1"})
        assert r.status_code == 200, r.text
        ctx = r.json()
        assert (
            ctx["principalId"] == "user-allow-1" and ctx["tier"] == "gold" and ctx["calls"] == 1 and ctx["ok"] is True
        )
        r = http.get(url, headers={"Authorization": "Bearer allow-1"})
        assert r.json()["calls"] == 1  # the cached result answered: the authorizer was not called again
        r = http.get(stage_url(endpoint, api.id, "test", "/mapped"), headers={"Authorization": "Bearer allow-2"})
        assert r.json() == {"principal": "user-allow-2", "tier": "gold"}
        r = http.get(url, headers={"Authorization": "Bearer deny-1"})
        assert r.status_code == 403 and r.json() == {"message": "User is not authorized to access this resource"}
        assert r.headers["x-amzn-errortype"] == "AccessDeniedException"
        r = http.get(url, headers={"Authorization": "Bearer nobody"})
        assert r.status_code == 401 and r.json() == {"message": "Unauthorized"}
        r = http.get(url, headers={"Authorization": "Bearer crash"})
        assert r.status_code == 500 and r.json() == {"message": None}
    tested = client.test_invoke_authorizer(
        restApiId=api.id, authorizerId=authorizer["id"], headers={"Authorization": "Bearer allow-9"}
    )
    assert tested["clientStatus"] == 200 and tested["principalId"] == "user-allow-9" and "Allow" in tested["policy"]
    assert (
        client.test_invoke_authorizer(
            restApiId=api.id, authorizerId=authorizer["id"], headers={"Authorization": "Bearer nobody"}
        )["clientStatus"]
        == 401
    )


def test_request_authorizer(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    auth_arn = function(aws, name + "-auth", REQUEST_AUTHORIZER)
    whoami = function(aws, name, WHOAMI)
    api = Api(client, name)
    authorizer = client.create_authorizer(
        restApiId=api.id,
        name="req",
        type="REQUEST",
        authorizerUri=lambda_uri(auth_arn),
        identitySource="method.request.header.X-Tenant, method.request.querystring.key",
        authorizerResultTtlInSeconds=0,
    )
    api.lambda_proxy("/r/{id}", "GET", whoami, authorizationType="CUSTOM", authorizerId=authorizer["id"])
    api.deploy()
    url = stage_url(endpoint, api.id, "test", "/r/9")
    assert httpx.get(url, headers={"X-Tenant": "acme"}).status_code == 401  # one identity source missing
    r = httpx.get(url, params={"key": "k1"}, headers={"X-Tenant": "acme"})
    assert r.status_code == 200 and r.json() == {"principalId": "tenant", "path": "/r/9", "kind": "REQUEST"}
    assert httpx.get(url, params={"key": "k2"}, headers={"X-Tenant": "acme"}).status_code == 403


def test_api_keys_and_usage_plans(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method(
        "/ping",
        "GET",
        {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        apiKeyRequired=True,
    )
    api.respond("/ping", "GET", responseTemplates={"application/json": '{"key": "$context.identity.apiKeyId"}'})
    api.deploy("prod")
    fast = client.create_api_key(name=name + "-fast", enabled=True, value=f"{name}-fast-key-value-0001")
    slow = client.create_api_key(name=name + "-slow", enabled=True)
    idle = client.create_api_key(name=name + "-idle", enabled=True)  # in no usage plan
    off = client.create_api_key(name=name + "-off", enabled=False)
    plan = client.create_usage_plan(
        name=name, apiStages=[{"apiId": api.id, "stage": "prod"}], throttle={"rateLimit": 100, "burstLimit": 100}
    )
    tight = client.create_usage_plan(
        name=name + "-tight",
        apiStages=[{"apiId": api.id, "stage": "prod"}],
        throttle={"rateLimit": 2, "burstLimit": 2},
        quota={"limit": 3, "period": "DAY"},
    )
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=fast["id"], keyType="API_KEY")
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=off["id"], keyType="API_KEY")
    client.create_usage_plan_key(usagePlanId=tight["id"], keyId=slow["id"], keyType="API_KEY")
    assert [k["id"] for k in client.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [fast["id"], off["id"]]
    url = stage_url(endpoint, api.id, "prod", "/ping")
    with httpx.Client() as http:
        for headers in ({}, {"x-api-key": "not-a-key"}, {"x-api-key": idle["value"]}, {"x-api-key": off["value"]}):
            r = http.get(url, headers=headers)
            assert r.status_code == 403 and r.json() == {"message": "Forbidden"}, headers
        r = http.get(url, headers={"x-api-key": fast["value"]})
        assert r.status_code == 200 and r.json() == {"key": fast["id"]}
        # burst 2, then 2 requests/s: the third request at once is throttled
        statuses = [http.get(url, headers={"x-api-key": slow["value"]}) for _ in range(3)]
        assert [s.status_code for s in statuses] == [200, 200, 429]
        assert statuses[2].json() == {"message": "Too Many Requests"}
        time.sleep(0.6)
        assert http.get(url, headers={"x-api-key": slow["value"]}).status_code == 200  # third of the day's quota of 3
        time.sleep(0.6)
        r = http.get(url, headers={"x-api-key": slow["value"]})
        assert r.status_code == 429 and r.json() == {"message": "Limit Exceeded"}
        for _ in range(20):
            assert http.get(url, headers={"x-api-key": fast["value"]}).status_code == 200
    day = time.strftime("%Y-%m-%d", time.gmtime())
    usage = client.get_usage(usagePlanId=tight["id"], startDate=day, endDate=day)
    assert usage["items"] == {slow["id"]: [[3, 0]]}
    client.update_usage(
        usagePlanId=tight["id"],
        keyId=slow["id"],
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}],
    )
    time.sleep(0.6)
    assert httpx.get(url, headers={"x-api-key": slow["value"]}).status_code == 200  # the one request granted back
    assert httpx.get(url, headers={"x-api-key": slow["value"]}).status_code == 429


def test_stage_and_method_throttling(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    for path in ("/slow", "/fast"):
        api.method(path, "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
        api.respond(path, "GET", responseTemplates={"application/json": "{}"})
    api.deploy("prod")
    client.update_stage(
        restApiId=api.id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/~1slow/GET/throttling/burstLimit", "value": "1"},
            {"op": "replace", "path": "/~1slow/GET/throttling/rateLimit", "value": "0.1"},
        ],
    )
    assert (
        client.get_stage(restApiId=api.id, stageName="prod")["methodSettings"]["slow/GET"]["throttlingBurstLimit"] == 1
    )
    with httpx.Client() as http:
        assert [http.get(stage_url(endpoint, api.id, "prod", "/slow")).status_code for _ in range(2)] == [200, 429]
        assert [http.get(stage_url(endpoint, api.id, "prod", "/fast")).status_code for _ in range(5)] == [200] * 5
