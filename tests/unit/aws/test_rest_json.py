"""rest-json (protocols/rest.py, rest_json.py) against botocore: Lambda, API Gateway, IoT Data, Data Exchange."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gureum.aws.errors import ServiceError
from gureum.aws.http import Request
from gureum.aws.protocols import get_protocol
from gureum.aws.specs import load_spec

from ._shapes import Wire, top_level
from ._wire import client_error, client_request, client_roundtrip, operation, route, server_parse

UTC = dt.UTC
GENERATED = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
ARN = "arn:aws:lambda:us-east-1:000000000000:function:f"


SERVICES = ("lambda", "apigateway", "batch", "sesv2", "iot-data", "dataexchange", "lex-runtime")
# SendApiAsset's ResponseHeaders has the empty prefix: every response header (request id, content type) lands in it
EVERY_HEADER = {("dataexchange", "SendApiAsset")}


def _ops(*services: str) -> list[tuple[str, str]]:
    found = []
    for service in services:
        model = load_spec(service).model
        found += [
            (service, n) for n in sorted(model.operation_names) if not model.operation_model(n).has_event_stream_output
        ]
    return found


def test_create_function_body_and_201() -> None:
    params: dict[str, Any] = {
        "FunctionName": "f",
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::000000000000:role/r",
        "Handler": "app.handler",
        "Code": {"ZipFile": b"PK\x03\x04zip"},
        "Environment": {"Variables": {"A": "1", "B": "two"}},
        "Timeout": 30,
        "Publish": True,
        "Tags": {"team": "x"},
    }
    request = client_request("lambda", "CreateFunction", params)
    assert (request.method, request.path, request.content_type) == ("POST", "/2015-03-31/functions", "application/json")
    assert server_parse("lambda", "CreateFunction", params) == params
    op = operation("lambda", "CreateFunction")
    output = {
        "FunctionName": "f",
        "FunctionArn": ARN,
        "MemorySize": 128,
        "LastModified": "2024-01-01T00:00:00.000+0000",
    }
    response = get_protocol("rest-json").serialize(op, output, "rid")
    assert response.status == 201
    assert response.header("content-type") == "application/json"
    assert client_roundtrip("lambda", "CreateFunction", output) == output


def test_invoke_blob_payload_headers_and_status_code() -> None:
    params = {
        "FunctionName": ARN,
        "InvocationType": "RequestResponse",
        "LogType": "Tail",
        "Payload": b'{"in": 1}',
        "Qualifier": "$LATEST",
    }
    request = client_request("lambda", "Invoke", params)
    assert request.body == b'{"in": 1}'
    assert request.headers["x-amz-invocation-type"] == "RequestResponse"
    found = route("lambda", request)
    assert found.path_params == {"FunctionName": ARN}
    assert server_parse("lambda", "Invoke", params) == params

    log = base64.b64encode(b"START RequestId\nEND").decode()
    output = {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "LogResult": log,
        "ExecutedVersion": "$LATEST",
        "Payload": b'{"errorMessage": "x"}',
    }
    response = get_protocol("rest-json").serialize(operation("lambda", "Invoke"), output, "rid")
    assert response.body == b'{"errorMessage": "x"}'
    assert response.header("X-Amz-Function-Error") == "Unhandled"
    assert client_roundtrip("lambda", "Invoke", output) == output


def test_invoke_async_status_code_member_sets_the_status() -> None:
    response = get_protocol("rest-json").serialize(operation("lambda", "Invoke"), {"StatusCode": 202}, "rid")
    assert response.status == 202
    assert response.body == b""


def test_list_functions_query_string() -> None:
    params = {"MasterRegion": "ALL", "FunctionVersion": "ALL", "Marker": "a b&c=d", "MaxItems": 5}
    request = client_request("lambda", "ListFunctions", params)
    assert request.query["MaxItems"] == "5"
    assert server_parse("lambda", "ListFunctions", params) == params
    output = {"Functions": [{"FunctionName": "f", "Timeout": 3}], "NextMarker": "n"}
    assert client_roundtrip("lambda", "ListFunctions", output) == output


def test_get_function_uri_label_is_decoded() -> None:
    params = {"FunctionName": "my:func/with space", "Qualifier": "1"}
    request = client_request("lambda", "GetFunction", params)
    assert "%2F" in request.raw_path and "%20" in request.raw_path
    assert server_parse("lambda", "GetFunction", params) == params


def test_operation_without_output_has_no_body_and_its_response_code() -> None:
    response = get_protocol("rest-json").serialize(operation("lambda", "DeleteAlias"), None, "rid")
    assert (response.status, response.body) == (204, b"")
    response = get_protocol("rest-json").serialize(operation("lambda", "DeleteFunction"), {}, "rid")
    assert (response.status, response.body) == (200, b"")


def test_api_gateway_uses_wire_names_in_json_bodies() -> None:
    op = operation("apigateway", "GetRestApis")
    output = {
        "items": [{"id": "abc", "name": "api", "createdDate": dt.datetime(2024, 1, 1, tzinfo=UTC)}],
        "position": "p",
    }
    response = get_protocol("rest-json").serialize(op, output, "rid")
    doc = json.loads(response.body)
    assert doc["item"][0]["createdDate"] == 1704067200  # rest-json timestamps default to epoch seconds
    assert "items" not in doc
    assert client_roundtrip("apigateway", "GetRestApis", output) == output
    params = {"name": "api", "endpointConfiguration": {"types": ["REGIONAL"]}, "tags": {"k": "v"}}
    assert server_parse("apigateway", "CreateRestApi", params) == params


def test_api_gateway_query_map_takes_the_remaining_parameters() -> None:
    params = {
        "restApiId": "abc",
        "stageName": "prod",
        "exportType": "oas30",
        "parameters": {"extensions": "apigateway", "a b": "c&d"},
        "accepts": "application/yaml",
    }
    assert server_parse("apigateway", "GetExport", params) == params
    output = {
        "contentType": "application/yaml",
        "contentDisposition": 'attachment; filename="x.yaml"',
        "body": b"openapi: 3.0.1\n",
    }
    response = get_protocol("rest-json").serialize(operation("apigateway", "GetExport"), output, "rid")
    assert [v for k, v in response.headers if k.lower() == "content-type"] == ["application/yaml"]
    assert client_roundtrip("apigateway", "GetExport", output) == output


def test_iot_data_publish_jsonvalue_header() -> None:
    params: dict[str, Any] = {
        "topic": "a/b",
        "qos": 1,
        "retain": True,
        "payload": b"\x00raw",
        "userProperties": [{"k": "v"}, {"n": 1}],
    }
    request = client_request("iot-data", "Publish", params)
    assert json.loads(base64.b64decode(request.headers["x-amz-mqtt5-user-properties"])) == [{"k": "v"}, {"n": 1}]
    assert server_parse("iot-data", "Publish", params) == params


def test_data_exchange_header_prefix_map_and_string_payload() -> None:
    params = {
        "AssetId": "a",
        "DataSetId": "d",
        "RevisionId": "r",
        "Method": "POST",
        "Path": "/x",
        "RequestHeaders": {"accept": "text/plain", "x-custom": "1"},
        "QueryStringParameters": {"page": "2", "q": "a b"},
        "Body": "héllo",
    }
    assert server_parse("dataexchange", "SendApiAsset", params) == params


def test_header_lists_keep_quoted_commas() -> None:
    from gureum.aws.protocols.rest import header_text, split_header_list

    shape = load_spec("s3").model.operation_model("ListObjectsV2").input_shape.members["OptionalObjectAttributes"]
    text = header_text(shape, ["a,b", 'say "hi"', "plain"])
    assert text == '"a,b","say \\"hi\\"",plain'
    assert split_header_list(shape.member, text) == ["a,b", 'say "hi"', "plain"]
    dates = load_spec("s3").model.shape_for("LastModified")
    assert split_header_list(dates, "Mon, 01 Jan 2024 00:00:00 GMT, Tue, 02 Jan 2024 00:00:00 GMT") == [
        "Mon, 01 Jan 2024 00:00:00 GMT",
        "Tue, 02 Jan 2024 00:00:00 GMT",
    ]


def test_malformed_json_body_is_a_serialization_error() -> None:
    request = Request("POST", "/2015-03-31/functions", "", {"content-type": "application/json"}, b"{nope")
    with pytest.raises(ServiceError) as caught:
        get_protocol("rest-json").parse(request, operation("lambda", "CreateFunction"), {})
    assert caught.value.code == "SerializationException"


def test_modeled_error_reads_back_with_type_header_and_fields() -> None:
    error = ServiceError("Function not found: f", code="ResourceNotFoundException", status=404, fields={"Type": "User"})
    parsed = client_error("lambda", error, "GetFunction")
    assert parsed["Error"]["Code"] == "ResourceNotFoundException"
    assert parsed["Error"]["Message"] == "Function not found: f"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert parsed["Modeled"] == {"Type": "User", "Message": "Function not found: f"}


def test_unmodeled_error_and_extra_headers() -> None:
    error = ServiceError(
        "Rate exceeded",
        code="TooManyRequestsException",
        status=429,
        headers={"Retry-After": "3"},
        fields={"reason": "x"},
    )
    response = get_protocol("rest-json").serialize_error(error, "rid", spec=load_spec("apigateway"))
    assert response.header("x-amzn-ErrorType") == "TooManyRequestsException"
    assert response.header("Retry-After") == "3"
    assert json.loads(response.body) == {"message": "Rate exceeded", "reason": "x"}
    assert client_error("apigateway", error)["Error"]["Code"] == "TooManyRequestsException"


@pytest.mark.parametrize("service, name", _ops(*SERVICES))
@GENERATED
@given(data=st.data())
def test_every_request_round_trips(service: str, name: str, data: st.DataObject) -> None:
    op = operation(service, name)
    params = data.draw(top_level(op.input_shape, Wire("json"), op))
    assert server_parse(service, name, params) == params


@pytest.mark.parametrize("service, name", [op for op in _ops(*SERVICES) if op not in EVERY_HEADER])
@GENERATED
@given(data=st.data())
def test_every_response_round_trips(service: str, name: str, data: st.DataObject) -> None:
    op = operation(service, name)
    output = data.draw(top_level(op.output_shape, Wire("json", reply=True), op))
    assert client_roundtrip(service, name, output) == output
