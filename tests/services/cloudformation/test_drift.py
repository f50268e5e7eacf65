"""Drift detection: a stack's resources read back through their services and compared with the template —
IN_SYNC first, then MODIFIED (with the property differences), DELETED after changes made outside the stack, and
NOT_CHECKED for a type gureum cannot read back; DetectStackResourceDrift, status filters, DriftInformation."""

from __future__ import annotations

from typing import Any

from ...expect import expect_error
from ._helpers import body, wait

TEMPLATE = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": "40"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "before"}},
        "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Stream": {"Type": "AWS::Logs::LogStream", "Properties": {"LogGroupName": {"Ref": "Group"}}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)"}},
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            },
        },
    }
}


def _detect(cfn: Any, name: str) -> dict[str, Any]:
    detection = cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
    status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
    assert status["DetectionStatus"] == "DETECTION_COMPLETE"
    return status  # type: ignore[no-any-return]


def _by_id(cfn: Any, name: str, **filters: Any) -> dict[str, dict[str, Any]]:
    found = cfn.describe_stack_resource_drifts(StackName=name, **filters)["StackResourceDrifts"]
    return {d["LogicalResourceId"]: d for d in found}


def test_drift(cfn: Any, aws: Any, name: str) -> None:
    sqs, sns, logs, dynamodb = aws("sqs"), aws("sns"), aws("logs"), aws("dynamodb")
    cfn.create_stack(StackName=name, TemplateBody=body(TEMPLATE))
    wait(cfn, "stack_create_complete", name)
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "NOT_CHECKED"

    status = _detect(cfn, name)
    assert (status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("IN_SYNC", 0)
    drifts = _by_id(cfn, name)
    assert {k: d["StackResourceDriftStatus"] for k, d in drifts.items()} == {
        "Queue": "IN_SYNC",
        "Topic": "IN_SYNC",
        "Group": "IN_SYNC",
        "Table": "IN_SYNC",
        "Rule": "IN_SYNC",
        "Stream": "NOT_CHECKED",
    }
    info = cfn.describe_stacks(StackName=name)["Stacks"][0]["DriftInformation"]
    assert info["StackDriftStatus"] == "IN_SYNC" and "LastCheckTimestamp" in info
    queue = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Queue")["StackResourceDetail"]
    assert queue["DriftInformation"]["StackResourceDriftStatus"] == "IN_SYNC"
    assert "LastCheckTimestamp" in queue["DriftInformation"]

    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cfn.describe_stack_resources(
        StackName=name)["StackResources"]}  # fmt: skip
    sqs.set_queue_attributes(QueueUrl=resources["Queue"], Attributes={"VisibilityTimeout": "99"})
    sns.set_topic_attributes(TopicArn=resources["Topic"], AttributeName="DisplayName", AttributeValue="after")
    logs.delete_retention_policy(logGroupName=resources["Group"])
    dynamodb.delete_table(TableName=resources["Table"])
    aws("events").put_rule(Name=resources["Rule"], ScheduleExpression="rate(2 hours)")

    status = _detect(cfn, name)
    assert (status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("DRIFTED", 5)
    drifts = _by_id(cfn, name)
    assert drifts["Queue"]["StackResourceDriftStatus"] == "MODIFIED"
    assert drifts["Queue"]["PropertyDifferences"] == [
        {
            "PropertyPath": "/VisibilityTimeout",
            "ExpectedValue": "40",
            "ActualValue": "99",
            "DifferenceType": "NOT_EQUAL",
        }
    ]
    assert drifts["Group"]["PropertyDifferences"][0]["DifferenceType"] == "REMOVE"
    assert drifts["Table"]["StackResourceDriftStatus"] == "DELETED"
    assert drifts["Rule"]["PropertyDifferences"][0]["ActualValue"] == "rate(2 hours)"
    assert list(_by_id(cfn, name, StackResourceDriftStatusFilters=["DELETED"])) == ["Table"]

    sns.set_topic_attributes(TopicArn=resources["Topic"], AttributeName="DisplayName", AttributeValue="before")
    one = cfn.detect_stack_resource_drift(StackName=name, LogicalResourceId="Topic")["StackResourceDrift"]
    assert one["StackResourceDriftStatus"] == "IN_SYNC" and one["PhysicalResourceId"] == resources["Topic"]

    expect_error(lambda: cfn.describe_stack_drift_detection_status(StackDriftDetectionId="nope"), "ValidationError")
    expect_error(lambda: cfn.detect_stack_drift(StackName=name, LogicalResourceIds=["Missing"]), "ValidationError")
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", name)
