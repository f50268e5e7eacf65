"""IAM Access Analyzer's ValidatePolicy through boto3: grammar findings in AWS's shape (issue codes, AWS's words,
learn-more links, and locations as paths with line/column/offset spans), paging, and what is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

LINK = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#"

# the policy of the AWS CLI's validate-policy example, laid out as there (its first finding is AWS's, verbatim)
COGNITO_TRUST = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}"""


def _codes(out: dict[str, Any]) -> list[str]:
    return [f["issueCode"] for f in out["findings"]]


def test_empty_sid_finding_as_aws_answers_it(aws: Callable[..., Any]) -> None:
    out = aws("accessanalyzer").validate_policy(policyDocument=COGNITO_TRUST, policyType="RESOURCE_POLICY")
    assert out["findings"][0] == {
        "findingDetails": "Add a value to the empty string in the Sid element.",
        "findingType": "SUGGESTION",
        "issueCode": "EMPTY_SID_VALUE",
        "learnMoreLink": LINK + "access-analyzer-reference-policy-checks-suggestion-empty-sid-value",
        "locations": [
            {
                "path": [{"value": "Statement"}, {"index": 0}, {"value": "Sid"}],
                "span": {
                    "end": {"column": 21, "line": 5, "offset": 81},
                    "start": {"column": 19, "line": 5, "offset": 79},
                },
            }
        ],
    }


def test_a_clean_identity_policy_has_no_findings(aws: Callable[..., Any]) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "*"}],
    }
    out = aws("accessanalyzer").validate_policy(policyDocument=json.dumps(policy), policyType="IDENTITY_POLICY")
    assert out["findings"] == []


def test_grammar_errors(aws: Callable[..., Any]) -> None:
    policy = {
        "Statement": [
            {
                "Effect": "Permit",
                "Principal": {"AWS": "111111111111"},
                "Action": "sqs:SendMessage",
                "NotAction": "sqs:DeleteQueue",
                "Resource": "queue",
                "Condition": {"StringEqualz": {"aws:SourceIp": "x"}, "NullIfExists": {"aws:TokenIssueTime": "true"}},
            },
            {"Sid": "s-1", "Effect": "Allow", "Resource": "*", "Extra": 1},
        ],
        "Versio": "2012-10-17",
    }
    out = aws("accessanalyzer").validate_policy(policyDocument=json.dumps(policy), policyType="IDENTITY_POLICY")
    by_code = {f["issueCode"]: f for f in out["findings"]}
    assert set(by_code) == {
        "INVALID_POLICY_ELEMENT",
        "MISSING_VERSION",
        "UNSUPPORTED_ELEMENT_COMBINATION",
        "INVALID_EFFECT",
        "UNSUPPORTED_PRINCIPAL",
        "INVALID_ARN_PREFIX",
        "INVALID_CONDITION_OPERATOR",
        "NULL_WITH_IF_EXISTS",
        "UNSUPPORTED_SID",
        "MISSING_ACTION",
    }
    assert by_code["INVALID_EFFECT"]["findingDetails"] == "The effect Permit is not valid. Use Allow or Deny."
    assert by_code["INVALID_EFFECT"]["findingType"] == "ERROR"
    assert by_code["MISSING_VERSION"]["findingType"] == "WARNING"
    assert by_code["MISSING_VERSION"]["learnMoreLink"].endswith(
        "#access-analyzer-reference-policy-checks-general-warning-missing-version"
    )
    assert by_code["UNSUPPORTED_ELEMENT_COMBINATION"]["findingDetails"] == (
        "The policy elements Action and NotAction can not be used in the same statement. Remove one of these elements."
    )
    assert [loc["path"] for loc in by_code["UNSUPPORTED_ELEMENT_COMBINATION"]["locations"]] == [
        [{"value": "Statement"}, {"index": 0}, {"value": "Action"}],
        [{"value": "Statement"}, {"index": 0}, {"value": "NotAction"}],
    ]
    assert by_code["INVALID_CONDITION_OPERATOR"]["findingDetails"] == (
        "The condition operator StringEqualz is not valid. Use a valid condition operator."
    )
    assert by_code["MISSING_ACTION"]["locations"][0]["path"] == [{"value": "Statement"}, {"index": 1}]
    invalid_elements = [f for f in out["findings"] if f["issueCode"] == "INVALID_POLICY_ELEMENT"]
    assert sorted(f["findingDetails"] for f in invalid_elements) == [
        "The policy element Extra is not valid.",
        "The policy element Versio is not valid.",
    ]


def test_resource_policies_need_principals_and_json_must_parse(aws: Callable[..., Any]) -> None:
    client = aws("accessanalyzer")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    assert _codes(client.validate_policy(policyDocument=json.dumps(policy), policyType="RESOURCE_POLICY")) == [
        "MISSING_PRINCIPAL"
    ]
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
    finding = client.validate_policy(policyDocument=broken, policyType="IDENTITY_POLICY")["findings"][0]
    assert finding["issueCode"] == "JSON_SYNTAX_ERROR"
    assert finding["findingDetails"] == f"Fix the JSON syntax error at index {len(broken)} line 4 column 0."
    deep = "[" * 100 + "]" * 100  # nesting is bounded
    assert _codes(client.validate_policy(policyDocument=deep, policyType="IDENTITY_POLICY")) == ["JSON_SYNTAX_ERROR"]


def test_security_warnings(aws: Callable[..., Any]) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Pass", "Effect": "Allow", "Action": ["iam:GetRole", "iam:PassRole"], "Resource": "*"},
            {"Sid": "Pass", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        ],
    }
    out = aws("accessanalyzer").validate_policy(policyDocument=json.dumps(policy), policyType="IDENTITY_POLICY")
    assert [(f["findingType"], f["issueCode"]) for f in out["findings"]] == [
        ("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE"),
        ("WARNING", "UNIQUE_SIDS_RECOMMENDED"),
    ]
    assert out["findings"][0]["locations"][0]["path"] == [
        {"value": "Statement"},
        {"index": 0},
        {"value": "Action"},
        {"index": 1},
    ]


def test_paging_and_refusals(aws: Callable[..., Any]) -> None:
    client = aws("accessanalyzer")
    statements = [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"} for _ in range(5)]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    pages = list(
        client.get_paginator("validate_policy").paginate(
            policyDocument=document, policyType="IDENTITY_POLICY", PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["findings"]) for p in pages] == [2, 2, 1]
    with pytest.raises(ClientError) as error:
        client.validate_policy(policyDocument=document, policyType="IDENTITY_POLICY", locale="JA")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as error:
        client.list_analyzers()
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
