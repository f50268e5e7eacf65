"""examples/orders/run.py, run as a user runs it, against the test server: the orders it sends through API Gateway →
Lambda → SQS → Lambda → EventBridge → SQS arrive processed; a second run redeploys over the first and tears down."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server import ROOT

EXAMPLE = ROOT / "examples" / "orders" / "run.py"
ACCOUNT = "481516234200"  # a 12-digit access key id is the account: the example's resources stay apart from others'


def run_example(endpoint: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ACCOUNT, AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--endpoint", endpoint, "--timeout", "30", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def answers(output: str) -> dict[str, int]:
    """Order number → the status the API answered its POST /orders with (order ids are <run>-<n>)."""
    return {m[1]: int(m[2]) for m in re.finditer(r"POST /orders \w+-(\d) → (\d{3}) ", output)}


def processed(output: str) -> dict[str, tuple[str, float]]:
    """The orders that reached orders-done: order number → (customer, total)."""
    found = re.finditer(r"OrderProcessed \w+-(\d): (\w+), total ([\d.]+)", output)
    return {m[1]: (m[2], float(m[3])) for m in found}


def test_orders_example(endpoint: str, aws: Callable[..., Any]) -> None:
    first = run_example(endpoint)
    assert answers(first) == {"1": 202, "2": 202, "3": 202, "4": 400}, first
    assert "customer is required; items must be a non-empty list" in first
    assert processed(first) == {"1": ("ana", 9.0), "2": ("bo", 12.0), "3": ("cy", 30.0)}, first
    assert "All 3 accepted order(s) processed." in first
    url = re.search(r"API: (\S+)", first)
    assert url and re.fullmatch(rf"{endpoint}/restapis/\w+/dev/_user_request_/orders", url[1])

    lam = aws("lambda", access_key=ACCOUNT)
    intake = lam.get_function(FunctionName="orders-intake")["Configuration"]
    assert intake["State"] == "Active" and intake["FunctionArn"].split(":")[4] == ACCOUNT
    assert len(lam.list_event_source_mappings(FunctionName="orders-process")["EventSourceMappings"]) == 1

    # run again over what is deployed (same API, one mapping), then tear everything down
    second = run_example(endpoint, "--teardown")
    assert processed(second) == {"1": ("ana", 9.0), "2": ("bo", 12.0), "3": ("cy", 30.0)}, second
    assert f"API: {url[1]}" in second

    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        lam.get_function(FunctionName="orders-intake")
    # AWS lists a deleted mapping as Deleting for a while
    assert all(m["State"] == "Deleting" for m in lam.list_event_source_mappings()["EventSourceMappings"])
    sqs = aws("sqs", access_key=ACCOUNT)
    assert sqs.list_queues(QueueNamePrefix="orders").get("QueueUrls", []) == []
    assert [b["Name"] for b in aws("events", access_key=ACCOUNT).list_event_buses()["EventBuses"]] == ["default"]
    assert aws("apigateway", access_key=ACCOUNT).get_rest_apis()["items"] == []
    assert aws("iam", access_key=ACCOUNT).list_roles()["Roles"] == []
    assert aws("logs", access_key=ACCOUNT).describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"] == []
