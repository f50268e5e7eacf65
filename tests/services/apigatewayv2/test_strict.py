"""--strict-auth: the management API under a stage URL (the client signs that path) verifies as at gureum's root."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import websockets

from ...conftest import make_client
from ...expect import expect_error
from ...server import Server
from .helpers import stage_url


@pytest.fixture(scope="module")
def strict() -> Iterator[Server]:
    server = Server(None, extra_args=["--strict-auth"]).start()
    yield server
    server.stop()


def test_stage_url_management_api_in_strict_mode(strict: Server) -> None:
    gw = make_client(strict.endpoint, "apigatewayv2")
    api_id = gw.create_api(Name="strict", ProtocolType="WEBSOCKET")["ApiId"]
    integration = gw.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
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
    management = make_client(stage_url(strict.endpoint, api_id, "s"), "apigatewaymanagementapi")
    intruder = make_client(stage_url(strict.endpoint, api_id, "s"), "apigatewaymanagementapi", access_key="nobody")

    async def run() -> None:
        async with websockets.connect(f"ws://127.0.0.1:{strict.port}/restapis/{api_id}/s/_user_request_") as ws:
            await ws.send("id?")
            me = str(await asyncio.wait_for(ws.recv(), 10))
            await asyncio.to_thread(management.post_to_connection, ConnectionId=me, Data=b"signed")
            assert await asyncio.wait_for(ws.recv(), 10) == "signed"
            await asyncio.to_thread(
                lambda: expect_error(
                    intruder.post_to_connection, "UnrecognizedClientException", status=403, ConnectionId=me, Data=b"x"
                )
            )

    asyncio.run(run())
