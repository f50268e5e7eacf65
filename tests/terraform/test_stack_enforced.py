"""The Terraform stack of test_stack.py under IAM enforcement (--enforce-iam, the provider's static key "test" as
the account's root): it applies cleanly and the HTTP API reaches the function (its permission lets
apigateway.amazonaws.com in). The stack grants SNS and EventBridge nothing on its queue, so their deliveries are
refused, as on AWS, and listed as such. (Plan and destroy are test_stack.py's: enforcement lets the root do both.)"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from ..conftest import StoreFactory
from ..server import Server
from ._terraform import Terraform, terraform_binary
from .test_stack import _check_api, _receive, _zip

pytestmark = pytest.mark.skipif(
    terraform_binary() is None,
    reason="the terraform binary is not installed (https://developer.hashicorp.com/terraform/install)",
)


@pytest.fixture(scope="module")
def enforced(store_kind: str, store: StoreFactory) -> Iterator[Server]:
    if store_kind != "sqlite":  # what enforcement decides does not depend on the store: the stack runs once
        pytest.skip("the enforced stack runs on SQLite only (test_stack.py applies it on every store)")
    server = Server(**store(), extra_args=["--enforce-iam", "--credentials", "test:test"]).start()
    yield server
    server.stop()


def _clients(server: Server) -> Callable[..., Any]:
    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    return make


@pytest.mark.timeout(300)
def test_stack_applies_under_enforcement(enforced: Server, name: str, tmp_path: Path) -> None:
    endpoint = enforced.endpoint
    aws = _clients(enforced)
    variables = {
        "endpoint": endpoint,
        "prefix": name,
        "zip": str(_zip(tmp_path)),
        "runtime": f"python3.{sys.version_info.minor}",
    }
    started = time.monotonic()
    out = Terraform(tmp_path / "tf").apply(variables)  # applies cleanly: nothing the stack does is refused
    _check_api(endpoint, out)  # the function's permission lets apigateway.amazonaws.com invoke it
    result = aws("lambda").invoke(FunctionName=out["function_name"], Payload=json.dumps({"rawPath": "/direct"}))
    assert json.loads(json.loads(result["Payload"].read())["body"])["path"] == "/direct"
    # no queue policy lets sns.amazonaws.com or events.amazonaws.com send: refused, as AWS refuses them
    requests.delete(f"{endpoint}/_gureum/iam/would-deny", timeout=10)
    aws("sns").publish(TopicArn=out["topic_arn"], Message="from terraform's topic")
    aws("events").put_events(Entries=[{"Source": "gureum.test", "DetailType": "order", "Detail": "{}"}])
    assert _receive(aws("sqs"), out["queue_url"], seconds=3) == []
    refused = requests.get(f"{endpoint}/_gureum/iam/would-deny", timeout=10).json()["wouldDeny"]
    assert {d["principal"] for d in refused if d["action"] == "sqs:SendMessage"} == {
        "sns.amazonaws.com",
        "events.amazonaws.com",
    }, refused
    print(f"apply and use under enforcement: {time.monotonic() - started:.1f} s")
