"""The Terraform stack of test_stack.py under IAM enforcement (--enforce-iam, the provider's static key "test" as
the account's root): it applies cleanly. What the stack then does is decided as AWS decides it: its Lambda
permission names the HTTP API by an ARN without the account (the provider skips requesting the account id), so API
Gateway's invocation is refused until a permission naming the account is added; the stack grants SNS and
EventBridge nothing on its queue, so their deliveries are refused; each refusal is listed at
/_gureum/iam/would-deny. (Plan and destroy are test_stack.py's: enforcement lets the root do both.)"""

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
    lam = aws("lambda")
    # the stack's permission names the API by its execution_arn, which the provider builds without the account id
    # (skip_requesting_account_id): that source ARN matches no invocation, so API Gateway is refused, as on AWS
    statement = json.loads(lam.get_policy(FunctionName=out["function_name"])["Policy"])["Statement"][0]
    granted = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert granted == f"arn:aws:execute-api:us-east-1::{out['api_id']}/*/*"
    host = {"Host": f"{out['api_id']}.execute-api.localhost:{endpoint.rsplit(':', 1)[1]}"}
    assert requests.get(f"{endpoint}/hello", headers=host, timeout=30).status_code == 500
    refused = requests.get(f"{endpoint}/_gureum/iam/would-deny", timeout=10).json()["wouldDeny"]
    assert any(d["principal"] == "apigateway.amazonaws.com" for d in refused), refused
    lam.add_permission(  # the permission as it reads with the account: the HTTP API reaches the function
        FunctionName=out["function_name"],
        StatementId="WithAccount",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{out['api_id']}/*/*",
    )
    _check_api(endpoint, out)
    result = lam.invoke(FunctionName=out["function_name"], Payload=json.dumps({"rawPath": "/direct"}))
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
