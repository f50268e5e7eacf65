"""Outbox hops continue the producer's trace: an EventBridge rule's Lambda target and an asynchronous Invoke record a
delivery segment per attempt with its fate (delivered, dead-lettered) under the producer's segment, and the
function's segment hangs under the attempt's; an SQS → Lambda event source mapping continues the first record's
AWSTraceHeader; an SNS topic with active tracing starts a trace; a schedule's firing is a trace of its own."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from ..services.lambda_.zips import create
from ..services.scheduler._helpers import at_in

OK = "def handler(event, context):\n    return {'ok': True}\n"
FAIL = "def handler(event, context):\n    raise ValueError('no thanks')\n"


def _header(client: Any, operation: str, trace_id: str, parent: str) -> None:
    def add(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = f"Root={trace_id};Parent={parent};Sampled=1"

    client.meta.events.register(f"before-sign.{operation}", add)


def _trace_id() -> str:
    return f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"


def _segments(xray: Any, trace_id: str, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    deadline = time.time() + 20
    while True:
        traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
        segments = [json.loads(s["Document"]) for t in traces for s in t["Segments"]]
        if done(segments) or time.time() > deadline:
            return segments
        time.sleep(0.2)


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_rule_target_failing_into_dead_letter_is_one_trace(aws: Any, name: str) -> None:
    lam, events, sqs, xray = aws("lambda"), aws("events"), aws("sqs"), aws("xray")
    dlq_url, dlq_arn = _queue(sqs, f"{name}-dlq")
    fn = create(lam, name, {"index.py": FAIL}, DeadLetterConfig={"TargetArn": dlq_arn})["FunctionArn"]
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": fn}])

    trace_id, parent = _trace_id(), secrets.token_hex(8)
    _header(events, "events.PutEvents", trace_id, parent)
    events.put_events(Entries=[{"Source": name, "DetailType": "t", "Detail": "{}"}])
    events.put_events(Entries=[{"Source": "someone-else", "DetailType": "t", "Detail": "{}"}])  # no match, no hop
    got = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=20)
    assert len(got["Messages"]) == 1

    segments = _segments(xray, trace_id, lambda s: any(d["annotations"].get("fate") for d in s) and len(s) >= 4)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for doc in segments:
        by_name.setdefault(doc["name"], []).append(doc)
    put = by_name["EventBridge"]
    assert [d["parent_id"] for d in put] == [parent, parent]
    (attempt,) = by_name["delivery lambda-event"]
    assert attempt["parent_id"] in {d["id"] for d in put}
    assert attempt["resource_arn"] == fn
    assert attempt["annotations"] == {"attempt": 1, "fate": "dead-lettered"}
    assert attempt["error"] is True and "Unhandled" in attempt["cause"]["exceptions"][0]["message"]
    (function,) = by_name[name]
    assert function["parent_id"] == attempt["id"] and function["error"] is True
    assert attempt["start_time"] <= function["start_time"] <= function["end_time"] <= attempt["end_time"]
    assert not [d for d in segments if d["annotations"].get("fate") == "filtered"]


def test_async_invoke_and_event_source_mapping_continue_the_trace(aws: Any, name: str) -> None:
    lam, sqs, xray = aws("lambda"), aws("sqs"), aws("xray")
    create(lam, name, {"index.py": OK})
    trace_id, parent = _trace_id(), secrets.token_hex(8)
    _header(lam, "lambda.Invoke", trace_id, parent)
    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    segments = _segments(xray, trace_id, lambda s: len(s) >= 3)
    invoke, attempt, function = sorted(segments, key=lambda d: d["start_time"])
    assert (invoke["name"], invoke["parent_id"]) == ("Lambda", parent)
    assert attempt["parent_id"] == invoke["id"]
    assert attempt["annotations"] == {"attempt": 1, "fate": "delivered"} and "error" not in attempt
    assert function["parent_id"] == attempt["id"] and function["origin"] == "AWS::Lambda::Function"

    # SQS → Lambda: the mapping's invocation continues the first record's AWSTraceHeader
    url, arn = _queue(sqs, name)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)["UUID"]
    consumer_trace, producer = _trace_id(), secrets.token_hex(8)
    sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageSystemAttributes={
            "AWSTraceHeader": {
                "DataType": "String",
                "StringValue": f"Root={consumer_trace};Parent={producer};Sampled=1",
            }
        },
    )
    segments = _segments(xray, consumer_trace, lambda s: any(d["name"] == name for d in s))
    (function,) = [d for d in segments if d["name"] == name]
    assert function["parent_id"] == producer
    lam.delete_event_source_mapping(UUID=mapping)


def test_sns_active_tracing_starts_a_trace(aws: Any, name: str) -> None:
    sns, sqs, xray = aws("sns"), aws("sqs"), aws("xray")
    url, arn = _queue(sqs, name)
    passthrough = sns.create_topic(Name=f"{name}-p")["TopicArn"]
    active = sns.create_topic(Name=name, Attributes={"TracingConfig": "Active"})["TopicArn"]
    for topic in (passthrough, active):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        sns.publish(TopicArn=topic, Message=topic)  # no X-Amzn-Trace-Id from this caller
    got = {}
    for _ in range(5):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]).get(
            "Messages", []
        ):
            got[m["Body"]] = m["Attributes"].get("AWSTraceHeader")
        if len(got) == 2:
            break
    assert got[passthrough] is None  # the caller decided nothing and the topic passes that on
    header = got[active]
    assert header is not None and header.endswith(";Sampled=1")
    root, parent = (field.split("=")[1] for field in header.split(";")[:2])
    (topic_segment,) = _segments(xray, root, lambda s: len(s) >= 1)
    assert topic_segment["id"] == parent and topic_segment["origin"] == "AWS::SNS::Topic"
    assert topic_segment["name"] == name and topic_segment["resource_arn"] == active


def test_schedule_firing_starts_its_own_trace(aws: Any, name: str) -> None:
    lam, scheduler, xray = aws("lambda"), aws("scheduler"), aws("xray")
    fn = create(lam, name, {"index.py": OK})["FunctionArn"]
    trace_id, parent = _trace_id(), secrets.token_hex(8)
    _header(scheduler, "scheduler.CreateSchedule", trace_id, parent)  # the firing is not part of this call's trace
    started = time.time()
    scheduler.create_schedule(Name=name, ScheduleExpression=at_in(1), FlexibleTimeWindow={"Mode": "OFF"},
                              Target={"Arn": fn, "RoleArn": "arn:aws:iam::000000000000:role/scheduler"})  # fmt: skip
    function: dict[str, Any] | None = None
    while function is None and time.time() < started + 20:
        summaries = xray.get_trace_summaries(StartTime=started - 1, EndTime=time.time() + 1)["TraceSummaries"]
        ids = [s["Id"] for s in summaries if s["Id"] != trace_id][:5]
        for t in xray.batch_get_traces(TraceIds=ids)["Traces"] if ids else []:
            docs = {d["id"]: d for d in (json.loads(s["Document"]) for s in t["Segments"])}
            found = next((d for d in docs.values() if d["name"] == name), None)
            if found is not None:
                chain = [found]
                while "parent_id" in chain[-1] and chain[-1]["parent_id"] in docs:
                    chain.append(docs[chain[-1]["parent_id"]])
                if "parent_id" not in chain[-1]:  # the whole chain is recorded (its segments arrive one by one)
                    function = found
                    break
        time.sleep(0.3)
    assert function is not None, "the firing's invocation was not traced back to its schedule"
    assert [(d["name"], d.get("annotations", {}).get("fate")) for d in chain] == [
        (name, None),
        ("delivery lambda-event", "delivered"),
        ("delivery scheduler-fire", "delivered"),
    ]
    assert chain[-1]["resource_arn"].endswith(f":schedule/default/{name}") and function["trace_id"] != trace_id
