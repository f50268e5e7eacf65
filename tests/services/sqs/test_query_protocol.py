"""SQS over the query protocol (form-encoded requests, XML responses), as older SDKs and tools speak it.

The client is a real botocore client whose SQS model is gureum's derived query model, plus raw HTTP
requests for what SDK v1-era tools send (POST to the queue URL, GET with query parameters).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any
from xml.etree import ElementTree

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from gureum.aws.specs import load_spec

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


@pytest.fixture(scope="module")
def query_sqs(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("models")
    target = data / "sqs" / "2012-11-05"
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(load_spec("sqs").documents["query"]))
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(data))
    client = boto3.Session(botocore_session=session).client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    assert client.meta.service_model.protocol == "query"
    return client


def _raw(endpoint: str, path: str, params: dict[str, str], method: str = "POST") -> tuple[int, ElementTree.Element]:
    data = urllib.parse.urlencode(params)
    headers = {
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"
        )
    }
    if method == "GET":
        req = urllib.request.Request(f"{endpoint}{path}?{data}", headers=headers, method="GET")
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(f"{endpoint}{path}", data=data.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, ElementTree.fromstring(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, ElementTree.fromstring(err.read())


def test_queue_lifecycle_over_query(query_sqs: Any, name: str) -> None:
    url = query_sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"}, tags={"team": "a"})["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    assert query_sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert url in query_sqs.list_queues(QueueNamePrefix=name)["QueueUrls"]
    attrs = query_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "45"
    assert attrs["QueueArn"].endswith(f":{name}")
    assert query_sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    query_sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as err:
        query_sqs.get_queue_url(QueueName=name)
    assert err.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_messages_with_attributes_over_query(query_sqs: Any, name: str) -> None:
    url = query_sqs.create_queue(QueueName=name)["QueueUrl"]
    attributes = {
        "s": {"DataType": "String", "StringValue": "text & <xml>"},
        "n": {"DataType": "Number", "StringValue": "12.5"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    sent = query_sqs.send_message(
        QueueUrl=url, MessageBody="body\r\nwith <markup> & \u00e9", MessageAttributes=attributes
    )
    got = query_sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"])["Messages"]
    assert len(got) == 1
    message = got[0]
    assert message["Body"] == "body\r\nwith <markup> & \u00e9"
    assert message["MessageId"] == sent["MessageId"]
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\x01\xff"
    assert message["MessageAttributes"]["s"]["StringValue"] == "text & <xml>"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    query_sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_batches_over_query(query_sqs: Any, name: str) -> None:
    url = query_sqs.create_queue(QueueName=name)["QueueUrl"]
    result = query_sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "1"},
            {"Id": "b", "MessageBody": "2"},
            {"Id": "c", "MessageBody": "3", "DelaySeconds": 901},
        ],
    )
    assert sorted(e["Id"] for e in result["Successful"]) == ["a", "b"]
    assert [(e["Id"], e["Code"], e["SenderFault"]) for e in result["Failed"]] == [("c", "InvalidParameterValue", True)]
    messages = query_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in messages) == ["1", "2"]
    deleted = query_sqs.delete_message_batch(
        QueueUrl=url, Entries=[{"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    )
    assert len(deleted["Successful"]) == 2 and not deleted.get("Failed")


def test_query_error_shape(endpoint: str, name: str) -> None:
    status, doc = _raw(endpoint, "/", {"Action": "GetQueueUrl", "QueueName": name, "Version": "2012-11-05"})
    assert status == 400
    assert doc.tag == f"{NS}ErrorResponse"
    error = doc.find(f"{NS}Error")
    assert error is not None
    assert error.findtext(f"{NS}Type") == "Sender"
    assert error.findtext(f"{NS}Code") == "AWS.SimpleQueueService.NonExistentQueue"
    # AWS words NonExistentQueue per protocol: the query protocol's message names the wsdl version
    assert error.findtext(f"{NS}Message") == "The specified queue does not exist for this wsdl version."
    assert doc.findtext(f"{NS}RequestId")


def test_non_existent_queue_is_worded_per_protocol(query_sqs: Any, sqs: Any, endpoint: str, name: str) -> None:
    """Recorded on AWS: '… does not exist for this wsdl version.' over query, '… does not exist.' over JSON."""
    url = f"{endpoint}/000000000000/{name}"
    for client, message in (
        (query_sqs, "The specified queue does not exist for this wsdl version."),
        (sqs, "The specified queue does not exist."),
    ):
        for call, kwargs in (
            (client.get_queue_url, {"QueueName": name}),
            (client.send_message, {"QueueUrl": url, "MessageBody": "b"}),
            (client.receive_message, {"QueueUrl": url}),
            (client.delete_queue, {"QueueUrl": url}),
        ):
            with pytest.raises(ClientError) as err:
                call(**kwargs)
            assert err.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
            assert err.value.response["Error"]["Message"] == message
    body = json.dumps({"QueueName": name}).encode()
    headers = {"X-Amz-Target": "AmazonSQS.GetQueueUrl", "Content-Type": "application/x-amz-json-1.0"}
    request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(request)
    doc = json.loads(raw.value.read())
    assert doc["message"] == "The specified queue does not exist."
    assert doc["__type"].endswith("QueueDoesNotExist")
    assert raw.value.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


def test_missing_parameter_and_unknown_action(endpoint: str) -> None:
    status, doc = _raw(endpoint, "/", {"Action": "CreateQueue", "Version": "2012-11-05"})
    assert status == 400
    assert doc.findtext(f"{NS}Error/{NS}Code") == "MissingParameter"
    assert doc.findtext(f"{NS}Error/{NS}Message") == "The request must contain the parameter QueueName."
    status, doc = _raw(endpoint, "/", {"Action": "FlyToTheMoon", "Version": "2012-11-05"})
    assert status == 400
    assert doc.findtext(f"{NS}Error/{NS}Code") == "InvalidAction"


def test_post_to_queue_url_without_queue_url_parameter(query_sqs: Any, endpoint: str, name: str) -> None:
    url = query_sqs.create_queue(QueueName=name)["QueueUrl"]
    path = urllib.parse.urlparse(url).path
    status, doc = _raw(endpoint, path, {"Action": "SendMessage", "MessageBody": "via path", "Version": "2012-11-05"})
    assert status == 200, ElementTree.tostring(doc)
    assert doc.findtext(f"{NS}SendMessageResult/{NS}MessageId")
    status, doc = _raw(
        endpoint, path, {"Action": "ReceiveMessage", "AttributeName.1": "All", "Version": "2012-11-05"}, method="GET"
    )
    assert status == 200
    assert doc.findtext(f"{NS}ReceiveMessageResult/{NS}Message/{NS}Body") == "via path"
    names = [a.findtext(f"{NS}Name") for a in doc.iter(f"{NS}Attribute")]
    assert "SentTimestamp" in names


def test_json_and_query_clients_share_state(query_sqs: Any, sqs: Any, name: str) -> None:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    query_sqs.send_message(QueueUrl=url, MessageBody="from query")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "from query"
