"""Templates: ValidateTemplate, GetTemplateSummary, AWS's template errors, parameters, conditions, mappings and
every intrinsic function (evaluated into stack outputs), YAML short forms, exports and Fn::ImportValue across
stacks."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from ...expect import expect_error
from ._helpers import body, outputs, settle, wait

INTRINSICS = """
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Secret:
    Type: String
    NoEcho: true
  Sizes:
    Type: CommaDelimitedList
    Default: "1,2,3"
Mappings:
  Regions:
    us-east-1: {Ami: ami-east}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [a, a]]
  Either: !Or [!Condition IsProd, !Condition Both]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
Outputs:
  Sub: {Value: !Sub "${AWS::StackName}|${AWS::Region}|${AWS::AccountId}|${Queue.QueueName}|${!Literal}"}
  SubVars: {Value: !Sub ["${a}-${b}", {a: x, b: !Ref Env}]}
  Join: {Value: !Join ["-", [a, !Select [1, !Ref Sizes], !Select [0, !GetAZs ""]]]}
  Split: {Value: !Select [2, !Split [",", "p,q,r"]]}
  If: {Value: !If [IsProd, prod-value, !Ref "AWS::NoValue"]}
  IfElse: {Value: !If [Either, "yes", "no"]}
  Map: {Value: !FindInMap [Regions, !Ref "AWS::Region", Ami]}
  B64: {Value: !Base64 hello}
  Cidr: {Value: !Join [" ", !Cidr ["10.0.0.0/16", 2, 8]]}
  Partition: {Value: !Sub "${AWS::Partition}.${AWS::URLSuffix}"}
  Arn: {Value: !GetAtt Queue.Arn}
  Prod:
    Condition: IsProd
    Value: !Ref ProdOnly
"""


def test_intrinsics_parameters_conditions(cfn: Any, name: str) -> None:
    cfn.create_stack(
        StackName=name, TemplateBody=INTRINSICS, Parameters=[{"ParameterKey": "Secret", "ParameterValue": "hush"}]
    )
    found = wait(cfn, "stack_create_complete", name)
    out = outputs(found)
    queue = out["Arn"].rsplit(":", 1)[-1]
    assert out["Sub"] == f"{name}|us-east-1|000000000000|{queue}|${{Literal}}"
    assert out["SubVars"] == "x-dev"
    assert out["Join"] == "a-2-us-east-1a"
    assert out["Split"] == "r" and out["IfElse"] == "yes" and out["Map"] == "ami-east"
    assert base64.b64decode(out["B64"]) == b"hello"
    assert out["Cidr"] == "10.0.0.0/24 10.0.1.0/24"
    assert out["Partition"] == "aws.amazonaws.com"
    assert "Prod" not in out and "If" not in out  # a false condition; AWS::NoValue drops the output's value
    params = {p["ParameterKey"]: p["ParameterValue"] for p in found["Parameters"]}
    assert params == {"Env": "dev", "Secret": "****", "Sizes": "1,2,3"}
    resources = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    assert [r["LogicalResourceId"] for r in resources] == ["Queue"]
    cfn.delete_stack(StackName=name)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("Resources: {}", "Template format error: At least one Resources member must be defined."),
        ('{"Resources": {"A": {"Type": "AWS::SQS::Queue"}', None),
        ("Resources:\n  A: [unclosed", None),
        (
            "Resources:\n  A:\n    Properties: {}",
            "Template format error: [/Resources/A] Every Resources object must contain a Type member.",
        ),
        (
            "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nope",
            "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template",
        ),
        (
            "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B.QueueName\n"
            "  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A",
            "Circular dependency between resources: [A, B]",
        ),
        (
            "Resources:\n  A:\n    Type: AWS::SQS::Queue\nOutputs:\n  X:\n    Value: !Ref Gone",
            "Template format error: Unresolved resource dependencies [Gone] in the Outputs block of the template",
        ),
        ("Foo: 1\nResources:\n  A:\n    Type: AWS::SQS::Queue", "Invalid template property or properties [Foo]"),
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\nResources: {}",
            "Template format error: the template is too large",
        ),
        ("[" * 5000 + "]" * 5000, None),
        (
            json.dumps({"Resources": {f"R{i}": {"Type": "AWS::SQS::Queue"} for i in range(501)}}),
            "Template format error: Number of resources, 501, is greater than maximum allowed, 500",
        ),
    ],
)
def test_template_errors(cfn: Any, name: str, template: str, message: str | None) -> None:
    error = expect_error(cfn.validate_template, "ValidationError", message, TemplateBody=template)
    assert error["Message"].startswith(("Template format error", "Invalid template", "Circular"))
    expect_error(cfn.create_stack, "ValidationError", message, StackName=name, TemplateBody=template)


def test_parameter_errors(cfn: Any, name: str) -> None:
    template = body(
        {
            "Parameters": {
                "Size": {"Type": "Number", "MinValue": 1, "MaxValue": 5},
                "Env": {"Type": "String", "AllowedValues": ["a", "b"]},
                "Code": {"Type": "String", "AllowedPattern": "[a-z]+", "Default": "ok"},
            },
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        }
    )

    def create(**values: str) -> Any:
        return lambda: cfn.create_stack(
            StackName=name,
            TemplateBody=template,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        )

    expect_error(create(Size="3"), "ValidationError", "Parameters: [Env] must have values")
    expect_error(create(Size="x", Env="a"), "ValidationError", "Parameter 'Size' must be a number")
    expect_error(create(Size="9", Env="a"), "ValidationError", "Parameter 'Size' must be a number not greater than 5")
    expect_error(create(Size="3", Env="c"), "ValidationError", "Parameter 'Env' must be one of AllowedValues")
    expect_error(create(Size="3", Env="a", Code="UP"), "ValidationError")
    expect_error(
        create(Size="3", Env="a", Other="x"), "ValidationError", "Parameters: [Other] do not exist in the template"
    )
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {name} does not exist", StackName=name)


def test_validate_and_summary(cfn: Any) -> None:
    template = body(
        {
            "Description": "d",
            "Parameters": {
                "P": {
                    "Type": "String",
                    "Default": "x",
                    "NoEcho": True,
                    "AllowedValues": ["x", "y"],
                    "Description": "a p",
                }
            },
            "Resources": {
                "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
                "Q": {"Type": "AWS::SQS::Queue"},
            },
        }
    )
    valid = cfn.validate_template(TemplateBody=template)
    assert valid["Description"] == "d" and valid["Capabilities"] == ["CAPABILITY_IAM"]
    assert valid["Parameters"] == [{"ParameterKey": "P", "DefaultValue": "x", "NoEcho": True, "Description": "a p"}]
    summary = cfn.get_template_summary(TemplateBody=template)
    assert summary["ResourceTypes"] == ["AWS::IAM::Role", "AWS::SQS::Queue"]
    assert summary["Parameters"][0]["ParameterConstraints"] == {"AllowedValues": ["x", "y"]}
    assert summary["Parameters"][0]["ParameterType"] == "String"
    expect_error(
        cfn.create_stack,
        "InsufficientCapabilitiesException",
        "Requires capabilities : [CAPABILITY_IAM]",
        StackName="needs-iam",
        TemplateBody=template,
    )


def test_exports_imports_and_protection(cfn: Any, aws: Any, name: str) -> None:
    exporter = body(
        {
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": f"{name}-arn"}}},
        }
    )
    importer = body(
        {
            "Resources": {
                "T": {
                    "Type": "AWS::SNS::Topic",
                    "Properties": {
                        "DisplayName": {"Fn::Select": [5, {"Fn::Split": [":", {"Fn::ImportValue": f"{name}-arn"}]}]}
                    },
                }
            },
            "Outputs": {"Topic": {"Value": {"Ref": "T"}}},
        }
    )
    cfn.create_stack(StackName=f"{name}-a", TemplateBody=exporter, EnableTerminationProtection=True)
    wait(cfn, "stack_create_complete", f"{name}-a")
    cfn.create_stack(StackName=f"{name}-b", TemplateBody=importer)
    topic = outputs(wait(cfn, "stack_create_complete", f"{name}-b"))["Topic"]
    display = aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"]
    assert display.startswith(f"{name}-a-Q-")
    assert cfn.list_imports(ExportName=f"{name}-arn")["Imports"] == [f"{name}-b"]
    expect_error(
        cfn.delete_stack,
        "ValidationError",
        f"Stack [{name}-a] cannot be deleted while TerminationProtection is enabled",
        StackName=f"{name}-a",
    )
    cfn.update_termination_protection(StackName=f"{name}-a", EnableTerminationProtection=False)
    cfn.delete_stack(StackName=f"{name}-a")
    found = settle(cfn, f"{name}-a")
    assert found["StackStatus"] == "DELETE_FAILED"
    assert found["StackStatusReason"] == f"Export {name}-arn cannot be deleted as it is in use by {name}-b"
    cfn.delete_stack(StackName=f"{name}-b")
    wait(cfn, "stack_delete_complete", f"{name}-b")
    cfn.delete_stack(StackName=f"{name}-a")
    wait(cfn, "stack_delete_complete", f"{name}-a")


def test_deletion_policy_retain(cfn: Any, aws: Any, name: str) -> None:
    template = body(
        {
            "Resources": {
                "Kept": {
                    "Type": "AWS::SQS::Queue",
                    "DeletionPolicy": "Retain",
                    "Properties": {"QueueName": f"{name}-kept"},
                }
            }
        }
    )
    cfn.create_stack(StackName=name, TemplateBody=template)
    found = wait(cfn, "stack_create_complete", name)
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=f"{name}-kept")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    statuses = [
        e["ResourceStatus"]
        for e in cfn.describe_stack_events(StackName=found["StackId"])["StackEvents"]
        if e["LogicalResourceId"] == "Kept"
    ]
    assert statuses[0] == "DELETE_SKIPPED"


def test_bad_stack_names_and_on_failure_delete(cfn: Any, name: str) -> None:
    template = body({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    for bad in ("1abc", "a_b", "a" * 129):
        expect_error(cfn.create_stack, "ValidationError", StackName=bad, TemplateBody=template)
    failing = body({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 901}}}})
    stack_id = cfn.create_stack(StackName=name, TemplateBody=failing, OnFailure="DELETE")["StackId"]
    assert settle(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {name} does not exist", StackName=name)
