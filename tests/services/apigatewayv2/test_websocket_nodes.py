"""Two nodes on one PostgreSQL store: the management API called through the node that does not hold the socket
finds it (GetConnection from the store; PostToConnection and DeleteConnection relayed to the holding node)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from ...conftest import make_client
from ...expect import expect_error
from ...server import Server


@pytest.fixture(scope="module")
def node_b(server: Server, store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if store_kind != "postgresql":
        pytest.skip("several nodes share a PostgreSQL store only")
    other = Server(Path(tmp_path_factory.mktemp("node-b")), store_url=server.store_url).start()
    yield other
    other.stop()


def test_management_api_through_another_node(
    aws: Callable[..., Any], server: Server, node_b: Server, name: str
) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="WEBSOCKET")["ApiId"]
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="MOCK", RequestTemplates={"$default": '{"statusCode": 200}'}
    )["IntegrationId"]
    gw.create_integration_response(
        ApiId=api_id,
        IntegrationId=integration,
        IntegrationResponseKey="$default",
        ResponseTemplates={"$default": "$context.connectionId"},
    )
    route = gw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )
    gw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    gw.create_stage(ApiId=api_id, StageName="s", AutoDeploy=True)
    remote = make_client(node_b.endpoint, "apigatewaymanagementapi")

    async def run() -> None:
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/restapis/{api_id}/s/_user_request_", user_agent_header="node-test"
        ) as ws:
            await ws.send("who")
            me = str(await asyncio.wait_for(ws.recv(), 10))
            info = await asyncio.to_thread(remote.get_connection, ConnectionId=me)
            assert info["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "node-test"}
            for i in range(3):
                await asyncio.to_thread(remote.post_to_connection, ConnectionId=me, Data=json.dumps({"n": i}).encode())
            assert [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(3)] == [
                {"n": 0},
                {"n": 1},
                {"n": 2},
            ]
            await asyncio.to_thread(remote.delete_connection, ConnectionId=me)
            await asyncio.wait_for(ws.wait_closed(), 10)
            for _ in range(50):  # the holding node forgets the connection right after the socket closed
                try:
                    await asyncio.to_thread(remote.get_connection, ConnectionId=me)
                except remote.exceptions.GoneException:
                    break
                await asyncio.sleep(0.1)
            await asyncio.to_thread(
                lambda: expect_error(remote.post_to_connection, "GoneException", status=410, ConnectionId=me, Data=b"x")
            )

    asyncio.run(run())
