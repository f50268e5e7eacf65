"""Topics end to end: create (idempotent), attributes, delete, list, tags, permissions, data protection policy."""

from __future__ import annotations

import json
from typing import Any

from ._helpers import ACCOUNT, REGION, expect_error

DEFAULT_EFFECTIVE = {
    "http": {
        "defaultHealthyRetryPolicy": {
            "minDelayTarget": 20,
            "maxDelayTarget": 20,
            "numRetries": 3,
            "numMaxDelayRetries": 0,
            "numNoDelayRetries": 0,
            "numMinDelayRetries": 0,
            "backoffFunction": "linear",
        },
        "disableSubscriptionOverrides": False,
        "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
    }
}


def test_create_topic_defaults(sns: Any, name: str) -> None:
    arn = sns.create_topic(Name=name)["TopicArn"]
    assert arn == f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert set(attrs) == {
        "DisplayName", "EffectiveDeliveryPolicy", "Owner", "Policy", "SubscriptionsConfirmed", "SubscriptionsDeleted",
        "SubscriptionsPending", "TopicArn",
    }  # fmt: skip
    assert attrs["DisplayName"] == "" and attrs["Owner"] == ACCOUNT and attrs["TopicArn"] == arn
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"], attrs["SubscriptionsDeleted"]) == (
        "0",
        "0",
        "0",
    )
    assert json.loads(attrs["EffectiveDeliveryPolicy"]) == DEFAULT_EFFECTIVE
    policy = json.loads(attrs["Policy"])
    assert policy["Id"] == "__default_policy_ID" and policy["Version"] == "2008-10-17"
    statement = policy["Statement"][0]
    assert statement["Sid"] == "__default_statement_ID" and statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    assert "SNS:Publish" in statement["Action"] and len(statement["Action"]) == 8


def test_create_topic_is_idempotent_but_not_with_other_attributes_or_tags(sns: Any, name: str) -> None:
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "AlreadySet"}, Tags=[{"Key": "k", "Value": "v"}])[
        "TopicArn"
    ]
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    assert sns.create_topic(Name=name, Attributes={"DisplayName": "AlreadySet"})["TopicArn"] == arn
    expect_error(
        sns.create_topic, "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes", 400,
        Name=name, Attributes={"DisplayName": "other"},
    )  # fmt: skip
    expect_error(
        sns.create_topic, "InvalidParameter",
        "Invalid parameter: Tags Reason: Topic already exists with different tags", 400,
        Name=name, Tags=[{"Key": "k", "Value": "other"}],
    )  # fmt: skip
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "AlreadySet"


def test_topic_name_rules(sns: Any, name: str) -> None:
    assert sns.create_topic(Name="a" * 256)["TopicArn"].endswith(":" + "a" * 256)
    for bad in ("a" * 257, "with:colon", "semi;colon", "at@", "per%cent", "spa ce", f"{name}.fifo"):
        expect_error(sns.create_topic, "InvalidParameter", "Invalid parameter: Topic Name", 400, Name=bad)
    expect_error(
        sns.create_topic, "InvalidParameter",
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, "
        "numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
        Name=name, Attributes={"FifoTopic": "true"},
    )  # fmt: skip


def test_fifo_topic_attributes(sns: Any, name: str) -> None:
    arn = sns.create_topic(Name=f"{name}.fifo", Attributes={"FifoTopic": "true", "SignatureVersion": "2"})["TopicArn"]
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (
        attrs["FifoTopic"] == "true"
        and attrs["ContentBasedDeduplication"] == "false"
        and attrs["SignatureVersion"] == "2"
    )
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["ContentBasedDeduplication"] == "true"
    expect_error(
        sns.set_topic_attributes,
        "InvalidParameter",
        "Invalid parameter: AttributeName",
        TopicArn=arn,
        AttributeName="FifoTopic",
        AttributeValue="false",
    )


def test_topic_arn_errors(sns: Any, aws: Any, name: str) -> None:
    expect_error(
        sns.get_topic_attributes,
        "NotFound",
        "Topic does not exist",
        404,
        TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
    )
    expect_error(
        sns.get_topic_attributes,
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        400,
        TopicArn=name,
    )
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2",
        TopicArn="arn:x",
        Message="m",
    )
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        TopicArn="",
        Message="m",
    )
    arn = sns.create_topic(Name=name)["TopicArn"]
    west = aws("sns", region="us-west-1")
    for call, kwargs in (
        (west.get_topic_attributes, {}),
        (west.set_topic_attributes, {"AttributeName": "DisplayName", "AttributeValue": "x"}),
        (west.publish, {"Message": "m"}),
        (west.subscribe, {"Protocol": "email", "Endpoint": "a@example.com"}),
        (west.list_subscriptions_by_topic, {}),
        (west.delete_topic, {}),
    ):
        expect_error(call, "InvalidParameter", "Invalid parameter: TopicArn", TopicArn=arn, **kwargs)
    assert arn not in [t["TopicArn"] for t in west.list_topics()["Topics"]]


def test_set_topic_attributes(sns: Any, topic: str) -> None:
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Shown")
    policy = {
        "http": {
            "defaultHealthyRetryPolicy": {"minDelayTarget": 5, "maxDelayTarget": 6, "numRetries": 1},
            "disableSubscriptionOverrides": False,
        }
    }
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy))
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attrs["DisplayName"] == "Shown"
    assert json.loads(attrs["DeliveryPolicy"]) == policy
    effective = json.loads(attrs["EffectiveDeliveryPolicy"])["http"]
    assert effective["defaultHealthyRetryPolicy"] == {
        **DEFAULT_EFFECTIVE["http"]["defaultHealthyRetryPolicy"],
        "minDelayTarget": 5,
        "maxDelayTarget": 6,
        "numRetries": 1,
    }
    assert effective["defaultRequestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy", AttributeValue="")
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert "DeliveryPolicy" not in attrs and json.loads(attrs["EffectiveDeliveryPolicy"]) == DEFAULT_EFFECTIVE
    for attribute, value in (
        ("TracingConfig", "Active"),
        ("KmsMasterKeyId", "alias/aws/sns"),
        ("SignatureVersion", "2"),
        ("HTTPSuccessFeedbackSampleRate", "50"),
    ):
        sns.set_topic_attributes(TopicArn=topic, AttributeName=attribute, AttributeValue=value)
        assert sns.get_topic_attributes(TopicArn=topic)["Attributes"][attribute] == value


def test_set_topic_attributes_errors(sns: Any, topic: str) -> None:
    expect_error(
        sns.set_topic_attributes,
        "InvalidParameter",
        "Invalid parameter: AttributeName",
        TopicArn=topic,
        AttributeName="Nope",
        AttributeValue="x",
    )
    expect_error(
        sns.set_topic_attributes,
        "InvalidParameter",
        "Invalid parameter: SignatureVersion",
        TopicArn=topic,
        AttributeName="SignatureVersion",
        AttributeValue="3",
    )
    expect_error(
        sns.set_topic_attributes, "InvalidParameter",
        "Invalid parameter: ContentBasedDeduplication Reason: "
        "Content based deduplication can only be set for FIFO topics",
        TopicArn=topic, AttributeName="ContentBasedDeduplication", AttributeValue="true",
    )  # fmt: skip
    error = expect_error(
        sns.set_topic_attributes,
        "InvalidParameter",
        TopicArn=topic,
        AttributeName="DeliveryPolicy",
        AttributeValue="{bad",
    )
    assert error["Message"].startswith(
        "Invalid parameter: DeliveryPolicy: failed to parse JSON. Unexpected character ('b' (code 98))"
    )
    bad_retry = {"http": {"defaultHealthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 10}}}
    expect_error(
        sns.set_topic_attributes,
        "InvalidParameter",
        TopicArn=topic,
        AttributeName="DeliveryPolicy",
        AttributeValue=json.dumps(bad_retry),
    )


def test_delete_topic_is_idempotent_and_removes_subscriptions(sns: Any, topic: str) -> None:
    sub = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550100")["SubscriptionArn"]
    sns.delete_topic(TopicArn=topic)
    sns.delete_topic(TopicArn=topic)
    expect_error(sns.get_topic_attributes, "NotFound", "Topic does not exist", TopicArn=topic)
    expect_error(sns.get_subscription_attributes, "NotFound", "Subscription does not exist", 404, SubscriptionArn=sub)
    assert topic not in [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]


def test_list_topics_pages_of_100(sns: Any, name: str) -> None:
    made = {sns.create_topic(Name=f"{name}-{i}")["TopicArn"] for i in range(105)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and first["NextToken"]
    seen = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert made <= set(seen) and len(seen) == len(set(seen))
    expect_error(sns.list_topics, "InvalidParameter", "Invalid parameter: NextToken", NextToken="garbage!")


def test_tags(sns: Any, name: str) -> None:
    arn = sns.create_topic(Name=name, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])["TopicArn"]
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "k1", "Value": "v1"},
        {"Key": "k2", "Value": "v2"},
    ]
    sns.untag_resource(ResourceArn=arn, TagKeys=["k1"])
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "k2", "Value": "v2b"}])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k2", "Value": "v2b"}]
    expect_error(
        sns.tag_resource, "InvalidParameter", "Invalid parameter: Duplicated keys are not allowed.", 400,
        ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
    )  # fmt: skip
    too_many = [{"Key": f"key{i}", "Value": "v"} for i in range(50)]
    expect_error(
        sns.tag_resource,
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
        400,
        ResourceArn=arn,
        Tags=too_many,
    )
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k2", "Value": "v2b"}]
    missing = f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-missing"
    for call, kwargs in (
        (sns.tag_resource, {"Tags": [{"Key": "a", "Value": "b"}]}),
        (sns.untag_resource, {"TagKeys": ["a"]}),
        (sns.list_tags_for_resource, {}),
    ):
        expect_error(call, "ResourceNotFound", "Resource does not exist", 404, ResourceArn=missing, **kwargs)


def test_add_and_remove_permission(sns: Any, topic: str) -> None:
    sns.add_permission(TopicArn=topic, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert statements[-1] == {
        "Sid": "pub",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": topic,
    }
    expect_error(
        sns.add_permission,
        "InvalidParameter",
        "Invalid parameter: Statement already exists",
        TopicArn=topic,
        Label="pub",
        AWSAccountId=["1"],
        ActionName=["Publish"],
    )
    expect_error(
        sns.add_permission, "InvalidParameter", "Invalid parameter: Policy statement action out of service scope!",
        TopicArn=topic, Label="other", AWSAccountId=["111122223333"], ActionName=["CreateTopic"],
    )  # fmt: skip
    sns.remove_permission(TopicArn=topic, Label="pub")
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_data_protection_policy(sns: Any, topic: str) -> None:
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == ""
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=topic, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=topic)["DataProtectionPolicy"] == policy
    expect_error(sns.get_data_protection_policy, "NotFound", "Topic does not exist", ResourceArn=topic + "-missing")
