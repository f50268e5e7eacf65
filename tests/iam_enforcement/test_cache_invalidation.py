"""What enforcement keeps per node (identities with their policies, resource policies and tags, remembered verdicts)
never outlives a change: every kind of IAM write, a role's policies under its live sessions, a resource policy
(a Kinesis stream's included) and a queue policy under an SNS fan-out take effect on the very next request; and,
on PostgreSQL, on the very next request to another node once it has heard of the change."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..conftest import StoreFactory
from ..server import Server
from .test_requests import ACCT, OTHER, Client, allow, client

INVALID_KEY = "invalid key"  # InvalidClientTokenId (query) or UnrecognizedClientException (json), by protocol


def _send_refusal(send: Callable[[], Any]) -> str | None:
    """None when the call is allowed, else the error code."""
    try:
        send()
    except ClientError as error:
        code = str(error.response["Error"]["Code"])
        return INVALID_KEY if code in ("InvalidClientTokenId", "UnrecognizedClientException") else code
    return None


def test_every_iam_write_takes_effect_on_the_next_request(enforced: Server, root: Client, name: str) -> None:
    iam, url = root("iam"), root("sqs").create_queue(QueueName=name)["QueueUrl"]
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sqs = client(enforced, "sqs", key["AccessKeyId"], key["SecretAccessKey"])

    def refused() -> str | None:
        return _send_refusal(lambda: sqs.send_message(QueueUrl=url, MessageBody="x"))

    assert refused() == "AccessDenied"
    # a managed policy: attach, a new default version, the old one again, detach
    arn = iam.create_policy(PolicyName=name, PolicyDocument=allow("sqs:SendMessage"))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    assert refused() is None
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("sqs:ReceiveMessage"), SetAsDefault=True)
    assert refused() == "AccessDenied"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert refused() is None
    iam.detach_user_policy(UserName=name, PolicyArn=arn)
    assert refused() == "AccessDenied"
    # group membership and the group's own policies
    iam.create_group(GroupName=name)
    iam.put_group_policy(GroupName=name, PolicyName="p", PolicyDocument=allow("sqs:*"))
    iam.add_user_to_group(GroupName=name, UserName=name)
    assert refused() is None
    iam.remove_user_from_group(GroupName=name, UserName=name)
    assert refused() == "AccessDenied"
    iam.add_user_to_group(GroupName=name, UserName=name)
    assert refused() is None
    iam.put_group_policy(GroupName=name, PolicyName="deny", PolicyDocument=allow("sqs:SendMessage", effect="Deny"))
    assert refused() == "AccessDenied"
    iam.delete_group_policy(GroupName=name, PolicyName="deny")
    assert refused() is None
    # a permissions boundary
    boundary = iam.create_policy(PolicyName=f"{name}-b", PolicyDocument=allow("sqs:ReceiveMessage"))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary)
    assert refused() == "AccessDenied"
    iam.delete_user_permissions_boundary(UserName=name)
    assert refused() is None
    # the key itself
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert refused() == INVALID_KEY
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert refused() is None
    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    assert refused() == INVALID_KEY


def test_role_writes_reach_its_live_sessions(enforced: Server, root: Client, name: str) -> None:
    iam, url = root("iam"), root("sqs").create_queue(QueueName=name)["QueueUrl"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}],
    }
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=allow("sqs:*"))
    plain = root("sts").assume_role(RoleArn=role_arn, RoleSessionName="plain")["Credentials"]
    limited = root("sts").assume_role(RoleArn=role_arn, RoleSessionName="lim", Policy=allow("sqs:ReceiveMessage"))[
        "Credentials"
    ]

    def refused(creds: dict[str, Any]) -> str | None:
        sqs = client(enforced, "sqs", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        return _send_refusal(lambda: sqs.send_message(QueueUrl=url, MessageBody="x"))

    # two sessions of one role, the same question: each answered by its own session policy, whichever comes first
    for _ in range(2):
        assert refused(plain) is None
        assert refused(limited) == "AccessDenied"
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    assert refused(plain) == "AccessDenied"
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=allow("sqs:*"))
    assert refused(plain) is None
    # the trust policy: AssumeRole follows it at once
    nobody = {**trust, "Statement": [{**trust["Statement"][0], "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/x"}}]}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(nobody))
    assert _send_refusal(lambda: root("sts").assume_role(RoleArn=role_arn, RoleSessionName="again")) == "AccessDenied"
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    assert root("sts").assume_role(RoleArn=role_arn, RoleSessionName="again")["Credentials"]["AccessKeyId"]


def test_resource_policy_changes_take_effect_on_the_next_request(root: Client, other_root: Client, name: str) -> None:
    """A Kinesis stream's policy and tags are cached like a queue's: the grant, its removal and a tag a condition
    reads take effect at once."""
    kinesis = root("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    other = other_root("kinesis")

    def refused() -> str | None:
        return _send_refusal(lambda: other.put_record(StreamARN=arn, Data=b"x", PartitionKey="k"))

    assert refused() == "AccessDeniedException"
    grant = {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "kinesis:PutRecord", "Resource": arn}
    tagged = {**grant, "Condition": {"StringEquals": {"aws:ResourceTag/open": "yes"}}}
    kinesis.put_resource_policy(ResourceARN=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [grant]}))
    assert refused() is None
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert refused() == "AccessDeniedException"
    kinesis.put_resource_policy(ResourceARN=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tagged]}))
    assert refused() == "AccessDeniedException"
    kinesis.add_tags_to_stream(StreamARN=arn, Tags={"open": "yes"})
    assert refused() is None
    kinesis.remove_tags_from_stream(StreamARN=arn, TagKeys=["open"])
    assert refused() == "AccessDeniedException"


def test_a_queue_policy_change_stops_the_next_fan_out(root: Client, name: str) -> None:
    sqs, sns = root("sqs"), root("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    for body in ("one", "two"):
        sns.publish(TopicArn=topic, Message=body)
    denial = {**statement, "Effect": "Deny", "Sid": "closed"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({**policy, "Statement": [denial]})})
    sns.publish(TopicArn=topic, Message="three")
    bodies: list[str] = []
    deadline = time.monotonic() + 5
    while len(bodies) < 2 and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", [])
        bodies += [m["Body"] for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert sorted(bodies) == ["one", "two"]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []


def test_a_change_through_one_node_reaches_the_other(store_kind: str, store: StoreFactory, name: str) -> None:
    """Two nodes on one PostgreSQL database: each caches the user, its policies and its verdicts; an IAM write or
    a queue policy change through one node reaches the other's next request once the notification arrives (well
    within a second), in both directions."""
    if store_kind != "postgresql":
        pytest.skip("two nodes share state only on PostgreSQL")
    shared = store()
    args = ["--enforce-iam", "--credentials", f"{ACCT}:root-one,{OTHER}:root-two"]
    a = Server(data_dir=shared["data_dir"] / "a", store_url=shared["store_url"], extra_args=args).start()
    b = Server(data_dir=shared["data_dir"] / "b", store_url=shared["store_url"], extra_args=args).start()
    try:
        iam_a = client(a, "iam", ACCT, "root-one")
        url = client(a, "sqs", ACCT, "root-one").create_queue(QueueName=name)["QueueUrl"]
        iam_a.create_user(UserName=name)
        iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow("sqs:SendMessage"))
        key = iam_a.create_access_key(UserName=name)["AccessKey"]
        on_b = client(b, "sqs", key["AccessKeyId"], key["SecretAccessKey"])

        def on_b_becomes(expected: str | None) -> None:
            deadline = time.monotonic() + 5
            while (got := _send_refusal(lambda: on_b.send_message(QueueUrl=url, MessageBody="x"))) != expected:
                assert time.monotonic() < deadline, f"node b still answers {got!r}, not {expected!r}"
                time.sleep(0.05)

        on_b_becomes(None)  # b now caches the user and the verdict
        iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow("sqs:ReceiveMessage"))
        on_b_becomes("AccessDenied")
        iam_a.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=allow("sqs:SendMessage"))
        on_b_becomes(None)
        deny_user = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/{name}"},
                    "Action": "sqs:SendMessage",
                    "Resource": f"arn:aws:sqs:us-east-1:{ACCT}:{name}",
                }
            ],
        }
        client(a, "sqs", ACCT, "root-one").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps(deny_user)}
        )
        on_b_becomes("AccessDenied")
        client(b, "sqs", ACCT, "root-one").set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        on_b_becomes(None)
        client(b, "iam", ACCT, "root-one").update_access_key(
            UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive"
        )
        on_a = client(a, "sqs", key["AccessKeyId"], key["SecretAccessKey"])
        deadline = time.monotonic() + 5
        while _send_refusal(lambda: on_a.send_message(QueueUrl=url, MessageBody="x")) != INVALID_KEY:
            assert time.monotonic() < deadline, "node a still takes the key node b deactivated"
            time.sleep(0.05)
    finally:
        a.stop()
        b.stop()
