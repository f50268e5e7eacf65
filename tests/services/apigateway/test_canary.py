"""Canary releases of a REST stage: CreateDeployment's canarySettings put the new deployment on the stage's canary,
which takes percentTraffic of the requests with its stage variable overrides; UpdateStage tunes or promotes it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from ...expect import expect_error
from .helpers import Api, stage_url

TEMPLATE = '{"build": "%s", "version": "$stageVariables.version", "canary": "$context.isCanaryRequest"}'


def _builds(url: str, count: int) -> Counter[tuple[str, str, str]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    with httpx.Client() as http:
        for _ in range(count):
            answer = http.get(url).json()
            seen[(answer["build"], answer["version"], answer["canary"])] += 1
    return seen


def test_canary_takes_its_share_and_is_promoted(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method("/", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond("/", "GET", responseTemplates={"application/json": TEMPLATE % "one"})
    first = api.deploy(variables={"version": "1"})
    root = api.resource("/")
    client.put_integration_response(
        restApiId=api.id, resourceId=root, httpMethod="GET", statusCode="200",
        responseTemplates={"application/json": TEMPLATE % "two"},
    )  # fmt: skip
    second = client.create_deployment(
        restApiId=api.id,
        stageName="test",
        canarySettings={"percentTraffic": 100.0, "stageVariableOverrides": {"version": "2"}},
    )["id"]
    stage = client.get_stage(restApiId=api.id, stageName="test")
    assert stage["deploymentId"] == first  # the stage itself still serves the first deployment
    assert stage["canarySettings"] == {
        "deploymentId": second, "percentTraffic": 100.0, "stageVariableOverrides": {"version": "2"},
        "useStageCache": False,
    }  # fmt: skip
    url = stage_url(endpoint, api.id, "test", "/")
    assert _builds(url, 5) == {("two", "2", "true"): 5}

    def share(percent: str) -> None:
        op = {"op": "replace", "path": "/canarySettings/percentTraffic", "value": percent}
        client.update_stage(restApiId=api.id, stageName="test", patchOperations=[op])

    share("0")
    assert _builds(url, 5) == {("one", "1", "false"): 5}
    share("50")
    split = _builds(url, 200)
    assert set(split) == {("one", "1", "false"), ("two", "2", "true")}
    assert 40 <= split[("two", "2", "true")] <= 160, split  # half, give or take (P(fail) < 1e-17)
    expect_error(
        client.delete_deployment, "BadRequestException",
        "Active stages pointing to this deployment must be moved or deleted", restApiId=api.id, deploymentId=second,
    )  # fmt: skip
    # promotion, as the console does it: the stage takes the canary's deployment, the canary goes
    client.update_stage(
        restApiId=api.id,
        stageName="test",
        patchOperations=[
            {"op": "replace", "path": "/deploymentId", "value": second},
            {"op": "remove", "path": "/canarySettings"},
        ],
    )
    assert "canarySettings" not in client.get_stage(restApiId=api.id, stageName="test")
    assert _builds(url, 5) == {("two", "1", "false"): 5}
    client.delete_deployment(restApiId=api.id, deploymentId=first)


def test_canary_settings_checked(aws: Callable[..., Any], name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method("/", "GET", {"type": "MOCK"})
    api.deploy()
    expect_error(
        client.create_deployment, "BadRequestException", restApiId=api.id, stageName="nope",
        canarySettings={"percentTraffic": 10.0},
    )  # fmt: skip
    expect_error(
        client.create_deployment, "BadRequestException", restApiId=api.id, stageName="test",
        canarySettings={"percentTraffic": 150.0},
    )  # fmt: skip
    assert "canarySettings" not in client.get_stage(restApiId=api.id, stageName="test")
    assert len(client.get_deployments(restApiId=api.id)["items"]) == 1  # the refused deployments were not made
