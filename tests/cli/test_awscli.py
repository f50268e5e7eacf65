"""Smoke test with the AWS CLI (v1, from PyPI) against the live server."""

from __future__ import annotations

import pytest

from tests.awscli import aws

pytest.importorskip("awscli")


def test_cli_sqs_round_trip(endpoint: str, name: str) -> None:
    url = aws(endpoint, "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    aws(endpoint, "sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    got = aws(endpoint, "sqs", "receive-message", "--queue-url", url, "--attribute-names", "All")
    assert got["Messages"][0]["Body"] == "from the cli"
    aws(endpoint, "sqs", "delete-message", "--queue-url", url, "--receipt-handle", got["Messages"][0]["ReceiptHandle"])
    assert url in aws(endpoint, "sqs", "list-queues")["QueueUrls"]
    attrs = aws(
        endpoint, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "ApproximateNumberOfMessages"
    )
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"
    aws(endpoint, "sqs", "delete-queue", "--queue-url", url)


def test_cli_sts(endpoint: str) -> None:
    assert aws(endpoint, "sts", "get-caller-identity")["Account"] == "000000000000"
