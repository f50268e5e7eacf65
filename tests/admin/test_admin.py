"""Health, reset and the engine's answers to requests it cannot serve."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import make_client
from ..server import Server


def _request(
    endpoint: str, path: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(endpoint + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_health_endpoints(endpoint: str) -> None:
    make_client(endpoint, "sqs").list_queues()
    make_client(endpoint, "sts").get_caller_identity()
    status, _, body = _request(endpoint, "/_gureum/health")
    doc = json.loads(body)
    assert status == 200
    assert doc["services"]["sqs"] == "running" and doc["services"]["sts"] == "running"
    assert doc["version"]
    status, _, body = _request(endpoint, "/_localstack/health")
    assert status == 200 and json.loads(body)["services"]["sqs"] in ("running", "available")


def test_reset_wipes_state(store: Any) -> None:
    server = Server(**store()).start()
    try:
        sqs = make_client(server.endpoint, "sqs")
        sqs.create_queue(QueueName="before-reset")
        for path in ("/_gureum/reset", "/moto-api/reset"):
            status, _, _ = _request(server.endpoint, path, "POST")
            assert status == 200
            assert "QueueUrls" not in sqs.list_queues()
            sqs.create_queue(QueueName="before-reset")  # no QueueDeletedRecently after a reset
    finally:
        server.stop()


def test_malformed_json_is_an_aws_error(endpoint: str) -> None:
    headers = {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}
    status, resp_headers, body = _request(endpoint, "/", "POST", b"{not json", headers)
    assert status == 400
    assert "SerializationException" in json.loads(body)["__type"]


def test_wrong_member_type_is_an_aws_error(endpoint: str) -> None:
    headers = {"X-Amz-Target": "AmazonSQS.ReceiveMessage", "Content-Type": "application/x-amz-json-1.0"}
    status, _, body = _request(
        endpoint, "/", "POST", json.dumps({"QueueUrl": "x", "MaxNumberOfMessages": "ten"}).encode(), headers
    )
    assert status == 400
    assert "SerializationException" in json.loads(body)["__type"]


def test_unknown_json_operation(endpoint: str) -> None:
    headers = {"X-Amz-Target": "AmazonSQS.FlyToTheMoon", "Content-Type": "application/x-amz-json-1.0"}
    status, resp_headers, body = _request(endpoint, "/", "POST", b"{}", headers)
    assert status == 400
    assert json.loads(body)["__type"].endswith("UnknownOperationException")


def test_missing_required_member_json(sqs: Any, endpoint: str) -> None:
    headers = {"X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0"}
    status, resp_headers, body = _request(endpoint, "/", "POST", b"{}", headers)
    assert status == 400
    lowered = {k.lower(): v for k, v in resp_headers.items()}
    assert lowered["x-amzn-query-error"] == "MissingParameter;Sender"
    assert json.loads(body)["message"] == "The request must contain the parameter QueueName."


def test_unknown_admin_path_is_404(endpoint: str) -> None:
    status, _, _ = _request(endpoint, "/_gureum/nothing-here")
    assert status == 404


def test_queue_url_host_follows_the_client(server: Server) -> None:
    client = make_client(f"http://localhost:{server.port}", "sqs")
    url = client.create_queue(QueueName="host-follows")["QueueUrl"]
    assert url == f"http://localhost:{server.port}/000000000000/host-follows"


def test_sqs_error_code_through_boto3(sqs: Any, name: str) -> None:
    with pytest.raises(ClientError) as err:
        sqs.get_queue_url(QueueName=name)
    assert err.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
