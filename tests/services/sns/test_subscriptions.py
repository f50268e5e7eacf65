"""Subscriptions end to end: Subscribe (idempotent, endpoint checks), attributes and their errors, listings,
ConfirmSubscription's token errors, Unsubscribe."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._helpers import ACCOUNT, REGION, expect_error, queue

JACKSON_REDACTED = (
    "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 2]"
)


def test_subscribe_sqs_attributes(sns: Any, sqs: Any, topic: str, name: str) -> None:
    _, queue_arn = queue(sqs, name)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "TRUE"})[
        "SubscriptionArn"
    ]
    assert arn.startswith(topic + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"] == {
        "ConfirmationWasAuthenticated": "true",
        "Endpoint": queue_arn,
        "Owner": ACCOUNT,
        "PendingConfirmation": "false",
        "Protocol": "sqs",
        "RawMessageDelivery": "true",
        "SubscriptionArn": arn,
        "SubscriptionPrincipal": f"arn:aws:iam::{ACCOUNT}:root",
        "TopicArn": topic,
    }
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"


def test_subscription_principal_is_the_iam_user_that_subscribed(aws: Any, name: str) -> None:
    account = "210987654322"
    iam = aws("iam", access_key=account)
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    as_user, as_account = aws("sns", access_key=key), aws("sns", access_key=account)
    topic = as_account.create_topic(Name=name)["TopicArn"]
    by_user = as_user.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550123")["SubscriptionArn"]
    by_root = as_account.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550124")["SubscriptionArn"]
    attrs = as_account.get_subscription_attributes(SubscriptionArn=by_user)["Attributes"]
    assert (attrs["SubscriptionPrincipal"], attrs["Owner"]) == (user["Arn"], account)
    attrs = as_user.get_subscription_attributes(SubscriptionArn=by_root)["Attributes"]
    assert (attrs["SubscriptionPrincipal"], attrs["Owner"]) == (f"arn:aws:iam::{account}:root", account)


COMMON_KEYS = {
    "ConfirmationWasAuthenticated", "Endpoint", "Owner", "PendingConfirmation", "Protocol", "RawMessageDelivery",
    "SubscriptionArn", "SubscriptionPrincipal", "TopicArn",
}  # fmt: skip


def test_subscription_attributes_per_protocol(sns: Any, topic: str, name: str) -> None:
    """What GetSubscriptionAttributes holds for each protocol (the keys AWS returns for a new subscription)."""
    app = sns.create_platform_application(Name=name, Platform="GCM", Attributes={"PlatformCredential": "k"})[
        "PlatformApplicationArn"
    ]
    device = sns.create_platform_endpoint(PlatformApplicationArn=app, Token=name)["EndpointArn"]
    role = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    cases = {
        "lambda": (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}", {}, set(), True),
        "http": ("http://127.0.0.1:9/sns", {}, {"EffectiveDeliveryPolicy"}, False),
        "https": ("https://127.0.0.1:9/sns", {}, {"EffectiveDeliveryPolicy"}, False),
        "email": (f"{name}@example.com", {}, set(), False),
        "email-json": (f"{name}-json@example.com", {}, set(), False),
        "sms": ("+15550142", {}, set(), True),
        "application": (device, {}, set(), True),
        "firehose": (
            f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{name}",
            {"SubscriptionRoleArn": role},
            {"SubscriptionRoleArn"},
            True,
        ),
    }
    for protocol, (where, attributes, extra, confirmed) in cases.items():
        arn = sns.subscribe(
            TopicArn=topic, Protocol=protocol, Endpoint=where, Attributes=attributes, ReturnSubscriptionArn=True
        )["SubscriptionArn"]
        got = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
        assert set(got) == COMMON_KEYS | extra, protocol
        flag = "true" if confirmed else "false"
        assert (got["PendingConfirmation"], got["ConfirmationWasAuthenticated"]) == (
            "false" if confirmed else "true",
            flag,
        ), protocol
        assert (got["Protocol"], got["Endpoint"], got["RawMessageDelivery"]) == (protocol, where, "false")
        assert got["SubscriptionPrincipal"] == f"arn:aws:iam::{ACCOUNT}:root"
        if protocol == "firehose":
            assert got["SubscriptionRoleArn"] == role


def test_subscribe_is_idempotent(sns: Any, sqs: Any, topic: str, name: str) -> None:
    _, queue_arn = queue(sqs, name)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})[
        "SubscriptionArn"
    ]
    assert (
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})[
            "SubscriptionArn"
        ]
        == arn
    )
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == arn
    expect_error(
        sns.subscribe, "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "false"},
    )  # fmt: skip
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1


def test_subscribe_endpoint_errors(sns: Any, sqs: Any, topic: str, name: str) -> None:
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol",
        TopicArn=topic,
        Protocol="test-protocol",
        Endpoint="x",
    )
    url, _ = queue(sqs, name)
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        "Invalid parameter: SQS endpoint ARN",
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=url,
    )
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        "Invalid SMS endpoint: NAA+15551234567",
        TopicArn=topic,
        Protocol="sms",
        Endpoint="NAA+15551234567",
    )
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        "Invalid parameter: Endpoint must match the specified protocol",
        TopicArn=topic,
        Protocol="http",
        Endpoint="https://example.com",
    )
    _, fifo_arn = queue(sqs, f"{name}.fifo")
    expect_error(
        sns.subscribe, "InvalidParameter",
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
        "SNS topics",
        TopicArn=topic, Protocol="sqs", Endpoint=fifo_arn,
    )  # fmt: skip
    expect_error(
        sns.subscribe,
        "NotFound",
        "Topic does not exist",
        404,
        TopicArn=topic + "-missing",
        Protocol="sqs",
        Endpoint=fifo_arn,
    )
    # an unknown queue is accepted, as AWS accepts it
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}-nope")[
        "SubscriptionArn"
    ].startswith(topic)
    # separators inside a phone number are accepted
    assert sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+1-555-0100")["SubscriptionArn"].startswith(topic)


def test_subscription_attribute_errors(sns: Any, sqs: Any, topic: str, name: str) -> None:
    _, queue_arn = queue(sqs, name)
    expect_error(
        sns.subscribe, "InvalidParameter",
        "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.",
        TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "wrongvalue"},
    )  # fmt: skip
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    set_attr = sns.set_subscription_attributes
    expect_error(
        set_attr,
        "InvalidParameter",
        "Invalid parameter: AttributeName",
        SubscriptionArn=arn,
        AttributeName="Fake",
        AttributeValue="x",
    )
    expect_error(
        set_attr,
        "InvalidParameter",
        "Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.",
        SubscriptionArn=arn,
        AttributeName="RawMessageDelivery",
        AttributeValue="test-ValUe",
    )
    expect_error(
        set_attr,
        "InvalidParameter",
        "Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.",
        SubscriptionArn=arn,
        AttributeName="RawMessageDelivery",
        AttributeValue="",
    )
    expect_error(
        set_attr,
        "InvalidParameter",
        "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn",
        SubscriptionArn=arn,
        AttributeName="RedrivePolicy",
        AttributeValue=json.dumps({"deadLetterTargetArn": "fake-arn"}),
    )
    expect_error(
        set_attr, "InvalidParameter",
        "Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): "
        "was expecting double-quote to start field name" + JACKSON_REDACTED,
        SubscriptionArn=arn, AttributeName="RedrivePolicy", AttributeValue="{invalidjson}",
    )  # fmt: skip
    error = expect_error(
        set_attr, "InvalidParameter", SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue="{invalidjson}"
    )
    assert error["Message"].startswith("Invalid parameter: FilterPolicy: ")
    expect_error(
        set_attr, "InvalidParameter",
        "Invalid parameter: FilterPolicyScope: Invalid value [Body]. "
        "Please use either MessageBody or MessageAttributes",
        SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="Body",
    )  # fmt: skip
    expect_error(
        set_attr, "InvalidParameter",
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps({"a": {"b": ["c"]}}),
    )  # fmt: skip
    email = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com", ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    expect_error(
        set_attr, "InvalidParameter",
        "Invalid parameter: Delivery protocol [email] does not support raw message delivery.",
        SubscriptionArn=email, AttributeName="RawMessageDelivery", AttributeValue="true",
    )  # fmt: skip


def test_set_and_clear_filter_policy(sns: Any, sqs: Any, topic: str, name: str) -> None:
    _, queue_arn = queue(sqs, name)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    policy = json.dumps({"attr1": [{"numeric": [">", 0, "<=", 100]}]})
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=policy)
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attrs["FilterPolicy"] == policy and attrs["FilterPolicyScope"] == "MessageAttributes"
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["FilterPolicyScope"] == "MessageBody"
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue="")
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert "FilterPolicy" not in attrs and "FilterPolicyScope" not in attrs


def test_subscription_arn_errors_and_unsubscribe(sns: Any, topic: str) -> None:
    arn = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550100")["SubscriptionArn"]
    expect_error(
        sns.unsubscribe,
        "InvalidParameter",
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
        SubscriptionArn="junk",
    )
    expect_error(
        sns.unsubscribe,
        "InvalidParameter",
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5",
        SubscriptionArn="arn:aws:sns:us-east-1:000000000000",
    )
    expect_error(sns.unsubscribe, "InvalidParameter", "Invalid parameter: SubscriptionId", SubscriptionArn=topic)
    expect_error(
        sns.get_subscription_attributes, "InvalidParameter", "Invalid parameter: SubscriptionId", SubscriptionArn=topic
    )
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)  # twice is fine
    expect_error(sns.get_subscription_attributes, "NotFound", "Subscription does not exist", 404, SubscriptionArn=arn)
    expect_error(
        sns.set_subscription_attributes,
        "NotFound",
        "Subscription does not exist",
        SubscriptionArn=arn,
        AttributeName="RawMessageDelivery",
        AttributeValue="true",
    )
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attrs["SubscriptionsDeleted"] == "1" and attrs["SubscriptionsConfirmed"] == "0"


def test_listings_show_pending_subscriptions(sns: Any, topic: str, name: str) -> None:
    assert (
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=f"{name}@example.com")["SubscriptionArn"]
        == "pending confirmation"
    )
    sms = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550101")["SubscriptionArn"]
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed == [
        {
            "SubscriptionArn": "PendingConfirmation",
            "Owner": ACCOUNT,
            "Protocol": "email",
            "Endpoint": f"{name}@example.com",
            "TopicArn": topic,
        },
        {"SubscriptionArn": sms, "Owner": ACCOUNT, "Protocol": "sms", "Endpoint": "+15550101", "TopicArn": topic},
    ]
    everywhere = [s for page in sns.get_paginator("list_subscriptions").paginate() for s in page["Subscriptions"]]
    assert [s for s in everywhere if s["TopicArn"] == topic] == listed
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]) == ("1", "1")


def test_list_subscriptions_by_topic_pages(sns: Any, topic: str) -> None:
    for i in range(101):
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1555{i:07d}")
    first = sns.list_subscriptions_by_topic(TopicArn=topic)
    assert len(first["Subscriptions"]) == 100
    second = sns.list_subscriptions_by_topic(TopicArn=topic, NextToken=first["NextToken"])
    assert len(second["Subscriptions"]) == 1 and "NextToken" not in second


def test_list_subscriptions_pages_of_100(aws: Any, name: str) -> None:
    sns = aws("sns", region="eu-north-1")
    topic = sns.create_topic(Name=name)["TopicArn"]
    made = {
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=f"+1556{i:07d}")["SubscriptionArn"] for i in range(101)
    }
    first = sns.list_subscriptions()
    assert len(first["Subscriptions"]) == 100 and first["NextToken"]
    seen = [
        s["SubscriptionArn"]
        for page in sns.get_paginator("list_subscriptions").paginate()
        for s in page["Subscriptions"]
    ]
    assert made <= set(seen) and len(seen) == len(set(seen))
    expect_error(sns.list_subscriptions, "InvalidParameter", "Invalid parameter: NextToken", NextToken="garbage!")


def test_confirm_subscription_token_errors(sns: Any, topic: str) -> None:
    token = "51b2ff3edb475b7d91550e0ab6edf0c1de2a34e6ebaf6c2262a001bcb7e051c4"
    expect_error(
        sns.confirm_subscription, "InvalidParameter", "Invalid parameter: Token", TopicArn=topic[:-1] + "i", Token=token
    )
    expect_error(sns.confirm_subscription, "InvalidParameter", "Invalid token", TopicArn=topic, Token="randomtoken")
    expect_error(sns.confirm_subscription, "InvalidParameter", "Invalid parameter: Token", TopicArn=topic, Token=token)
    expect_error(
        sns.confirm_subscription, "InvalidParameter", "Invalid parameter: Topic", TopicArn="not-an-arn", Token=token
    )


def test_concurrent_subscribes_of_one_endpoint_agree(aws: Any, sns: Any, topic: str) -> None:
    clients = [aws("sns") for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        arns = set(
            pool.map(
                lambda c: c.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550177")["SubscriptionArn"], clients
            )
        )
    assert len(arns) == 1
    assert [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == list(
        arns
    )
