"""Resource policies through boto3: the account's (at most ten per account and Region, replaced by name, listed in
pages, deleted by name) and a log group's own (resourceArn, guarded by its revision id, gone with its group);
malformed documents and unknown names answered with CloudWatch Logs' errors."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.expect import REGION, expect_error


def _policy(sid: str, resource: str = "*") -> str:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                 "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": resource}  # fmt: skip
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def logs(aws: Callable[..., Any]) -> Any:
    """A client of an account of its own: the ten-policy quota is per account."""
    return aws("logs", access_key="".join(random.choice("0123456789") for _ in range(12)))


def test_account_policies(logs: Any) -> None:
    out = logs.put_resource_policy(policyName="events", policyDocument=_policy("a"))
    assert out["resourcePolicy"]["policyName"] == "events"
    assert out["resourcePolicy"]["policyScope"] == "ACCOUNT"
    assert json.loads(out["resourcePolicy"]["policyDocument"])["Statement"][0]["Sid"] == "a"
    assert "revisionId" not in out
    logs.put_resource_policy(policyName="events", policyDocument=_policy("b"))  # replaced, not added
    [found] = logs.describe_resource_policies()["resourcePolicies"]
    assert json.loads(found["policyDocument"])["Statement"][0]["Sid"] == "b"
    for i in range(9):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument=_policy(f"s{i}"))
    expect_error(logs.put_resource_policy, "LimitExceededException", "Resource limit exceeded.",
                 policyName="eleventh", policyDocument=_policy("x"))  # fmt: skip
    first = logs.describe_resource_policies(limit=4)
    names = [p["policyName"] for p in first["resourcePolicies"]]
    while "nextToken" in first:
        first = logs.describe_resource_policies(limit=4, nextToken=first["nextToken"])
        names += [p["policyName"] for p in first["resourcePolicies"]]
    assert names == sorted(["events", *(f"p{i}" for i in range(9))])
    logs.delete_resource_policy(policyName="p0")
    logs.put_resource_policy(policyName="eleventh", policyDocument=_policy("x"))  # room again
    expect_error(logs.delete_resource_policy, "ResourceNotFoundException", "Policy with name [p0] does not exist.",
                 policyName="p0")  # fmt: skip


@pytest.mark.parametrize("document", ["{", "[]", json.dumps({"Statement": [{"Effect": "Maybe", "Action": "*"}]})])
def test_malformed_documents_are_refused(logs: Any, document: str) -> None:
    error = expect_error(logs.put_resource_policy, "InvalidParameterException", policyName="p", policyDocument=document)
    assert error["Message"].startswith("Invalid policy document")
    assert logs.describe_resource_policies()["resourcePolicies"] == []


def test_a_log_groups_own_policy(logs: Any, name: str) -> None:
    group = f"/aws/events/{name}"
    logs.create_log_group(logGroupName=group)
    arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["logGroupArn"]
    out = logs.put_resource_policy(resourceArn=arn, policyDocument=_policy("g", f"{arn}:*"))
    revision = out["revisionId"]
    assert out["resourcePolicy"]["policyScope"] == "RESOURCE"
    assert out["resourcePolicy"]["resourceArn"] == arn and out["resourcePolicy"]["revisionId"] == revision
    # a writer that did not read the current revision is turned away
    expect_error(logs.put_resource_policy, "OperationAbortedException",
                 resourceArn=arn, policyDocument=_policy("stale"), expectedRevisionId="not-it")  # fmt: skip
    expect_error(logs.put_resource_policy, "OperationAbortedException", resourceArn=arn, policyDocument=_policy("new"))
    again = logs.put_resource_policy(resourceArn=arn, policyDocument=_policy("h"), expectedRevisionId=revision)
    assert again["revisionId"] != revision
    [own] = logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"]
    assert json.loads(own["policyDocument"])["Statement"][0]["Sid"] == "h"
    assert logs.describe_resource_policies()["resourcePolicies"] == []  # the account's: none
    assert [p["resourceArn"] for p in logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"]] == [
        arn
    ]
    logs.delete_log_group(logGroupName=group)  # its policy goes with it
    logs.create_log_group(logGroupName=group)
    assert logs.describe_resource_policies(resourceArn=arn)["resourcePolicies"] == []
    expect_error(logs.delete_resource_policy, "ResourceNotFoundException", resourceArn=arn)
    missing = f"arn:aws:logs:{REGION}:{arn.split(':')[4]}:log-group:{name}-missing"
    expect_error(logs.put_resource_policy, "ResourceNotFoundException", "The specified log group does not exist.",
                 resourceArn=missing, policyDocument=_policy("m"))  # fmt: skip
