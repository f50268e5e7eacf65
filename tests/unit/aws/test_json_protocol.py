"""awsJson (protocols/json.py) against botocore: SQS requests, responses and errors, example-based and generated."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gureum.aws.errors import ServiceError
from gureum.aws.http import Request
from gureum.aws.protocols import get_protocol
from gureum.aws.protocols.json import loads, to_json
from gureum.aws.specs import load_spec

from ._shapes import Wire, top_level
from ._wire import client_error, client_request, client_roundtrip, operation, server_parse

UTC = dt.UTC
QUEUE_URL = "http://gureum.test:4566/000000000000/orders"
SQS_OPS = sorted(load_spec("sqs").models["json"].operation_names)
GENERATED = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def test_send_message_with_attributes_parses_to_the_client_params() -> None:
    params: dict[str, Any] = {
        "QueueUrl": QUEUE_URL,
        "MessageBody": 'héllo <world> & "friends"',
        "DelaySeconds": 5,
        "MessageAttributes": {
            "Colour": {"DataType": "String", "StringValue": "blue"},
            "Raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff\x10"},
        },
        "MessageGroupId": "g1",
    }
    assert server_parse("sqs", "SendMessage", params) == params


def test_request_is_routed_by_target_header() -> None:
    request = client_request("sqs", "GetQueueAttributes", {"QueueUrl": QUEUE_URL, "AttributeNames": ["All"]})
    assert request.headers["x-amz-target"] == "AmazonSQS.GetQueueAttributes"
    assert request.headers["content-type"] == "application/x-amz-json-1.0"


def test_receive_message_output_reads_back_in_the_client() -> None:
    output = {
        "Messages": [
            {
                "MessageId": "m-1",
                "ReceiptHandle": "rh-1",
                "MD5OfBody": "abc",
                "Body": "payload",
                "Attributes": {"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"},
                "MessageAttributes": {"Blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}},
            }
        ]
    }
    assert client_roundtrip("sqs", "ReceiveMessage", output) == output


def test_response_carries_content_type_and_request_id() -> None:
    response = get_protocol("json").serialize(operation("sqs", "GetQueueUrl"), {"QueueUrl": QUEUE_URL}, "rid-7")
    assert response.status == 200
    assert response.header("content-type") == "application/x-amz-json-1.0"
    assert response.header("x-amzn-requestid") == "rid-7"
    assert json.loads(response.body) == {"QueueUrl": QUEUE_URL}


def test_none_members_are_left_out_of_the_body() -> None:
    response = get_protocol("json").serialize(
        operation("sqs", "SendMessage"), {"MessageId": "m", "SequenceNumber": None}, "r"
    )
    assert json.loads(response.body) == {"MessageId": "m"}


def test_query_compatible_error_gives_the_client_the_query_code() -> None:
    error = ServiceError(
        "The specified queue does not exist.",
        code="AWS.SimpleQueueService.NonExistentQueue",
        type_name="QueueDoesNotExist",
    )
    parsed = client_error("sqs", error, "GetQueueUrl")
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["Message"] == "The specified queue does not exist."
    assert parsed["Error"]["Type"] == "Sender"


def test_error_status_and_fields() -> None:
    error = ServiceError("slow down", code="RequestThrottled", status=403, fields={"Detail": "x"})
    response = get_protocol("json").serialize_error(error, "r", spec=load_spec("sqs"))
    assert response.status == 403
    assert json.loads(response.body)["Detail"] == "x"
    assert client_error("sqs", error)["Error"]["Code"] == "RequestThrottled"


@pytest.mark.parametrize(
    "body, code",
    [
        (b"{not json", "SerializationException"),
        (b"[]", "SerializationException"),
        (b'{"QueueUrl": 5}', "SerializationException"),
        (b'{"QueueUrl": "u", "DelaySeconds": "5"}', "SerializationException"),
        (
            b'{"QueueUrl": "u", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "***"}}}',
            "SerializationException",
        ),
    ],
)
def test_malformed_bodies_are_serialization_errors(body: bytes, code: str) -> None:
    request = Request("POST", "/", "", {"x-amz-target": "AmazonSQS.SendMessage"}, body)
    with pytest.raises(ServiceError) as caught:
        get_protocol("json").parse(request, operation("sqs", "SendMessage"), {})
    assert caught.value.code == code


def test_unknown_members_and_nulls_are_ignored() -> None:
    request = Request("POST", "/", "", {}, b'{"QueueUrl": "u", "Bogus": 1, "DelaySeconds": null}')
    assert get_protocol("json").parse(request, operation("sqs", "SendMessage"), {}) == {"QueueUrl": "u"}


def test_timestamps_are_epoch_seconds_on_the_wire() -> None:
    # SQS's model has no timestamp member, so check the converter on a timestamp shape directly
    shape = load_spec("sts").model.shape_for("dateType")
    assert to_json(shape, dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == 1704164645
    assert to_json(shape, dt.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)) == 1704164645.25


@pytest.mark.parametrize("name", SQS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sqs_request_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sqs", name)
    params = data.draw(top_level(op.input_shape, Wire("json"), op))
    assert server_parse("sqs", name, params) == params


@pytest.mark.parametrize("name", SQS_OPS)
@GENERATED
@given(data=st.data())
def test_every_sqs_response_round_trips(name: str, data: st.DataObject) -> None:
    op = operation("sqs", name)
    output = data.draw(top_level(op.output_shape, Wire("json", reply=True), op))
    assert client_roundtrip("sqs", name, output) == output


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**17, max_value=10**40) | st.text(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)  # fmt: skip


@given(_JSON_VALUES)
def test_request_json_reads_as_the_standard_library_does(value: Any) -> None:
    """The fast path (orjson) and the careful one agree with json.loads, long integers kept exact."""
    body = json.dumps(value).encode()
    got = loads(body)
    assert got == json.loads(body)
    assert json.dumps(got) == json.dumps(value)  # an integer past 64 bits stays an int, not a float
