"""WebSocket APIs end to end: a chat built with boto3, spoken to with the websockets client; Lambda integrations
reach other connections through the management API; $connect may refuse; $disconnect runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from ...conftest import make_client
from ...expect import expect_error
from .helpers import EchoServer, function, mock_websocket_api, stage_url

CONNECT = """
def handler(event, context):
    qs = event.get('queryStringParameters') or {}
    assert event['requestContext']['eventType'] == 'CONNECT'
    if qs.get('reject'):
        return {'statusCode': 403}
    offered = event['headers'].get('Sec-Websocket-Protocol', '')
    return {'statusCode': 200, 'headers': {'Sec-WebSocket-Protocol': offered.split(',')[0]} if offered else {}}
"""

# posts to another connection, once through the stage URL form and once through gureum's root
SEND = """
import json, os, boto3
def handler(event, context):
    ctx = event['requestContext']
    msg = json.loads(event['body'])
    base = os.environ['AWS_ENDPOINT_URL']
    url = f"{base}/restapis/{ctx['apiId']}/{ctx['stage']}/_user_request_" if msg.get('via') == 'stage' else base
    client = boto3.client('apigatewaymanagementapi', endpoint_url=url)
    data = json.dumps({'from': ctx['connectionId'], 'text': msg['text']}).encode()
    client.post_to_connection(ConnectionId=msg['to'], Data=data)
    return {'statusCode': 200}
"""

WHOAMI = """
import json
def handler(event, context):
    ctx = event['requestContext']
    return {'statusCode': 200, 'body': json.dumps({'id': ctx['connectionId'], 'route': ctx['routeKey'],
            'type': ctx['eventType'], 'stage': ctx['stage'], 'messageId': bool(ctx.get('messageId')),
            'body': event['body']})}
"""

DISCONNECT = """
import json, os, boto3
def handler(event, context):
    ctx = event['requestContext']
    body = json.dumps({'id': ctx['connectionId'], 'type': ctx['eventType'], 'code': ctx.get('disconnectStatusCode')})
    boto3.client('sqs').send_message(QueueUrl=os.environ['QUEUE'], MessageBody=body)
    return {'statusCode': 200}
"""


def _integration(gw: Any, api_id: str, arn: str) -> str:
    return str(gw.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn)["IntegrationId"])


@pytest.fixture(scope="module")
def chat(aws: Callable[..., Any], endpoint: str) -> dict[str, Any]:
    import uuid

    name = f"chat-{uuid.uuid4().hex[:8]}"
    queue = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    gw = aws("apigatewayv2")
    api = gw.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    api_id = api["ApiId"]
    for key, code in (("$connect", CONNECT), ("sendmessage", SEND), ("whoami", WHOAMI), ("$default", WHOAMI)):
        route = gw.create_route(
            ApiId=api_id,
            RouteKey=key,
            Target=f"integrations/{_integration(gw, api_id, function(aws, f'{name}-{key.strip(chr(36))}', code))}",
        )
        if key in ("whoami", "$default"):
            gw.update_route(ApiId=api_id, RouteId=route["RouteId"], RouteResponseSelectionExpression="$default")
            gw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    lam = aws("lambda")
    disconnect = function(aws, f"{name}-disconnect", DISCONNECT)
    lam.update_function_configuration(FunctionName=disconnect, Environment={"Variables": {"QUEUE": queue}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=disconnect, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    gw.create_route(ApiId=api_id, RouteKey="$disconnect", Target=f"integrations/{_integration(gw, api_id, disconnect)}")
    gw.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    port = endpoint.rsplit(":", 1)[1]
    return {
        "api": api,
        "api_id": api_id,
        "queue": queue,
        "url": f"ws://127.0.0.1:{port}/restapis/{api_id}/prod/_user_request_",
        "endpoint": endpoint,
    }


async def _whoami(ws: Any) -> str:
    await ws.send(json.dumps({"action": "whoami"}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), 15))
    assert reply["route"] == "whoami" and reply["type"] == "MESSAGE" and reply["stage"] == "prod" and reply["messageId"]
    return str(reply["id"])


def _disconnects(aws: Callable[..., Any], queue: str, count: int) -> list[dict[str, Any]]:
    sqs, seen = aws("sqs"), []
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        if len(seen) >= count:
            break
    return seen


def test_chat_between_two_clients(chat: dict[str, Any], aws: Callable[..., Any]) -> None:
    async def run() -> tuple[str, str]:
        async with (
            websockets.connect(chat["url"], subprotocols=["chat", "other"]) as alice,
            websockets.connect(chat["url"], user_agent_header="bob-agent") as bob,
        ):
            assert (
                alice.subprotocol == "chat" and bob.subprotocol is None
            )  # $connect chose the subprotocol gureum echoes
            alice_id, bob_id = await _whoami(alice), await _whoami(bob)
            assert alice_id != bob_id
            await alice.send(json.dumps({"action": "sendmessage", "to": bob_id, "text": "hi bob", "via": "stage"}))
            assert json.loads(await asyncio.wait_for(bob.recv(), 15)) == {"from": alice_id, "text": "hi bob"}
            await bob.send(json.dumps({"action": "sendmessage", "to": alice_id, "text": "hi alice", "via": "root"}))
            assert json.loads(await asyncio.wait_for(alice.recv(), 15)) == {"from": bob_id, "text": "hi alice"}
            # an unknown action and a non-JSON message go to $default
            await alice.send("not json")
            reply = json.loads(await asyncio.wait_for(alice.recv(), 15))
            assert reply["route"] == "$default" and reply["body"] == "not json"
            info = make_client(chat["endpoint"], "apigatewaymanagementapi").get_connection(ConnectionId=bob_id)
            assert info["Identity"]["UserAgent"] == "bob-agent" and info["Identity"]["SourceIp"] == "127.0.0.1"
            assert info["ConnectedAt"] <= info["LastActiveAt"]
            return alice_id, bob_id

    alice_id, bob_id = asyncio.run(run())
    seen = _disconnects(aws, chat["queue"], 2)
    assert sorted(d["id"] for d in seen) == sorted([alice_id, bob_id]) and {d["type"] for d in seen} == {"DISCONNECT"}
    assert {d["code"] for d in seen} == {1000}
    management = make_client(chat["endpoint"], "apigatewaymanagementapi")
    expect_error(management.post_to_connection, "GoneException", status=410, ConnectionId=alice_id, Data=b"x")
    expect_error(management.get_connection, "GoneException", status=410, ConnectionId=alice_id)


def test_connect_refused_and_management_api(chat: dict[str, Any], aws: Callable[..., Any]) -> None:
    async def refused() -> int:
        try:
            async with websockets.connect(chat["url"] + "?reject=1"):
                return 101
        except InvalidStatus as error:
            return error.response.status_code

    assert asyncio.run(refused()) == 403
    management = make_client(stage_url(chat["endpoint"], chat["api_id"], "prod"), "apigatewaymanagementapi")

    async def run() -> str:
        async with websockets.connect(chat["url"]) as ws:
            me = await _whoami(ws)
            await asyncio.to_thread(management.post_to_connection, ConnectionId=me, Data=b"pushed")
            assert await asyncio.wait_for(ws.recv(), 10) == "pushed"
            # the model's 128 KB limit on Data
            await asyncio.to_thread(
                lambda: expect_error(
                    management.post_to_connection, "ValidationException", ConnectionId=me, Data=b"x" * (128 * 1024 + 1)
                )
            )
            await asyncio.to_thread(management.delete_connection, ConnectionId=me)
            await asyncio.wait_for(ws.wait_closed(), 10)
            return me

    me = asyncio.run(run())
    assert [d["id"] for d in _disconnects(aws, chat["queue"], 1)] == [me]


def test_websocket_control_plane_rules(aws: Callable[..., Any], name: str, chat: dict[str, Any]) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="WEBSOCKET")["ApiId"]
    assert gw.get_api(ApiId=api_id)["RouteSelectionExpression"] == "$request.body.action"
    assert gw.get_api(ApiId=api_id)["ApiEndpoint"].startswith(f"ws://{api_id}.execute-api.localhost:")
    expect_error(gw.create_stage, "BadRequestException", ApiId=api_id, StageName="$default")
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="MOCK", RequestTemplates={"$default": '{"statusCode": 200}'}
    )
    assert integration["PayloadFormatVersion"] == "1.0" and integration["TimeoutInMillis"] == 29000
    # an HTTP request to a WebSocket API's stage is not served
    gw.create_stage(ApiId=api_id, StageName="s", AutoDeploy=True)
    assert httpx.get(stage_url(chat["endpoint"], api_id, "s")).status_code == 404


def test_mock_two_way_route_over_host_url(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = mock_websocket_api(gw, name, '{"echo": $input.body, "id": "$context.connectionId"}')
    gw.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
    port = endpoint.rsplit(":", 1)[1]

    async def run() -> None:
        url = f"ws://{api_id}.execute-api.localhost:{port}"  # the API's own host name, reached on 127.0.0.1
        async with websockets.connect(f"{url}/dev", host="127.0.0.1") as ws:
            await ws.send('{"a": 1}')
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert reply["echo"] == {"a": 1} and reply["id"]

        try:
            async with websockets.connect(f"{url}/nostage", host="127.0.0.1"):
                raise AssertionError("connected to a stage that does not exist")
        except InvalidStatus as error:
            assert error.response.status_code == 403

        async with websockets.connect(f"{url}/dev", host="127.0.0.1") as ws:
            await asyncio.to_thread(gw.delete_stage, ApiId=api_id, StageName="dev")  # its clients are disconnected
            await asyncio.wait_for(ws.wait_closed(), 10)
            assert ws.close_code == 1001

    asyncio.run(run())


def test_http_proxy_integration_two_way(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    backend = EchoServer()
    try:
        gw = aws("apigatewayv2")
        api_id = gw.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
            "ApiId"
        ]
        integration = gw.create_integration(
            ApiId=api_id,
            IntegrationType="HTTP_PROXY",
            IntegrationUri=backend.url + "/messages",
            IntegrationMethod="POST",
            RequestParameters={
                "integration.request.header.connectionId": "context.connectionId",
                "integration.request.querystring.kind": "'chat'",
            },
        )["IntegrationId"]
        route = gw.create_route(
            ApiId=api_id,
            RouteKey="$default",
            Target=f"integrations/{integration}",
            RouteResponseSelectionExpression="$default",
        )
        gw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
        gw.create_stage(ApiId=api_id, StageName="live", AutoDeploy=True)

        async def run() -> dict[str, Any]:
            async with websockets.connect(
                f"ws://127.0.0.1:{endpoint.rsplit(':', 1)[1]}/restapis/{api_id}/live/_user_request_"
            ) as ws:
                await ws.send('{"say": "hi"}')
                return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))

        seen = asyncio.run(run())
        assert (
            seen["method"] == "POST"
            and seen["path"] == "/messages"
            and seen["query"] == "kind=chat"
            and seen["body"] == '{"say": "hi"}'
        )
        assert seen["headers"]["connectionid"]
    finally:
        backend.stop()
