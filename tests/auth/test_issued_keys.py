"""Keys gureum issues (ASIA…) act in the account they encode, the default account 000000000000 included: a Lambda
function's own credentials pass strict SigV4 for a role in the default account. And AWS_IAM function URLs verify
signatures in strict mode."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from gureum.aws.auth import DEFAULT_ACCOUNT, account_for_key, is_issued, issue_access_key

from ..server import Server
from ..services.lambda_.zips import make_zip


@pytest.mark.parametrize("account", [DEFAULT_ACCOUNT, "123456789012"])
def test_issued_keys_decode_for_every_account(account: str) -> None:
    key = issue_access_key(account)
    assert key.startswith("ASIA") and len(key) == 20
    assert is_issued(key) and account_for_key(key) == account
    assert not is_issued("ASIA" + "A" * 16) and not is_issued("test") and not is_issued(account)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # the only static key acts in another account: the function can only succeed with its own issued key
    server = Server(
        tmp_path_factory.mktemp("issued"), extra_args=["--strict-auth", "--credentials", "123456789012:acct-secret"]
    ).start()
    yield server
    server.stop()


def test_function_credentials_work_for_the_default_account(strict: Server) -> None:
    client = boto3.client(
        "lambda",
        endpoint_url=strict.endpoint,
        region_name="us-east-1",
        aws_access_key_id="123456789012",
        aws_secret_access_key="acct-secret",
    )
    code = (
        "import os, boto3\n"
        "def handler(event, context):\n"
        "    who = boto3.client('sts').get_caller_identity()\n"
        "    return {'key': os.environ['AWS_ACCESS_KEY_ID'], 'account': who['Account']}\n"
    )
    # the function lives in 123456789012; its role, and so its credentials, in the default account
    client.create_function(
        FunctionName="who-am-i",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/r",
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.py": code})},
    )
    client.get_waiter("function_active_v2").wait(
        FunctionName="who-am-i", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50}
    )
    out = client.invoke(FunctionName="who-am-i", Payload=b"{}")
    doc = json.loads(out["Payload"].read())
    assert "FunctionError" not in out, doc
    assert (
        doc["key"].startswith("ASIA")
        and account_for_key(doc["key"]) == DEFAULT_ACCOUNT
        and doc["account"] == DEFAULT_ACCOUNT
    )


def test_aws_iam_function_url_verifies_signatures_in_strict_mode(strict: Server) -> None:
    client = boto3.client(
        "lambda",
        endpoint_url=strict.endpoint,
        region_name="us-east-1",
        aws_access_key_id="123456789012",
        aws_secret_access_key="acct-secret",
    )
    code = (
        "def handler(event, context):\n"
        "    return {'statusCode': 200, 'body': event['requestContext']['authorizer']['iam']['accountId']}\n"
    )
    client.create_function(
        FunctionName="iam-url",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/r",
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.py": code})},
    )
    client.get_waiter("function_active_v2").wait(FunctionName="iam-url", WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    url_id = (
        client.create_function_url_config(FunctionName="iam-url", AuthType="AWS_IAM")["FunctionUrl"]
        .split("//")[1]
        .split(".")[0]
    )
    url = f"{strict.endpoint}/lambda-url/{url_id}/"

    def signed(secret: str) -> httpx.Response:
        request = AWSRequest(method="GET", url=url, headers={})
        SigV4Auth(Credentials("123456789012", secret), "lambda", "us-east-1").add_auth(request)
        return httpx.get(url, headers=dict(request.headers))

    good = signed("acct-secret")
    assert good.status_code == 200 and good.text == "123456789012"
    assert signed("wrong-secret").status_code == 403 and httpx.get(url).status_code == 403
