"""Delivery beyond SQS: dead-letter queues with AWS's attributes, API destinations over HTTP with each kind of
connection authorization, retries, and the invocation rate limit. The HTTP endpoint is a server in this process."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ._helpers import entry, expect_error, queue, receive


@pytest.fixture(scope="module")
def events(aws: Callable[..., Any]) -> Any:
    return aws("events")


class Endpoint:
    """An HTTP server on a free loopback port recording requests; answers come from ``statuses`` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.arrived = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                with endpoint.arrived:
                    endpoint.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "at": time.monotonic(),
                        }
                    )
                    status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                    endpoint.arrived.notify_all()
                answer = (
                    json.dumps({"access_token": "tok-123", "expires_in": 3600}).encode()
                    if self.path.startswith("/token")
                    else b"{}"
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10.0, path: str = "/hook") -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                matching = [r for r in self.requests if r["path"].startswith(path)]
                if len(matching) >= count or time.monotonic() > deadline:
                    return matching
                self.arrived.wait(0.1)


@pytest.fixture
def hook() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.server.shutdown()


def _destination(events: Any, name: str, url: str, auth_type: str, auth: dict[str, Any], rate: int = 300) -> str:
    connection = events.create_connection(Name=name, AuthorizationType=auth_type, AuthParameters=auth)["ConnectionArn"]
    return events.create_api_destination(
        Name=name,
        ConnectionArn=connection,
        InvocationEndpoint=url,
        HttpMethod="POST",
        InvocationRateLimitPerSecond=rate,
    )["ApiDestinationArn"]  # type: ignore[no-any-return]


def _rule(events: Any, name: str, target: dict[str, Any]) -> None:
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "t", **target}])


def test_dead_letter_queue_for_a_deleted_queue(events: Any, sqs: Any, name: str) -> None:
    gone_url, gone_arn = queue(sqs, f"{name}-gone")
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    _rule(
        events,
        name,
        {
            "Arn": gone_arn,
            "DeadLetterConfig": {"Arn": dlq_arn},
            "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60},
        },
    )
    sqs.delete_queue(QueueUrl=gone_url)
    event_id = events.put_events(Entries=[entry(name, {"k": 1})])["Entries"][0]["EventId"]
    [message] = receive(sqs, dlq_url, MessageAttributeNames=["All"])
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == f"arn:aws:events:us-east-1:000000000000:rule/{name}"
    assert attributes["TARGET_ARN"] == gone_arn
    assert attributes["ERROR_CODE"] == "RESOURCE_NOT_FOUND"
    assert attributes["ERROR_MESSAGE"] and attributes["RETRY_ATTEMPTS"] == "0"


def test_api_destination_with_api_key(events: Any, hook: Endpoint, name: str) -> None:
    auth = {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"},
        "InvocationHttpParameters": {
            "HeaderParameters": [{"Key": "X-Conn", "Value": "c", "IsValueSecret": True}],
            "QueryStringParameters": [{"Key": "q", "Value": "v"}],
        },
    }
    arn = _destination(events, name, hook.url + "/hook/*/items", "API_KEY", auth)
    described = events.describe_connection(Name=name)
    assert described["ConnectionState"] == "AUTHORIZED"
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {
        "ApiKeyName": "x-api-key"
    }  # the key value is never shown
    assert described["AuthParameters"]["InvocationHttpParameters"]["HeaderParameters"] == [
        {"Key": "X-Conn", "IsValueSecret": True}
    ]
    assert events.describe_api_destination(Name=name)["ApiDestinationState"] == "ACTIVE"
    http = {"PathParameterValues": ["abc"], "HeaderParameters": {"X-Target": "t"}, "QueryStringParameters": {"z": "1"}}
    _rule(events, name, {"Arn": arn, "HttpParameters": http, "RoleArn": "arn:aws:iam::000000000000:role/r"})
    event_id = events.put_events(Entries=[entry(name, {"k": 1})])["Entries"][0]["EventId"]
    [request] = hook.wait_for(1)
    assert request["method"] == "POST" and request["path"] == "/hook/abc/items?q=v&z=1"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-api-key"] == "s3cret" and headers["x-conn"] == "c" and headers["x-target"] == "t"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"])["id"] == event_id


def test_api_destination_basic_and_oauth(events: Any, hook: Endpoint, name: str) -> None:
    basic = _destination(
        events,
        f"{name}-basic",
        hook.url + "/hook/basic",
        "BASIC",
        {"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )
    oauth_auth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "id", "ClientSecret": "sec"},
            "AuthorizationEndpoint": hook.url + "/token",
            "HttpMethod": "POST",
        }
    }
    oauth = _destination(events, f"{name}-oauth", hook.url + "/hook/oauth", "OAUTH_CLIENT_CREDENTIALS", oauth_auth)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "basic", "Arn": basic}, {"Id": "oauth", "Arn": oauth}])
    events.put_events(Entries=[entry(name)])
    got = {r["path"]: {k.lower(): v for k, v in r["headers"].items()} for r in hook.wait_for(2)}
    assert got["/hook/basic"]["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert got["/hook/oauth"]["authorization"] == "Bearer tok-123"
    [token_request] = hook.wait_for(1, path="/token")
    assert token_request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"id:sec").decode()


def test_api_destination_retries_then_succeeds(events: Any, hook: Endpoint, name: str) -> None:
    hook.statuses = [503, 429]
    arn = _destination(
        events, name, hook.url + "/hook", "API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    )
    _rule(events, name, {"Arn": arn})
    events.put_events(Entries=[entry(name)])
    requests = hook.wait_for(3, timeout=15)
    assert len(requests) == 3
    assert requests[1]["at"] - requests[0]["at"] >= 0.9  # backoff before retrying


def test_api_destination_client_error_goes_to_dead_letter_queue(
    events: Any, sqs: Any, hook: Endpoint, name: str
) -> None:
    hook.statuses = [400]
    arn = _destination(
        events, name, hook.url + "/hook", "API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    )
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    _rule(events, name, {"Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}})
    events.put_events(Entries=[entry(name)])
    [message] = receive(sqs, dlq_url, MessageAttributeNames=["All"], timeout=10)
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "400"
    assert len(hook.wait_for(1)) == 1  # a 400 is not retried


def test_invocation_rate_limit(events: Any, hook: Endpoint, name: str) -> None:
    arn = _destination(
        events,
        name,
        hook.url + "/hook",
        "API_KEY",
        {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
        rate=2,
    )
    _rule(events, name, {"Arn": arn})
    events.put_events(Entries=[entry(name, {"i": i}) for i in range(4)])
    requests = hook.wait_for(4, timeout=10)
    assert len(requests) == 4
    assert requests[-1]["at"] - requests[0]["at"] >= 1.3  # 2 per second: the 4th waits for its slot at 1.5 s


def test_connection_changes_authorization_type(events: Any, name: str) -> None:
    """UpdateConnection to another authorization type replaces the AuthParameters instead of merging them into the
    old type's (Terraform's switch from an API key to basic was refused: "ApiKeyAuthParameters cannot be specified
    for authorization type BASIC"); with the same type they merge."""
    events.create_connection(
        Name=name, AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}},
    )  # fmt: skip
    events.update_connection(
        Name=name, AuthorizationType="BASIC", Description="basic now",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )  # fmt: skip
    described = events.describe_connection(Name=name)
    assert described["AuthorizationType"] == "BASIC" and described["Description"] == "basic now"
    assert described["AuthParameters"] == {"BasicAuthParameters": {"Username": "u"}}
    events.update_connection(Name=name, AuthParameters={"BasicAuthParameters": {"Username": "v"}})
    assert events.describe_connection(Name=name)["AuthParameters"] == {"BasicAuthParameters": {"Username": "v"}}
    expect_error(
        events.update_connection, "ValidationException", Name=name, AuthorizationType="API_KEY",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )  # fmt: skip
    events.delete_connection(Name=name)


def test_connection_and_destination_errors(events: Any, name: str) -> None:
    expect_error(
        events.describe_connection,
        "ResourceNotFoundException",
        f"Failed to describe the connection(s). Connection '{name}' does not exist.",
        Name=name,
    )
    expect_error(
        events.describe_api_destination,
        "ResourceNotFoundException",
        f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist.",
        Name=name,
    )
    expect_error(
        events.create_connection,
        "ValidationException",
        Name=name,
        AuthorizationType="BASIC",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
    )
    events.create_connection(
        Name=name, AuthorizationType="BASIC", AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}}
    )
    expect_error(
        events.create_connection,
        "ResourceAlreadyExistsException",
        Name=name,
        AuthorizationType="BASIC",
        AuthParameters={"BasicAuthParameters": {"Username": "u", "Password": "p"}},
    )
    assert [c["Name"] for c in events.list_connections(NamePrefix=name)["Connections"]] == [name]
    assert events.delete_connection(Name=name)["ConnectionState"] == "DELETING"
