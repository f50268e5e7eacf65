"""Non-proxy integrations: VTL mapping templates, integration responses by selectionPattern, passthrough
behaviour, CORS through MOCK, request validators with models, and an SQS service integration."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from .helpers import Api, function, lambda_uri, stage_url

CALC = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("BadInput: " + event["fail"])
    return {"sum": event["a"] + event["b"], "who": event["who"], "ua": event["ua"]}
"""


def test_lambda_with_mapping_templates_and_selection_patterns(
    aws: Callable[..., Any], endpoint: str, name: str
) -> None:
    arn = function(aws, name, CALC)
    api = Api(aws("apigateway"), name)
    request_template = (
        "#set($body = $input.path('$'))\n"
        '{"a": $body.a, "b": $input.json(\'$.b\'), "who": "$util.escapeJavaScript($input.params(\'who\'))", '
        '"ua": "$context.stage/$context.httpMethod",\n'
        ' #if($body.fail)"fail": "$body.fail"#else"ok": true#end}'
    )
    api.method(
        "/calc",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": lambda_uri(arn),
            "requestTemplates": {"application/json": request_template},
            "passthroughBehavior": "WHEN_NO_TEMPLATES",
        },
    )
    api.respond(
        "/calc",
        "POST",
        "200",
        responseTemplates={
            "application/json": "{\"result\": $input.json('$.sum'), \"who\": $input.json('$.who'), "
            '"ctx": "$input.path(\'$.ua\')"}'
        },
        responseParameters={"method.response.header.X-Sum": "integration.response.body.sum"},
    )
    api.respond(
        "/calc",
        "POST",
        "400",
        selectionPattern="BadInput: .*",
        responseTemplates={
            "application/json": '#set($e = $util.parseJson($input.json(\'$.errorMessage\')))\n{"error": "$e"}'
        },
    )
    # a binary body turned into base64 text for the template (contentHandling CONVERT_TO_TEXT)
    api.method(
        "/bin",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": lambda_uri(arn),
            "contentHandling": "CONVERT_TO_TEXT",
            "requestTemplates": {"application/octet-stream": '{"a": 0, "b": 0, "who": "$input.body", "ua": ""}'},
        },
    )
    api.respond("/bin", "POST", "200", responseTemplates={"application/json": "{\"base64\": $input.json('$.who')}"})
    api.deploy("v1")
    r = httpx.post(
        stage_url(endpoint, api.id, "v1", "/bin"),
        content=b"\x00\xffbin",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 200 and base64.b64decode(r.json()["base64"]) == b"\x00\xffbin", r.text
    url = stage_url(endpoint, api.id, "v1", "/calc")
    r = httpx.post(url, params={"who": 'Say "hi"'}, json={"a": 2, "b": 3})
    assert r.status_code == 200, r.text
    assert r.json() == {"result": 5, "who": 'Say "hi"', "ctx": "v1/POST"} and r.headers["x-sum"] == "5"
    r = httpx.post(url, json={"a": 1, "b": 1, "fail": "negative"})
    assert r.status_code == 400 and r.json() == {"error": "BadInput: negative"}
    r = httpx.post(url, content=b"a=1", headers={"Content-Type": "text/plain"})  # templates exist, none for text/plain
    assert r.status_code == 415 and r.json() == {"message": "Unsupported Media Type"}


def test_asynchronous_lambda_integration(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    """X-Amz-Invocation-Type 'Event' mapped onto the integration request: the function runs later; the client gets
    202."""
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    code = (
        f"import boto3, json\ndef handler(event, context):\n"
        f"    boto3.client('sqs').send_message(QueueUrl='{queue_url}', MessageBody=json.dumps(event))\n"
    )
    arn = function(aws, name, code)
    api = Api(aws("apigateway"), name)
    api.method(
        "/jobs",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": lambda_uri(arn),
            "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
            "requestTemplates": {"application/json": '{"job": $input.json(\'$.job\'), "stage": "$context.stage"}'},
        },
    )
    api.respond("/jobs", "POST", "202", responseTemplates={"application/json": '{"queued": true}'})
    api.deploy()
    r = httpx.post(stage_url(endpoint, api.id, "test", "/jobs"), json={"job": 7})
    assert r.status_code == 202 and r.json() == {"queued": True}, r.text
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"job": 7, "stage": "test"}


def test_mock_cors_and_response_override(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    api = Api(aws("apigateway"), name)
    api.method("/things", "OPTIONS", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond(
        "/things",
        "OPTIONS",
        "200",
        responseTemplates={"application/json": ""},
        responseParameters={
            "method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
            "method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
        },
    )
    api.method(
        "/things",
        "GET",
        {
            "type": "MOCK",
            "requestTemplates": {
                "application/json": '#if($input.params("mode") == "missing"){"statusCode": 404}'
                '#else{"statusCode": 200}#end'
            },
        },
    )
    api.respond(
        "/things",
        "GET",
        "200",
        responseTemplates={
            "application/json": "#set($context.responseOverride.status = 202)\n"
            '{"mode": "$input.params(\'mode\')", "requestId": "$context.requestId"}'
        },
    )
    api.respond(
        "/things",
        "GET",
        "404",
        selectionPattern="404",
        responseTemplates={"application/json": '{"message": "no such thing"}'},
    )
    api.deploy()
    url = stage_url(endpoint, api.id, "test", "/things")
    r = httpx.options(url)
    assert r.status_code == 200 and r.content == b""
    assert (
        r.headers["access-control-allow-origin"] == "*" and r.headers["access-control-allow-methods"] == "GET,OPTIONS"
    )
    r = httpx.get(url, params={"mode": "fast"})
    assert r.status_code == 202 and r.json() == {"mode": "fast", "requestId": r.headers["x-amzn-requestid"]}
    r = httpx.get(url, params={"mode": "missing"})
    assert r.status_code == 404 and r.json() == {"message": "no such thing"}


def test_request_validation(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string", "minLength": 2}, "age": {"type": "integer", "minimum": 0}},
    }
    client.create_model(restApiId=api.id, name="Pet", contentType="application/json", schema=json.dumps(schema))
    validator = client.create_request_validator(
        restApiId=api.id, name="all", validateRequestBody=True, validateRequestParameters=True
    )["id"]
    api.method(
        "/pets",
        "POST",
        {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        requestValidatorId=validator,
        requestModels={"application/json": "Pet"},
        requestParameters={"method.request.querystring.owner": True, "method.request.header.X-Trace": False},
    )
    api.respond("/pets", "POST", responseTemplates={"application/json": '{"ok": true}'})
    api.deploy()
    url = stage_url(endpoint, api.id, "test", "/pets")
    assert httpx.post(url, params={"owner": "me"}, json={"name": "Rex", "age": 3}).json() == {"ok": True}
    r = httpx.post(url, json={"name": "Rex"})
    assert r.status_code == 400 and r.json() == {"message": "Missing required request parameters: [owner]"}
    for bad in ({"age": 3}, {"name": "R"}, {"name": "Rex", "age": -1}):
        r = httpx.post(url, params={"owner": "me"}, json=bad)
        assert r.status_code == 400 and r.json() == {"message": "Invalid request body"}, bad
    r = httpx.post(url, params={"owner": "me"}, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json() == {"message": "Invalid request body"}


def test_sqs_service_integration(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    api = Api(aws("apigateway"), name)
    api.method(
        "/enqueue",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": f"arn:aws:apigateway:us-east-1:sqs:path/000000000000/{name}",
            "credentials": "arn:aws:iam::000000000000:role/apigw-sqs",
            "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
            "requestTemplates": {
                "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
                "&MessageAttribute.1.Name=stage&MessageAttribute.1.Value.StringValue=$context.stage"
                "&MessageAttribute.1.Value.DataType=String"
            },
        },
    )
    api.respond(
        "/enqueue",
        "POST",
        responseParameters={"method.response.header.Content-Type": "integration.response.header.Content-Type"},
    )
    api.respond(
        "/enqueue",
        "POST",
        "500",
        selectionPattern="5\\d\\d|4\\d\\d",
        responseTemplates={"application/json": '{"failed": true}'},
    )
    api.deploy("live")
    r = httpx.post(stage_url(endpoint, api.id, "live", "/enqueue"), json={"order": 17, "note": "a&b=c"})
    assert r.status_code == 200, r.text
    message_id = re.search(r"<MessageId>([^<]+)</MessageId>", r.text).group(1)  # SQS's own answer, passed through
    got = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"], WaitTimeSeconds=2)["Messages"]
    assert got[0]["MessageId"] == message_id and json.loads(got[0]["Body"]) == {"order": 17, "note": "a&b=c"}
    assert got[0]["MessageAttributes"]["stage"]["StringValue"] == "live"
