"""Smoke test with the AWS CLI (v1, from PyPI) against the live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

pytest.importorskip("awscli")


def aws(endpoint: str, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
    }
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip() else None


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
