"""The query protocol over GET (Action and parameters in the query string, signed in a header or presigned) for
every query service, and what AWS answers a request with no Action (SQS: recorded against AWS)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def get(url: str, service: str, params: dict[str, str] | None = None, presign: bool = False, **headers: str) -> Any:
    """A signed GET; returns (status, body text)."""
    if params:
        url += "?" + urllib.parse.urlencode(params)
    request = AWSRequest("GET", url, headers=headers)
    signer = SigV4QueryAuth if presign else SigV4Auth
    signer(Credentials("test", "test"), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, headers=dict(prepared.headers))) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("presign", [False, True])
@pytest.mark.parametrize(
    "service, params, expect",
    [
        ("sqs", {"Action": "ListQueues", "Version": "2012-11-05"}, "<ListQueuesResponse"),
        ("sns", {"Action": "ListTopics", "Version": "2010-03-31"}, "<ListTopicsResponse"),
        ("sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, "<Account>000000000000</Account>"),
        ("iam", {"Action": "ListRoles", "Version": "2010-05-08"}, "<ListRolesResponse"),
    ],
)
def test_query_over_get(endpoint: str, service: str, params: dict[str, str], expect: str, presign: bool) -> None:
    status, body = get(endpoint + "/", service, params, presign=presign)
    assert status == 200 and expect in body, body


@pytest.mark.parametrize(
    "service, ns",
    [
        ("sns", "http://sns.amazonaws.com/doc/2010-03-31/"),
        ("sts", "https://sts.amazonaws.com/doc/2011-06-15/"),
        ("iam", "https://iam.amazonaws.com/doc/2010-05-08/"),
    ],
)
def test_query_service_without_action(endpoint: str, service: str, ns: str) -> None:
    status, body = get(endpoint + "/", service)
    assert status == 400
    assert f'<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>MissingAction</Code>' in body


def test_sqs_over_get_at_a_queue_url(aws: Callable[..., Any], name: str) -> None:
    """AWS's answers (recorded): actions at a queue URL act on that queue; QueueUrl in the query string wins."""
    sqs = aws("sqs")
    url1 = sqs.create_queue(QueueName=name)["QueueUrl"]
    url2 = sqs.create_queue(QueueName=name + "-2")["QueueUrl"]
    assert get(url1, "sqs", {"Action": "SendMessage", "MessageBody": "foobar"})[0] == 200
    status, body = get(url2, "sqs", {"Action": "ReceiveMessage"})
    assert status == 200 and "foobar" not in body
    status, body = get(url1, "sqs", {"Action": "ReceiveMessage"})
    assert status == 200 and "<Body>foobar</Body>" in body and "<MD5OfBody>" in body
    status, body = get(url1, "sqs", {"Action": "GetQueueUrl", "QueueName": name + "-2"})
    assert status == 200 and f"<QueueUrl>{url2}</QueueUrl>" in body
    status, body = get(url1, "sqs", {"Action": "GetQueueAttributes", "QueueUrl": url2, "AttributeName.1": "QueueArn"})
    assert status == 200 and f":{name}-2</Value>" in body
    status, body = get(url1, "sqs", {"Action": "SendMessage"})
    assert status == 400 and "<Message>The request must contain the parameter MessageBody.</Message>" in body
    assert get(url2, "sqs", {"Action": "DeleteQueue"})[0] == 200


def unsigned_get(url: str, params: dict[str, str]) -> Any:
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params)) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize("action", ["CreateQueue", "ListQueues", "FooBar"])
def test_sqs_actions_not_valid_at_a_queue_url(aws: Callable[..., Any], name: str, action: str, signed: bool) -> None:
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    params = {"Action": action, "QueueName": name + "-x", "Version": "2012-11-05"}
    status, body = get(url, "sqs", params) if signed else unsigned_get(url, params)
    assert status == 400
    assert "<Type>Sender</Type><Code>InvalidAction</Code>" in body
    assert f"<Message>The action {action} is not valid for this endpoint.</Message>" in body
    assert name + "-x" not in str(aws("sqs").list_queues().get("QueueUrls"))


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
def test_sqs_without_action_is_unknown_operation(aws: Callable[..., Any], name: str, accept: str) -> None:
    """GET on a queue URL with no query: 404 and <UnknownOperationException/> (XML even when JSON is asked for)."""
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    for signed in (True, False):
        if signed:
            status, body = get(url, "sqs", Accept=accept)
        else:
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}))
            status, body = caught.value.code, caught.value.read().decode()
        assert status == 404 and "<UnknownOperationException" in body, body
