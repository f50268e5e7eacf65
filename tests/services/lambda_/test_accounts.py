"""Accounts are isolated as on AWS: another account's function is reachable by ARN only as far as its resource
policy (AddPermission) grants the caller — Invoke (sync and Event), GetFunction, GetFunctionConfiguration,
GetPolicy; never AddPermission, RemovePermission, UpdateFunctionConfiguration, DeleteFunction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...expect import expect_error
from .zips import create

OWNER, OTHER, THIRD = "111111111111", "222222222222", "333333333333"
CODE = {"index.py": "def handler(event, context):\n    return {'ok': event}\n"}


def _denied(call: Callable[[], Any], action: str, resource: str) -> None:
    message = expect_error(call, "AccessDeniedException", status=403)["Message"]
    assert message.startswith(f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: {action}"), message
    assert f"on resource: {resource}" in message, message


def test_another_accounts_function_needs_its_policy(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("lambda", access_key=OWNER), aws("lambda", access_key=OTHER)
    arn = create(owner, name, CODE)["FunctionArn"]
    assert f":{OWNER}:function:" in arn
    # by name, another account sees its own (none); by ARN, it is refused until the policy grants it
    expect_error(lambda: other.get_function(FunctionName=name), "ResourceNotFoundException", status=404)
    _denied(lambda: other.invoke(FunctionName=arn, Payload=b"{}"), "lambda:InvokeFunction", arn)
    _denied(lambda: other.invoke(FunctionName=arn, Payload=b"{}", InvocationType="Event"), "lambda:InvokeFunction", arn)
    _denied(lambda: other.get_function(FunctionName=arn), "lambda:GetFunction", arn)
    _denied(lambda: other.get_function_configuration(FunctionName=arn), "lambda:GetFunctionConfiguration", arn)
    missing = arn + "-missing"
    _denied(lambda: other.invoke(FunctionName=missing, Payload=b"{}"), "lambda:InvokeFunction", missing)

    owner.add_permission(FunctionName=name, StatementId="other", Action="lambda:InvokeFunction", Principal=OTHER)
    out = other.invoke(FunctionName=arn, Payload=json.dumps({"a": 1}).encode())
    assert json.loads(out["Payload"].read()) == {"ok": {"a": 1}}
    assert other.invoke(FunctionName=arn, Payload=b"{}", InvocationType="Event")["StatusCode"] == 202
    # the grant is the other account's only: a third account and other actions stay refused
    third = aws("lambda", access_key=THIRD)
    expect_error(lambda: third.invoke(FunctionName=arn, Payload=b"{}"), "AccessDeniedException", status=403)
    _denied(lambda: other.get_function(FunctionName=arn), "lambda:GetFunction", arn)

    owner.add_permission(FunctionName=name, StatementId="read", Action="lambda:GetFunction", Principal=OTHER)
    assert other.get_function(FunctionName=arn)["Configuration"]["FunctionArn"] == arn
    # operations no function policy grants stay refused cross-account, whatever the policy says
    owner.add_permission(FunctionName=name, StatementId="all", Action="lambda:*", Principal=OTHER)
    expect_error(
        lambda: other.add_permission(
            FunctionName=arn, StatementId="mine", Action="lambda:InvokeFunction", Principal=OTHER
        ),
        "AccessDeniedException",
        status=403,
    )
    expect_error(
        lambda: other.remove_permission(FunctionName=arn, StatementId="other"), "AccessDeniedException", status=403
    )
    expect_error(
        lambda: other.update_function_configuration(FunctionName=arn, Timeout=9), "AccessDeniedException", status=403
    )
    expect_error(lambda: other.delete_function(FunctionName=arn), "AccessDeniedException", status=403)
    assert owner.get_function(FunctionName=name)["Configuration"]["Timeout"] != 9


def test_an_alias_policy_grants_the_alias_only(aws: Callable[..., Any], name: str) -> None:
    owner, other = aws("lambda", access_key=OWNER), aws("lambda", access_key=OTHER)
    arn = create(owner, name, CODE)["FunctionArn"]
    version = owner.publish_version(FunctionName=name)["Version"]
    owner.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    owner.add_permission(
        FunctionName=name, Qualifier="live", StatementId="other", Action="lambda:InvokeFunction", Principal=OTHER
    )
    out = other.invoke(FunctionName=f"{arn}:live", Payload=b"{}")
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    _denied(lambda: other.invoke(FunctionName=arn, Payload=b"{}"), "lambda:InvokeFunction", arn)
    owner.remove_permission(FunctionName=name, Qualifier="live", StatementId="other")
    expect_error(lambda: other.invoke(FunctionName=f"{arn}:live", Payload=b"{}"), "AccessDeniedException", status=403)


def test_a_mapping_on_another_accounts_queue_needs_its_policy(aws: Callable[..., Any], name: str) -> None:
    """An event source mapping on a queue of another account is made only when the queue's Policy lets the
    function's execution role receive, delete and read the queue's attributes (AWS checks this when it is made)."""
    fn = create(aws("lambda", access_key=OWNER), name, CODE)
    sqs = aws("sqs", access_key=OTHER)
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    owner = aws("lambda", access_key=OWNER)

    def attempt() -> dict[str, Any]:
        return dict(owner.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name, Enabled=False))

    message = expect_error(attempt, "InvalidParameterValueException", status=400)["Message"]
    assert message == "The provided execution role does not have permissions to call ReceiveMessage on SQS", message

    def allow(actions: list[str]) -> None:
        statement = {"Effect": "Allow", "Principal": {"AWS": fn["Role"]}, "Action": actions, "Resource": queue_arn}
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})

    allow(["sqs:ReceiveMessage"])
    message = expect_error(attempt, "InvalidParameterValueException", status=400)["Message"]
    assert message == "The provided execution role does not have permissions to call DeleteMessage on SQS", message
    allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
    assert attempt()["EventSourceArn"] == queue_arn
