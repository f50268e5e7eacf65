"""Edge behaviours: integration timeout, payload limit, customised gateway responses, HTTP integrations, and the
SNS and EventBridge service integrations."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from ...expect import expect_error
from .helpers import Api, function, stage_url

SLOW = """
import time
def handler(event, context):
    time.sleep(2)
    return {"statusCode": 200, "body": "late"}
"""


def test_timeout_payload_limit_and_gateway_responses(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    arn = function(aws, name, SLOW)
    aws("lambda").update_function_configuration(FunctionName=name, Timeout=5)
    api = Api(client, name)
    resource = api.lambda_proxy("/slow", "GET", arn)
    client.update_integration(
        restApiId=api.id,
        resourceId=resource,
        httpMethod="GET",
        patchOperations=[{"op": "replace", "path": "/timeoutInMillis", "value": "500"}],
    )
    api.method("/echo", "POST", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond("/echo", "POST", responseTemplates={"application/json": '{"ok": true}'})
    client.put_gateway_response(
        restApiId=api.id,
        responseType="MISSING_AUTHENTICATION_TOKEN",
        statusCode="404",
        responseParameters={"gatewayresponse.header.X-Why": "'no route'"},
        responseTemplates={
            "application/json": '{"error": $context.error.messageString, "type": "$context.error.responseType"}'
        },
    )
    client.put_gateway_response(
        restApiId=api.id,
        responseType="DEFAULT_5XX",
        responseTemplates={"application/json": '{"oops": $context.error.messageString}'},
    )
    api.deploy()
    r = httpx.get(stage_url(endpoint, api.id, "test", "/slow"), timeout=10)
    assert r.status_code == 504 and r.json() == {"oops": "Endpoint request timed out"}
    r = httpx.post(
        stage_url(endpoint, api.id, "test", "/echo"),
        content=b"x" * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert httpx.post(stage_url(endpoint, api.id, "test", "/echo"), json={}).json() == {"ok": True}
    r = httpx.get(stage_url(endpoint, api.id, "test", "/nothing/here"))
    assert r.status_code == 404 and r.headers["x-why"] == "no route"
    assert r.json() == {"error": "Missing Authentication Token", "type": "MISSING_AUTHENTICATION_TOKEN"}


def test_http_integrations(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    """HTTP_PROXY and HTTP integrations, pointed at gureum's own health endpoint and at another stage."""
    client = aws("apigateway")
    backend = Api(client, name + "-backend")
    backend.method(
        "/echo/{word}", "POST", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    )
    backend.respond(
        "/echo/{word}",
        "POST",
        responseTemplates={
            "application/json": '{"word": "$input.params(\'word\')", "q": "$input.params(\'q\')", '
            '"h": "$input.params(\'x-extra\')"}'
        },
        responseParameters={"method.response.header.X-Backend": "'yes'"},
    )
    backend.deploy("b")
    api = Api(client, name)
    api.method(
        "/health", "GET", {"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": f"{endpoint}/_gureum/health"}
    )
    api.method(
        "/words/{w}",
        "GET",
        {
            "type": "HTTP",
            "integrationHttpMethod": "POST",
            "uri": stage_url(endpoint, backend.id, "${stageVariables.backendStage}", "/echo/{word}"),
            "requestParameters": {
                "integration.request.path.word": "method.request.path.w",
                "integration.request.querystring.q": "method.request.querystring.q",
                "integration.request.header.X-Extra": "'static'",
            },
            "requestTemplates": {
                "application/json": "#set($context.requestOverride.querystring.q = \"$input.params('q')-over\"){}"
            },
        },
    )
    api.respond(
        "/words/{w}",
        "GET",
        responseTemplates={"application/json": '{"via": "gateway", "backend": $input.json(\'$\')}'},
        responseParameters={"method.response.header.X-From": "integration.response.header.X-Backend"},
    )
    api.deploy("front", variables={"backendStage": "b"})
    r = httpx.get(stage_url(endpoint, api.id, "front", "/health"))
    assert r.status_code == 200 and r.json()["services"]["apigateway"] == "running"
    r = httpx.get(stage_url(endpoint, api.id, "front", "/words/hello"), params={"q": "7"})
    assert r.status_code == 200, r.text
    assert (
        r.json() == {"via": "gateway", "backend": {"word": "hello", "q": "7-over", "h": "static"}}
        and r.headers["x-from"] == "yes"
    )


def test_sns_and_eventbridge_service_integrations(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    sqs, sns, events = aws("sqs"), aws("sns"), aws("events")
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue_arn}])
    api = Api(aws("apigateway"), name)
    api.method(
        "/publish",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:sns:action/Publish",
            "requestParameters": {
                "integration.request.querystring.TopicArn": f"'{topic}'",
                "integration.request.querystring.Message": "method.request.body.text",
            },
        },
    )
    api.respond("/publish", "POST")
    api.method(
        "/events",
        "POST",
        {
            "type": "AWS",
            "integrationHttpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:events:action/PutEvents",
            "requestParameters": {
                "integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
                "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
            },
            "requestTemplates": {
                "application/json": f'{{"Entries": [{{"Source": "{name}", "DetailType": "order", '
                '"Detail": "$util.escapeJavaScript($input.json(\'$\'))", "EventBusName": "default"}]}'
            },
        },
    )
    api.respond("/events", "POST")
    api.deploy()
    r = httpx.post(stage_url(endpoint, api.id, "test", "/publish"), json={"text": "via sns"})
    assert r.status_code == 200 and "<MessageId>" in r.text, r.text
    r = httpx.post(stage_url(endpoint, api.id, "test", "/events"), json={"id": 5})
    assert r.status_code == 200 and r.json()["FailedEntryCount"] == 0, r.text
    bodies = []
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            bodies.append(message["Body"])
        if len(bodies) >= 2:
            break
    assert "via sns" in bodies
    event = next(json.loads(b) for b in bodies if b.startswith("{"))
    assert event["source"] == name and event["detail"] == {"id": 5}


def test_ids_that_are_not_rest_apis_go_to_http_apis(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    """The edge hands an id that is not a REST API to the apigatewayv2.http port (HTTP APIs); none there: 404."""
    arn = function(
        aws,
        name,
        "import json\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps({'v': event['version'], 'path': event['rawPath']})}\n",
    )
    http_api = aws("apigatewayv2").create_api(Name=name, ProtocolType="HTTP", Target=arn)
    port = endpoint.rsplit(":", 1)[1]
    r = httpx.get(f"{endpoint}/hello", headers={"Host": f"{http_api['ApiId']}.execute-api.localhost:{port}"})
    assert r.status_code == 200 and r.json() == {"v": "2.0", "path": "/hello"}, r.text
    r = httpx.get(stage_url(endpoint, "nosuchapi9", "dev", "/x"))
    assert r.status_code == 404 and r.json() == {"message": "Not Found"}


def test_custom_domain_names(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method("/who", "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    api.respond(
        "/who",
        "GET",
        responseTemplates={"application/json": '{"stage": "$context.stage", "path": "$context.resourcePath"}'},
    )
    api.deploy("v1")
    api.deploy("v2")
    domain = f"{name}.example.com"
    created = client.create_domain_name(
        domainName=domain,
        regionalCertificateArn="arn:aws:acm:us-east-1:000000000000:certificate/x",
        endpointConfiguration={"types": ["REGIONAL"]},
    )
    assert created["domainNameStatus"] == "AVAILABLE" and created["regionalDomainName"].endswith(
        ".execute-api.us-east-1.amazonaws.com"
    )
    client.create_base_path_mapping(domainName=domain, restApiId=api.id, stage="v1")
    client.create_base_path_mapping(domainName=domain, basePath="beta", restApiId=api.id, stage="v2")
    assert {m["basePath"] for m in client.get_base_path_mappings(domainName=domain)["items"]} == {"(none)", "beta"}
    host = {"Host": f"{domain}:{endpoint.rsplit(':', 1)[1]}"}
    assert httpx.get(f"{endpoint}/who", headers=host).json() == {"stage": "v1", "path": "/who"}
    assert httpx.get(f"{endpoint}/beta/who", headers=host).json() == {"stage": "v2", "path": "/who"}
    client.delete_base_path_mapping(domainName=domain, basePath="(none)")
    assert httpx.get(f"{endpoint}/who", headers=host).status_code == 403
    client.delete_domain_name(domainName=domain)
    expect_error(
        client.get_domain_name, "NotFoundException", "Invalid domain name identifier specified", 404, domainName=domain
    )


def test_resource_policy(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*/GET/admin",
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*/GET/local",
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["127.0.0.1/32"]}},
            },
        ],
    }
    api = Api(client, name, policy=json.dumps(policy))
    for path in ("/admin", "/public", "/local"):
        api.method(path, "GET", {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}})
        api.respond(path, "GET", responseTemplates={"application/json": '{"ok": true}'})
    api.deploy()
    assert httpx.get(stage_url(endpoint, api.id, "test", "/public")).json() == {"ok": True}
    r = httpx.get(stage_url(endpoint, api.id, "test", "/admin"))
    assert r.status_code == 403 and r.json()["message"].endswith(f"{api.id}/test/GET/admin with an explicit deny")
    # the source IP is the connection's peer: a client claiming another address in X-Forwarded-For changes nothing
    assert (
        httpx.get(stage_url(endpoint, api.id, "test", "/admin"), headers={"X-Forwarded-For": "10.1.2.3"}).status_code
        == 403
    )
    assert httpx.get(stage_url(endpoint, api.id, "test", "/local")).status_code == 200  # the test runs on loopback


def test_stage_cache(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    client = aws("apigateway")
    api = Api(client, name)
    api.method(
        "/now",
        "GET",
        {
            "type": "MOCK",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "cacheKeyParameters": ["method.request.querystring.city"],
        },
        requestParameters={"method.request.querystring.city": False},
    )
    api.respond(
        "/now",
        "GET",
        responseTemplates={"application/json": '{"id": "$context.requestId", "city": "$input.params(\'city\')"}'},
    )
    api.deploy("prod")
    url = stage_url(endpoint, api.id, "prod", "/now")
    expect_error(client.flush_stage_cache, "BadRequestException", status=400, restApiId=api.id, stageName="prod")
    assert httpx.get(url).json()["id"] != httpx.get(url).json()["id"]  # no cache yet
    stage = client.update_stage(
        restApiId=api.id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"},
        ],
    )
    assert stage["cacheClusterStatus"] == "AVAILABLE"
    first = httpx.get(url, params={"city": "seoul"}).json()
    assert httpx.get(url, params={"city": "seoul"}).json() == first  # served from the cache
    assert httpx.get(url, params={"city": "busan"}).json()["city"] == "busan"  # a cache key parameter
    client.flush_stage_cache(restApiId=api.id, stageName="prod")
    time.sleep(0.2)  # the flush reaches every node through a store notification
    assert httpx.get(url, params={"city": "seoul"}).json()["id"] != first["id"]
