"""HTTP/S subscriptions end to end against a real local endpoint: the confirmation handshake (SubscribeURL and
ConfirmSubscription), signed notifications verified with the certificate at SigningCertURL (SHA1 and SHA256),
raw delivery and content types, DeliveryPolicy retries, dead-lettering, and the UnsubscribeURL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from ._helpers import Recorder, confirm_http, expect_error, http_get, queue, receive, verify_signature, wait_until

QUICK_RETRIES = {"healthyRetryPolicy": {"minDelayTarget": 1, "maxDelayTarget": 1, "numRetries": 2}}


def test_confirmation_handshake_and_signed_notification(
    sns: Any, recorder: Recorder, topic: str, endpoint: str
) -> None:
    assert (
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=recorder.url)["SubscriptionArn"]
        == "pending confirmation"
    )
    request = recorder.wait("SubscriptionConfirmation")[0]
    confirmation = json.loads(request["body"])
    assert list(confirmation) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert (
        confirmation["Message"]
        == f"You have chosen to subscribe to the topic {topic}.\n"
        + "To confirm the subscription, visit the SubscribeURL included in this message."
    )
    assert (
        confirmation["SubscribeURL"]
        == f"{endpoint}/?Action=ConfirmSubscription&TopicArn={topic}&Token={confirmation['Token']}"
    )
    assert len(confirmation["Token"]) == 288
    headers = request["headers"]
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation" and headers["x-amz-sns-topic-arn"] == topic
    assert headers["x-amz-sns-message-id"] == confirmation["MessageId"] and "x-amz-sns-subscription-arn" not in headers
    assert (
        headers["content-type"] == "text/plain; charset=UTF-8"
        and headers["user-agent"] == "Amazon Simple Notification Service Agent"
    )
    verify_signature(confirmation)

    expect_error(
        sns.confirm_subscription,
        "InvalidParameter",
        "Invalid parameter: Topic",
        TopicArn=topic + "x",
        Token=confirmation["Token"],
    )
    expect_error(
        sns.confirm_subscription,
        "InvalidParameter",
        "Invalid parameter: Token",
        TopicArn=topic,
        Token=confirmation["Token"][:-4] + "0000",
    )
    pending = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]
    assert pending["SubscriptionArn"] == "PendingConfirmation"
    sns.publish(TopicArn=topic, Message="before confirmation")
    arn = sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"]
    assert sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"] == arn  # idempotent
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "false" and attrs["ConfirmationWasAuthenticated"] == "true"
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["healthyRetryPolicy"]["numRetries"] == 3

    message_id = sns.publish(TopicArn=topic, Message="test_external_http_endpoint", Subject="hi")["MessageId"]
    notification = recorder.wait("Notification")
    assert len(notification) == 1  # nothing was sent before the confirmation
    body = json.loads(notification[0]["body"])
    assert (
        body["MessageId"] == message_id and body["Message"] == "test_external_http_endpoint" and body["Subject"] == "hi"
    )
    assert body["UnsubscribeURL"] == f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={arn}"
    assert notification[0]["headers"]["x-amz-sns-subscription-arn"] == arn
    verify_signature(body)


def test_confirm_through_subscribe_url_and_signature_v2(sns: Any, recorder: Recorder, name: str) -> None:
    topic = sns.create_topic(Name=name, Attributes={"SignatureVersion": "2"})["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=recorder.url)
    confirmation = json.loads(recorder.wait("SubscriptionConfirmation")[0]["body"])
    assert confirmation["SignatureVersion"] == "2"
    verify_signature(confirmation)
    status, xml = http_get(confirmation["SubscribeURL"])  # an unsigned GET, as a browser would
    assert status == 200 and b"<ConfirmSubscriptionResponse" in xml and topic.encode() in xml
    arn = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["ConfirmationWasAuthenticated"] == "false"
    sns.publish(
        TopicArn=topic,
        Message="signed with SHA256",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    body = json.loads(recorder.wait("Notification")[0]["body"])
    assert body["SignatureVersion"] == "2" and body["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    verify_signature(body)


def test_raw_delivery_and_content_type(sns: Any, recorder: Recorder, topic: str) -> None:
    policy = {"requestPolicy": {"headerContentType": "text/csv"}}
    arn = confirm_http(sns, recorder, topic, RawMessageDelivery="true", DeliveryPolicy=json.dumps(policy))
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert json.loads(attrs["DeliveryPolicy"]) == {
        "healthyRetryPolicy": None, "sicklyRetryPolicy": None, "throttlePolicy": None,
        "requestPolicy": {"headerContentType": "text/csv"}, "guaranteed": False,
    }  # fmt: skip
    assert json.loads(attrs["EffectiveDeliveryPolicy"])["requestPolicy"] == {"headerContentType": "text/csv"}
    sns.publish(TopicArn=topic, Message="a,b,c")
    request = recorder.wait("Notification")[0]
    assert request["body"] == "a,b,c"
    assert request["headers"]["content-type"] == "text/csv" and request["headers"]["x-amz-sns-rawdelivery"] == "true"


def test_retries_follow_the_delivery_policy(sns: Any, recorder: Recorder, topic: str) -> None:
    confirm_http(sns, recorder, topic, DeliveryPolicy=json.dumps(QUICK_RETRIES))
    recorder.statuses = [500, 503]  # the first two attempts fail with server errors
    message_id = sns.publish(TopicArn=topic, Message="eventually")["MessageId"]
    attempts = recorder.wait("Notification", count=3, timeout=10)
    assert [r["status"] for r in attempts] == [500, 503, 200]
    assert {json.loads(r["body"])["MessageId"] for r in attempts} == {message_id}  # a retry keeps the message id


@pytest.mark.parametrize("status, attempts", [(404, 1), (500, 3)])
def test_failed_deliveries_go_to_the_dead_letter_queue(
    sns: Any, sqs: Any, recorder: Recorder, topic: str, name: str, status: int, attempts: int
) -> None:
    dlq_url, dlq_arn = queue(sqs, name)
    confirm_http(
        sns,
        recorder,
        topic,
        DeliveryPolicy=json.dumps(QUICK_RETRIES),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn}),
    )
    recorder.statuses = [status] * 5
    message_id = sns.publish(TopicArn=topic, Message="undeliverable")["MessageId"]
    dead = receive(sqs, dlq_url, timeout=10)
    assert json.loads(dead[0]["Body"])["MessageId"] == message_id
    assert len(recorder.of_type("Notification")) == attempts  # a client error (4xx) is not retried


def test_unsubscribe_url_and_resubscribe(sns: Any, recorder: Recorder, topic: str) -> None:
    arn = confirm_http(sns, recorder, topic)
    sns.publish(TopicArn=topic, Message="one")
    unsubscribe_url = json.loads(recorder.wait("Notification")[0]["body"])["UnsubscribeURL"]
    status, xml = http_get(unsubscribe_url)
    assert status == 200 and b"<UnsubscribeResponse" in xml
    expect_error(sns.get_subscription_attributes, "NotFound", "Subscription does not exist", SubscriptionArn=arn)
    goodbye = json.loads(recorder.wait("UnsubscribeConfirmation")[0]["body"])
    assert goodbye["Message"].startswith(f"You have chosen to deactivate subscription {arn}.")
    verify_signature(goodbye)
    sns.publish(TopicArn=topic, Message="two")
    # the goodbye message's SubscribeURL restores the subscription
    status, _ = http_get(goodbye["SubscribeURL"])
    assert status == 200
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    sns.publish(TopicArn=topic, Message="three")
    wait_until(lambda: [json.loads(r["body"])["Message"] for r in recorder.of_type("Notification")] == ["one", "three"])


def test_owner_unsubscribe_sends_nothing(sns: Any, recorder: Recorder, topic: str) -> None:
    arn = confirm_http(sns, recorder, topic)
    sns.unsubscribe(SubscriptionArn=arn)
    sns.publish(TopicArn=topic, Message="gone")
    time.sleep(0.5)  # give a (wrong) delivery the time to arrive
    assert recorder.of_type("UnsubscribeConfirmation") == [] and recorder.of_type("Notification") == []


def test_delivery_policy_errors(sns: Any, recorder: Recorder, topic: str) -> None:
    bad = {"healthyRetryPolicy": {"minDelayTarget": 10, "maxDelayTarget": 5, "numRetries": 1}}
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        TopicArn=topic,
        Protocol="http",
        Endpoint=recorder.url,
        Attributes={"DeliveryPolicy": json.dumps(bad)},
    )
    too_long = {"healthyRetryPolicy": {"minDelayTarget": 100, "maxDelayTarget": 100, "numRetries": 40}}
    expect_error(
        sns.subscribe,
        "InvalidParameter",
        TopicArn=topic,
        Protocol="http",
        Endpoint=recorder.url,
        Attributes={"DeliveryPolicy": json.dumps(too_long)},
    )


def test_authenticate_on_unsubscribe(sns: Any, recorder: Recorder, topic: str) -> None:
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=recorder.url)
    token = json.loads(recorder.wait("SubscriptionConfirmation")[0]["body"])["Token"]
    arn = sns.confirm_subscription(TopicArn=topic, Token=token, AuthenticateOnUnsubscribe="true")["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="m")
    unsubscribe_url = json.loads(recorder.wait("Notification")[0]["body"])["UnsubscribeURL"]
    status, xml = http_get(unsubscribe_url)  # unsigned: refused
    assert status == 403 and b"<Code>AuthorizationError</Code>" in xml
    sns.unsubscribe(SubscriptionArn=arn)  # the owner, signed: allowed
    expect_error(sns.get_subscription_attributes, "NotFound", SubscriptionArn=arn)


def test_throttle_policy_spaces_deliveries(sns: Any, recorder: Recorder, topic: str) -> None:
    confirm_http(sns, recorder, topic, DeliveryPolicy=json.dumps({"throttlePolicy": {"maxReceivesPerSecond": 4}}))
    for n in range(5):
        sns.publish(TopicArn=topic, Message=f"m{n}")
    recorder.wait("Notification", count=5)
    times = sorted(r["at"] for r in recorder.of_type("Notification"))
    assert times[-1] - times[0] >= 0.9  # five deliveries at four per second take a second
