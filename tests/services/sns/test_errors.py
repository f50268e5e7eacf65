"""SNS error responses as AWS sends them: the query ErrorResponse with Type, Code and Message and no Detail
element (unlike SQS's), whether the error comes from SNS's rules or from the model's validation."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

from ._helpers import ACCOUNT, REGION, expect_error

NS = "{http://sns.amazonaws.com/doc/2010-03-31/}"


def _post(endpoint: str, **params: str) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"Version": "2010-03-31", **params}).encode()
    request = urllib.request.Request(
        endpoint, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_error_body_has_type_code_message_and_no_detail(endpoint: str, name: str) -> None:
    status, body = _post(
        endpoint, Action="GetTopicAttributes", TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}-missing"
    )
    assert status == 404
    root = ET.fromstring(body)
    assert root.tag == f"{NS}ErrorResponse"
    error = root.find(f"{NS}Error")
    assert error is not None
    assert [(child.tag.removeprefix(NS), child.text) for child in error] == [
        ("Type", "Sender"),
        ("Code", "NotFound"),
        ("Message", "Topic does not exist"),
    ]
    request_id = root.find(f"{NS}RequestId")
    assert request_id is not None and request_id.text


def test_validation_errors_have_no_detail_either(endpoint: str) -> None:
    status, body = _post(endpoint, Action="GetTopicAttributes")
    assert status == 400
    error = ET.fromstring(body).find(f"{NS}Error")
    assert error is not None
    assert [child.tag.removeprefix(NS) for child in error] == ["Type", "Code", "Message"]


def test_client_error_is_the_recorded_shape(sns: Any, name: str) -> None:
    error = expect_error(
        sns.get_topic_attributes,
        "NotFound",
        "Topic does not exist",
        404,
        TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}",
    )
    assert error == {"Type": "Sender", "Code": "NotFound", "Message": "Topic does not exist"}
