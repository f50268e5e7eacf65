"""The query protocol (protocols/query.py) against botocore: SQS's derived query model and STS, both directions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gureum.aws.errors import ServiceError
from gureum.aws.http import Request
from gureum.aws.protocols import get_protocol
from gureum.aws.specs import load_spec

from ._shapes import Wire, top_level
from ._wire import client_error, client_request, client_roundtrip, operation, server_parse

UTC = dt.UTC
QUEUE_URL = "http://gureum.test:4566/000000000000/orders"
SQS_NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
SQS_OPS = sorted(load_spec("sqs").models["query"].operation_names)
STS_OPS = sorted(load_spec("sts").models["query"].operation_names)
GENERATED = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def test_send_message_batch_uses_flattened_entries_on_the_wire() -> None:
    params: dict[str, Any] = {
        "QueueUrl": QUEUE_URL,
        "Entries": [
            {"Id": "a", "MessageBody": "one", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "b", "MessageBody": "two & <three>", "DelaySeconds": 3},
        ],
    }
    request = client_request("sqs", "SendMessageBatch", params, "query")
    assert request.form["SendMessageBatchRequestEntry.2.Id"] == "b"
    assert request.form["SendMessageBatchRequestEntry.1.MessageAttribute.1.Name"] == "k"
    assert server_parse("sqs", "SendMessageBatch", params, "query") == params


def test_receive_message_request_lists_are_flattened() -> None:
    params = {
        "QueueUrl": QUEUE_URL,
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["a", "b"],
        "MaxNumberOfMessages": 10,
    }
    request = client_request("sqs", "ReceiveMessage", params, "query")
    assert request.form["MessageAttributeName.2"] == "b"
    assert server_parse("sqs", "ReceiveMessage", params, "query") == params


def test_receive_message_output_with_attributes_and_message_attributes() -> None:
    output = {
        "Messages": [
            {
                "MessageId": "m-1",
                "ReceiptHandle": "rh",
                "Body": "<b>bold</b> & more",
                "Attributes": {"SentTimestamp": "1700000000000", "SenderId": "AIDA"},
                "MessageAttributes": {
                    "s": {"DataType": "String", "StringValue": "v"},
                    "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                },
            },
            {"MessageId": "m-2", "Body": "second"},
        ]
    }
    assert client_roundtrip("sqs", "ReceiveMessage", output, "query") == output


def test_get_queue_attributes_output_is_a_flattened_map_in_the_result_wrapper() -> None:
    op = operation("sqs", "GetQueueAttributes", "query")
    response = get_protocol("query").serialize(
        op, {"Attributes": {"VisibilityTimeout": "30", "DelaySeconds": "0"}}, "rid"
    )
    root = ElementTree.fromstring(response.body)
    assert root.tag == f"{SQS_NS}GetQueueAttributesResponse"
    attrs = root.findall(f"{SQS_NS}GetQueueAttributesResult/{SQS_NS}Attribute")
    assert [(a.findtext(f"{SQS_NS}Name"), a.findtext(f"{SQS_NS}Value")) for a in attrs] == [
        ("VisibilityTimeout", "30"),
        ("DelaySeconds", "0"),
    ]
    assert root.findtext(f"{SQS_NS}ResponseMetadata/{SQS_NS}RequestId") == "rid"
    assert client_roundtrip("sqs", "GetQueueAttributes", {"Attributes": {"VisibilityTimeout": "30"}}, "query") == {
        "Attributes": {"VisibilityTimeout": "30"}
    }


def test_get_queue_attributes_request() -> None:
    params = {"QueueUrl": QUEUE_URL, "AttributeNames": ["VisibilityTimeout", "Policy"]}
    assert server_parse("sqs", "GetQueueAttributes", params, "query") == params


def test_sts_assume_role_output_with_timestamps() -> None:
    output = {
        "Credentials": {
            "AccessKeyId": "ASIA0000",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": dt.datetime(2030, 5, 6, 7, 8, 9, 123000, tzinfo=UTC),
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROA:me", "Arn": "arn:aws:sts::000000000000:assumed-role/r/me"},
        "PackedPolicySize": 6,
        "SourceIdentity": "me",
    }
    assert client_roundtrip("sts", "AssumeRole", output) == output
    body = get_protocol("query").serialize(operation("sts", "AssumeRole"), output, "r").body
    assert b"<Expiration>2030-05-06T07:08:09.123Z</Expiration>" in body


def test_sts_assume_role_request() -> None:
    params: dict[str, Any] = {
        "RoleArn": "arn:aws:iam::000000000000:role/r",
        "RoleSessionName": "s",
        "DurationSeconds": 900,
        "Tags": [{"Key": "k", "Value": "v"}],
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnly"}],
    }
    assert server_parse("sts", "AssumeRole", params) == params


def test_empty_list_is_sent_as_an_empty_parameter() -> None:
    params = {"RoleArn": "r", "RoleSessionName": "s", "TransitiveTagKeys": []}
    request = client_request("sts", "AssumeRole", params)
    assert request.form["TransitiveTagKeys"] == ""
    assert server_parse("sts", "AssumeRole", params) == params


def test_query_string_parameters_work_like_a_form_body() -> None:
    request = Request("GET", "/", "Action=GetCallerIdentity&Version=2011-06-15", {}, b"")
    assert get_protocol("query").parse(request, operation("sts", "GetCallerIdentity"), {}) == {}
    request = Request("GET", "/", "Action=GetQueueUrl&QueueName=q&QueueOwnerAWSAccountId=1", {}, b"")
    assert get_protocol("query").parse(request, operation("sqs", "GetQueueUrl", "query"), {}) == {
        "QueueName": "q",
        "QueueOwnerAWSAccountId": "1",
    }


@pytest.mark.parametrize("raw, code", [("abc", "InvalidParameterValue"), ("1.5", "InvalidParameterValue")])
def test_bad_integers_are_rejected(raw: str, code: str) -> None:
    request = Request(
        "POST",
        "/",
        "",
        {"content-type": "application/x-www-form-urlencoded"},
        f"Action=SendMessage&QueueUrl=u&MessageBody=b&DelaySeconds={raw}".encode(),
    )
    with pytest.raises(ServiceError) as caught:
        get_protocol("query").parse(request, operation("sqs", "SendMessage", "query"), {})
    assert caught.value.code == code


def test_error_response_reads_back_in_the_client() -> None:
    error = ServiceError(
        "The specified queue does not exist for this wsdl version.", code="AWS.SimpleQueueService.NonExistentQueue"
    )
    parsed = client_error("sqs", error, "GetQueueUrl", "query")
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "AWS.SimpleQueueService.NonExistentQueue",
        "Message": error.message,
        "Detail": None,
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "req-0002"


def test_server_fault_error_is_a_receiver_error_with_its_status() -> None:
    error = ServiceError("boom", code="InternalFailure", status=500, sender_fault=False)
    parsed = client_error("sts", error, "GetCallerIdentity")
    assert parsed["Error"]["Type"] == "Receiver"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 500


@pytest.mark.parametrize("name", SQS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sqs_query_request_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sqs", name, "query")
    params = data.draw(top_level(op.input_shape, Wire("query"), op))
    assert server_parse("sqs", name, params, "query") == params


@pytest.mark.parametrize("name", SQS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sqs_query_response_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sqs", name, "query")
    output = data.draw(top_level(op.output_shape, Wire("query", reply=True), op))
    assert client_roundtrip("sqs", name, output, "query") == output


@pytest.mark.parametrize("name", STS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sts_request_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sts", name)
    params = data.draw(top_level(op.input_shape, Wire("query"), op))
    assert server_parse("sts", name, params) == params


@pytest.mark.parametrize("name", STS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sts_response_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sts", name)
    output = data.draw(top_level(op.output_shape, Wire("query", reply=True), op))
    assert client_roundtrip("sts", name, output) == output
