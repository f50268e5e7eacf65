"""Accounts are isolated as on AWS: another account's topic, subscription, platform application and endpoint are
refused (AuthorizationError, 403) unless the topic's access policy allows that principal the action, an explicit
Deny wins, and calls within the owner's account are not checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ._helpers import Recorder, expect_error, queue, receive

OWNER, OTHER, THIRD = "111111111111", "222222222222", "333333333333"
ROOT = f"arn:aws:iam::{OTHER}:root"


@pytest.fixture(scope="module")
def owner(aws: Callable[..., Any]) -> Any:
    return aws("sns", access_key=OWNER)


@pytest.fixture(scope="module")
def other(aws: Callable[..., Any]) -> Any:
    return aws("sns", access_key=OTHER)


@pytest.fixture
def topic(owner: Any, name: str) -> str:
    return owner.create_topic(Name=name)["TopicArn"]  # type: ignore[no-any-return]


def refused(call: Callable[..., Any], action: str, resource: str, principal: str = ROOT, **kwargs: Any) -> None:
    expect_error(
        call,
        "AuthorizationError",
        f"User: {principal} is not authorized to perform: SNS:{action} on resource: {resource} "
        f"because no resource-based policy allows the SNS:{action} action",
        403,
        **kwargs,
    )


def denied_explicitly(call: Callable[..., Any], action: str, resource: str, **kwargs: Any) -> None:
    expect_error(
        call,
        "AuthorizationError",
        f"User: {ROOT} is not authorized to perform: SNS:{action} on resource: {resource} "
        "with an explicit deny in a resource-based policy",
        403,
        **kwargs,
    )


def set_policy(owner: Any, topic: str, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    owner.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(document))


def grant(topic: str, actions: list[str], principal: Any = OTHER, effect: str = "Allow", **more: Any) -> dict[str, Any]:
    return {
        "Sid": f"{effect}-{'-'.join(actions)}".replace(":", "").replace("*", "all"),
        "Effect": effect,
        "Principal": {"AWS": principal},
        "Action": actions,
        "Resource": topic,
        **more,
    }


def test_another_account_is_refused_by_default(owner: Any, other: Any, topic: str, name: str) -> None:
    refused(other.publish, "Publish", topic, TopicArn=topic, Message="hi")
    refused(other.publish, "Publish", topic, TargetArn=topic, Message="hi")
    refused(
        other.publish_batch, "Publish", topic, TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}]
    )
    refused(other.get_topic_attributes, "GetTopicAttributes", topic, TopicArn=topic)
    refused(
        other.set_topic_attributes, "SetTopicAttributes", topic, TopicArn=topic, AttributeName="DisplayName",
        AttributeValue="x",
    )  # fmt: skip
    refused(other.subscribe, "Subscribe", topic, TopicArn=topic, Protocol="sms", Endpoint="+15550100")
    refused(other.list_subscriptions_by_topic, "ListSubscriptionsByTopic", topic, TopicArn=topic)
    refused(
        other.add_permission, "AddPermission", topic, TopicArn=topic, Label="l", AWSAccountId=[OTHER],
        ActionName=["Publish"],
    )  # fmt: skip
    refused(other.remove_permission, "RemovePermission", topic, TopicArn=topic, Label="__default_statement_ID")
    refused(other.list_tags_for_resource, "ListTagsForResource", topic, ResourceArn=topic)
    refused(other.tag_resource, "TagResource", topic, ResourceArn=topic, Tags=[{"Key": "k", "Value": "v"}])
    refused(other.untag_resource, "UntagResource", topic, ResourceArn=topic, TagKeys=["k"])
    refused(other.get_data_protection_policy, "GetDataProtectionPolicy", topic, ResourceArn=topic)
    refused(other.delete_topic, "DeleteTopic", topic, TopicArn=topic)
    # nothing changed, and the topic is still there
    attributes = owner.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "" and attributes["SubscriptionsPending"] == "0"
    assert owner.list_tags_for_resource(ResourceArn=topic)["Tags"] == []


def test_a_topic_that_does_not_exist_allows_nothing(other: Any, name: str) -> None:
    missing = f"arn:aws:sns:us-east-1:{OWNER}:{name}-missing"
    refused(other.publish, "Publish", missing, TopicArn=missing, Message="hi")
    refused(other.delete_topic, "DeleteTopic", missing, TopicArn=missing)


def test_add_permission_lets_the_account_publish(
    owner: Any, other: Any, aws: Callable[..., Any], topic: str, name: str
) -> None:
    sqs = aws("sqs", access_key=OWNER)
    url, arn = queue(sqs, name)
    owner.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    owner.add_permission(TopicArn=topic, Label="others", AWSAccountId=[OTHER], ActionName=["Publish"])
    other.publish(TopicArn=topic, Message="from another account")
    assert [m["Body"] for m in receive(sqs, url)] == ["from another account"]
    refused(other.get_topic_attributes, "GetTopicAttributes", topic, TopicArn=topic)  # only Publish was granted
    owner.remove_permission(TopicArn=topic, Label="others")
    refused(other.publish, "Publish", topic, TopicArn=topic, Message="again")


def test_add_permission_grants_only_the_named_accounts(owner: Any, aws: Callable[..., Any], topic: str) -> None:
    owner.add_permission(TopicArn=topic, Label="others", AWSAccountId=[OTHER], ActionName=["Publish"])
    third = aws("sns", access_key=THIRD)
    refused(third.publish, "Publish", topic, f"arn:aws:iam::{THIRD}:root", TopicArn=topic, Message="hi")


def test_a_policy_naming_the_account(owner: Any, other: Any, aws: Callable[..., Any], topic: str, name: str) -> None:
    set_policy(owner, topic, grant(topic, ["SNS:GetTopicAttributes", "SNS:Subscribe", "sns:Publish"]))
    assert other.get_topic_attributes(TopicArn=topic)["Attributes"]["Owner"] == OWNER
    # the other account subscribes its own queue, and gets what the owner publishes
    sqs = aws("sqs", access_key=OTHER)
    url, arn = queue(sqs, name)
    allow_topic = {  # as on AWS, the queue's policy lets the topic of another account send to it
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
    }
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [allow_topic]})}
    )
    subscription = other.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )["SubscriptionArn"]
    owner.publish(TopicArn=topic, Message="to a subscriber in another account")
    other.publish(TopicArn=topic, Message="from the other account")
    assert sorted(m["Body"] for m in receive(sqs, url, expected=2)) == [
        "from the other account",
        "to a subscriber in another account",
    ]
    # the subscription is the subscriber's: it reads it, the topic's owner does not
    assert other.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]["Owner"] == OTHER
    for client in (owner, aws("sns", access_key=THIRD)):
        expect_error(
            client.get_subscription_attributes,
            "AuthorizationError",
            "Not authorized to access this subscription",
            403,
            SubscriptionArn=subscription,
        )
        expect_error(
            client.set_subscription_attributes,
            "AuthorizationError",
            "Not authorized to access this subscription",
            403,
            SubscriptionArn=subscription,
            AttributeName="RawMessageDelivery",
            AttributeValue="false",
        )
    refused(other.list_subscriptions_by_topic, "ListSubscriptionsByTopic", topic, TopicArn=topic)
    refused(other.delete_topic, "DeleteTopic", topic, TopicArn=topic)


@pytest.mark.parametrize(
    "principal",
    ["*", f"arn:aws:iam::{OTHER}:root", [THIRD, OTHER]],
)
def test_principal_forms(owner: Any, other: Any, topic: str, principal: Any) -> None:
    set_policy(owner, topic, grant(topic, ["sns:Publish"], principal))
    assert other.publish(TopicArn=topic, Message="hi")["MessageId"]


def test_wildcard_actions(owner: Any, other: Any, topic: str) -> None:
    set_policy(owner, topic, grant(topic, ["sns:Get*", "SNS:List*"]))
    other.get_topic_attributes(TopicArn=topic)
    other.list_subscriptions_by_topic(TopicArn=topic)
    refused(other.publish, "Publish", topic, TopicArn=topic, Message="hi")


def test_an_explicit_deny_wins(owner: Any, other: Any, topic: str) -> None:
    set_policy(
        owner,
        topic,
        grant(topic, ["sns:*"]),
        grant(topic, ["sns:Publish"], effect="Deny"),
    )
    denied_explicitly(other.publish, "Publish", topic, TopicArn=topic, Message="hi")
    other.get_topic_attributes(TopicArn=topic)  # the Allow still grants what the Deny does not name


def test_conditions(owner: Any, other: Any, topic: str) -> None:
    subscribe_by_sqs_only = grant(topic, ["sns:Subscribe"], Condition={"StringEquals": {"sns:Protocol": "sqs"}})
    from_anywhere = grant(topic, ["sns:Publish"], Condition={"IpAddress": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}})
    set_policy(owner, topic, subscribe_by_sqs_only, from_anywhere)
    other.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{OTHER}:q")
    refused(other.subscribe, "Subscribe", topic, TopicArn=topic, Protocol="sms", Endpoint="+15550100")
    other.publish(TopicArn=topic, Message="hi")
    set_policy(owner, topic, grant(topic, ["sns:Publish"], Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))
    refused(other.publish, "Publish", topic, TopicArn=topic, Message="hi")


def test_the_owner_is_not_checked(owner: Any, topic: str) -> None:
    """Within its account a caller is not checked against the topic's policy (identity policies decide there,
    and gureum does not evaluate them)."""
    set_policy(owner, topic, grant(topic, ["sns:*"], principal="*", effect="Deny"))
    owner.publish(TopicArn=topic, Message="hi")
    owner.get_topic_attributes(TopicArn=topic)
    owner.delete_topic(TopicArn=topic)


def test_a_policy_naming_an_iam_user(owner: Any, aws: Callable[..., Any], topic: str, name: str) -> None:
    iam = aws("iam", access_key=OTHER)
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    as_user, as_root = aws("sns", access_key=key), aws("sns", access_key=OTHER)
    set_policy(owner, topic, grant(topic, ["sns:Publish"], principal=user["Arn"]))
    as_user.publish(TopicArn=topic, Message="hi")
    refused(as_root.publish, "Publish", topic, TopicArn=topic, Message="hi")  # the root is not the user
    set_policy(owner, topic, grant(topic, ["sns:Publish"], principal=f"arn:aws:iam::{OTHER}:user/someone-else"))
    refused(as_user.publish, "Publish", topic, user["Arn"], TopicArn=topic, Message="hi")


def test_platform_applications_and_endpoints_stay_in_their_account(owner: Any, other: Any, name: str) -> None:
    app = owner.create_platform_application(Name=name, Platform="GCM", Attributes={"PlatformCredential": "k"})[
        "PlatformApplicationArn"
    ]
    endpoint = owner.create_platform_endpoint(PlatformApplicationArn=app, Token="device-token")["EndpointArn"]
    refused(
        other.get_platform_application_attributes, "GetPlatformApplicationAttributes", app, PlatformApplicationArn=app
    )
    refused(
        other.set_platform_application_attributes, "SetPlatformApplicationAttributes", app,
        PlatformApplicationArn=app, Attributes={"EventEndpointCreated": ""},
    )  # fmt: skip
    refused(other.create_platform_endpoint, "CreatePlatformEndpoint", app, PlatformApplicationArn=app, Token="t2")
    refused(
        other.list_endpoints_by_platform_application, "ListEndpointsByPlatformApplication", app,
        PlatformApplicationArn=app,
    )  # fmt: skip
    refused(other.get_endpoint_attributes, "GetEndpointAttributes", endpoint, EndpointArn=endpoint)
    refused(other.set_endpoint_attributes, "SetEndpointAttributes", endpoint, EndpointArn=endpoint,
            Attributes={"Enabled": "false"})  # fmt: skip
    refused(other.publish, "Publish", endpoint, TargetArn=endpoint, Message="hi")
    refused(other.delete_endpoint, "DeleteEndpoint", endpoint, EndpointArn=endpoint)
    refused(other.delete_platform_application, "DeletePlatformApplication", app, PlatformApplicationArn=app)
    assert owner.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]["Enabled"] == "true"
    assert owner.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]


def test_an_authenticated_unsubscribe_is_for_the_owners(
    owner: Any, other: Any, aws: Callable[..., Any], recorder: Recorder, topic: str
) -> None:
    """A subscription confirmed with AuthenticateOnUnsubscribe is removed only by its owner or the topic's owner
    (the Unsubscribe API reference); a third account is refused even when it signs."""
    owner.subscribe(TopicArn=topic, Protocol="http", Endpoint=recorder.url)
    token = json.loads(recorder.wait("SubscriptionConfirmation")[0]["body"])["Token"]
    arn = owner.confirm_subscription(TopicArn=topic, Token=token, AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    expect_error(aws("sns", access_key=THIRD).unsubscribe, "AuthorizationError", status=403, SubscriptionArn=arn)
    expect_error(other.unsubscribe, "AuthorizationError", status=403, SubscriptionArn=arn)
    assert owner.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    owner.unsubscribe(SubscriptionArn=arn)
    expect_error(owner.get_subscription_attributes, "NotFound", SubscriptionArn=arn)
