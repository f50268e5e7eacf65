"""gureum's own HTTP/1.1 server over raw sockets: pipelining, 100-continue, chunked bodies, HEAD,
Connection: close, malformed requests and oversized bodies; slow and oversized clients (header and
request-line limits, header/body/keep-alive timeouts, connections per client) and what stays exempt from
the timeouts (long polls, WebSockets)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from ..conftest import make_client
from ..server import Server


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, dict[str, str], bytes]:
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response"
        buffer.extend(chunk)
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    buffer[:] = rest[length:]
    return status, headers, rest[:length]


def _json_request(target: str, doc: dict[str, Any], extra: str = "") -> bytes:
    body = json.dumps(doc).encode()
    return (
        f"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: AmazonSQS.{target}\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_pipelined_requests_are_answered_in_order(server: Server, name: str) -> None:
    with _connect(server) as sock:
        sock.sendall(
            _json_request("CreateQueue", {"QueueName": name})
            + _json_request("GetQueueUrl", {"QueueName": name})
            + _json_request("ListQueues", {"QueueNamePrefix": name})
        )
        buffer = bytearray()
        first = _read_response(sock, buffer)
        second = _read_response(sock, buffer)
        third = _read_response(sock, buffer)
    assert [first[0], second[0], third[0]] == [200, 200, 200]
    assert json.loads(first[2])["QueueUrl"] == json.loads(second[2])["QueueUrl"]
    assert json.loads(third[2])["QueueUrls"] == [json.loads(first[2])["QueueUrl"]]


def test_expect_100_continue_and_chunked_body(server: Server, name: str) -> None:
    body = json.dumps({"QueueName": name}).encode()
    with _connect(server) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: AmazonSQS.CreateQueue\r\n"
            b"Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        interim = sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        half = len(body) // 2
        sock.sendall(b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:]))
        status, _, answer = _read_response(sock, bytearray())
    assert status == 200 and json.loads(answer)["QueueUrl"].endswith(f"/{name}")


def test_head_and_connection_close(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"HEAD /_gureum/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        data = sock.recv(65536)
        assert data.startswith(b"HTTP/1.1 200")
        assert data.endswith(b"\r\n\r\n"), "HEAD answers carry no body"
        sock.sendall(b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        status, headers, body = _read_response(sock, bytearray())
        assert status == 200 and headers.get("connection") == "close" and json.loads(body)["status"] == "running"
        assert sock.recv(10) == b"", "the server closes after Connection: close"


def test_malformed_request_gets_400(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")


def test_oversized_body_gets_413(server: Server) -> None:
    size = 21 * 1024 * 1024
    with _connect(server) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: %d\r\n\r\n"
            % size
        )
        chunk = b"x" * 1024 * 1024
        for _ in range(21):
            sock.sendall(chunk)
        status, _, _ = _read_response(sock, bytearray())
    assert status == 413


def _put_concurrency(name: str, body: bytes, chunked: bool) -> bytes:
    """Lambda's PutFunctionConcurrency (a PUT whose JSON body is read whole), its body padded or chunked."""
    head = f"PUT /2017-10-31/functions/{name}/concurrency HTTP/1.1\r\nHost: localhost\r\n"
    head += "Content-Type: application/json\r\n"
    if not chunked:
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    step = 256 * 1024
    chunks = b"".join(
        b"%x\r\n%b\r\n" % (len(body[i : i + step]), body[i : i + step]) for i in range(0, len(body), step)
    )
    return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunks + b"0\r\n\r\n"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_large_put_is_read_whole_by_an_operation_that_does_not_stream(
    server: Server, name: str, chunked: bool
) -> None:
    """A PUT body past the streaming threshold (1 MiB) arrives while the request is answered; an operation that
    reads its body whole gets all of it, and the connection goes on to the next request."""
    body = b" " * (3 * 1024 * 1024) + b'{"ReservedConcurrentExecutions": 5}'
    with _connect(server) as sock:
        sock.sendall(_put_concurrency(name, body, chunked) + _json_request("CreateQueue", {"QueueName": name}))
        buffer = bytearray()
        status, _, answer = _read_response(sock, buffer)
        assert status == 404 and b"Function not found" in answer, answer  # parsed: the function is what is missing
        status, _, answer = _read_response(sock, buffer)
    assert status == 200 and json.loads(answer)["QueueUrl"].endswith(f"/{name}")


def test_an_oversized_put_gets_413_and_the_connection_goes_on(server: Server, name: str) -> None:
    size = 21 * 1024 * 1024
    with _connect(server) as sock:
        sock.sendall(
            f"PUT /2017-10-31/functions/{name}/concurrency HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Length: {size}\r\n\r\n".encode()
        )
        chunk = b" " * 1024 * 1024
        for _ in range(21):
            sock.sendall(chunk)
        sock.sendall(_json_request("CreateQueue", {"QueueName": name}))
        buffer = bytearray()
        status, _, _ = _read_response(sock, buffer)
        assert status == 413
        status, _, answer = _read_response(sock, buffer)
    assert status == 200 and json.loads(answer)["QueueUrl"].endswith(f"/{name}")


# --- slow and oversized clients ---------------------------------------------------------------------


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset after its answer counts as the close)."""
    out = bytearray()
    try:
        while chunk := sock.recv(65536):
            out.extend(chunk)
    except ConnectionResetError:
        pass
    return bytes(out)


def _send(sock: socket.socket, data: bytes) -> None:
    """Send what the server will take: it may refuse (and stop reading) before all of it arrived."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def test_one_8_mb_header_gets_431(server: Server) -> None:
    with _connect(server) as sock:
        _send(sock, b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (8 << 20) + b"\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 431 ")
    assert server.health()["status"] == "running"


def test_100_000_headers_get_431(server: Server) -> None:
    with _connect(server) as sock:
        headers = b"".join(b"X-H%d: v\r\n" % i for i in range(100_000))
        _send(sock, b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 431 ")


def test_headers_within_the_limits_are_served(server: Server) -> None:
    with _connect(server) as sock:
        headers = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 400) for i in range(100))  # about 40 KB
        sock.sendall(b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")
        assert _read_response(sock, bytearray())[0] == 200


def test_overlong_request_line_gets_400(server: Server) -> None:
    with _connect(server) as sock:
        _send(sock, b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 400 ")


def test_trickled_body_is_closed_within_15_seconds(server: Server) -> None:
    """Default limits: a body arriving at 20 bytes a second (each byte in time for the idle timeout) is cut
    off by the minimum rate."""
    with _connect(server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"
                     b"Content-Length: 100000\r\n\r\n")  # fmt: skip
        started = time.monotonic()
        sock.settimeout(0.25)
        answer = b""
        while time.monotonic() - started < 20 and not answer:
            _send(sock, b"{" if not answer else b"")
            try:
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:60]
    assert elapsed < 15


@pytest.fixture(scope="module")
def tight(store: Any) -> Iterator[Server]:
    """A server with limits small enough to reach within a test."""
    flags = ["--header-timeout", "1", "--body-timeout", "1", "--keepalive-timeout", "2"]
    srv = Server(**store(), extra_args=[*flags, "--max-connections-per-client", "8"]).start()
    yield srv
    srv.stop()


def _timed_answer(sock: socket.socket) -> tuple[bytes, float]:
    started = time.monotonic()
    return _answer(sock), time.monotonic() - started


def test_slow_headers_get_408(tight: Server) -> None:
    with _connect(tight) as sock:
        sock.sendall(b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\n")  # and never the blank line
        answer, elapsed = _timed_answer(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and elapsed < 6


def test_headers_dripping_a_byte_at_a_time_get_408(tight: Server) -> None:
    """Each byte arrives in time, but the head as a whole must be complete within the header timeout."""
    with _connect(tight) as sock:
        sock.settimeout(0.2)
        started, answer = time.monotonic(), b""
        for byte in b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"s" * 100:
            _send(sock, bytes([byte]))
            try:
                answer = sock.recv(1024)
                break
            except TimeoutError:
                continue
    assert answer.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 6


def test_stalled_body_gets_408(tight: Server) -> None:
    with _connect(tight) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{")
        answer, elapsed = _timed_answer(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and elapsed < 6


def test_idle_connection_is_closed_after_the_keepalive_timeout(tight: Server) -> None:
    with _connect(tight) as sock:
        sock.sendall(b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert _read_response(sock, bytearray())[0] == 200
        answer, elapsed = _timed_answer(sock)
    assert answer == b"" and 1 < elapsed < 8  # closed without a word: no request was in flight


def test_connections_per_client_are_capped(tight: Server) -> None:
    held = [_connect(tight) for _ in range(8)]
    try:
        with _connect(tight) as extra:
            assert _answer(extra).startswith(b"HTTP/1.1 503 ")
        held.pop().close()
        # once the server has seen the close (a moment, longer on a loaded machine), a new connection is served
        deadline = time.monotonic() + 10
        while True:
            with _connect(tight) as again:
                again.sendall(b"GET /_gureum/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                status = _read_response(again, bytearray())[0]
            if status == 200 or time.monotonic() > deadline:
                break
            assert status == 503
            time.sleep(0.1)
        assert status == 200
    finally:
        for sock in held:
            sock.close()


def test_long_poll_outlives_every_timeout(tight: Server, name: str) -> None:
    """A ReceiveMessage waiting longer than the header, body and keep-alive timeouts together is answered."""
    sqs = make_client(tight.endpoint, "sqs", read_timeout=30)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=4)
    assert time.monotonic() - started >= 3.5
    sqs.send_message(QueueUrl=url, MessageBody="after the wait")  # the same pooled connection still works
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] == "after the wait"


def test_idle_websocket_outlives_every_timeout(tight: Server, name: str) -> None:
    from .test_websocket_server import _echo_api

    api_id = _echo_api(make_client(tight.endpoint, "apigatewayv2"), name)
    url = f"ws://127.0.0.1:{tight.port}/restapis/{api_id}/test/_user_request_"

    async def run() -> str:
        async with websockets.connect(url, ping_interval=None) as ws:
            await asyncio.sleep(5)  # silent past the keep-alive timeout, with no ping either way
            await ws.send("still here")
            return str(await ws.recv())

    assert asyncio.run(asyncio.wait_for(run(), 30)) == "echo:still here"
