"""The hostile inputs issue 13 found, each replayed through a real client: none may stall the server or answer
500. ReDoS in CloudWatch Logs filter patterns and in wildcards; lone surrogates; JSON nested 1,000-2,000
levels; a regex of 500 nested groups; numbers, base64 and timestamps no model type can hold.

After each, the health endpoint must answer within a second (the event loop kept turning)."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..server import Server
from ._wire import ACCOUNT, Answer, assert_responsive, authorization, error_code, send

DEEP_OBJECT = '{"a":' * 1500 + "1" + "}" * 1500
DEEP_LIST = "[" * 2000 + "]" * 2000


@pytest.fixture(autouse=True)
def _still_responsive(server: Server) -> Iterator[None]:
    yield
    assert_responsive(server.port)


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _json(server: Server, target: str, service: str, doc: Any, version: str = "1.1", raw: str | None = None) -> Answer:
    body = raw.encode() if raw is not None else json.dumps(doc).encode()
    headers = {
        "X-Amz-Target": target,
        "Content-Type": f"application/x-amz-json-{version}",
        "Authorization": authorization(service),
    }
    return send(server.port, "POST", "/", body, headers)


def _query(server: Server, service: str, params: dict[str, str], version: str) -> Answer:
    body = urllib.parse.urlencode({**params, "Version": version}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": authorization(service)}
    return send(server.port, "POST", "/", body, headers)


def _rest(server: Server, method: str, path: str, service: str, body: str) -> Answer:
    headers = {"Content-Type": "application/json", "Authorization": authorization(service)}
    return send(server.port, method, path, body.encode(), headers)


def _client_error(answer: Answer, protocol: str) -> str:
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    return error_code(protocol, answer)


# --- ReDoS ---------------------------------------------------------------------------------------------


def test_logs_regex_that_froze_the_server(aws: Callable[..., Any]) -> None:
    """%(a+)+$% on "aaaa…a!" froze every service for over 10 minutes: AWS accepts no groups at all."""
    logs = aws("logs")
    with pytest.raises(ClientError) as error:
        logs.test_metric_filter(filterPattern="%(a+)+$%", logEventMessages=["a" * 40 + "!"])
    assert _code(error) == "InvalidParameterException" and "Invalid character(s) in term" in str(error.value)
    started = time.monotonic()
    matches = logs.test_metric_filter(
        filterPattern="%a+a+a+a+a+a+a+a+a+$%", logEventMessages=["a" * 40 + "!", "a" * 50_000 + "!", "a" * 10]
    )["matches"]
    assert [m["eventNumber"] for m in matches] == [3]
    assert time.monotonic() - started < 10


def test_logs_json_wildcard_that_stalled_the_server(aws: Callable[..., Any]) -> None:
    started = time.monotonic()
    matches = aws("logs").test_metric_filter(
        filterPattern='{ $.a = "*a*a*a*a*a*a*a*a*b" }',
        logEventMessages=[json.dumps({"a": "a" * 80}), json.dumps({"a": "a" * 100_000}), '{"a": "aaaaaaaab"}'],
    )["matches"]
    assert [m["eventNumber"] for m in matches] == [3]
    assert time.monotonic() - started < 10


def test_filter_log_events_with_heavy_patterns(aws: Callable[..., Any], name: str) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    now = int(time.time() * 1000)
    events = [{"timestamp": now + i, "message": "a" * 20_000 + "!"} for i in range(50)]
    logs.put_log_events(logGroupName=name, logStreamName="s", logEvents=events)
    started = time.monotonic()
    for pattern in ("%a+a+a+a+a+a+a+a+$%", '"a*a*a*a*a*a*a*b"', "[x=*a*a*a*a*a*a*b]"):
        assert logs.filter_log_events(logGroupName=name, filterPattern=pattern)["events"] == []
    assert time.monotonic() - started < 15
    with pytest.raises(ClientError) as error:  # 500 nested groups were a 500 (Python's re gave up)
        logs.filter_log_events(logGroupName=name, filterPattern="%" + "(" * 500 + "a" + ")" * 500 + "%")
    assert _code(error) == "InvalidParameterException"


def test_eventbridge_wildcards_and_or_expansion(aws: Callable[..., Any], name: str) -> None:
    events = aws("events")
    started = time.monotonic()
    pattern = json.dumps({"detail": {"a": [{"wildcard": "*a*a*a*a*b"}]}})
    event = json.dumps(
        {
            "id": "1",
            "source": "s",
            "detail-type": "t",
            "account": "000000000000",
            "region": "us-east-1",
            "time": "2024-01-01T00:00:00Z",
            "resources": [],
            "detail": {"a": "a" * 200_000},
        }
    )
    assert events.test_event_pattern(EventPattern=pattern, Event=event)["Result"] is False
    assert time.monotonic() - started < 10
    ors = "{" + ",".join(f'"$or":[{{"a{i}":[1]}},{{"b{i}":[1]}}]' for i in range(60)) + "}"
    started = time.monotonic()
    with pytest.raises(ClientError) as error:  # 2**60 branches before the cap
        events.put_rule(Name=name, EventPattern=ors)
    assert _code(error) == "InvalidEventPatternException" and time.monotonic() - started < 10


# --- lone surrogates -------------------------------------------------------------------------------------


def test_lone_surrogate_in_json_protocols(aws: Callable[..., Any]) -> None:
    """The validation error echoing "\\ud800" could not be encoded: a 500 with a plain-text body."""
    with pytest.raises(ClientError) as error:
        aws("events").put_rule(Name="\ud800", ScheduleExpression="rate(1 minute)")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert _code(error) == "SerializationException"
    with pytest.raises(ClientError) as error:
        aws("logs").create_log_group(logGroupName="\ud800")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as error:  # rest-json: in the body (a URI cannot carry one)
        aws("lambda").create_function(FunctionName="f", Role="r\udfff", Code={"ZipFile": b"x"})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # a well-formed pair is an ordinary character
    with pytest.raises(ClientError) as error:
        aws("events").put_rule(Name="\U0001f600", ScheduleExpression="rate(1 minute)")
    assert _code(error) == "ValidationException"


def test_surrogates_in_every_protocol(server: Server) -> None:
    escaped = '{"Name":"\\ud800x","ScheduleExpression":"rate(1 minute)"}'
    assert _client_error(_json(server, "AWSEvents.PutRule", "events", None, raw=escaped), "json")
    assert _client_error(_rest(server, "POST", "/restapis", "apigateway", '{"name":"\\udc00"}'), "rest-json")
    # the query protocol reads percent-encoded bytes: an encoded surrogate is invalid UTF-8, read as U+FFFD
    form = "Action=CreateTopic&Version=2010-03-31&Name=%ED%A0%80"
    answer = send(
        server.port,
        "POST",
        "/",
        form.encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": authorization("sns")},
    )
    assert _client_error(answer, "query") == "InvalidParameter"


# --- deep nesting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [DEEP_OBJECT, DEEP_LIST], ids=["object", "list"])
def test_deep_json_bodies(server: Server, doc: str) -> None:
    sqs = _json(server, "AmazonSQS.CreateQueue", "sqs", None, "1.0", raw='{"QueueName":"q","Attributes":' + doc + "}")
    assert _client_error(sqs, "json") == "SerializationException"
    put_events = _json(server, "AWSEvents.PutEvents", "events", None, raw='{"Entries":' + doc + "}")
    assert _client_error(put_events, "json") == "SerializationException"
    create_function = _rest(
        server, "POST", "/2015-03-31/functions", "lambda", '{"FunctionName":"f","Tags":' + doc + "}"
    )
    assert _client_error(create_function, "rest-json")
    create_rest_api = _rest(server, "POST", "/restapis", "apigateway", '{"name":"x","tags":' + doc + "}")
    assert _client_error(create_rest_api, "rest-json")


def test_json_nested_just_within_the_limit_is_parsed(aws: Callable[..., Any], name: str) -> None:
    """A document nested 200 levels (past anything AWS defines, within gureum's bound) is still served."""
    nested: Any = "x"
    for _ in range(200):
        nested = {"a": nested}
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(nested))
    assert json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]) == nested


def test_deep_detail_in_put_events(aws: Callable[..., Any]) -> None:
    try:
        result = aws("events").put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": DEEP_OBJECT}])
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    else:
        assert result["Entries"][0].get("ErrorCode") == "MalformedDetail"  # AWS's per-entry answer


def test_deep_sns_policy_attribute(aws: Callable[..., Any], name: str) -> None:
    with pytest.raises(ClientError) as error:
        aws("sns").create_topic(Name=name, Attributes={"Policy": DEEP_OBJECT})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_deep_lambda_invoke_payload(aws: Callable[..., Any], name: str) -> None:
    from ..services.lambda_.zips import create

    client = aws("lambda")
    create(client, name, {"index.py": "def handler(event, context):\n    return 'ok'\n"})
    with pytest.raises(ClientError) as error:
        client.invoke(FunctionName=name, Payload=DEEP_OBJECT.encode())
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    ("service", "params"),
    [
        ("iam", {"Action": "PutUserPolicy", "UserName": "u", "PolicyName": "p", "PolicyDocument": DEEP_LIST}),
        (
            "sns",
            {
                "Action": "PutDataProtectionPolicy",
                "ResourceArn": "arn:aws:sns:us-east-1:1:t",
                "DataProtectionPolicy": DEEP_LIST,
            },
        ),
    ],
    ids=["iam-policy", "sns-data-protection"],
)
def test_deep_policy_documents_in_query_services(server: Server, service: str, params: dict[str, str]) -> None:
    versions = {"iam": "2010-05-08", "sns": "2010-03-31"}
    assert _client_error(_query(server, service, params, versions[service]), "query")


def test_deep_sqs_queue_policy(aws: Callable[..., Any], name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": DEEP_LIST})
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_deep_openapi_import(server: Server) -> None:
    assert _client_error(_rest(server, "POST", "/restapis?mode=import", "apigateway", DEEP_OBJECT), "rest-json")


@pytest.mark.parametrize("query", ["nextToken=%3A", "maxResults=%3A"])
def test_invalid_paging_parameters(server: Server, query: str) -> None:
    answer = send(server.port, "GET", f"/v2/apis?{query}", b"", {"Authorization": authorization("apigateway")})
    assert _client_error(answer, "rest-json")


def test_nul_characters(server: Server, store_kind: str) -> None:
    """PostgreSQL text cannot hold NUL: each place answers the same 400 on both store kinds."""
    lookup = _json(server, "AmazonSQS.GetQueueUrl", "sqs", {"QueueName": "a\u0000"}, "1.0")
    assert 400 <= lookup.status < 500, lookup
    rule = {"Name": f"nul-{store_kind}", "ScheduleExpression": "rate(1 minute)", "Description": "d\u0000"}
    assert _json(server, "AWSEvents.PutRule", "events", rule).status < 500


# --- numbers, base64, timestamps ------------------------------------------------------------------------


def test_numbers_no_model_type_holds(server: Server) -> None:
    for raw in ("1e400", "-1e400", "NaN", "Infinity", "1" * 40, str(2**31), "9" * 5000):
        answer = _json(server, "AWSEvents.ListRules", "events", None, raw='{"Limit":' + raw + "}")
        assert _client_error(answer, "json") == "SerializationException", raw
    for raw in ("9" * 40, "1e999", "nan"):
        answer = _query(server, "sqs", {"Action": "ListQueues", "MaxResults": raw}, "2012-11-05")
        assert _client_error(answer, "query"), raw


def test_invalid_base64_and_timestamps(server: Server, aws: Callable[..., Any], name: str) -> None:
    url = aws("sqs", access_key=ACCOUNT).create_queue(QueueName=name)["QueueUrl"]
    attribute = {"a": {"DataType": "Binary", "BinaryValue": "!!!not base64"}}
    send_message = _json(
        server,
        "AmazonSQS.SendMessage",
        "sqs",
        {"QueueUrl": url, "MessageBody": "x", "MessageAttributes": attribute},
        "1.0",
    )
    assert _client_error(send_message, "json") == "SerializationException"
    for stamp in ("1e20", "-1e20", '"yesterday"', '"2024-13-45T99:99:99Z"', "1e400"):
        raw = '{"Entries":[{"Source":"s","DetailType":"t","Detail":"{}","Time":' + stamp + "}]}"
        assert _client_error(_json(server, "AWSEvents.PutEvents", "events", None, raw=raw), "json"), stamp
    form = {
        "Action": "SendMessage",
        "QueueUrl": url,
        "MessageBody": "x",
        "MessageAttribute.1.Name": "a",
        "MessageAttribute.1.Value.DataType": "Binary",
        "MessageAttribute.1.Value.BinaryValue": "!!!",
    }
    assert _client_error(_query(server, "sqs", form, "2012-11-05"), "query")
