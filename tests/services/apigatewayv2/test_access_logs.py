"""Access logs of HTTP and WebSocket APIs: a stage's AccessLogSettings write one line per request (matched or not) in
the stage's format to the log group; DeleteAccessLogSettings stops them; settings are checked when a stage is created
or updated, and a WebSocket stage logs only once the account's CloudWatch role is set."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import websockets

from ...awslogs import log_messages
from ...expect import expect_error
from .helpers import EchoServer, mock_websocket_api, stage_url

ACCOUNT = "000000000000"
FORMAT = (
    '{"requestId":"$context.requestId","routeKey":"$context.routeKey","status":"$context.status",'
    '"integrationStatus":"$context.integrationStatus","integrationLatency":"$context.integration.latency",'
    '"method":"$context.httpMethod","protocol":"$context.protocol","length":"$context.responseLength",'
    '"ip":"$context.identity.sourceIp","stage":"$context.stage","error":"$context.error.message"}'
)


def _lines(logs: Any, group: str, count: int) -> list[dict[str, Any]]:
    return [json.loads(message) for message in log_messages(logs, group, count)]


def test_http_api_stage_writes_access_logs(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw, logs = aws("apigatewayv2"), aws("logs")
    group = f"/aws/http-api/{name}"
    logs.create_log_group(logGroupName=group)
    backend = EchoServer()
    try:
        api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
        integration = gw.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationUri=backend.url, IntegrationMethod="ANY",
            PayloadFormatVersion="1.0",
        )["IntegrationId"]  # fmt: skip
        gw.create_route(ApiId=api_id, RouteKey="GET /pets", Target=f"integrations/{integration}")
        arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
        stage = gw.create_stage(
            ApiId=api_id, StageName="live", AutoDeploy=True, AccessLogSettings={"DestinationArn": arn, "Format": FORMAT}
        )
        assert stage["AccessLogSettings"] == {"DestinationArn": arn, "Format": FORMAT}
        base = stage_url(endpoint, api_id, "live")
        ok, unmatched = httpx.get(f"{base}/pets"), httpx.get(f"{base}/nothing")
        assert ok.status_code == 200 and unmatched.status_code == 404
        by_id = {line["requestId"]: line for line in _lines(logs, group, 2)}
        first, second = by_id[ok.headers["apigw-requestid"]], by_id[unmatched.headers["apigw-requestid"]]
        assert first["routeKey"] == "GET /pets" and first["status"] == "200" and first["integrationStatus"] == "200"
        assert first["method"] == "GET" and first["protocol"] == "HTTP/1.1" and first["stage"] == "live"
        assert first["length"] == str(len(ok.content)) and first["ip"] == "127.0.0.1" and first["error"] == "-"
        assert int(first["integrationLatency"]) >= 0
        assert second["routeKey"] == "-" and second["status"] == "404" and second["error"] == "Not Found"
        assert second["integrationStatus"] == "-"
        gw.delete_access_log_settings(ApiId=api_id, StageName="live")
        httpx.get(f"{base}/pets")
        time.sleep(0.5)
        assert len(_lines(logs, group, 2)) == 2
    finally:
        backend.stop()


def test_http_api_access_log_settings_checked(aws: Callable[..., Any], name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:g"
    error = expect_error(
        gw.create_stage,
        "BadRequestException",
        ApiId=api_id,
        StageName="s",
        AccessLogSettings={"DestinationArn": arn, "Format": "$context.status"},
    )
    assert "$context.requestId" in error["Message"]
    gw.create_stage(ApiId=api_id, StageName="s")
    error = expect_error(
        gw.update_stage,
        "BadRequestException",
        ApiId=api_id,
        StageName="s",
        AccessLogSettings={"DestinationArn": "not-an-arn", "Format": "$context.requestId"},
    )
    assert "Invalid ARN" in error["Message"]
    assert "AccessLogSettings" not in gw.get_stage(ApiId=api_id, StageName="s")


def test_websocket_stage_logs_each_event(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw, logs = aws("apigatewayv2"), aws("logs")
    group = f"/aws/websocket/{name}"
    logs.create_log_group(logGroupName=group)
    api_id = mock_websocket_api(gw, name, '{"echo": $input.body}')
    fmt = (
        '{"requestId":"$context.requestId","eventType":"$context.eventType","routeKey":"$context.routeKey",'
        '"status":"$context.status","connectionId":"$context.connectionId","ip":"$context.identity.sourceIp"}'
    )
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    role = f"arn:aws:iam::{ACCOUNT}:role/apigateway-cloudwatch"  # WebSocket APIs log through API Gateway's account role
    aws("apigateway").update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    gw.create_stage(
        ApiId=api_id, StageName="dev", AutoDeploy=True, AccessLogSettings={"DestinationArn": arn, "Format": fmt}
    )

    async def talk() -> None:
        async with websockets.connect(stage_url(endpoint, api_id, "dev").replace("http://", "ws://")) as ws:
            await ws.send('{"a": 1}')
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"echo": {"a": 1}}

    asyncio.run(talk())
    lines = _lines(logs, group, 3)
    assert [(line["eventType"], line["routeKey"], line["status"]) for line in lines] == [
        ("CONNECT", "$connect", "200"),
        ("MESSAGE", "$default", "200"),
        ("DISCONNECT", "$disconnect", "200"),
    ]
    assert len({line["connectionId"] for line in lines}) == 1 and lines[0]["ip"] == "127.0.0.1"
    assert len({line["requestId"] for line in lines}) == 3


def test_websocket_stages_log_only_with_the_accounts_cloudwatch_role(aws: Callable[..., Any], name: str) -> None:
    """As API Gateway requires, a WebSocket stage may log to CloudWatch (access logs, execution logs, data trace)
    only once the account's CloudWatch role is set (UpdateAccount); an HTTP API's stage needs none."""
    account = "246813579024"  # an account of its own: no role set
    gw, rest = aws("apigatewayv2", access_key=account), aws("apigateway", access_key=account)
    api_id = mock_websocket_api(gw, name, '{"ok": true}')
    group_arn = f"arn:aws:logs:us-east-1:{account}:log-group:/aws/websocket/{name}"
    message = "CloudWatch Logs role ARN must be set in account settings to enable logging"
    for settings in (
        {"AccessLogSettings": {"DestinationArn": group_arn, "Format": "$context.requestId"}},
        {"DefaultRouteSettings": {"LoggingLevel": "INFO"}},
        {"DefaultRouteSettings": {"DataTraceEnabled": True}},
        {"RouteSettings": {"$default": {"LoggingLevel": "ERROR"}}},
    ):
        expect_error(lambda s=settings: gw.create_stage(ApiId=api_id, StageName="dev", **s), "BadRequestException",
                     message)  # fmt: skip
    gw.create_stage(ApiId=api_id, StageName="dev", DefaultRouteSettings={"LoggingLevel": "OFF"})
    expect_error(
        lambda: gw.update_stage(ApiId=api_id, StageName="dev", DefaultRouteSettings={"LoggingLevel": "ERROR"}),
        "BadRequestException",
        message,
    )
    http_id = gw.create_api(Name=f"{name}-http", ProtocolType="HTTP")["ApiId"]
    gw.create_stage(
        ApiId=http_id, StageName="s", AccessLogSettings={"DestinationArn": group_arn, "Format": "$context.requestId"}
    )
    role = f"arn:aws:iam::{account}:role/apigateway-cloudwatch"
    rest.update_account(patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}])
    stage = gw.update_stage(ApiId=api_id, StageName="dev", DefaultRouteSettings={"LoggingLevel": "ERROR"})
    assert stage["DefaultRouteSettings"]["LoggingLevel"] == "ERROR"
