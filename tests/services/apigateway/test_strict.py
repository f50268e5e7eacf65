"""Strict SigV4 mode: AWS service integrations still reach SQS (signed in-process with a key gureum issues), and
AWS_IAM methods verify the caller's signature."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ...conftest import StoreFactory, make_client
from ...server import Server
from .helpers import Api, stage_url


@pytest.fixture(scope="module")
def strict(store: StoreFactory) -> Iterator[Server]:
    server = Server(**store(), extra_args=["--strict-auth", "--credentials", "test:test"]).start()
    yield server
    server.stop()


def _signed(url: str, secret: str) -> dict[str, str]:
    request = AWSRequest(method="GET", url=url, headers={"Host": url.split("/")[2]})
    SigV4Auth(Credentials("test", secret), "execute-api", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_strict_mode(strict: Server, name: str) -> None:
    sqs, apigw = make_client(strict.endpoint, "sqs"), make_client(strict.endpoint, "apigateway")
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    api = Api(apigw, name)
    api.method(
        "/send",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:us-east-1:sqs:path/000000000000/{name}",
            "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
            "requestTemplates": {"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"},
        },
    )
    api.respond("/send", "POST")
    api.method(
        "/private",
        "GET",
        {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        authorizationType="AWS_IAM",
    )
    api.respond("/private", "GET", responseTemplates={"application/json": '{"caller": "$context.identity.caller"}'})
    api.deploy()
    r = httpx.post(stage_url(strict.endpoint, api.id, "test", "/send"), json={"n": 1})
    assert r.status_code == 200 and "<MessageId>" in r.text, r.text
    assert json.loads(sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"][0]["Body"]) == {"n": 1}

    url = stage_url(strict.endpoint, api.id, "test", "/private")
    r = httpx.get(url)
    assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}
    assert httpx.get(url, headers=_signed(url, "wrong")).status_code == 403
    r = httpx.get(url, headers=_signed(url, "test"))
    assert r.status_code == 200 and r.json() == {"caller": "test"}
