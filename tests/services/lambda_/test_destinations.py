"""Asynchronous invocation destinations: OnSuccess / OnFailure invocation records, with DeadLetterConfig beside them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ...expect import expect_error
from .zips import create

CODE = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("failing " + str(event["fail"]))
    return {"doubled": event.get("n", 0) * 2}
"""


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _one(sqs: Any, url: str, seconds: float = 20, **kw: Any) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, **kw).get("Messages", [])
        if messages:
            assert len(messages) == 1, messages
            return dict(messages[0])
    raise AssertionError(f"nothing arrived on {url}")


def test_on_success_record_to_sqs(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    url, arn = _queue(sqs, f"{name}-ok")
    fn_arn = create(client, name, {"index.py": CODE})["FunctionArn"]
    config = client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    assert config["DestinationConfig"] == {"OnSuccess": {"Destination": arn}, "OnFailure": {}}
    out = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 21}))
    record = json.loads(_one(sqs, url)["Body"])
    assert record["version"] == "1.0" and record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": out["ResponseMetadata"]["RequestId"],
        "functionArn": f"{fn_arn}:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 21}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 42}
    assert (
        client.invoke(FunctionName=name, Payload=json.dumps({"n": 1}))["StatusCode"] == 200
    )  # synchronous calls have no destinations
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None


def test_on_failure_record_and_dead_letter_queue(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    fail_url, fail_arn = _queue(sqs, f"{name}-fail")
    dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq")
    fn_arn = create(client, name, {"index.py": CODE}, DeadLetterConfig={"TargetArn": dlq_arn})["FunctionArn"]
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": fail_arn}}
    )
    out = client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": "now"}))
    record = json.loads(_one(sqs, fail_url)["Body"])
    request_id = out["ResponseMetadata"]["RequestId"]
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{fn_arn}:$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"fail": "now"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert (
        record["responsePayload"]["errorMessage"] == "failing now"
        and record["responsePayload"]["errorType"] == "ValueError"
    )
    dead = _one(sqs, dlq_url, MessageAttributeNames=["All"])  # DeadLetterConfig keeps working beside OnFailure
    assert json.loads(dead["Body"]) == {"fail": "now"}
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes == {"RequestID": request_id, "ErrorCode": "200", "ErrorMessage": "failing now"}
    types = {k: v["DataType"] for k, v in dead["MessageAttributes"].items()}
    assert types == {"RequestID": "String", "ErrorCode": "Number", "ErrorMessage": "String"}  # as AWS sends them


def test_destinations_apply_to_events_from_eventbridge(aws: Callable[..., Any], name: str) -> None:
    client, sqs, events = aws("lambda"), aws("sqs"), aws("events")
    fail_url, fail_arn = _queue(sqs, f"{name}-fail")
    fn_arn = create(client, name, {"index.py": CODE})["FunctionArn"]
    client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": fail_arn}}
    )
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": fn_arn, "InputPath": "$.detail"}])
    events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": json.dumps({"fail": "from a rule"})}])
    record = json.loads(_one(sqs, fail_url)["Body"])
    assert (
        record["requestPayload"] == {"fail": "from a rule"}
        and record["requestContext"]["condition"] == "RetriesExhausted"
    )


def test_on_success_to_an_event_bus(aws: Callable[..., Any], name: str) -> None:
    client, sqs, events = aws("lambda"), aws("sqs"), aws("events")
    url, arn = _queue(sqs, f"{name}-bus-out")
    bus_arn = events.create_event_bus(Name=name)["EventBusArn"]
    events.put_rule(
        Name=name,
        EventBusName=name,
        EventPattern=json.dumps({"source": ["lambda"], "detail-type": ["Lambda Function Invocation Result - Success"]}),
    )
    events.put_targets(Rule=name, EventBusName=name, Targets=[{"Id": "q", "Arn": arn}])
    fn_arn = create(client, name, {"index.py": CODE})["FunctionArn"]
    client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": bus_arn}}
    )
    client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 2}))
    event = json.loads(_one(sqs, url)["Body"])
    assert event["resources"] == [bus_arn, f"{fn_arn}:$LATEST"]
    assert (
        event["detail"]["responsePayload"] == {"doubled": 4}
        and event["detail"]["requestContext"]["condition"] == "Success"
    )


def test_config_operations(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    _, first = _queue(sqs, f"{name}-a")
    _, second = _queue(sqs, f"{name}-b")
    fn_arn = create(client, name, {"index.py": CODE})["FunctionArn"]
    client.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": first}})
    updated = client.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": second}}
    )
    assert updated["DestinationConfig"] == {"OnSuccess": {"Destination": first}, "OnFailure": {"Destination": second}}
    assert (
        client.get_function_event_invoke_config(FunctionName=name)["DestinationConfig"] == updated["DestinationConfig"]
    )
    version = client.publish_version(FunctionName=name)["Version"]
    client.put_function_event_invoke_config(FunctionName=name, Qualifier=version, MaximumRetryAttempts=1)
    listed = client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert sorted(c["FunctionArn"] for c in listed) == sorted([f"{fn_arn}:$LATEST", f"{fn_arn}:{version}"])
    page = client.list_function_event_invoke_configs(FunctionName=name, MaxItems=1)
    assert len(page["FunctionEventInvokeConfigs"]) == 1 and page["NextMarker"]
    rest = client.list_function_event_invoke_configs(FunctionName=name, MaxItems=1, Marker=page["NextMarker"])
    assert len(rest["FunctionEventInvokeConfigs"]) == 1 and "NextMarker" not in rest
    expect_error(client.put_function_event_invoke_config, "InvalidParameterValueException", FunctionName=name,
                 DestinationConfig={"OnSuccess": {"Destination": f"{first}.fifo"}})  # fmt: skip
    expect_error(client.put_function_event_invoke_config, "InvalidParameterValueException", FunctionName=name,
                 DestinationConfig={"OnFailure": {"Destination": fn_arn}})  # fmt: skip
    expect_error(client.list_function_event_invoke_configs, "ResourceNotFoundException", FunctionName=f"{name}-missing")


def test_on_failure_record_to_sns_and_function_destination(aws: Callable[..., Any], name: str) -> None:
    client, sqs, sns = aws("lambda"), aws("sqs"), aws("sns")
    url, arn = _queue(sqs, f"{name}-via-sns")
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    # the OnSuccess destination is another function, invoked asynchronously with the record; it fails, and its own
    # OnFailure (the topic) receives a record whose request payload is the first function's record
    create(
        client,
        f"{name}-next",
        {
            "index.py": "def handler(event, context):\n"
            "    raise ValueError('next got ' + event['requestContext']['condition'])\n"
        },
    )
    client.put_function_event_invoke_config(
        FunctionName=f"{name}-next", MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": topic}}
    )
    next_arn = client.get_function(FunctionName=f"{name}-next")["Configuration"]["FunctionArn"]
    create(client, name, {"index.py": "def handler(event, context):\n    return {'first': True}\n"})
    client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": next_arn}}
    )
    client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"start": 1}')
    record = json.loads(_one(sqs, url)["Body"])
    assert (
        record["requestContext"]["functionArn"] == f"{next_arn}:$LATEST"
        and record["requestContext"]["condition"] == "RetriesExhausted"
    )
    assert record["responsePayload"]["errorMessage"] == "next got Success"
    assert record["requestPayload"]["responsePayload"] == {"first": True} and record["requestPayload"][
        "requestPayload"
    ] == {"start": 1}


def test_an_alias_has_its_own_event_invoke_config(aws: Callable[..., Any], name: str) -> None:
    client, sqs = aws("lambda"), aws("sqs")
    fail_url, fail_arn = _queue(sqs, f"{name}-fail")
    fn_arn = create(client, name, {"index.py": CODE})["FunctionArn"]
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    put = client.put_function_event_invoke_config(
        FunctionName=name,
        Qualifier="live",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": fail_arn}},
    )
    assert put["FunctionArn"] == f"{fn_arn}:live" and put["MaximumRetryAttempts"] == 0
    assert client.get_function_event_invoke_config(FunctionName=name, Qualifier="live")["DestinationConfig"][
        "OnFailure"
    ] == {"Destination": fail_arn}
    expect_error(
        client.get_function_event_invoke_config, "ResourceNotFoundException", FunctionName=name, Qualifier=version
    )  # none of its own
    listed = client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"] for c in listed] == [f"{fn_arn}:live"]
    # invoked through the alias, the alias's config applies: no retries, the failure record at once
    client.invoke(
        FunctionName=name, Qualifier="live", InvocationType="Event", Payload=json.dumps({"fail": "via alias"})
    )
    record = json.loads(_one(sqs, fail_url)["Body"])
    assert record["requestPayload"] == {"fail": "via alias"} and record["responseContext"]["executedVersion"] == version
    client.delete_alias(FunctionName=name, Name="live")
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    expect_error(
        client.get_function_event_invoke_config, "ResourceNotFoundException", FunctionName=name, Qualifier="live"
    )  # went with the alias
