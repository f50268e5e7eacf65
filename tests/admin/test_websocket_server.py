"""gureum's WebSocket server (RFC 6455 over the HTTP server) through the websockets client, on a WebSocket API whose
$default route is a MOCK that echoes: handshake, text and binary, fragmentation, ping/pong, close
codes, API Gateway's frame and message limits, the idle timeout, and refusals of bad handshakes."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ..conftest import make_client
from ..server import Server


def _echo_api(gw: Any, name: str, connect_template: str | None = None) -> str:
    """A WebSocket API whose every message is answered with {"echo": <the message>} by a MOCK integration."""
    api_id = gw.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
        "ApiId"
    ]
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="MOCK", RequestTemplates={"$default": '{"statusCode": 200}'}
    )["IntegrationId"]
    gw.create_integration_response(
        ApiId=api_id,
        IntegrationId=integration,
        IntegrationResponseKey="$default",
        ResponseTemplates={"$default": "echo:$input.body"},
    )
    route = gw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        RouteResponseSelectionExpression="$default",
    )
    gw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    gw.create_stage(ApiId=api_id, StageName="test", AutoDeploy=True)
    return str(api_id)


@pytest.fixture(scope="module")
def ws_url(aws: Callable[..., Any], endpoint: str) -> str:
    import uuid

    api_id = _echo_api(aws("apigatewayv2"), f"ws-{uuid.uuid4().hex[:8]}")
    return f"ws://127.0.0.1:{endpoint.rsplit(':', 1)[1]}/restapis/{api_id}/test/_user_request_"


def _run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_text_binary_fragments_and_ping(ws_url: str) -> None:
    async def run() -> None:
        async with websockets.connect(ws_url) as ws:
            await ws.send("hello")
            assert await ws.recv() == "echo:hello"
            await ws.send(b"\x00\x01binary")  # binary messages reach the integration base64-encoded
            assert await ws.recv() == "echo:" + base64.b64encode(b"\x00\x01binary").decode()
            await ws.send(["frag", "mented ", "message"])  # one message in three frames
            assert await ws.recv() == "echo:fragmented message"
            latency = await (await ws.ping(b"data"))
            assert latency >= 0
            # a message of 100 KB in 25 KB frames is within the limits
            await ws.send(["x" * 25_000] * 4)
            assert await ws.recv() == "echo:" + "x" * 100_000

    _run(run())


def test_concurrent_connections_do_not_block_each_other(ws_url: str) -> None:
    async def one(i: int) -> str:
        async with websockets.connect(ws_url) as ws:
            await ws.send(f"n{i}")
            return str(await ws.recv())

    async def run() -> list[str]:
        return await asyncio.gather(*(one(i) for i in range(10)))

    assert sorted(_run(run())) == sorted(f"echo:n{i}" for i in range(10))


def test_limits_close_with_1009(ws_url: str) -> None:
    async def closed_with(message: Any) -> int | None:
        async with websockets.connect(ws_url, max_size=None) as ws:
            await ws.send(message)
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            return info.value.rcvd.code if info.value.rcvd else None

    assert _run(closed_with("y" * (32 * 1024 + 1))) == 1009  # one frame above 32 KB
    assert _run(closed_with(["z" * 30_000] * 5)) == 1009  # 150 KB message in 30 KB frames: above 128 KB


def test_close_codes(ws_url: str) -> None:
    async def run() -> None:
        ws = await websockets.connect(ws_url)
        await ws.close(4001, "bye")
        assert (
            ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 4001
        )  # the server answers with the client's code

    _run(run())


def test_bad_handshakes(endpoint: str, ws_url: str) -> None:
    port = int(endpoint.rsplit(":", 1)[1])
    path = ws_url.split(str(port), 1)[1]

    def raw(headers: str) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
            return sock.recv(4096)

    key = base64.b64encode(os.urandom(16)).decode()
    assert raw(
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 8\r\n"
    ).startswith(b"HTTP/1.1 426")
    assert raw("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n").startswith(b"HTTP/1.1 400")
    assert raw("Upgrade: h2c\r\nConnection: Upgrade\r\n").startswith(b"HTTP/1.1 501")
    good = raw(
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    )
    assert good.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    import hashlib

    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    assert f"Sec-WebSocket-Accept: {accept}".encode() in good

    async def unknown() -> int:
        try:
            async with websockets.connect(f"ws://127.0.0.1:{port}/not/an/api"):
                return 101
        except InvalidStatus as error:
            return error.response.status_code

    assert _run(unknown()) == 404


@pytest.fixture(scope="module")
def short_idle() -> Iterator[Server]:
    server = Server(None, env={"GUREUM_WEBSOCKET_IDLE_TIMEOUT": "1"}).start()
    yield server
    server.stop()


def test_idle_timeout_closes_with_1001(short_idle: Server) -> None:
    api_id = _echo_api(make_client(short_idle.endpoint, "apigatewayv2"), "idle")

    async def run() -> tuple[int | None, float]:
        async with websockets.connect(
            f"ws://127.0.0.1:{short_idle.port}/restapis/{api_id}/test/_user_request_", ping_interval=None
        ) as ws:
            await ws.send("x")
            assert await ws.recv() == "echo:x"
            started = time.monotonic()
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            return (info.value.rcvd.code if info.value.rcvd else None), time.monotonic() - started

    code, waited = _run(run())
    assert code == 1001 and 0.5 < waited < 5
