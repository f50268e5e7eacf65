"""Malformed templates and paging tokens get AWS's ValidationError (a 400) — members of the wrong JSON type, bad
conditions, rules and parameter declarations — from the operations that start stacks, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...expect import expect_error

QUEUE = {"A": {"Type": "AWS::SQS::Queue"}}
BAD = [
    {"Resources": QUEUE, "Conditions": {"C": {"Fn::Equals": [1]}}},
    {"Resources": QUEUE, "Conditions": {"C": {"Condition": "C"}}},
    {"Resources": QUEUE, "Conditions": {"C": {"Fn::Or": [{"Condition": "Nope"}, True]}}},
    {"Resources": {"A": {"Type": "AWS::SQS::Queue", "Condition": "Missing"}}},
    {"Resources": QUEUE, "Parameters": {"P": {"Type": "Number", "Default": "x"}}},
    {"Resources": QUEUE, "Parameters": {"P": {"Type": "String", "AllowedPattern": "(((", "Default": "x"}}},
    {"Resources": QUEUE, "Parameters": {"P": {"Type": "String", "MinLength": "abc", "Default": "x"}}},
    {"Resources": QUEUE, "Parameters": {"P": {"Type": "String", "AllowedValues": 5, "Default": "x"}}},
    {"Resources": QUEUE, "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Contains": 5}}]}}},
    {"Resources": QUEUE, "Rules": {"R": {"Assertions": [{"Assert": {"Fn::Not": []}}]}}},
    {"Resources": QUEUE, "Rules": {"R": []}},
    {"Resources": {"A": {"Type": "AWS::SQS::Queue", "DependsOn": [["x"]]}}},
    {"Transform": 5, "Resources": QUEUE},
    {"Transform": {"Name": "AWS::Include"}, "Resources": QUEUE},
    {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "AWS::Serverless::Function"}}},
    {"Resources": {"A": {"Type": 5}}},
    {"Resources": QUEUE, "Description": {"x": 1}},
]


@pytest.mark.parametrize("template", [json.dumps(t) for t in BAD] + ["Resources:\n  A: !Ref", '"a string"', "\x00"])
def test_malformed_templates(cfn: Any, name: str, template: str) -> None:
    # ValidateTemplate and GetTemplateSummary read a template's structure (not its parameter values or rules):
    # each either answers or refuses with ValidationError
    for call in (cfn.validate_template, cfn.get_template_summary):
        try:
            call(TemplateBody=template)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ValidationError", error.response
    expect_error(
        cfn.create_stack,
        "ValidationError",
        StackName=name,
        TemplateBody=template,
        Capabilities=["CAPABILITY_AUTO_EXPAND"],
    )
    expect_error(
        cfn.create_change_set,
        "ValidationError",
        StackName=name,
        ChangeSetName="c",
        ChangeSetType="CREATE",
        TemplateBody=template,
        Capabilities=["CAPABILITY_AUTO_EXPAND"],
    )
    expect_error(cfn.describe_stacks, "ValidationError", StackName=name)  # nothing was made


def test_forged_tokens(cfn: Any) -> None:
    for call in (cfn.describe_stacks, cfn.list_stacks, cfn.list_exports):
        expect_error(call, "ValidationError", "Invalid NextToken", NextToken="garbage")
