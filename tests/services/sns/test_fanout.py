"""Publishing to SQS subscribers end to end: fan-out, raw and enveloped delivery (exact fields, signatures),
message attributes, filter policies, MessageStructure, PublishBatch, input errors, subscription dead-letter queues."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from ._helpers import ACCOUNT, REGION, bodies_until, expect_error, queue, receive, verify_signature

ENVELOPE_KEYS = [
    "Type",
    "MessageId",
    "TopicArn",
    "Subject",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
    "UnsubscribeURL",
    "MessageAttributes",
]


def _subscribe(sns: Any, sqs: Any, topic: str, name: str, **attributes: str) -> tuple[str, str]:
    url, arn = queue(sqs, name)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)["SubscriptionArn"]
    return url, sub


def test_fan_out_to_twenty_queues(sns: Any, sqs: Any, topic: str, name: str) -> None:
    urls = [_subscribe(sns, sqs, topic, f"{name}-{i}")[0] for i in range(20)]
    message_id = sns.publish(TopicArn=topic, Message="to everyone")["MessageId"]
    for url in urls:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        body = json.loads(got[0]["Body"])
        assert body["MessageId"] == message_id and body["Message"] == "to everyone"
        assert len(got) == 1


@pytest.mark.parametrize("version", ["1", "2"])
def test_enveloped_delivery_is_aws_shaped_and_signed(
    sns: Any, sqs: Any, endpoint: str, name: str, version: str
) -> None:
    topic = sns.create_topic(Name=name, Attributes={"SignatureVersion": version})["TopicArn"]
    url, sub = _subscribe(sns, sqs, topic, name)
    attributes = {
        "attr1": {"DataType": "Number", "StringValue": "99.12"},
        "bin": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    }
    message_id = sns.publish(
        TopicArn=topic, Message='héllo "world"', Subject="A subject", MessageAttributes=attributes
    )["MessageId"]
    raw_body = receive(sqs, url, AttributeNames=["All"], MessageAttributeNames=["All"])[0]
    body = json.loads(raw_body["Body"])
    assert list(body) == ENVELOPE_KEYS
    assert raw_body["Body"].startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    assert '    "attr1" : {"Type":"Number","Value":"99.12"}' in raw_body["Body"]
    assert (
        body["MessageId"] == message_id
        and body["TopicArn"] == topic
        and body["Message"] == 'héllo "world"'
        and body["Subject"] == "A subject"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["Timestamp"])
    assert body["SignatureVersion"] == version
    assert body["SigningCertURL"] == f"{endpoint}/_gureum/sns/SimpleNotificationService.pem"
    assert body["UnsubscribeURL"] == f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={sub}"
    assert body["MessageAttributes"] == {
        "attr1": {"Type": "Number", "Value": "99.12"},
        "bin": {"Type": "Binary", "Value": "AgME"},
    }
    assert "MessageAttributes" not in raw_body  # enveloped delivery carries them inside the body only
    assert raw_body["Attributes"]["SenderId"] == "AIDAIT2UOQQY3AUEKVGXU"
    verify_signature(body)
    tampered = dict(body, Message="changed")
    with pytest.raises(Exception):
        verify_signature(tampered)


def test_raw_delivery_keeps_message_attributes(sns: Any, sqs: Any, topic: str, name: str) -> None:
    url, _ = _subscribe(sns, sqs, topic, name, RawMessageDelivery="true")
    attributes = {
        "an-attribute-key": {"DataType": "String", "StringValue": "an-attribute-value"},
        "binary-attribute": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        "list": {"DataType": "String.Array", "StringValue": '["a", 1]'},
    }
    sns.publish(TopicArn=topic, Message="text", MessageAttributes=attributes)
    got = receive(sqs, url, MessageAttributeNames=["All"])[0]
    assert got["Body"] == "text"
    assert got["MessageAttributes"] == {
        "an-attribute-key": {"DataType": "String", "StringValue": "an-attribute-value"},
        "binary-attribute": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        "list": {"DataType": "String.Array", "StringValue": '["a", 1]'},
    }


def test_filter_policy_on_message_attributes(sns: Any, sqs: Any, topic: str, name: str) -> None:
    policy = {
        "store": ["example_corp"],
        "price": [{"numeric": [">", 0, "<=", 100]}],
        "event": [{"anything-but": "deleted"}],
    }
    url, _ = _subscribe(sns, sqs, topic, name, FilterPolicy=json.dumps(policy), RawMessageDelivery="true")

    def attrs(store: str, price: str, event: str) -> dict[str, Any]:
        return {
            "store": {"DataType": "String", "StringValue": store},
            "price": {"DataType": "Number", "StringValue": price},
            "event": {"DataType": "String", "StringValue": event},
        }

    sns.publish(TopicArn=topic, Message="match", MessageAttributes=attrs("example_corp", "99.5", "created"))
    sns.publish(TopicArn=topic, Message="wrong store", MessageAttributes=attrs("other", "5", "created"))
    sns.publish(TopicArn=topic, Message="too expensive", MessageAttributes=attrs("example_corp", "101", "created"))
    sns.publish(TopicArn=topic, Message="deleted", MessageAttributes=attrs("example_corp", "5", "deleted"))
    sns.publish(TopicArn=topic, Message="no attributes")
    sns.publish(TopicArn=topic, Message="match too", MessageAttributes=attrs("example_corp", "1", "updated"))
    assert sorted(bodies_until(sqs, url, "match too")) == ["match", "match too"]


def test_filter_policy_on_message_body(sns: Any, sqs: Any, topic: str, name: str) -> None:
    policy = {"order": {"status": ["shipped"], "total": [{"numeric": [">=", 10]}]}}
    url, _ = _subscribe(
        sns,
        sqs,
        topic,
        name,
        FilterPolicy=json.dumps(policy),
        FilterPolicyScope="MessageBody",
        RawMessageDelivery="true",
    )
    wanted = json.dumps({"order": {"status": "shipped", "total": 12}})
    last = json.dumps({"order": {"status": "shipped", "total": 10, "last": True}})
    for body in (
        json.dumps({"order": {"status": "pending", "total": 12}}),
        wanted,
        json.dumps({"order": {"status": "shipped", "total": 3}}),
        "not json",
        last,
    ):
        sns.publish(TopicArn=topic, Message=body)
    assert bodies_until(sqs, url, last) == [wanted, last]


def test_filter_policy_numbers_compare_to_five_decimal_places(sns: Any, sqs: Any, topic: str, name: str) -> None:
    """ "Numeric matching ... with five digits of accuracy after the decimal point" (SNS filter policy
    constraints): numbers equal to five places are equal, in ranges, exact values and anything-but alike."""
    policies = {
        "equal": {"price": [{"numeric": ["=", 10.5]}]},
        "above": {"price": [{"numeric": [">", 10.500001]}]},
        "exact": {"price": [10.500009]},
        "other": {"price": [{"anything-but": [10.5]}]},
    }
    urls = {
        label: _subscribe(
            sns, sqs, topic, f"{name}-{label}", FilterPolicy=json.dumps(policy), RawMessageDelivery="true"
        )[0]
        for label, policy in policies.items()
    }
    body_url = _subscribe(
        sns,
        sqs,
        topic,
        f"{name}-body",
        FilterPolicy=json.dumps({"price": [{"numeric": ["<=", 10.5]}]}),
        FilterPolicyScope="MessageBody",
        RawMessageDelivery="true",
    )[0]
    for price in ("10.500001", "10.500009", "10.50001", "1.0500001e1", "10.5", "11"):  # the last two end each queue
        sns.publish(
            TopicArn=topic,
            Message=f'{{"price": {price}}}',
            MessageAttributes={"price": {"DataType": "Number", "StringValue": price}},
        )

    def prices(url: str, last: str) -> list[float]:
        return [json.loads(body)["price"] for body in bodies_until(sqs, url, f'{{"price": {last}}}')]

    equal_to_five_places = [10.500001, 10.500009, 10.500001, 10.5]
    assert prices(urls["equal"], "10.5") == equal_to_five_places
    assert prices(urls["exact"], "10.5") == equal_to_five_places
    assert prices(body_url, "10.5") == equal_to_five_places
    assert prices(urls["above"], "11") == [10.50001, 11]
    assert prices(urls["other"], "11") == [10.50001, 11]


def test_message_structure_json(sns: Any, sqs: Any, topic: str, name: str) -> None:
    url, _ = _subscribe(sns, sqs, topic, name)
    sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "default field", "sqs": '{"field": "value"}', "email": "e"}),
    )
    sns.publish(
        TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "default field", "lambda": "l"})
    )
    assert [json.loads(m["Body"])["Message"] for m in receive(sqs, url, expected=2)] == [
        '{"field": "value"}',
        "default field",
    ]
    no_default = "Invalid parameter: Message Structure - No default entry in JSON message body"
    expect_error(
        sns.publish,
        "InvalidParameter",
        no_default,
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"sqs": "x"}),
    )
    expect_error(
        sns.publish,
        "InvalidParameter",
        no_default,
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": 1}),
    )
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse",
        TopicArn=topic,
        MessageStructure="json",
        Message="{bad",
    )


def test_publish_input_errors(sns: Any, topic: str) -> None:
    expect_error(sns.publish, "InvalidParameter", "Invalid parameter: Empty message", 400, TopicArn=topic, Message="")
    expect_error(sns.publish, "InvalidParameter", "Invalid parameter: Subject", TopicArn=topic, Message="m", Subject="")
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: Subject",
        TopicArn=topic,
        Message="m",
        Subject="line\nbreak",
    )
    expect_error(
        sns.publish, "InvalidParameter", "Invalid parameter: Subject", TopicArn=topic, Message="m", Subject="s" * 101
    )
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: Message too long",
        TopicArn=topic,
        Message="x" * (256 * 1024 + 1),
    )
    expect_error(
        sns.publish, "InvalidParameter", "Invalid parameter: Message too long",
        TopicArn=topic, Message="x" * (256 * 1024 - 10),
        MessageAttributes={"attribute": {"DataType": "String", "StringValue": "long enough"}},
    )  # fmt: skip
    sns.publish(TopicArn=topic, Message="x" * (256 * 1024))
    expect_error(
        sns.publish,
        "InvalidParameter",
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        Message="m",
    )
    expect_error(sns.publish, "NotFound", "Topic does not exist", 404, TopicArn=topic + "-gone", Message="m")
    expect_error(
        sns.publish, "InvalidParameter",
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
        "that is not valid for this topic type",
        TopicArn=topic, Message="m", MessageDeduplicationId="d",
    )  # fmt: skip
    assert sns.publish(TargetArn=topic, Message="via TargetArn")["MessageId"]


@pytest.mark.parametrize(
    "attribute, message",
    [
        (
            {"DataType": "String", "StringValue": ""},
            "The message attribute 'attr1' must contain non-empty message attribute value for message attribute "
            "type 'String'.",
        ),
        (
            {"DataType": "Binary", "StringValue": "x"},
            "The message attribute 'attr1' with type 'Binary' must use field 'Binary'.",
        ),
        (
            {"DataType": "String", "BinaryValue": b"x"},
            "The message attribute 'attr1' with type 'String' must use field 'String'.",
        ),
        (
            {"DataType": "Number", "BinaryValue": b"x"},
            "The message attribute 'attr1' with type 'Number' must use field 'String'.",
        ),
        (
            {"DataType": "Integer", "StringValue": "1"},
            "The message attribute 'attr1' has an invalid message attribute type, the set of supported type "
            "prefixes is Binary, Number, and String.",
        ),
        ({"DataType": "Number", "StringValue": "abc"}, "Could not cast message attribute 'attr1' value to number."),
    ],
)
def test_message_attribute_errors(sns: Any, topic: str, attribute: dict[str, Any], message: str) -> None:
    expect_error(
        sns.publish,
        "ParameterValueInvalid",
        message,
        400,
        TopicArn=topic,
        Message="m",
        MessageAttributes={"attr1": attribute},
    )
    entries = [{"Id": "1", "Message": "m", "MessageAttributes": {"attr1": attribute}}]
    expect_error(
        sns.publish_batch, "ParameterValueInvalid", message, TopicArn=topic, PublishBatchRequestEntries=entries
    )


def test_message_attribute_name_errors(sns: Any, topic: str) -> None:
    value = {"DataType": "String", "StringValue": "v"}
    for attr_name, message in (
        ("a" * 257, "Length of message attribute name must be less than 256 bytes."),
        (
            "bad^name",
            "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include "
            "alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (".start", "Invalid message attribute name starting with character '.' was found."),
        ("end.", "Invalid message attribute name ending with character '.' was found."),
        ("a..b", "Message attribute name can not have successive '.' character."),
    ):
        expect_error(
            sns.publish,
            "ParameterValueInvalid",
            message,
            TopicArn=topic,
            Message="m",
            MessageAttributes={attr_name: value},
        )


def test_publish_batch(sns: Any, sqs: Any, topic: str, name: str) -> None:
    url, _ = _subscribe(sns, sqs, topic, name, RawMessageDelivery="true")
    entries = [
        {"Id": "1", "Message": "one", "MessageAttributes": {"attr1": {"DataType": "Number", "StringValue": "19.12"}}},
        {"Id": "2", "Message": "two", "Subject": "s"},
        {"Id": "3", "Message": "three", "Subject": ""},
        {"Id": "4", "Message": "four"},
    ]
    result = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert [e["Id"] for e in result["Successful"]] == ["1", "2", "4"]
    assert result["Failed"] == [
        {"Id": "3", "Code": "InvalidParameter", "Message": "Invalid parameter: Subject", "SenderFault": True}
    ]
    got = {m["Body"]: m for m in receive(sqs, url, expected=3, MessageAttributeNames=["All"])}
    assert set(got) == {"one", "two", "four"}
    assert got["one"]["MessageAttributes"] == {"attr1": {"DataType": "Number", "StringValue": "19.12"}}


def test_publish_batch_errors(sns: Any, topic: str) -> None:
    publish_batch = sns.publish_batch
    expect_error(
        publish_batch,
        "TooManyEntriesInBatchRequest",
        "The batch request contains more entries than permissible.",
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)],
    )
    expect_error(
        publish_batch,
        "EmptyBatchRequest",
        "The batch request doesn't contain any entries.",
        TopicArn=topic,
        PublishBatchRequestEntries=[],
    )
    expect_error(
        publish_batch,
        "BatchEntryIdsNotDistinct",
        "Two or more batch entries in the request have the same Id.",
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}] * 2,
    )
    expect_error(
        publish_batch,
        "InvalidBatchEntryId",
        "The Id of a batch entry in the batch request contains an impermissible character: a.b",
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "a.b", "Message": "m"}],
    )
    expect_error(
        publish_batch,
        "BatchRequestTooLong",
        "The length of all the messages put together is more than the limit.",
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": str(i), "Message": "x" * 30_000} for i in range(10)],
    )
    expect_error(
        publish_batch,
        "NotFound",
        "Topic does not exist",
        TopicArn=topic + "-gone",
        PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}],
    )
    expect_error(
        publish_batch,
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "1", "Message": "{}", "MessageStructure": "json"}],
    )


@pytest.mark.parametrize("raw", [True, False])
def test_subscription_dead_letter_queue(sns: Any, sqs: Any, topic: str, name: str, raw: bool) -> None:
    url, sub = _subscribe(sns, sqs, topic, name, RawMessageDelivery=str(raw).lower())
    dlq_url, dlq_arn = queue(sqs, f"{name}-dlq")
    sns.set_subscription_attributes(
        SubscriptionArn=sub, AttributeName="RedrivePolicy", AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn})
    )
    assert json.loads(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq_arn
    }
    sqs.delete_queue(QueueUrl=url)  # a client-side error: not retried, dead-lettered at once
    attributes = {
        "attr1": {"DataType": "Number", "StringValue": "111"},
        "attr2": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
    }
    message_id = sns.publish(
        TopicArn=topic, Message="test_dlq_after_sqs_endpoint_deleted", MessageAttributes=attributes
    )["MessageId"]
    got = receive(sqs, dlq_url, MessageAttributeNames=["All"])[0]
    if raw:
        assert got["Body"] == "test_dlq_after_sqs_endpoint_deleted"
        assert got["MessageAttributes"] == {
            "attr1": {"DataType": "Number", "StringValue": "111"},
            "attr2": {"DataType": "Binary", "BinaryValue": b"\x02\x03\x04"},
        }
    else:
        body = json.loads(got["Body"])
        assert body["MessageId"] == message_id and body["Message"] == "test_dlq_after_sqs_endpoint_deleted"
        assert body["MessageAttributes"]["attr2"] == {
            "Type": "Binary",
            "Value": base64.b64encode(b"\x02\x03\x04").decode(),
        }
        assert "MessageAttributes" not in got


def test_unsubscribed_queue_gets_nothing(sns: Any, sqs: Any, topic: str, name: str) -> None:
    url, sub = _subscribe(sns, sqs, topic, name)
    sns.unsubscribe(SubscriptionArn=sub)
    sns.publish(TopicArn=topic, Message="after")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


def test_cross_region_queue_receives(sns: Any, aws: Any, name: str) -> None:
    west_sqs = aws("sqs", region="us-west-2")
    url, arn = queue(west_sqs, name)
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="across regions")
    assert json.loads(receive(west_sqs, url)[0]["Body"])["Message"] == "across regions"
    assert arn.startswith(f"arn:aws:sqs:us-west-2:{ACCOUNT}:") and topic.startswith(f"arn:aws:sns:{REGION}:")
