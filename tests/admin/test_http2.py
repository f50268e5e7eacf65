"""HTTP/2 with prior knowledge (h2c) on gureum's one port, through the ``h2`` library as a client: requests answered
as over HTTP/1.1, several streams at once on one connection, a streamed answer (Kinesis SubscribeToShard's event
stream) paced by a tiny flow-control window, a reset stream ending its subscription, a client's GOAWAY letting its
open streams finish (Node's http2 client sends one right after its request), HTTP/1.1 still served beside."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events
import h2.settings
import requests
from hyperframe.frame import GoAwayFrame

from gureum.aws.eventstream import Message, MessageDecoder

TARGET = "Kinesis_20131202"
JSON_11 = "application/x-amz-json-1.1"


class Client:
    """A blocking HTTP/2 client over one socket: send requests, read events, collect answers."""

    def __init__(self, endpoint: str, window: int | None = None) -> None:
        url = urlsplit(endpoint)
        assert url.hostname is not None and url.port is not None
        self.authority = f"{url.hostname}:{url.port}"
        self.sock = socket.create_connection((url.hostname, url.port), timeout=10)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.sock.sendall(self.conn.data_to_send())
        self.heads: dict[int, dict[str, str]] = {}
        self.bodies: dict[int, bytearray] = {}
        self.ended: set[int] = set()
        self.reset: set[int] = set()
        self.largest_frame = 0

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> int:
        stream_id: int = self.conn.get_next_available_stream_id()
        head = [(":method", method), (":path", path), (":scheme", "http"), (":authority", self.authority)]
        head += list((headers or {}).items())
        self.conn.send_headers(stream_id, head, end_stream=not body)
        if body:
            self.conn.send_data(stream_id, body, end_stream=True)
        self.sock.sendall(self.conn.data_to_send())
        self.bodies[stream_id] = bytearray()
        return stream_id

    def pump(self, ack: bool = True) -> list[h2.events.Event]:
        data = self.sock.recv(65536)
        assert data, "the server closed the connection"
        events = self.conn.receive_data(data)
        for event in events:
            if isinstance(event, h2.events.ResponseReceived):
                self.heads[event.stream_id] = dict(event.headers)
            elif isinstance(event, h2.events.DataReceived):
                self.bodies[event.stream_id] += event.data
                self.largest_frame = max(self.largest_frame, len(event.data))
                if ack:
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self.ended.add(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self.reset.add(event.stream_id)
        self.sock.sendall(self.conn.data_to_send())
        return events

    def wait(self, done: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline
            self.pump()

    def answer(self, stream_id: int) -> tuple[dict[str, str], bytes]:
        self.wait(lambda: stream_id in self.ended)
        return self.heads[stream_id], bytes(self.bodies[stream_id])

    def close(self) -> None:
        self.conn.close_connection()
        self.sock.sendall(self.conn.data_to_send())
        self.sock.close()


def _call(client: Client, operation: str, body: dict[str, Any]) -> int:
    headers = {"content-type": JSON_11, "x-amz-target": f"{TARGET}.{operation}"}
    return client.request("POST", "/", headers, json.dumps(body).encode())


def test_requests_and_concurrent_streams(endpoint: str, aws: Callable[..., Any], name: str) -> None:
    aws("kinesis").create_stream(StreamName=name, ShardCount=1)
    client = Client(endpoint)
    try:
        health = client.request("GET", "/_gureum/health")
        described = _call(client, "DescribeStreamSummary", {"StreamName": name})
        missing = _call(client, "DescribeStreamSummary", {"StreamName": f"{name}-no"})
        head, body = client.answer(health)
        assert head[":status"] == "200" and json.loads(body)
        head, body = client.answer(described)
        assert head[":status"] == "200" and head["content-type"] == JSON_11
        assert int(head["content-length"]) == len(body)
        assert json.loads(body)["StreamDescriptionSummary"]["StreamName"] == name
        head, body = client.answer(missing)
        assert head[":status"] == "400" and json.loads(body)["__type"].endswith("ResourceNotFoundException")
        assert "connection" not in head and "transfer-encoding" not in head
    finally:
        client.close()
    assert requests.get(f"{endpoint}/_gureum/health", timeout=10).status_code == 200  # HTTP/1.1 beside it


def _consumer(kinesis: Any, stream: str) -> str:
    summary = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
    registered = kinesis.register_stream_consumer(StreamARN=summary["StreamARN"], ConsumerName="h2")
    consumer_arn: str = registered["Consumer"]["ConsumerARN"]
    deadline = time.monotonic() + 10
    while kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"] != (
        "ACTIVE"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return consumer_arn


def _messages(client: Client, stream_id: int, decoder: MessageDecoder, seen: int) -> list[Message]:
    data = bytes(client.bodies[stream_id])
    return decoder.feed(data[seen:])


def test_event_stream_under_a_small_window_and_reset(endpoint: str, aws: Callable[..., Any], name: str) -> None:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    while kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        time.sleep(0.05)
    records = [{"Data": bytes([i]) * 3000, "PartitionKey": "k"} for i in range(5)]  # ~20 KB of JSON in one event
    kinesis.put_records(StreamName=name, Records=records)
    consumer_arn = _consumer(kinesis, name)
    client = Client(endpoint, window=512)  # every DATA frame of the answer fits the client's 512-byte window
    try:
        position = {"Type": "TRIM_HORIZON"}
        sub = _call(client, "SubscribeToShard", {"ConsumerARN": consumer_arn, "ShardId": "shardId-000000000000",
                                                 "StartingPosition": position})  # fmt: skip
        decoder = MessageDecoder()
        messages: list[Message] = []
        seen = 0
        deadline = time.monotonic() + 10
        while len(messages) < 2:
            assert time.monotonic() < deadline
            client.pump()
            messages += _messages(client, sub, decoder, seen)
            seen = len(client.bodies[sub])
        assert client.heads[sub][":status"] == "200"
        assert client.heads[sub]["content-type"] == "application/vnd.amazon.eventstream"
        assert messages[0].headers[":event-type"] == "initial-response"
        assert messages[1].headers[":event-type"] == "SubscribeToShardEvent"
        event = json.loads(messages[1].payload)
        assert len(event["Records"]) == 5 and event["ContinuationSequenceNumber"]
        assert 0 < client.largest_frame <= 512

        # the client resets the stream: its subscription ends, so the consumer may subscribe again at once
        client.conn.reset_stream(sub)
        client.sock.sendall(client.conn.data_to_send())
        deadline = time.monotonic() + 3  # well before a second call could take the subscription over (5 s)
        while True:
            again = _call(client, "SubscribeToShard", {"ConsumerARN": consumer_arn, "ShardId": "shardId-000000000000",
                                                       "StartingPosition": {"Type": "LATEST"}})  # fmt: skip
            client.wait(lambda: again in client.heads)  # noqa: B023
            if client.heads[again][":status"] == "200":
                break
            assert client.heads[again][":status"] == "400" and time.monotonic() < deadline  # released a moment later
            time.sleep(0.1)
        assert again not in client.ended
    finally:
        client.close()


def test_goaway_lets_open_streams_finish(endpoint: str, aws: Callable[..., Any], name: str) -> None:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    while kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        time.sleep(0.05)
    consumer_arn = _consumer(kinesis, name)
    client = Client(endpoint)
    try:
        sub = _call(client, "SubscribeToShard", {"ConsumerARN": consumer_arn, "ShardId": "shardId-000000000000",
                                                 "StartingPosition": {"Type": "LATEST"}})  # fmt: skip
        client.wait(lambda: sub in client.heads)
        goaway = GoAwayFrame(0)  # raw: h2's own client state machine would close on sending it (python-hyper/h2#1181)
        goaway.last_stream_id = 0
        client.sock.sendall(goaway.serialize())
        kinesis.put_record(StreamName=name, Data=b"after goaway", PartitionKey="k")
        decoder = MessageDecoder()
        messages = _messages(client, sub, decoder, 0)  # what came with the head
        seen = len(client.bodies[sub])
        deadline = time.monotonic() + 4  # before the 5-second heartbeat: the record's own event
        while len(messages) < 2:
            assert time.monotonic() < deadline
            client.pump()
            messages += _messages(client, sub, decoder, seen)
            seen = len(client.bodies[sub])
        assert messages[0].headers[":event-type"] == "initial-response"
        event = json.loads(messages[1].payload)
        assert [r["Data"] for r in event["Records"]] == ["YWZ0ZXIgZ29hd2F5"]  # base64 of b"after goaway"
    finally:
        client.sock.close()
