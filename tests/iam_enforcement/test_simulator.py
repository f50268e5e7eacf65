"""SimulatePrincipalPolicy and SimulateCustomPolicy through boto3, on the evaluator enforcement uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

ALLOW_SEND = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
)


def test_simulate_custom_policy(aws: Callable[..., Any]) -> None:
    iam = aws("iam")
    deny_prod = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Action": "sqs:*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestTag/env": "prod"}},
                }
            ],
        }
    )
    out = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_SEND, deny_prod],
        ActionNames=["sqs:SendMessage", "sqs:DeleteQueue"],
        ResourceArns=["arn:aws:sqs:us-east-1:000000000000:q"],
    )["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in out] == [
        ("sqs:SendMessage", "allowed"),
        ("sqs:DeleteQueue", "implicitDeny"),
    ]
    prod = iam.simulate_custom_policy(
        PolicyInputList=[ALLOW_SEND, deny_prod],
        ActionNames=["sqs:SendMessage"],
        ContextEntries=[
            {"ContextKeyName": "aws:RequestTag/env", "ContextKeyValues": ["prod"], "ContextKeyType": "string"}
        ],
    )["EvaluationResults"]
    assert prod[0]["EvalDecision"] == "explicitDeny"


def test_simulate_principal_policy(aws: Callable[..., Any], name: str) -> None:
    iam = aws("iam")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=ALLOW_SEND)
    boundary = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}
    )
    out = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["sqs:SendMessage", "sns:Publish"])
    assert [r["EvalDecision"] for r in out["EvaluationResults"]] == ["allowed", "implicitDeny"]
    bounded = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["sqs:SendMessage"], PermissionsBoundaryPolicyInputList=[boundary]
    )
    assert bounded["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    queue = "arn:aws:sqs:us-east-1:000000000000:q"
    granted = iam.simulate_principal_policy(
        PolicySourceArn=arn,
        ActionNames=["sqs:ReceiveMessage"],
        ResourceArns=[queue],
        ResourcePolicy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "sqs:ReceiveMessage", "Resource": queue}
                ],
            }
        ),
    )
    assert granted["EvaluationResults"][0]["EvalDecision"] == "allowed"  # a same-account grant to the user
