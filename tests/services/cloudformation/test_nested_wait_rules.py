"""Nested stacks from an S3 TemplateURL (their outputs as Outputs.<Name> of the parent; deleted with it), wait
conditions signalled through their handle's URL, and the Rules section's assertions."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

from ...expect import expect_error
from ._helpers import body, events, outputs, settle, wait

CHILD = {
    "Parameters": {"Label": {"Type": "String"}},
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Ref": "Label"}}}},
    "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}},
}


def test_nested_stack_from_s3(cfn: Any, aws: Any, endpoint: str, name: str) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="child.json", Body=json.dumps(CHILD).encode())
    parent = {
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": f"https://{name}.s3.amazonaws.com/child.json",
                    "Parameters": {"Label": "nested"},
                },
            }
        },
        "Outputs": {"Topic": {"Value": {"Fn::GetAtt": ["Child", "Outputs.TopicArn"]}}},
    }
    cfn.create_stack(StackName=name, TemplateBody=body(parent))
    found = wait(cfn, "stack_create_complete", name)
    topic = outputs(found)["Topic"]
    assert aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "nested"
    child_id = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Child")["StackResourceDetail"][
        "PhysicalResourceId"
    ]
    assert cfn.describe_stacks(StackName=child_id)["Stacks"][0]["StackName"].startswith(f"{name}-Child-")
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
    assert cfn.describe_stacks(StackName=child_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    expect_error(aws("sns").get_topic_attributes, "NotFound", TopicArn=topic)
    s3.delete_object(Bucket=name, Key="child.json")
    s3.delete_bucket(Bucket=name)


def _signal(url: str, status: str, unique: str, data: str) -> None:
    doc = {"Status": status, "UniqueId": unique, "Data": data, "Reason": f"reason {unique}"}
    urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(doc).encode(), method="PUT"), timeout=10)


def test_wait_condition(cfn: Any, name: str) -> None:
    template = {
        "Resources": {
            "Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            "Wait": {
                "Type": "AWS::CloudFormation::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": "60", "Count": 2},
            },
        },
        "Outputs": {"Data": {"Value": {"Fn::GetAtt": ["Wait", "Data"]}}, "Url": {"Value": {"Ref": "Handle"}}},
    }
    cfn.create_stack(StackName=name, TemplateBody=body(template))
    deadline = time.monotonic() + 30
    url = ""
    while not url:
        assert time.monotonic() < deadline
        handle = [
            r
            for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
            if r["LogicalResourceId"] == "Handle" and r["ResourceStatus"] == "CREATE_COMPLETE"
        ]
        url = handle[0]["PhysicalResourceId"] if handle else ""
        time.sleep(0.05)
    threading.Thread(target=lambda: [_signal(url, "SUCCESS", u, f"data-{u}") for u in ("a", "b")]).start()
    found = wait(cfn, "stack_create_complete", name)
    assert json.loads(outputs(found)["Data"]) == {"a": "data-a", "b": "data-b"}
    cfn.delete_stack(StackName=name)

    failing = json.loads(json.dumps(template))
    failing["Resources"]["Wait"]["Properties"]["Count"] = 1
    cfn.create_stack(StackName=f"{name}-f", TemplateBody=body(failing))
    deadline = time.monotonic() + 30
    while True:
        handle = [
            r
            for r in cfn.list_stack_resources(StackName=f"{name}-f")["StackResourceSummaries"]
            if r["LogicalResourceId"] == "Handle" and r["ResourceStatus"] == "CREATE_COMPLETE"
        ]
        if handle:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    _signal(handle[0]["PhysicalResourceId"], "FAILURE", "x", "")
    assert settle(cfn, f"{name}-f")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert ("Wait", "CREATE_FAILED", "WaitCondition received failed message: 'reason x' for uniqueId: x") in events(
        cfn, f"{name}-f"
    )
    cfn.delete_stack(StackName=f"{name}-f")


def test_rules(cfn: Any, name: str) -> None:
    template = body(
        {
            "Parameters": {"Env": {"Type": "String"}, "Size": {"Type": "String"}},
            "Rules": {
                "ProdIsLarge": {
                    "RuleCondition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                    "Assertions": [
                        {
                            "Assert": {"Fn::Contains": [["large", "xlarge"], {"Ref": "Size"}]},
                            "AssertDescription": "For prod, the size must be large or xlarge",
                        }
                    ],
                }
            },
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        }
    )

    def params(env: str, size: str) -> list[dict[str, str]]:
        return [{"ParameterKey": "Env", "ParameterValue": env}, {"ParameterKey": "Size", "ParameterValue": size}]

    expect_error(
        cfn.create_stack,
        "ValidationError",
        "For prod, the size must be large or xlarge",
        StackName=name,
        TemplateBody=template,
        Parameters=params("prod", "small"),
    )
    cfn.create_stack(StackName=name, TemplateBody=template, Parameters=params("dev", "small"))
    wait(cfn, "stack_create_complete", name)
    expect_error(
        cfn.update_stack,
        "ValidationError",
        "For prod, the size must be large or xlarge",
        StackName=name,
        UsePreviousTemplate=True,
        Parameters=params("prod", "small"),
    )
    cfn.delete_stack(StackName=name)
