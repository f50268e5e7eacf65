"""Accounts are isolated as on AWS: a call on another account's queue (by URL, or GetQueueUrl naming its owner) is
refused with AccessDenied (403, Sender) unless the queue's Policy allows that principal the action, an explicit Deny
wins, the owner-only actions are never granted, a missing queue refuses alike, and calls within the owner's account
and deliveries inside gureum (SNS, EventBridge) are not checked. Both protocols."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import boto3
import botocore.session
import pytest
from botocore.config import Config

from gureum.aws.specs import load_spec

from ._client import arn, create, expect_error, receive

OWNER, OTHER, THIRD = "111111111111", "222222222222", "333333333333"
ROOT = f"arn:aws:iam::{OTHER}:root"
PROTOCOLS = ("json", "query")


@pytest.fixture(scope="module")
def client(aws: Callable[..., Any], endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """client(access_key, protocol="json") → an SQS client of that key, speaking JSON or the query protocol."""
    models = tmp_path_factory.mktemp("models")
    target = models / "sqs" / "2012-11-05"
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(load_spec("sqs").documents["query"]))

    def make(access_key: str, protocol: str = "json") -> Any:
        if protocol == "json":
            return aws("sqs", access_key=access_key)
        session = botocore.session.Session()
        session.get_component("data_loader").search_paths.insert(0, str(models))
        query = boto3.Session(botocore_session=session).client(
            "sqs",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )
        assert query.meta.service_model.protocol == "query"
        return query

    return make


@pytest.fixture(scope="module")
def owner(client: Callable[..., Any]) -> Any:
    return client(OWNER)


@pytest.fixture(scope="module")
def other(client: Callable[..., Any]) -> Any:
    return client(OTHER)


@pytest.fixture
def queue(owner: Any, name: str) -> tuple[str, str]:
    """(URL, ARN) of a new queue of the owner's account."""
    url = create(owner, name)
    return url, arn(owner, url)


def refused(call: Callable[..., Any], action: str, resource: str, principal: str = ROOT, **kwargs: Any) -> None:
    expect_error(
        call,
        "AccessDenied",
        f"User: {principal} is not authorized to perform: sqs:{action} on resource: {resource} "
        f"because no resource-based policy allows the sqs:{action} action",
        403,
        **kwargs,
    )


def denied_explicitly(call: Callable[..., Any], action: str, resource: str, **kwargs: Any) -> None:
    expect_error(
        call,
        "AccessDenied",
        f"User: {ROOT} is not authorized to perform: sqs:{action} on resource: {resource} "
        "with an explicit deny in a resource-based policy",
        403,
        **kwargs,
    )


def set_policy(owner: Any, url: str, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(document)})


def grant(
    resource: str, actions: list[str], principal: Any = OTHER, effect: str = "Allow", **more: Any
) -> dict[str, Any]:
    return {"Effect": effect, "Principal": {"AWS": principal}, "Action": actions, "Resource": resource, **more}


def handle_of(owner: Any, url: str, body: str = "m") -> str:
    """Send a message as the owner and receive it; its receipt handle."""
    owner.send_message(QueueUrl=url, MessageBody=body)
    [message] = receive(owner, url, WaitTimeSeconds=1)
    return str(message["ReceiptHandle"])


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_another_account_is_refused_by_default(
    owner: Any, client: Callable[..., Any], queue: tuple[str, str], name: str, protocol: str
) -> None:
    url, qarn = queue
    other = client(OTHER, protocol)
    owner.send_message(QueueUrl=url, MessageBody="kept")
    handle = handle_of(owner, url, "in flight")
    refused(other.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="hi")
    refused(other.send_message_batch, "sendmessage", qarn, QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "hi"}])
    refused(other.receive_message, "receivemessage", qarn, QueueUrl=url)
    refused(other.receive_message, "receivemessage", qarn, QueueUrl=url, WaitTimeSeconds=1)
    refused(other.delete_message, "deletemessage", qarn, QueueUrl=url, ReceiptHandle=handle)
    refused(
        other.delete_message_batch, "deletemessage", qarn, QueueUrl=url,
        Entries=[{"Id": "1", "ReceiptHandle": handle}],
    )  # fmt: skip
    refused(
        other.change_message_visibility, "changemessagevisibility", qarn, QueueUrl=url, ReceiptHandle=handle,
        VisibilityTimeout=0,
    )  # fmt: skip
    refused(
        other.change_message_visibility_batch, "changemessagevisibility", qarn, QueueUrl=url,
        Entries=[{"Id": "1", "ReceiptHandle": handle, "VisibilityTimeout": 0}],
    )  # fmt: skip
    refused(other.get_queue_attributes, "getqueueattributes", qarn, QueueUrl=url, AttributeNames=["All"])
    refused(other.get_queue_url, "getqueueurl", qarn, QueueName=name, QueueOwnerAWSAccountId=OWNER)
    refused(other.list_dead_letter_source_queues, "listdeadlettersourcequeues", qarn, QueueUrl=url)
    refused(other.purge_queue, "purgequeue", qarn, QueueUrl=url)
    refused(other.list_queue_tags, "listqueuetags", qarn, QueueUrl=url)
    # nothing changed: one message visible, the other still in flight
    counts = owner.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "1", "ApproximateNumberOfMessagesNotVisible": "1"}
    owner.delete_message(QueueUrl=url, ReceiptHandle=handle)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_owner_only_actions_are_never_granted(
    owner: Any, client: Callable[..., Any], queue: tuple[str, str], name: str, protocol: str
) -> None:
    """SetQueueAttributes, DeleteQueue, Add/RemovePermission, Tag/UntagQueue, ListQueueTags and the message move
    tasks are refused to another account even when the policy allows it everything ("Limitations of Amazon SQS
    custom policies")."""
    url, qarn = queue
    dlq = create(owner, f"{name}-dlq")
    dlq_arn = arn(owner, dlq)
    owner.set_queue_attributes(
        QueueUrl=url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})}
    )
    task = owner.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    everything = grant("*", ["sqs:*"], principal="*")
    set_policy(owner, url, everything)
    set_policy(owner, dlq, everything)
    owner.tag_queue(QueueUrl=url, Tags={"team": "a"})
    other = client(OTHER, protocol)
    refused(other.set_queue_attributes, "setqueueattributes", qarn, QueueUrl=url, Attributes={"DelaySeconds": "5"})
    refused(other.add_permission, "addpermission", qarn, QueueUrl=url, Label="l", AWSAccountIds=[OTHER],
            Actions=["SendMessage"])  # fmt: skip
    refused(other.remove_permission, "removepermission", qarn, QueueUrl=url, Label="l")
    refused(other.tag_queue, "tagqueue", qarn, QueueUrl=url, Tags={"k": "v"})
    refused(other.untag_queue, "untagqueue", qarn, QueueUrl=url, TagKeys=["team"])
    refused(other.list_queue_tags, "listqueuetags", qarn, QueueUrl=url)
    refused(other.delete_queue, "deletequeue", qarn, QueueUrl=url)
    refused(other.start_message_move_task, "startmessagemovetask", dlq_arn, SourceArn=dlq_arn)
    refused(other.list_message_move_tasks, "listmessagemovetasks", dlq_arn, SourceArn=dlq_arn)
    refused(other.cancel_message_move_task, "cancelmessagemovetask", dlq_arn, TaskHandle=task)
    # what the policy does grant works, and the queue is as its owner left it
    other.send_message(QueueUrl=url, MessageBody="granted")
    attributes = owner.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"]
    assert attributes == {"DelaySeconds": "0"}
    assert owner.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}


def test_a_queue_that_does_not_exist_refuses_alike(other: Any, name: str) -> None:
    """Another account learns nothing of which names exist."""
    missing = f"arn:aws:sqs:us-east-1:{OWNER}:{name}"
    url = f"http://localhost/{OWNER}/{name}"
    refused(other.send_message, "sendmessage", missing, QueueUrl=url, MessageBody="hi")
    refused(other.get_queue_url, "getqueueurl", missing, QueueName=name, QueueOwnerAWSAccountId=OWNER)
    refused(other.get_queue_attributes, "getqueueattributes", missing, QueueUrl=url, AttributeNames=["All"])


def _raw(endpoint: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    scope = "Credential=222222222222/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"
    request = urllib.request.Request(
        f"{endpoint}{path}", data=body, headers={"Authorization": f"AWS4-HMAC-SHA256 {scope}", **headers}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_refusal_on_the_wire(endpoint: str, queue: tuple[str, str]) -> None:
    """As AWS answers: JSON with the authorization layer's __type and x-amzn-query-error AccessDenied;Sender; query
    XML with Type Sender, Code AccessDenied and <Detail/>."""
    url, qarn = queue
    message = (
        f"User: {ROOT} is not authorized to perform: sqs:sendmessage on resource: {qarn} "
        "because no resource-based policy allows the sqs:sendmessage action"
    )
    status, headers, body = _raw(
        endpoint,
        "/",
        json.dumps({"QueueUrl": url, "MessageBody": "hi"}).encode(),
        {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessage"},
    )
    assert status == 403
    assert {k.lower(): v for k, v in headers.items()}["x-amzn-query-error"] == "AccessDenied;Sender"
    doc = json.loads(body)
    assert doc["__type"] == "com.amazon.coral.service#AccessDeniedException"
    assert doc["message"] == message
    form = urllib.parse.urlencode({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "hi"}).encode()
    status, _, body = _raw(endpoint, "/", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    ns = "{http://queue.amazonaws.com/doc/2012-11-05/}"
    error = ElementTree.fromstring(body).find(f"{ns}Error")
    assert error is not None
    assert [(child.tag.removeprefix(ns), child.text) for child in error] == [
        ("Type", "Sender"),
        ("Code", "AccessDenied"),
        ("Message", message),
        ("Detail", None),
    ]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_add_permission_grants_the_named_actions(
    owner: Any, client: Callable[..., Any], queue: tuple[str, str], name: str, protocol: str
) -> None:
    url, qarn = queue
    other = client(OTHER, protocol)
    owner.add_permission(
        QueueUrl=url,
        Label="others",
        AWSAccountIds=[OTHER],
        Actions=["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueUrl"],
    )
    assert other.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=OWNER)["QueueUrl"] == url
    other.send_message(QueueUrl=url, MessageBody="from another account")
    other.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "batched"}])
    got = receive(other, url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    got += receive(other, url, MaxNumberOfMessages=10, WaitTimeSeconds=1) if len(got) < 2 else []
    assert sorted(m["Body"] for m in got) == ["batched", "from another account"]
    other.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=30)
    other.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "1", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 30}]
    )
    other.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    result = other.delete_message_batch(QueueUrl=url, Entries=[{"Id": "1", "ReceiptHandle": got[1]["ReceiptHandle"]}])
    assert [entry["Id"] for entry in result["Successful"]] == ["1"]
    # only what was granted, and only to the named account
    refused(other.get_queue_attributes, "getqueueattributes", qarn, QueueUrl=url, AttributeNames=["All"])
    refused(other.purge_queue, "purgequeue", qarn, QueueUrl=url)
    third = client(THIRD, protocol)
    refused(third.send_message, "sendmessage", qarn, f"arn:aws:iam::{THIRD}:root", QueueUrl=url, MessageBody="x")
    owner.remove_permission(QueueUrl=url, Label="others")
    refused(other.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="again")


@pytest.mark.parametrize(
    "principal",
    ["*", OTHER, f"arn:aws:iam::{OTHER}:root", [THIRD, OTHER]],
)
def test_a_policy_naming_the_account(owner: Any, other: Any, queue: tuple[str, str], principal: Any) -> None:
    url, qarn = queue
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage", "sqs:Get*", "SQS:ListDeadLetterSourceQueues"], principal))
    other.send_message(QueueUrl=url, MessageBody="hi")
    attributes = other.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn", "ApproximateNumberOfMessages"])
    assert attributes["Attributes"] == {"QueueArn": qarn, "ApproximateNumberOfMessages": "1"}
    assert "queueUrls" in other.list_dead_letter_source_queues(QueueUrl=url)
    refused(other.receive_message, "receivemessage", qarn, QueueUrl=url)


def test_a_policy_naming_an_iam_user(
    owner: Any, aws: Callable[..., Any], client: Callable[..., Any], queue: tuple[str, str], name: str
) -> None:
    url, qarn = queue
    iam = aws("iam", access_key=OTHER)
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    as_user, as_root = client(key), client(OTHER)
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage"], user["Arn"]))
    as_user.send_message(QueueUrl=url, MessageBody="hi")
    refused(as_root.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="hi")  # the root is not the user
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage"], f"arn:aws:iam::{OTHER}:user/someone-else"))
    refused(as_user.send_message, "sendmessage", qarn, user["Arn"], QueueUrl=url, MessageBody="hi")


def test_an_explicit_deny_wins(owner: Any, other: Any, queue: tuple[str, str]) -> None:
    url, qarn = queue
    set_policy(owner, url, grant(qarn, ["sqs:*"]), grant(qarn, ["sqs:ReceiveMessage"], "*", effect="Deny"))
    other.send_message(QueueUrl=url, MessageBody="hi")  # the Allow still grants what the Deny does not name
    denied_explicitly(other.receive_message, "receivemessage", qarn, QueueUrl=url)
    denied_explicitly(other.receive_message, "receivemessage", qarn, QueueUrl=url, WaitTimeSeconds=1)


def test_conditions(owner: Any, other: Any, queue: tuple[str, str]) -> None:
    url, qarn = queue
    from_here = grant(qarn, ["sqs:SendMessage"], Condition={"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1"]}})
    set_policy(owner, url, from_here)
    other.send_message(QueueUrl=url, MessageBody="hi")
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage"], Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))
    refused(other.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="hi")
    # the caller's account and ARN are keys too; aws:SecureTransport is absent over plain HTTP, so a "deny unless
    # TLS" statement (Bool false) does not apply to it
    by_account = grant(qarn, ["sqs:SendMessage"], "*", Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}})
    unless_tls = grant(qarn, ["sqs:*"], "*", effect="Deny", Condition={"Bool": {"aws:SecureTransport": "false"}})
    set_policy(owner, url, by_account, unless_tls)
    other.send_message(QueueUrl=url, MessageBody="hi")
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage"], "*", Condition={"StringEquals": {"aws:PrincipalArn": "x"}}))
    refused(other.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="hi")
    in_the_past = {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}
    set_policy(owner, url, grant(qarn, ["sqs:SendMessage"], Condition=in_the_past))
    refused(other.send_message, "sendmessage", qarn, QueueUrl=url, MessageBody="hi")


def test_the_owner_is_not_checked(owner: Any, queue: tuple[str, str], name: str) -> None:
    """Within its account a caller is not checked against the queue's policy (identity policies decide there, and
    gureum does not evaluate them)."""
    url, qarn = queue
    set_policy(owner, url, grant(qarn, ["sqs:*"], "*", effect="Deny"))
    owner.send_message(QueueUrl=url, MessageBody="hi")
    [message] = receive(owner, url, WaitTimeSeconds=1)
    owner.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert owner.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=OWNER)["QueueUrl"] == url
    owner.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    owner.purge_queue(QueueUrl=url)
    owner.delete_queue(QueueUrl=url)


def test_a_granted_long_poll_gets_a_message_sent_while_it_waits(owner: Any, other: Any, queue: tuple[str, str]) -> None:
    url, qarn = queue
    set_policy(owner, url, grant(qarn, ["sqs:ReceiveMessage"]))
    timer = threading.Timer(0.5, lambda: owner.send_message(QueueUrl=url, MessageBody="late"))
    timer.start()
    try:
        started = time.monotonic()
        got = receive(other, url, WaitTimeSeconds=5)
    finally:
        timer.join()
    assert [m["Body"] for m in got] == ["late"] and time.monotonic() - started < 4


def _allow_service(theirs: Any, url: str, service: str, source_arn: str) -> None:
    """The queue policy AWS's guides give: the service may send for this one resource (aws:SourceArn)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sqs:SendMessage",
        "Resource": arn(theirs, url),
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
    }
    set_policy(theirs, url, statement)


def test_sns_delivers_to_a_queue_of_another_account_its_policy_allows(
    aws: Callable[..., Any], client: Callable[..., Any], name: str
) -> None:
    """As on AWS: a topic's delivery to another account's queue needs the queue's policy to allow
    sns.amazonaws.com sqs:SendMessage for that topic; without it the message is not delivered."""
    sns = aws("sns", access_key=OWNER)
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="subscribe", AWSAccountId=[OTHER], ActionName=["Subscribe"])
    theirs = client(OTHER)
    url = create(theirs, name)
    aws("sns", access_key=OTHER).subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn(theirs, url), Attributes={"RawMessageDelivery": "true"}
    )
    sns.publish(TopicArn=topic, Message="refused")
    assert receive(theirs, url, WaitTimeSeconds=1) == []
    _allow_service(theirs, url, "sns.amazonaws.com", f"{topic}-other")  # another topic's grant
    sns.publish(TopicArn=topic, Message="still refused")
    assert receive(theirs, url, WaitTimeSeconds=1) == []
    _allow_service(theirs, url, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="across accounts")
    assert [m["Body"] for m in receive(theirs, url, WaitTimeSeconds=5)] == ["across accounts"]


def test_eventbridge_delivers_to_a_queue_of_another_account_its_policy_allows(
    aws: Callable[..., Any], client: Callable[..., Any], name: str
) -> None:
    """As on AWS: the queue's policy must allow events.amazonaws.com for the rule."""
    events = aws("events", access_key=OWNER)
    theirs = client(OTHER)
    url = create(theirs, name)
    rule = events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn(theirs, url)}])
    events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": json.dumps({"n": 1})}])
    assert receive(theirs, url, WaitTimeSeconds=1) == []
    _allow_service(theirs, url, "events.amazonaws.com", rule)
    events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": json.dumps({"n": 2})}])
    [message] = receive(theirs, url, WaitTimeSeconds=5)
    assert json.loads(message["Body"])["detail"] == {"n": 2}


def test_a_delivery_within_one_account_needs_no_queue_policy(
    aws: Callable[..., Any], client: Callable[..., Any], name: str
) -> None:
    """gureum does not evaluate identity or service permissions within an account (the IAM enforcement issue):
    a topic delivers to its own account's queue without a policy."""
    sns = aws("sns", access_key=OWNER)
    topic = sns.create_topic(Name=name)["TopicArn"]
    mine = client(OWNER)
    url = create(mine, name)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(mine, url), Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="same account")
    assert [m["Body"] for m in receive(mine, url, WaitTimeSeconds=5)] == ["same account"]


def test_a_move_task_into_another_accounts_queue_needs_its_send_permission(owner: Any, other: Any, name: str) -> None:
    """A message move task sends with its starter's rights: a destination of another account must allow it
    sqs:SendMessage, as SendMessage itself would need."""
    source = create(owner, name)
    dlq = create(owner, f"{name}-dlq")
    dlq_arn = arn(owner, dlq)
    owner.set_queue_attributes(
        QueueUrl=source,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})},
    )
    owner.send_message(QueueUrl=dlq, MessageBody="to move")
    theirs = create(other, name)
    theirs_arn = arn(other, theirs)
    refused(
        owner.start_message_move_task, "sendmessage", theirs_arn, f"arn:aws:iam::{OWNER}:root",
        SourceArn=dlq_arn, DestinationArn=theirs_arn,
    )  # fmt: skip
    set_policy(other, theirs, grant(theirs_arn, ["sqs:SendMessage"], OWNER))
    owner.start_message_move_task(SourceArn=dlq_arn, DestinationArn=theirs_arn)
    assert [m["Body"] for m in receive(other, theirs, WaitTimeSeconds=5)] == ["to move"]
