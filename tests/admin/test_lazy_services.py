"""Services load on first use: a fresh server runs none of them (X-Ray aside while tracing is on: it records every
call), and an AWS call, a data-plane request, an admin route or a connection to SES's SMTP port loads the service
it is for; a service with state in the store loads at start (its work in flight resumes), the others stay unloaded."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from typing import Any

from ..conftest import make_client
from ..server import Server, free_port


def _running(server: Server) -> set[str]:
    return {name for name, state in server.health()["services"].items() if state == "running"}


def _get(endpoint: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(endpoint + path, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_each_service_loads_on_its_first_use(store: Any) -> None:
    smtp_port = free_port()
    args = ["--smtp-port", str(smtp_port), "--smtp-inbound-port", "0"]
    server = Server(**store(), extra_args=args).start()
    try:
        services = server.health()["services"]
        assert "sqs" in services and "cloudformation" in services  # every service is listed …
        assert _running(server) == {"xray"}  # … and only X-Ray (tracing is on by default) runs yet
        localstack = json.loads(_get(server.endpoint, "/_localstack/health")[1])["services"]
        assert localstack["sqs"] == "available" and localstack["xray"] == "running"

        make_client(server.endpoint, "sqs").list_queues()  # an AWS call
        assert _running(server) == {"xray", "sqs"}

        status, body = _get(server.endpoint, "/lambda-url/no-such-url/")  # Lambda's data plane answers it
        assert status == 404 and json.loads(body)["Message"] == "Not Found"
        assert "lambda" in _running(server)

        status, body = _get(server.endpoint, "/_gureum/sns/messages")  # an admin route of SNS
        assert status == 200 and json.loads(body)["messages"] == []
        assert "sns" in _running(server)

        assert "s3" not in _running(server)  # a browser-based upload (POST Object) is S3's
        form = b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--b\r\n' + (
            b'Content-Disposition: form-data; name="file"; filename="f"\r\n\r\nx\r\n--b--\r\n'
        )
        post = urllib.request.Request(server.endpoint + "/no-such-bucket", form, method="POST",
                                      headers={"Content-Type": "multipart/form-data; boundary=b"})  # fmt: skip
        try:
            urllib.request.urlopen(post, timeout=10)
            raise AssertionError("a form POSTed to a missing bucket was accepted")
        except urllib.error.HTTPError as error:
            assert b"<Code>NoSuchBucket</Code>" in error.read()
        assert "s3" in _running(server)

        assert "ses" not in _running(server)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=20) as smtp:  # gureum held the port; SES serves it
            code, _ = smtp.ehlo("lazy.example")
            assert code == 250
        assert "ses" in _running(server)
        assert {"kinesis", "dynamodb", "cloudformation"}.isdisjoint(_running(server))
    finally:
        server.stop()


def test_a_service_with_state_loads_at_start(store: Any, name: str) -> None:
    kept = store()
    server = Server(**kept, extra_args=["--no-tracing"]).start()
    try:
        sqs = make_client(server.endpoint, "sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="kept")
    finally:
        server.stop()
    server = Server(**kept, extra_args=["--no-tracing"]).start()
    try:
        assert _running(server) == {"sqs"}  # before any call: it has state here
        got = make_client(server.endpoint, "sqs").receive_message(QueueUrl=url, WaitTimeSeconds=5)
        assert [m["Body"] for m in got["Messages"]] == ["kept"]
    finally:
        server.stop()
