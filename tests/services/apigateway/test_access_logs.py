"""Access logs: a REST stage's accessLogSettings write one line per request, in the stage's format, to the log group
(or nowhere when the group is missing, as on AWS); the settings are checked as API Gateway checks them."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ...awslogs import log_messages
from ...expect import expect_error
from .helpers import Api, stage_url

ACCOUNT = "000000000000"
FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"resourcePath":"$context.resourcePath","path":"$context.path","status":$context.status,'
    '"length":$context.responseLength,"caller":"$context.identity.caller","error":"$context.error.responseType",'
    '"stage":"$context.stage","api":"$context.apiId","latency":$context.responseLatency}'
)


def _patch(destination: str, fmt: str) -> list[dict[str, str]]:
    return [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": destination},
        {"op": "replace", "path": "/accessLogSettings/format", "value": fmt},
    ]


def _allow_logging(client: Any, account: str = ACCOUNT) -> None:
    """The account's CloudWatch role, which API Gateway needs before a REST stage may log."""
    role = f"arn:aws:iam::{account}:role/apigateway-cloudwatch"
    client.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])


def test_rest_stage_writes_access_logs(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client, logs = aws("apigateway"), aws("logs")
    _allow_logging(client)
    group = f"/aws/apigateway/{name}"
    logs.create_log_group(logGroupName=group)
    api = Api(client, name)
    api.method("/pets", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond("/pets", "GET", responseTemplates={"application/json": '{"pets": []}'})
    api.deploy()
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    stage = client.update_stage(restApiId=api.id, stageName="test", patchOperations=_patch(arn, FORMAT))
    assert stage["accessLogSettings"] == {"destinationArn": arn, "format": FORMAT}
    ok = httpx.get(stage_url(endpoint, api.id, "test", "/pets"))
    missing = httpx.get(stage_url(endpoint, api.id, "test", "/nothing"))
    assert ok.status_code == 200 and missing.status_code == 403
    lines = [json.loads(line) for line in log_messages(logs, group, 2)]
    by_id = {line["requestId"]: line for line in lines}
    first, second = by_id[ok.headers["x-amzn-RequestId"]], by_id[missing.headers["x-amzn-RequestId"]]
    assert first["status"] == 200 and first["resourcePath"] == "/pets" and first["path"] == "/test/pets"
    assert first["method"] == "GET" and first["ip"] == "127.0.0.1" and first["stage"] == "test"
    assert first["api"] == api.id and first["length"] == len(ok.content) and first["latency"] >= 0
    assert first["caller"] == "-" and first["error"] == "-"  # variables with no value are written as "-"
    assert second["status"] == 403 and second["error"] == "MISSING_AUTHENTICATION_TOKEN"
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(stream["logStreamName"]) == 32
    # removed: nothing more is written
    client.update_stage(
        restApiId=api.id, stageName="test", patchOperations=[{"op": "remove", "path": "/accessLogSettings"}]
    )
    assert "accessLogSettings" not in client.get_stage(restApiId=api.id, stageName="test")
    httpx.get(stage_url(endpoint, api.id, "test", "/pets"))
    time.sleep(0.5)
    assert len(log_messages(logs, group, 2)) == 2


@pytest.mark.parametrize(
    ("destination", "fmt", "problem"),
    [
        ("arn:aws:logs:us-east-1:000000000000:log-group:g", "$context.status", "$context.requestId"),
        ("arn:aws:logs:us-east-1:000000000000:log-group:g", "$context.requestId\n$context.status", "single line"),
        ("arn:aws:sqs:us-east-1:000000000000:q", "$context.requestId", "Invalid ARN"),
        ("arn:aws:firehose:us-east-1:000000000000:deliverystream/logs", "$context.requestId", "amazon-apigateway-"),
    ],
)
def test_rest_access_log_settings_checked(
    aws: Callable[..., Any], name: str, destination: str, fmt: str, problem: str
) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method("/", "GET", {"type": "MOCK"})
    api.deploy()
    error = expect_error(
        client.update_stage,
        "BadRequestException",
        restApiId=api.id,
        stageName="test",
        patchOperations=_patch(destination, fmt),
    )
    assert problem in error["Message"], error
    assert "accessLogSettings" not in client.get_stage(restApiId=api.id, stageName="test")


def test_logging_needs_the_accounts_cloudwatch_role(aws: Callable[..., Any], name: str) -> None:
    account = f"{uuid.uuid4().int % 10**12:012d}"  # an account of its own: no other test set its role
    client = aws("apigateway", access_key=account)
    api = Api(client, name)
    api.method("/", "GET", {"type": "MOCK"})
    api.deploy()
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:g"
    refused = "CloudWatch Logs role ARN must be set in account settings to enable logging"
    execution_logs = [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}]
    for operations in (_patch(arn, "$context.requestId"), execution_logs):
        expect_error(
            client.update_stage, "BadRequestException", refused, restApiId=api.id, stageName="test",
            patchOperations=operations,
        )  # fmt: skip
    off = [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"}]
    client.update_stage(restApiId=api.id, stageName="test", patchOperations=off)  # turning logging off needs none
    _allow_logging(client, account)
    stage = client.update_stage(
        restApiId=api.id, stageName="test", patchOperations=_patch(arn, "$context.requestId") + execution_logs
    )
    assert stage["accessLogSettings"]["destinationArn"] == arn
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"


def test_execution_logs_by_method_settings(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client, logs = aws("apigateway"), aws("logs")
    _allow_logging(client)
    api = Api(client, name)
    api.method("/pets", "POST", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond("/pets", "POST", responseTemplates={"application/json": '{"made": true}'})
    api.method("/keyed", "GET", {"type": "MOCK"}, apiKeyRequired=True)
    api.deploy()
    info = [
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
    ]
    client.update_stage(restApiId=api.id, stageName="test", patchOperations=info)
    answer = httpx.post(stage_url(endpoint, api.id, "test", "/pets"), content=b'{"name": "rex"}')
    assert answer.status_code == 200
    request_id = answer.headers["x-amzn-RequestId"]
    group = f"API-Gateway-Execution-Logs_{api.id}/test"
    lines = log_messages(logs, group, 10)
    assert all(line.startswith(f"({request_id}) ") for line in lines)
    text = [line.split(") ", 1)[1] for line in lines]
    assert f"Starting execution for request: {request_id}" in text
    assert "HTTP Method: POST, Resource Path: /pets" in text
    assert 'Method request body before transformations: {"name": "rex"}' in text
    assert 'Method response body after transformations: {"made": true}' in text
    assert text[-2:] == ["Successfully completed execution", "Method completed with status: 200"]
    # ERROR: a request that succeeds logs nothing; one that fails logs why
    error_only = [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"}]
    client.update_stage(restApiId=api.id, stageName="test", patchOperations=error_only)
    assert httpx.post(stage_url(endpoint, api.id, "test", "/pets"), content=b"{}").status_code == 200
    refused = httpx.get(stage_url(endpoint, api.id, "test", "/keyed"))
    assert refused.status_code == 403
    later = log_messages(logs, group, len(lines) + 2)[len(lines) :]
    refused_id = refused.headers["x-amzn-RequestId"]
    assert later == [
        f"({refused_id}) Execution failed due to invalid api key: Forbidden",
        f"({refused_id}) Method completed with status: 403",
    ]
