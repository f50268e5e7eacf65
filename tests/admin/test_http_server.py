"""gureum's own HTTP/1.1 server over raw sockets: pipelining, 100-continue, chunked bodies, HEAD,
Connection: close, malformed requests and oversized bodies."""

from __future__ import annotations

import json
import socket
from typing import Any

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
        f"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.{target}\r\n{extra}"
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
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.CreateQueue\r\n"
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
