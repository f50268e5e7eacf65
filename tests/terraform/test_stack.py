"""Terraform (AWS provider, offline from the local mirror) applies a small event-driven stack to gureum, the stack
works (SNS → SQS, EventBridge → SQS, Lambda, an HTTP API in front of it), and destroy leaves nothing behind."""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from ._terraform import Terraform, terraform_binary

pytestmark = pytest.mark.skipif(
    terraform_binary() is None,
    reason="the terraform binary is not installed (https://developer.hashicorp.com/terraform/install)",
)

HANDLER = """
import json


def handler(event, context):
    body = {"message": "hello from gureum", "path": event.get("rawPath"), "function": context.function_name}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}
"""


def _zip(directory: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HANDLER)
    path = directory / "function.zip"
    path.write_bytes(buffer.getvalue())
    return path


def _receive(sqs: Any, queue_url: str, seconds: float = 15) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if messages:
            for message in messages:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            return [m["Body"] for m in messages]
    return []


def _check_stack(aws: Callable[..., Any], out: dict[str, Any]) -> None:
    sqs, sns, events, lam, iam = aws("sqs"), aws("sns"), aws("events"), aws("lambda"), aws("iam")
    queue_url = out["queue_url"]
    # SNS → SQS (raw delivery)
    sns.publish(TopicArn=out["topic_arn"], Message="from terraform's topic")
    assert _receive(sqs, queue_url) == ["from terraform's topic"]
    # EventBridge rule → SQS
    events.put_events(Entries=[{"Source": "gureum.test", "DetailType": "order", "Detail": json.dumps({"id": 7})}])
    bodies = _receive(sqs, queue_url)
    assert len(bodies) == 1 and json.loads(bodies[0])["detail"] == {"id": 7}
    # the role and its managed policy, the function and its permission
    attached = {
        p["PolicyName"]: p["PolicyArn"]
        for p in iam.list_attached_role_policies(RoleName=out["role_name"])["AttachedPolicies"]
    }
    assert attached == {
        "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        out["policy_arn"].rsplit("/", 1)[1]: out["policy_arn"],
    }
    assert iam.list_role_policies(RoleName=out["role_name"])["PolicyNames"] == ["send-to-inbox"]
    assert iam.get_policy(PolicyArn=out["policy_arn"])["Policy"]["AttachmentCount"] == 1
    result = lam.invoke(FunctionName=out["function_name"], Payload=json.dumps({"rawPath": "/direct"}))
    assert json.loads(json.loads(result["Payload"].read())["body"])["path"] == "/direct"
    policy = json.loads(lam.get_policy(FunctionName=out["function_name"])["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["AllowHttpApi"]


def _gone(call: Callable[..., Any], code: str, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except ClientError as error:
        return bool(error.response["Error"]["Code"] == code)
    return False


def _check_destroyed(aws: Callable[..., Any], tf: Terraform, out: dict[str, Any]) -> None:
    assert tf.state() == []
    prefix = out["function_name"].rsplit("-", 1)[0]  # the test's unique name
    assert _gone(aws("sqs").get_queue_url, "AWS.SimpleQueueService.NonExistentQueue", QueueName=f"{prefix}-inbox")
    assert out["topic_arn"] not in [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]]
    assert not [s for s in aws("sns").list_subscriptions()["Subscriptions"] if s["TopicArn"] == out["topic_arn"]]
    assert _gone(aws("events").describe_rule, "ResourceNotFoundException", Name=out["rule_name"])
    assert _gone(aws("iam").get_role, "NoSuchEntity", RoleName=out["role_name"])
    assert _gone(aws("iam").get_policy, "NoSuchEntity", PolicyArn=out["policy_arn"])
    assert _gone(aws("lambda").get_function, "ResourceNotFoundException", FunctionName=out["function_name"])
    assert out["api_id"] not in [api["ApiId"] for api in aws("apigatewayv2").get_apis()["Items"]]


@pytest.mark.timeout(420)
def test_stack_apply_use_destroy(aws: Callable[..., Any], endpoint: str, name: str, tmp_path: Path) -> None:
    variables = {
        "endpoint": endpoint,
        "prefix": name,
        "zip": str(_zip(tmp_path)),
        "runtime": f"python3.{sys.version_info.minor}",
    }
    tf = Terraform(tmp_path / "tf")
    out = tf.apply(variables)
    try:
        # what gureum answers reads back as what was declared: a second plan finds nothing to change
        assert tf.plan_changes(variables) is False
        _check_api(endpoint, out)
        _check_stack(aws, out)
    finally:
        tf.destroy(variables)
    _check_destroyed(aws, tf, out)


def _check_api(endpoint: str, out: dict[str, Any]) -> None:
    api_id = out["api_id"]
    assert out["api_endpoint"].startswith(f"http://{api_id}.execute-api.")
    host = f"{api_id}.execute-api.localhost:{endpoint.rsplit(':', 1)[1]}"
    # the API's own host (https://{api_id}.execute-api.{region}.amazonaws.com in AWS), reached on gureum's port
    by_host = requests.get(f"{endpoint}/hello", headers={"Host": host}, timeout=30)
    assert by_host.status_code == 200, by_host.text
    assert by_host.json() == {"message": "hello from gureum", "path": "/hello", "function": out["function_name"]}
    by_path = requests.get(f"{endpoint}/restapis/{api_id}/$default/_user_request_/hello", timeout=30)
    assert by_path.status_code == 200 and by_path.json()["path"] == "/hello", by_path.text
    assert requests.get(f"{endpoint}/nope", headers={"Host": host}, timeout=30).status_code == 404
