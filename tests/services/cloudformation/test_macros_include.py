"""AWS::Include (a snippet read from S3, in Fn::Transform and in the Transform section), macros
(AWS::CloudFormation::Macro backed by a Lambda function, run for Fn::Transform snippets and template-level
transforms with AWS's event and response contract), and DeletionPolicy values (Snapshot means Delete for the types
gureum serves; RetainExceptOnCreate deletes what a rolled back create made)."""

from __future__ import annotations

import json
from typing import Any

from ...expect import ACCOUNT, expect_error
from ._helpers import body, events, outputs, settle, wait

MACRO = """
def handler(event, context):
    fragment, params = event["fragment"], event["params"]
    answer = {"requestId": event["requestId"], "status": "success"}
    if params.get("Fail"):
        return {**answer, "status": "failure", "errorMessage": "asked to fail"}
    if "Resources" in fragment:  # the Transform section: the whole template
        env = event["templateParameterValues"]["Env"]
        fragment["Resources"]["Added"] = {
            "Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "env", "Value": env}]}}
        fragment["Outputs"]["Added"] = {"Value": {"Ref": "Added"}}
    else:  # a Fn::Transform's object: its other members
        fragment = {k: v.upper() if isinstance(v, str) else v for k, v in fragment.items()}
    return {**answer, "fragment": fragment, "transformId": event["transformId"]}
"""


def macro_stack(macro: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                },
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": MACRO},
                },
            },
            "Macro": {
                "Type": "AWS::CloudFormation::Macro",
                "Properties": {"Name": macro, "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]}},
            },
        }
    }


def user(macro: str, fail: bool = False) -> dict[str, Any]:
    return {
        "Transform": [{"Name": macro, "Parameters": {"Fail": fail}}],
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Resources": {
            "Topic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"Fn::Transform": {"Name": macro}, "DisplayName": "shout"},
            }
        },
        "Outputs": {"Topic": {"Value": {"Ref": "Topic"}}},
    }


def test_include_from_s3(cfn: Any, aws: Any, name: str) -> None:
    s3, sqs = aws("s3"), aws("sqs")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="props.json", Body=json.dumps({"DelaySeconds": 5}))
    s3.put_object(Bucket=name, Key="outputs.yaml", Body="Outputs:\n  Url:\n    Value: !Ref Queue\n")
    template = {
        "Transform": {"Name": "AWS::Include", "Parameters": {"Location": f"s3://{name}/outputs.yaml"}},
        "Resources": {
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "DeletionPolicy": "Snapshot",  # no snapshots of queues: deleted, as CloudFormation reverts it
                "Properties": {
                    "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": f"s3://{name}/props.json"}}
                },
            }
        },
        "Outputs": {},
    }
    expect_error(
        lambda: cfn.create_stack(StackName=name, TemplateBody=body(template)), "InsufficientCapabilitiesException"
    )
    summary = cfn.get_template_summary(TemplateBody=body(template))
    assert summary["ResourceTypes"] == ["AWS::SQS::Queue"] and summary["DeclaredTransforms"] == ["AWS::Include"]
    assert cfn.validate_template(TemplateBody=body(template))["DeclaredTransforms"] == ["AWS::Include"]
    cfn.create_stack(StackName=name, TemplateBody=body(template), Capabilities=["CAPABILITY_AUTO_EXPAND"])
    url = outputs(wait(cfn, "stack_create_complete", name))["Url"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]["DelaySeconds"] == "5"
    processed = cfn.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
    assert "Fn::Transform" not in json.dumps(processed) and "Transform" not in processed
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
    expect_error(lambda: sqs.get_queue_attributes(QueueUrl=url), "AWS.SimpleQueueService.NonExistentQueue")

    missing = {**template, "Transform": {"Name": "AWS::Include", "Parameters": {"Location": f"s3://{name}/none"}}}
    error = expect_error(
        lambda: cfn.create_stack(
            StackName=f"{name}-x", TemplateBody=body(missing), Capabilities=["CAPABILITY_AUTO_EXPAND"]
        ),
        "ValidationError",
    )
    assert f"s3://{name}/none" in error["Message"] or f"{name}.s3.amazonaws.com/none" in error["Message"]


def test_macro_runs_its_lambda(cfn: Any, aws: Any, name: str) -> None:
    sns, sqs = aws("sns"), aws("sqs")
    macro = f"Shout{name.replace('-', '')}"
    cfn.create_stack(StackName=f"{name}-m", TemplateBody=body(macro_stack(macro)), Capabilities=["CAPABILITY_IAM"])
    wait(cfn, "stack_create_complete", f"{name}-m")
    # a second stack registering the same macro name fails that resource
    cfn.create_stack(StackName=f"{name}-twice", TemplateBody=body(macro_stack(macro)), Capabilities=["CAPABILITY_IAM"])
    assert settle(cfn, f"{name}-twice")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any(e[0] == "Macro" and "already exists" in e[2] for e in events(cfn, f"{name}-twice"))

    snippet_only = {k: v for k, v in user(macro).items() if k != "Transform"}  # a macro in Fn::Transform alone
    expect_error(
        lambda: cfn.create_stack(StackName=name, TemplateBody=body(snippet_only)), "InsufficientCapabilitiesException"
    )
    cfn.create_stack(StackName=name, TemplateBody=body(user(macro)), Capabilities=["CAPABILITY_AUTO_EXPAND"])
    out = outputs(wait(cfn, "stack_create_complete", name))
    topic = sns.get_topic_attributes(TopicArn=out["Topic"])["Attributes"]
    assert topic["DisplayName"] == "SHOUT"  # the snippet's macro ran first, on the Topic's properties
    assert sqs.list_queue_tags(QueueUrl=out["Added"])["Tags"]["env"] == "dev"  # the template-level one after
    original = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    assert "Added" not in json.dumps(original)

    failing = expect_error(
        lambda: cfn.create_stack(
            StackName=f"{name}-f", TemplateBody=body(user(macro, fail=True)), Capabilities=["CAPABILITY_AUTO_EXPAND"]
        ),
        "ValidationError",
    )
    assert failing["Message"] == f"Transform {ACCOUNT}::{macro} failed with: asked to fail"
    cfn.delete_stack(StackName=name)
    cfn.delete_stack(StackName=f"{name}-twice")
    wait(cfn, "stack_delete_complete", name)
    cfn.delete_stack(StackName=f"{name}-m")
    wait(cfn, "stack_delete_complete", f"{name}-m")
    gone = expect_error(
        lambda: cfn.create_stack(
            StackName=f"{name}-g", TemplateBody=body(user(macro)), Capabilities=["CAPABILITY_AUTO_EXPAND"]
        ),
        "ValidationError",
    )
    assert gone["Message"] == f"No transform named {ACCOUNT}::{macro} found."


def test_deletion_policies(cfn: Any, aws: Any, name: str) -> None:
    sqs = aws("sqs")
    bad = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Keep"}}}
    error = expect_error(lambda: cfn.create_stack(StackName=name, TemplateBody=body(bad)), "ValidationError")
    assert "DeletionPolicy" in error["Message"] and "Keep" in error["Message"]
    failing = {
        "Resources": {
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "DeletionPolicy": "RetainExceptOnCreate",
                "Properties": {"QueueName": name},
            },
            "Broken": {"Type": "AWS::Nothing::Here", "DependsOn": "Queue"},
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=body(failing))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert ("Queue", "DELETE_COMPLETE", "") in events(cfn, name)  # the create that made it rolled back: deleted
    assert not [u for u in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []) if u.endswith(f"/{name}")]
