"""HTTP APIs' AWS service integrations (AWS_PROXY with an IntegrationSubtype): a route sends to SQS, puts events on
a bus and records on a Kinesis stream with its RequestParameters mapped from the request, as the integration's role;
the client gets the service's answer; subtypes are checked when the integration is made."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from ...expect import expect_error
from ..events._helpers import queue, receive, rule_to_queue
from .helpers import stage_url

ROLE = "arn:aws:iam::000000000000:role/http-api-integrations"


def _route(gw: Any, api_id: str, route_key: str, subtype: str, parameters: dict[str, str]) -> None:
    integration = gw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype=subtype, PayloadFormatVersion="1.0",
        CredentialsArn=ROLE, RequestParameters=parameters,
    )["IntegrationId"]  # fmt: skip
    gw.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration}")


def test_routes_call_sqs_eventbridge_and_kinesis(aws: Callable[..., Any], endpoint: str, sqs: Any, name: str) -> None:
    gw, events, kinesis = aws("apigatewayv2"), aws("events"), aws("kinesis")
    url, _ = queue(sqs, name)
    bus_url, _ = rule_to_queue(events, sqs, f"{name}-bus", {"source": ["shop.http"]})
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2})
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    _route(gw, api_id, "POST /orders", "SQS-SendMessage", {
        "QueueUrl": url, "MessageBody": "$request.body.order", "DelaySeconds": "0",
        "MessageAttributes": '{"channel": {"DataType": "String", "StringValue": "http"}}',
    })  # fmt: skip
    _route(gw, api_id, "POST /events", "EventBridge-PutEvents", {
        "Source": "shop.http", "DetailType": "$request.header.x-kind", "Detail": "$request.body",
    })  # fmt: skip
    _route(gw, api_id, "POST /clicks/{user}", "Kinesis-PutRecord", {
        "StreamName": name, "Data": "$request.body", "PartitionKey": "$request.path.user",
    })  # fmt: skip
    gw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    base = stage_url(endpoint, api_id, "$default")
    sent = httpx.post(f"{base}/orders", json={"order": "two lattes"})
    assert sent.status_code == 200 and sent.json()["MessageId"], sent.text
    [message] = receive(sqs, url, MessageAttributeNames=["All"])
    assert message["Body"] == "two lattes" and message["MessageId"] == sent.json()["MessageId"]
    assert message["MessageAttributes"]["channel"]["StringValue"] == "http"
    put = httpx.post(f"{base}/events", json={"sku": 7}, headers={"x-kind": "OrderPlaced"})
    assert put.status_code == 200 and put.json()["FailedEntryCount"] == 0, put.text
    [event] = receive(sqs, bus_url)
    body = json.loads(event["Body"])
    assert body["detail-type"] == "OrderPlaced" and body["detail"] == {"sku": 7}
    recorded = httpx.post(f"{base}/clicks/u-1", content=b"clicked")
    assert recorded.status_code == 200 and recorded.json()["ShardId"] == "shardId-000000000000", recorded.text
    shard = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )
    [record] = kinesis.get_records(ShardIterator=shard["ShardIterator"])["Records"]
    assert record["Data"] == b"clicked" and record["PartitionKey"] == "u-1"
    # the service's own error comes back as the service gave it
    gone = httpx.post(f"{base}/orders", json={})  # no body.order: an empty MessageBody, which SQS refuses
    assert gone.status_code == 400 and "MessageBody" in gone.text


def test_subtypes_checked(aws: Callable[..., Any], name: str) -> None:
    gw = aws("apigatewayv2")
    api_id = gw.create_api(Name=name, ProtocolType="HTTP")["ApiId"]

    def create(subtype: str, parameters: dict[str, str], **more: Any) -> None:
        gw.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationSubtype=subtype, CredentialsArn=ROLE,
            RequestParameters=parameters, **{"PayloadFormatVersion": "1.0", **more},
        )  # fmt: skip

    error = expect_error(create, "BadRequestException", subtype="SQS-SendMessage", parameters={"QueueUrl": "q"})
    assert "MessageBody" in error["Message"]
    error = expect_error(
        create, "BadRequestException", subtype="SQS-SendMessage",
        parameters={"QueueUrl": "q", "MessageBody": "m", "Colour": "red"},
    )  # fmt: skip
    assert "Colour" in error["Message"]
    expect_error(create, "BadRequestException", subtype="SQS-Explode", parameters={"QueueUrl": "q"})
    error = expect_error(create, "BadRequestException", subtype="StepFunctions-StartExecution", parameters={})
    assert "not served" in error["Message"]
    expect_error(
        create, "BadRequestException", subtype="SQS-PurgeQueue", parameters={"QueueUrl": "q"},
        PayloadFormatVersion="2.0",
    )  # fmt: skip
