"""Service-to-service deliveries under IAM enforcement, end to end through boto3: SNS -> SQS within one account is
refused until the queue's Policy lets sns.amazonaws.com send for the topic (aws:SourceArn); an EventBridge rule's log
group target is refused (its dead-letter queue says NO_PERMISSIONS) until a CloudWatch Logs resource policy lets
events.amazonaws.com write; and an event source mapping whose execution role may not read its queue is refused when
it is made, as on AWS. And the learn mode."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from ..conftest import StoreFactory
from ..server import Server
from ..services.lambda_.zips import make_zip
from .test_requests import ACCT, Client, client


def _messages(sqs: Any, url: str, wait: int) -> list[dict[str, Any]]:
    return sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait, MaxNumberOfMessages=10).get("Messages", [])


def test_sns_to_sqs_needs_the_queue_policy(root: Client, name: str) -> None:
    sqs, sns = root("sqs"), root("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="refused")
    assert _messages(sqs, url, 1) == []  # no queue policy: sns.amazonaws.com may not send, even within the account
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns.publish(TopicArn=topic, Message="allowed")
    got = _messages(sqs, url, 5)
    assert [m["Body"] for m in got] == ["allowed"]
    # another topic of the account is not the one the condition names
    other = sns.create_topic(Name=f"{name}-other")["TopicArn"]
    sns.subscribe(TopicArn=other, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=other, Message="wrong source")
    assert _messages(sqs, url, 1) == []


def _allow(service: str, actions: list[str], resource: str, source: str | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow", "Principal": {"Service": service}, "Action": actions, "Resource": resource
    }  # fmt: skip
    if source is not None:
        statement["Condition"] = {"ArnEquals": {"aws:SourceArn": source}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_eventbridge_to_logs_needs_a_logs_resource_policy(root: Client, name: str) -> None:
    events, logs, sqs = root("events"), root("logs"), root("sqs")
    group = f"/aws/events/{name}"
    logs.create_log_group(logGroupName=group)
    group_arn = f"arn:aws:logs:us-east-1:{ACCT}:log-group:{group}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}-dlq"
    rule = events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))["RuleArn"]
    sqs.set_queue_attributes(
        QueueUrl=dlq, Attributes={"Policy": _allow("events.amazonaws.com", ["sqs:SendMessage"], dlq_arn, rule)}
    )
    target = {"Id": "log", "Arn": group_arn, "DeadLetterConfig": {"Arn": dlq_arn}}
    events.put_targets(Rule=name, Targets=[target])
    entry = {"Source": name, "DetailType": "t", "Detail": "{}"}
    events.put_events(Entries=[entry])
    [dead] = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5, MessageAttributeNames=["All"])["Messages"]
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert (
        "no resource-based policy allows the logs:CreateLogStream action"
        in (dead["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"])
    )
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    # a policy for another rule does not let this one in; the account's policy for this rule does (as the console's
    # TrustEventsToStoreLogEvent, with the usual "log-group:/aws/events/*:*" resource)
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resource = f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/events/*:*"
    logs.put_resource_policy(policyName=f"{name}-other", policyDocument=_allow(
        "events.amazonaws.com", actions, resource, f"{rule}-other"))  # fmt: skip
    events.put_events(Entries=[entry])
    [dead] = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5, MessageAttributeNames=["All"])["Messages"]
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    logs.put_resource_policy(policyName=name, policyDocument=_allow("events.amazonaws.com", actions, resource, rule))
    events.put_events(Entries=[entry])
    deadline = time.monotonic() + 5
    streams: list[dict[str, Any]] = []
    while not streams and time.monotonic() < deadline:
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        time.sleep(0.1)
    [stream] = streams
    [logged] = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
    assert json.loads(logged["message"])["source"] == name
    for policy in (name, f"{name}-other"):
        logs.delete_resource_policy(policyName=policy)


def test_esm_needs_a_role_that_may_read_the_queue(root: Client, name: str) -> None:
    iam, sqs, lam = root("iam"), root("sqs"), root("lambda")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.py": "def handler(event, context):\n    return None\n"})},
    )
    with pytest.raises(ClientError) as error:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "does not have permissions to call ReceiveMessage on SQS" in error.value.response["Error"]["Message"]
    iam.attach_role_policy(
        RoleName=name, PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    )
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, Enabled=False)
    assert mapping["EventSourceArn"] == queue_arn


def test_learn_mode_lists_what_would_be_denied(store: StoreFactory, name: str) -> None:
    server = Server(**store(), extra_args=["--learn-iam", "--strict-auth", "--credentials", f"{ACCT}:root-one"]).start()
    try:
        iam = client(server, "iam", ACCT, "root-one")
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        user_sqs = client(server, "sqs", key["AccessKeyId"], key["SecretAccessKey"])
        user_sqs.create_queue(QueueName=name)  # not refused: enforcement is off
        deadline = time.monotonic() + 5
        listed: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not listed:
            listed = httpx.get(f"{server.endpoint}/_gureum/iam/would-deny").json()["wouldDeny"]
        assert listed[-1]["action"] == "sqs:CreateQueue"
        assert listed[-1]["principal"] == f"arn:aws:iam::{ACCT}:user/{name}"
        assert "because no identity-based policy allows the sqs:CreateQueue action" in listed[-1]["message"]
        # a session's key without its token: not refused either, but listed as enforcement would answer it
        session = client(server, "sts", ACCT, "root-one").get_session_token()["Credentials"]
        client(server, "sns", session["AccessKeyId"], session["SecretAccessKey"]).list_topics()
        listed = httpx.get(f"{server.endpoint}/_gureum/iam/would-deny").json()["wouldDeny"]
        assert (listed[-1]["principal"], listed[-1]["decision"]) == (session["AccessKeyId"], "InvalidClientTokenId")
        assert listed[-1]["message"] == "The security token included in the request is invalid."
    finally:
        server.stop()
