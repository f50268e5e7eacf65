"""Stacks end to end through boto3: create with SQS/SNS/Logs resources, outputs, events, resources, update in
place and with replacement, rollback, delete, waiters."""

from __future__ import annotations

import json
import time
from typing import Any

from ...expect import expect_error
from ._helpers import body, events, outputs, settle, stack, wait

QUEUE_TOPIC = """
AWSTemplateFormatVersion: 2010-09-09
Description: a queue subscribed to a topic
Parameters:
  Retention:
    Type: Number
    Default: 3600
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: !Ref Retention
  Topic:
    Type: AWS::SNS::Topic
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub "/gureum/${AWS::StackName}"
      RetentionInDays: 7
Outputs:
  QueueUrl:
    Value: !Ref Queue
  TopicArn:
    Value: !Ref Topic
    Export:
      Name: !Sub "${AWS::StackName}-topic"
"""


def test_create_describe_delete(cfn: Any, aws: Any, name: str) -> None:
    stack_id = cfn.create_stack(StackName=name, TemplateBody=QUEUE_TOPIC)["StackId"]
    found = wait(cfn, "stack_create_complete", name)
    assert found["StackStatus"] == "CREATE_COMPLETE" and found["StackId"] == stack_id
    assert found["Description"] == "a queue subscribed to a topic"
    assert found["Parameters"] == [{"ParameterKey": "Retention", "ParameterValue": "3600"}]
    out = outputs(found)
    sqs, sns = aws("sqs"), aws("sns")
    attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"], AttributeNames=["All"])["Attributes"]
    assert attrs["MessageRetentionPeriod"] == "3600"
    assert attrs["QueueArn"].split(":")[-1].startswith(f"{name}-Queue-")
    sns.publish(TopicArn=out["TopicArn"], Message="hello")
    got = sqs.receive_message(QueueUrl=out["QueueUrl"], WaitTimeSeconds=5)["Messages"]
    assert got[0]["Body"] == "hello"  # raw delivery through the subscription the stack made
    resources = {r["LogicalResourceId"]: r for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    assert set(resources) == {"Queue", "Topic", "Sub", "Group"}
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" for r in resources.values())
    assert resources["Queue"]["PhysicalResourceId"] == out["QueueUrl"]
    detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Group")["StackResourceDetail"]
    assert detail["PhysicalResourceId"] == f"/gureum/{name}"
    by_physical = cfn.describe_stack_resources(PhysicalResourceId=out["TopicArn"])["StackResources"]
    assert by_physical[0]["LogicalResourceId"] == "Topic" and by_physical[0]["StackName"] == name
    assert {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}[f"{name}-topic"] == out["TopicArn"]
    seen = events(cfn, name)
    assert seen[0] == (name, "CREATE_IN_PROGRESS", "User Initiated") and seen[-1][:2] == (name, "CREATE_COMPLETE")
    assert ("Queue", "CREATE_COMPLETE", "") in seen
    template = cfn.get_template(StackName=name)
    assert "AWS::SQS::Queue" in template["TemplateBody"]

    cfn.delete_stack(StackName=name)
    wait_deleted = cfn.get_waiter("stack_delete_complete")
    wait_deleted.wait(StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
    assert stack(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    expect_error(sqs.get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=out["QueueUrl"])
    assert f"{name}-topic" not in {e["Name"] for e in cfn.list_exports()["Exports"]}
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {name} does not exist", StackName=name)
    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/gureum/{name}")["logGroups"] == []


def test_update_in_place_replacement_and_no_updates(cfn: Any, aws: Any, name: str) -> None:
    cfn.create_stack(StackName=name, TemplateBody=QUEUE_TOPIC)
    before = outputs(wait(cfn, "stack_create_complete", name))
    expect_error(
        cfn.update_stack, "ValidationError", "No updates are to be performed.", StackName=name, TemplateBody=QUEUE_TOPIC
    )
    cfn.update_stack(
        StackName=name, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "Retention", "ParameterValue": "7200"}]
    )
    after = outputs(wait(cfn, "stack_update_complete", name))
    assert after["QueueUrl"] == before["QueueUrl"]  # updated in place
    sqs = aws("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=after["QueueUrl"], AttributeNames=["MessageRetentionPeriod"])
    assert attrs["Attributes"]["MessageRetentionPeriod"] == "7200"
    renamed = QUEUE_TOPIC.replace(
        "MessageRetentionPeriod: !Ref Retention",
        f"MessageRetentionPeriod: !Ref Retention\n      QueueName: {name}-renamed",
    )
    cfn.update_stack(StackName=name, TemplateBody=renamed)
    replaced = outputs(wait(cfn, "stack_update_complete", name))
    assert replaced["QueueUrl"].endswith(f"/{name}-renamed")
    expect_error(sqs.get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=before["QueueUrl"])
    seen = events(cfn, name)
    assert (name, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "") in seen
    assert any(e[:2] == ("Queue", "UPDATE_IN_PROGRESS") and "creation of a new physical resource" in e[2] for e in seen)
    stack_id = stack(cfn, name)["StackId"]
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", stack_id)


def test_failed_create_rolls_back(cfn: Any, aws: Any, name: str) -> None:
    template = {
        "Resources": {
            "Good": {"Type": "AWS::SQS::Queue"},
            "Bad": {"Type": "AWS::SQS::Queue", "DependsOn": "Good", "Properties": {"DelaySeconds": 9999}},
            "Later": {"Type": "AWS::SNS::Topic", "DependsOn": "Bad"},
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=body(template))
    found = settle(cfn, name)
    assert found["StackStatus"] == "ROLLBACK_COMPLETE"
    reason = "The following resource(s) failed to create: [Bad]. Rollback requested by user."
    assert found["StackStatusReason"] == reason
    seen = events(cfn, name)
    failed = [e for e in seen if e[:2] == ("Bad", "CREATE_FAILED")]
    assert failed and "DelaySeconds" in failed[0][2]
    assert ("Good", "DELETE_COMPLETE", "") in seen and not any(e[0] == "Later" for e in seen)
    assert (name, "ROLLBACK_IN_PROGRESS", found["StackStatusReason"]) in seen
    expect_error(cfn.update_stack, "ValidationError", StackName=name, TemplateBody=body(template))
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])


def test_unsupported_type_fails_the_stack(cfn: Any, name: str) -> None:
    template = {"Resources": {"Thing": {"Type": "AWS::Foo::Bar"}}}
    cfn.create_stack(StackName=name, TemplateBody=body(template), OnFailure="DO_NOTHING")
    found = settle(cfn, name)
    assert found["StackStatus"] == "CREATE_FAILED"
    assert ("Thing", "CREATE_FAILED", "Resource type AWS::Foo::Bar is not supported by gureum") in events(cfn, name)
    cfn.delete_stack(StackName=name)


def test_failed_update_rolls_back_a_replacement(cfn: Any, aws: Any, name: str) -> None:
    first = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{name}-one"}}},
        "Outputs": {"Url": {"Value": {"Ref": "Queue"}}},
    }
    cfn.create_stack(StackName=name, TemplateBody=body(first))
    url = outputs(wait(cfn, "stack_create_complete", name))["Url"]
    second = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{name}-two"}},
            "Bad": {"Type": "AWS::SQS::Queue", "DependsOn": "Queue", "Properties": {"MessageRetentionPeriod": 1}},
        },
        "Outputs": {"Url": {"Value": {"Ref": "Queue"}}},
    }
    cfn.update_stack(StackName=name, TemplateBody=body(second))
    found = settle(cfn, name)
    assert found["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert outputs(found)["Url"] == url  # the original queue is the stack's again
    sqs = aws("sqs")
    assert sqs.get_queue_url(QueueName=f"{name}-one")["QueueUrl"] == url
    expect_error(sqs.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue", QueueName=f"{name}-two")
    statuses = [e[1] for e in events(cfn, name) if e[0] == name]
    assert statuses[-4:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])


def test_stack_policy(cfn: Any, aws: Any, name: str) -> None:
    template = {
        "Resources": {
            "Keep": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}},
            "Free": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}},
        }
    }
    policy = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": ["Update:Modify", "Update:Delete"],
                    "Principal": "*",
                    "Resource": "LogicalResourceId/Keep",
                },
            ]
        }
    )
    cfn.create_stack(StackName=name, TemplateBody=body(template), StackPolicyBody=policy)
    wait(cfn, "stack_create_complete", name)
    assert json.loads(cfn.get_stack_policy(StackName=name)["StackPolicyBody"]) == json.loads(policy)
    modified = json.loads(json.dumps(template))
    modified["Resources"]["Keep"]["Properties"]["DelaySeconds"] = 5
    cfn.update_stack(StackName=name, TemplateBody=body(modified))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert any(e[:2] == ("Keep", "UPDATE_FAILED") and "denied by stack policy" in e[2] for e in events(cfn, name))
    removed = {"Resources": {"Free": template["Resources"]["Free"]}}
    cfn.update_stack(StackName=name, TemplateBody=body(removed))
    found = settle(cfn, name)
    assert found["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE" and "Update:Delete" in found["StackStatusReason"]
    free = json.loads(json.dumps(template))
    free["Resources"]["Free"]["Properties"]["DelaySeconds"] = 3
    cfn.update_stack(StackName=name, TemplateBody=body(free))  # the policy allows it
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    expect_error(cfn.set_stack_policy, "ValidationError", StackName=name, StackPolicyBody="{not json")
    cfn.delete_stack(StackName=name)


def test_notifications(cfn: Any, aws: Any, name: str) -> None:
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    cfn.create_stack(
        StackName=name, TemplateBody=body({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}), NotificationARNs=[topic]
    )
    found = wait(cfn, "stack_create_complete", name)
    assert found["NotificationARNs"] == [topic]
    seen: list[str] = []
    while not any("ResourceStatus='CREATE_COMPLETE'" in m and f"LogicalResourceId='{name}'" in m for m in seen):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages")
        assert got, seen
        seen += [m["Body"] for m in got]
    assert any("LogicalResourceId='Q'" in m and "ResourceType='AWS::SQS::Queue'" in m for m in seen)
    cfn.delete_stack(StackName=name)
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=url)


def test_cancel_update_and_rollback_stack(cfn: Any, aws: Any, name: str) -> None:
    first = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    cfn.create_stack(StackName=name, TemplateBody=body(first))
    wait(cfn, "stack_create_complete", name)
    slow = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue"},  # a stream stays CREATING for a while
            "S": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
            "After": {"Type": "AWS::SNS::Topic", "DependsOn": "S"},
        }
    }
    cfn.update_stack(StackName=name, TemplateBody=body(slow))
    deadline = time.monotonic() + 30
    while not any(e[:2] == ("S", "CREATE_IN_PROGRESS") for e in events(cfn, name)):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    cfn.cancel_update_stack(StackName=name)
    found = settle(cfn, name)
    assert found["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert not any(e[0] == "After" for e in events(cfn, name))
    assert [r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]] == ["Q"]
    expect_error(cfn.cancel_update_stack, "ValidationError", StackName=name)
    cfn.delete_stack(StackName=name)

    bad = {
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue"},
            "Bad": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 901}},
        }
    }
    cfn.create_stack(StackName=f"{name}-r", TemplateBody=body(bad), DisableRollback=True)
    assert settle(cfn, f"{name}-r")["StackStatus"] == "CREATE_FAILED"
    cfn.rollback_stack(StackName=f"{name}-r")
    assert settle(cfn, f"{name}-r")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert cfn.list_stack_resources(StackName=f"{name}-r")["StackResourceSummaries"] == []
    cfn.delete_stack(StackName=f"{name}-r")
