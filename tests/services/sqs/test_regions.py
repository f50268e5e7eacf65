"""SQS queues per Region: the same name in two Regions is two queues with two URLs, and every kind of client (boto3
with endpoint_url, the AWS CLI, query-protocol clients posting to the queue URL, a service-named host) reaches the
queue its URL names. us-east-1 keeps the URL form queues always had ({endpoint}/{account}/{name}); another Region's
queue is at {endpoint}/queue/{region}/{account}/{name}, or at {account}/{name} under a host naming its Region."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.awscli import aws as aws_cli

from ._client import ACCOUNT, arn, bodies, expect_error, receive

WEST = "eu-west-1"
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def _signed(url: str, region: str, params: dict[str, str], host: str | None = None) -> tuple[int, str]:
    """A query-protocol POST signed for `region`, sent to `url` (with `host` as the Host header when given)."""
    target = urllib.parse.urlparse(url)
    signed_url = f"{target.scheme}://{host}{target.path}" if host else url
    request = AWSRequest(
        "POST",
        signed_url,
        data=urllib.parse.urlencode({**params, "Version": "2012-11-05"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials("test", "test"), "sqs", region).add_auth(request)
    prepared = request.prepare()
    headers = dict(prepared.headers)
    if host:
        headers["Host"] = host
    body = prepared.body if isinstance(prepared.body, bytes) else str(prepared.body).encode()
    sent = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(sent) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_same_name_in_two_regions_is_two_queues_with_two_urls(
    sqs: Any, aws: Callable[..., Any], endpoint: str, name: str
) -> None:
    west = aws("sqs", region=WEST)
    east_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    west_url = west.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    assert east_url == f"{endpoint}/{ACCOUNT}/{name}"  # us-east-1 keeps the form its URLs always had
    assert west_url == f"{endpoint}/queue/{WEST}/{ACCOUNT}/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == east_url
    assert west.get_queue_url(QueueName=name)["QueueUrl"] == west_url
    assert sqs.list_queues(QueueNamePrefix=name)["QueueUrls"] == [east_url]
    assert west.list_queues(QueueNamePrefix=name)["QueueUrls"] == [west_url]
    assert arn(west, west_url) == f"arn:aws:sqs:{WEST}:{ACCOUNT}:{name}"
    assert arn(sqs, east_url) == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def test_the_url_names_the_queue_whatever_region_signs(sqs: Any, aws: Callable[..., Any], name: str) -> None:
    west = aws("sqs", region=WEST)
    east_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    west_url = west.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=west_url, MessageBody="to the west")  # signed for us-east-1, URL of eu-west-1
    west.send_message(QueueUrl=west_url, MessageBody="also west")
    sqs.send_message(QueueUrl=east_url, MessageBody="east")
    assert sorted(bodies(receive(west, west_url, MaxNumberOfMessages=10))) == ["also west", "to the west"]
    assert bodies(receive(sqs, east_url, MaxNumberOfMessages=10)) == ["east"]
    assert arn(sqs, west_url) == f"arn:aws:sqs:{WEST}:{ACCOUNT}:{name}"


def test_urls_without_a_region_name_the_signing_regions_queue(
    sqs: Any, aws: Callable[..., Any], endpoint: str, name: str
) -> None:
    """The URL form every queue had before URLs named their Region keeps working in the Region that signs."""
    west = aws("sqs", region=WEST)
    west_url = west.create_queue(QueueName=name)["QueueUrl"]
    old_form = f"{endpoint}/{ACCOUNT}/{name}"
    west.send_message(QueueUrl=old_form, MessageBody="old url")
    assert bodies(receive(west, west_url)) == ["old url"]
    expect_error(sqs.get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=old_form)
    west.send_message(QueueUrl=name, MessageBody="bare name")  # a queue name also names a queue of the caller
    assert bodies(receive(west, west_url)) == ["bare name"]


def test_dead_letter_source_queues_list_their_regions_urls(aws: Callable[..., Any], name: str) -> None:
    west = aws("sqs", region=WEST)
    dlq = west.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": arn(west, dlq), "maxReceiveCount": 2})
    source = west.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    assert west.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    assert f"/queue/{WEST}/" in source


def test_query_protocol_clients_post_to_the_queue_url(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    """Older SDKs speak the query protocol and may post to the queue URL itself, without a QueueUrl parameter."""
    east = aws("sqs")
    east_url = east.create_queue(QueueName=name)["QueueUrl"]
    status, text = _signed(endpoint + "/", WEST, {"Action": "CreateQueue", "QueueName": name})
    assert status == 200, text
    west_url = ElementTree.fromstring(text).findtext(f"{NS}CreateQueueResult/{NS}QueueUrl")
    assert west_url == f"{endpoint}/queue/{WEST}/{ACCOUNT}/{name}"
    # the URL that names a Region wins over the Region that signs
    for url, region, body in (
        (west_url, WEST, "west"),
        (west_url, "us-east-1", "west again"),
        (east_url, "us-east-1", "east"),
    ):
        status, text = _signed(url, region, {"Action": "SendMessage", "MessageBody": body})
        assert status == 200, text
    assert sorted(bodies(receive(aws("sqs", region=WEST), west_url, MaxNumberOfMessages=10))) == ["west", "west again"]
    assert bodies(receive(east, east_url, MaxNumberOfMessages=10)) == ["east"]
    status, text = _signed(endpoint + "/", WEST, {"Action": "GetQueueUrl", "QueueName": name})
    assert ElementTree.fromstring(text).findtext(f"{NS}GetQueueUrlResult/{NS}QueueUrl") == west_url


def test_a_host_naming_its_region_gives_the_aws_url_form(
    aws: Callable[..., Any], endpoint: str, server: Any, name: str
) -> None:
    """sqs.<region>.localhost… hosts (AWS's sqs.<region>.amazonaws.com): URLs under them are /account/name."""
    host = f"sqs.{WEST}.localhost:{server.port}"
    status, text = _signed(endpoint + "/", WEST, {"Action": "CreateQueue", "QueueName": name}, host=host)
    assert status == 200, text
    url = ElementTree.fromstring(text).findtext(f"{NS}CreateQueueResult/{NS}QueueUrl")
    assert url == f"http://{host}/{ACCOUNT}/{name}"
    # signed for us-east-1, but the host names eu-west-1: the URL is the eu-west-1 queue's
    status, text = _signed(endpoint + "/", "us-east-1", {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "h"})
    assert status == 200, text
    west = aws("sqs", region=WEST)
    assert bodies(receive(west, west.get_queue_url(QueueName=name)["QueueUrl"])) == ["h"]
    # the us-east-1 queue of that name, asked for under the eu-west-1 host, names its own Region in the path
    aws("sqs").create_queue(QueueName=name)
    status, text = _signed(endpoint + "/", "us-east-1", {"Action": "GetQueueUrl", "QueueName": name}, host=host)
    east_url = ElementTree.fromstring(text).findtext(f"{NS}GetQueueUrlResult/{NS}QueueUrl")
    assert east_url == f"http://{host}/queue/us-east-1/{ACCOUNT}/{name}"


def _cli(endpoint: str, region: str, *args: str) -> Any:
    return aws_cli(endpoint, *args, region=region)


def test_the_cli_reaches_each_regions_queue(endpoint: str, name: str) -> None:
    east_url = _cli(endpoint, "us-east-1", "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    west_url = _cli(endpoint, WEST, "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    assert east_url != west_url
    assert _cli(endpoint, WEST, "sqs", "get-queue-url", "--queue-name", name)["QueueUrl"] == west_url
    _cli(endpoint, WEST, "sqs", "send-message", "--queue-url", west_url, "--message-body", "cli west")
    _cli(endpoint, "us-east-1", "sqs", "send-message", "--queue-url", east_url, "--message-body", "cli east")
    got = _cli(endpoint, WEST, "sqs", "receive-message", "--queue-url", west_url, "--max-number-of-messages", "10")
    assert [m["Body"] for m in got["Messages"]] == ["cli west"]
    assert west_url in _cli(endpoint, WEST, "sqs", "list-queues", "--queue-name-prefix", name)["QueueUrls"]
    assert east_url not in _cli(endpoint, WEST, "sqs", "list-queues", "--queue-name-prefix", name)["QueueUrls"]
