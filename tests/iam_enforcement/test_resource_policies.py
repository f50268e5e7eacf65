"""Resource policies of SNS topics, Lambda functions and EventBridge buses under IAM enforcement, end to end through
boto3: each joins the same-account union (a grant to a user stands on its own), and deliveries into them
(EventBridge -> SNS, SNS -> Lambda, EventBridge -> Lambda) are refused until the policy lets the service in for
that source, failing as on AWS: not retried, dead-lettered (EventBridge's ERROR_CODE NO_PERMISSIONS), recorded."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
import websockets
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus

from ..server import Server
from ..services.apigateway.helpers import Api, lambda_uri, stage_url
from ..services.lambda_.zips import make_zip
from .test_requests import ACCT, Client, allow, denied, new_user
from .test_roles import LAMBDA_TRUST

REGION = "us-east-1"
FORWARD = """import boto3, json, os

def handler(event, context):
    boto3.client('sqs').send_message(QueueUrl=os.environ['OUT'], MessageBody=json.dumps(event))
"""


def service_may(service: str, action: str, resource: str, source: str) -> str:
    statement = {
        "Sid": "service",
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": action,
        "Resource": resource,
        "Condition": {"ArnEquals": {"aws:SourceArn": source}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def queue(root: Client, name: str, *senders: tuple[str, str]) -> tuple[str, str]:
    """A queue (URL, ARN) whose policy lets each (service, source ARN) send."""
    sqs = root("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:{REGION}:{ACCT}:{name}"
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sqs:SendMessage",
            "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": source}},
        }
        for service, source in senders
    ]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": statements}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def messages(root: Client, url: str, wait: float, want: int = 1) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait
    while len(got) < want and time.monotonic() < deadline:
        got += (
            root("sqs")
            .receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
            .get("Messages", [])
        )
    return got


def python_function(root: Client, name: str, code: str, role_policy: str | None = None, **config: Any) -> str:
    """A Python function of ``code`` (index.handler) with a role of its own (allowed ``role_policy``), active."""
    iam, lam = root("iam"), root("lambda")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    if role_policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="out", PolicyDocument=role_policy)
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.py": code})},
        **config,
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    return str(arn)


def forwarder(root: Client, name: str, out_url: str, out_arn: str) -> str:
    """A function that sends every event it gets to ``out_url`` (its role may)."""
    return python_function(
        root, name, FORWARD, allow("sqs:SendMessage", out_arn), Environment={"Variables": {"OUT": out_url}}
    )


def test_eventbridge_to_sns_needs_the_topic_policy(enforced: Server, root: Client, name: str) -> None:
    sns, events = root("sns"), root("events")
    topic = sns.create_topic(Name=name)["TopicArn"]
    rule = events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))["RuleArn"]
    out_url, out_arn = queue(root, f"{name}-out", ("sns.amazonaws.com", topic))
    dlq_url, dlq_arn = queue(root, f"{name}-dlq", ("events.amazonaws.com", rule))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=out_arn, Attributes={"RawMessageDelivery": "true"})
    events.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": topic, "DeadLetterConfig": {"Arn": dlq_arn}}])
    entry = {"Source": name, "DetailType": "d", "Detail": json.dumps({"n": 1})}
    events.put_events(Entries=[entry])
    dead = messages(root, dlq_url, 10)
    assert len(dead) == 1  # SNS's default topic policy does not let events.amazonaws.com publish
    attributes = {k: v["StringValue"] for k, v in dead[0]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS" and attributes["RULE_ARN"] == rule
    assert attributes["ERROR_MESSAGE"] == (
        f"User: events.amazonaws.com is not authorized to perform: sns:Publish on resource: {topic} "
        "because no resource-based policy allows the sns:Publish action"
    )
    assert attributes["RETRY_ATTEMPTS"] == "0"  # refused deliveries are not retried
    assert messages(root, out_url, 1) == []
    listed = httpx.get(f"{enforced.endpoint}/_gureum/iam/would-deny").json()["wouldDeny"]
    assert any(d["resource"] == topic and d["principal"] == "events.amazonaws.com" for d in listed)
    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=service_may("events.amazonaws.com", "sns:Publish", topic, rule),
    )
    events.put_events(Entries=[entry])
    got = messages(root, out_url, 10)
    assert [json.loads(m["Body"])["detail"] for m in got] == [{"n": 1}]


def test_sns_to_lambda_needs_the_function_policy(root: Client, name: str) -> None:
    sns, lam = root("sns"), root("lambda")
    topic = sns.create_topic(Name=name)["TopicArn"]
    out_url, out_arn = queue(root, f"{name}-out")
    dlq_url, dlq_arn = queue(root, f"{name}-dlq", ("sns.amazonaws.com", topic))
    function = forwarder(root, name, out_url, out_arn)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn})
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function, Attributes={"RedrivePolicy": redrive})
    sns.publish(TopicArn=topic, Message="refused")
    dead = messages(root, dlq_url, 10)
    assert [json.loads(m["Body"])["Message"] for m in dead] == ["refused"]  # not retried: straight to the DLQ
    assert messages(root, out_url, 1) == []
    lam.add_permission(
        FunctionName=name,
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic,
    )
    sns.publish(TopicArn=topic, Message="allowed")
    got = messages(root, out_url, 15)
    assert [json.loads(m["Body"])["Records"][0]["Sns"]["Message"] for m in got] == ["allowed"]
    assert "gureum:origin" not in json.loads(got[0]["Body"])  # the function gets SNS's event as it is


def test_eventbridge_to_lambda_needs_the_function_policy(root: Client, name: str) -> None:
    events, lam = root("events"), root("lambda")
    rule = events.put_rule(Name=name, EventPattern=json.dumps({"source": [name]}))["RuleArn"]
    out_url, out_arn = queue(root, f"{name}-out")
    dlq_url, dlq_arn = queue(root, f"{name}-dlq", ("events.amazonaws.com", rule))
    function = forwarder(root, name, out_url, out_arn)
    events.put_targets(Rule=name, Targets=[{"Id": "f", "Arn": function, "DeadLetterConfig": {"Arn": dlq_arn}}])
    entry = {"Source": name, "DetailType": "d", "Detail": json.dumps({"n": 2})}
    events.put_events(Entries=[entry])
    dead = messages(root, dlq_url, 10)
    assert len(dead) == 1
    attributes = {k: v["StringValue"] for k, v in dead[0]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
    assert "because no resource-based policy allows the lambda:InvokeFunction action" in attributes["ERROR_MESSAGE"]
    other_rule = f"arn:aws:events:{REGION}:{ACCT}:rule/{name}-other"
    lam.add_permission(
        FunctionName=name, StatementId="o", Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
        SourceArn=other_rule,
    )  # fmt: skip
    events.put_events(Entries=[entry])
    assert len(messages(root, dlq_url, 10)) == 1  # a grant to another rule is not this rule's
    lam.add_permission(
        FunctionName=name, StatementId="e", Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
        SourceArn=rule,
    )  # fmt: skip
    events.put_events(Entries=[entry])
    got = messages(root, out_url, 15)
    assert [json.loads(m["Body"])["detail"] for m in got] == [{"n": 2}]


def test_resource_policies_join_the_same_account_union(enforced: Server, root: Client, name: str) -> None:
    """A user with no identity policy is let in by a topic's, a function's and a bus's policy naming them."""
    sns, lam, events = root("sns"), root("lambda"), root("events")
    user_arn = f"arn:aws:iam::{ACCT}:user/{name}-u"
    user = new_user(enforced, root("iam"), f"{name}-u")
    topic = sns.create_topic(Name=name)["TopicArn"]
    with pytest.raises(ClientError) as error:
        user("sns").publish(TopicArn=topic, Message="x")
    assert "because no identity-based policy allows the sns:Publish action" in denied(error)[1]
    grant = {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sns:Publish", "Resource": topic}
    sns.set_topic_attributes(
        TopicArn=topic,
        AttributeName="Policy",
        AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": [grant]}),
    )
    user("sns").publish(TopicArn=topic, Message="granted by the topic")
    # a function's policy
    out_url, out_arn = queue(root, f"{name}-out")
    forwarder(root, name, out_url, out_arn)
    with pytest.raises(ClientError) as error:
        user("lambda").invoke(FunctionName=name, Payload=b"{}")
    assert denied(error)[0] == "AccessDeniedException"
    lam.add_permission(FunctionName=name, StatementId="u", Action="lambda:InvokeFunction", Principal=user_arn)
    assert user("lambda").invoke(FunctionName=name, Payload=b"{}")["StatusCode"] == 200
    # a bus's policy
    bus = events.create_event_bus(Name=name)["EventBusArn"]
    with pytest.raises(ClientError) as error:
        user("events").put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": name}])
    assert denied(error)[0] == "AccessDeniedException"
    bus_grant = {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "events:PutEvents", "Resource": bus}
    events.put_permission(EventBusName=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [bus_grant]}))
    out = user("events").put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": name}])
    assert out["FailedEntryCount"] == 0


def test_resource_tags_in_conditions(enforced: Server, root: Client, name: str) -> None:
    """aws:ResourceTag/<key> holds the tags of queues, topics and functions (and follows their changes)."""
    sqs, sns, lam = root("sqs"), root("sns"), root("lambda")
    blue = sqs.create_queue(QueueName=f"{name}-b", tags={"team": "blue"})["QueueUrl"]
    red = sqs.create_queue(QueueName=f"{name}-r", tags={"team": "red"})["QueueUrl"]
    topic = sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "blue"}])["TopicArn"]
    out_url, out_arn = queue(root, f"{name}-out")
    forwarder(root, name, out_url, out_arn)
    lam.tag_resource(Resource=lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"], Tags={"team": "red"})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}},
            }
        ],
    }
    user = new_user(enforced, root("iam"), f"{name}-u", json.dumps(policy))
    user("sqs").send_message(QueueUrl=blue, MessageBody="blue")
    with pytest.raises(ClientError) as error:
        user("sqs").send_message(QueueUrl=red, MessageBody="red")
    assert "because no identity-based policy allows the sqs:SendMessage action" in denied(error)[1]
    user("sns").publish(TopicArn=topic, Message="blue")
    with pytest.raises(ClientError) as error:
        user("lambda").invoke(FunctionName=name, Payload=b"{}")
    assert denied(error)[0] == "AccessDeniedException"
    sqs.tag_queue(QueueUrl=red, Tags={"team": "blue"})  # the cached tags follow the change
    user("sqs").send_message(QueueUrl=red, MessageBody="now blue")
    sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
    with pytest.raises(ClientError) as error:
        user("sns").publish(TopicArn=topic, Message="untagged")
    assert denied(error)[0] == "AuthorizationError"


def test_s3_to_lambda_needs_the_function_policy(root: Client, name: str) -> None:
    s3, lam = root("s3"), root("lambda")
    out_url, out_arn = queue(root, f"{name}-out")
    function = forwarder(root, name, out_url, out_arn)
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": function, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket=name, Key="refused.txt", Body=b"x")
    assert messages(root, out_url, 3) == []
    lam.add_permission(
        FunctionName=name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{name}",
        SourceAccount=ACCT,
    )
    s3.put_object(Bucket=name, Key="allowed.txt", Body=b"x")
    got = messages(root, out_url, 15)
    assert [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"] for m in got] == ["allowed.txt"]


def test_api_gateway_needs_the_function_policy(enforced: Server, root: Client, name: str) -> None:
    """A REST API's and an HTTP API's Lambda proxy integration answer 500 until the function's policy lets
    apigateway.amazonaws.com invoke it for the API (aws:SourceArn), as on AWS."""
    lam = root("lambda")
    function = python_function(
        root, name, "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hello'}\n"
    )
    rest = Api(root("apigateway"), name)
    rest.method("/hi", "GET", {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri(function)})
    rest.deploy()
    http = root("apigatewayv2").create_api(Name=name, ProtocolType="HTTP", Target=function)
    port = enforced.endpoint.rsplit(":", 1)[1]
    http_host = {"Host": f"{http['ApiId']}.execute-api.localhost:{port}"}

    def call_both() -> tuple[int, int]:
        by_rest = httpx.get(stage_url(enforced.endpoint, rest.id, "test", "/hi"))
        by_http = httpx.get(f"{enforced.endpoint}/hi", headers=http_host)
        return by_rest.status_code, by_http.status_code

    assert call_both() == (500, 500)
    listed = httpx.get(f"{enforced.endpoint}/_gureum/iam/would-deny").json()["wouldDeny"]
    assert any(d["principal"] == "apigateway.amazonaws.com" and d["resource"] == function for d in listed)
    for api_id, sid in ((rest.id, "rest"), (http["ApiId"], "http")):
        lam.add_permission(
            FunctionName=name,
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{REGION}:{ACCT}:{api_id}/*/*",
        )
    assert call_both() == (200, 200)


ALLOW_ALL = """def handler(event, context):
    arn = event.get('methodArn') or event.get('routeArn')
    return {'principalId': 'u', 'policyDocument': {'Version': '2012-10-17', 'Statement': [
        {'Action': 'execute-api:Invoke', 'Effect': 'Allow', 'Resource': arn}]}}
"""


def test_lambda_authorizers_need_the_function_policy(enforced: Server, root: Client, name: str) -> None:
    """A REST API's TOKEN authorizer and an HTTP API's REQUEST authorizer answer 500 until the authorizer function's
    policy lets apigateway.amazonaws.com in for the authorizer (arn:…:<api>/authorizers/<id>), as on AWS."""
    lam = root("lambda")
    function = python_function(root, name, ALLOW_ALL)
    apigw = root("apigateway")
    rest = Api(apigw, name)
    rest_auth = apigw.create_authorizer(
        restApiId=rest.id,
        name="tok",
        type="TOKEN",
        authorizerUri=lambda_uri(function),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )["id"]
    rest.method(
        "/hi",
        "GET",
        {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
        authorizationType="CUSTOM",
        authorizerId=rest_auth,
    )
    rest.respond("/hi", "GET", responseTemplates={"application/json": '{"ok": true}'})
    apigw.put_method_response(restApiId=rest.id, resourceId=rest.resource("/hi"), httpMethod="GET", statusCode="200")
    rest.deploy()
    v2 = root("apigatewayv2")
    http = v2.create_api(Name=name, ProtocolType="HTTP")
    http_auth = v2.create_authorizer(
        ApiId=http["ApiId"],
        Name="req",
        AuthorizerType="REQUEST",
        AuthorizerUri=lambda_uri(function),
        AuthorizerPayloadFormatVersion="1.0",
        IdentitySource=["$request.header.Authorization"],
    )["AuthorizerId"]
    health = v2.create_integration(
        ApiId=http["ApiId"],
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="GET",
        IntegrationUri=f"{enforced.endpoint}/_gureum/health",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    v2.create_route(
        ApiId=http["ApiId"],
        RouteKey="GET /hi",
        Target=f"integrations/{health}",
        AuthorizationType="CUSTOM",
        AuthorizerId=http_auth,
    )
    v2.create_stage(ApiId=http["ApiId"], StageName="$default", AutoDeploy=True)
    port = enforced.endpoint.rsplit(":", 1)[1]
    headers = {"Authorization": "token"}

    def call_both() -> tuple[int, int]:
        by_rest = httpx.get(stage_url(enforced.endpoint, rest.id, "test", "/hi"), headers=headers)
        by_http = httpx.get(
            f"{enforced.endpoint}/hi", headers={**headers, "Host": f"{http['ApiId']}.execute-api.localhost:{port}"}
        )
        return by_rest.status_code, by_http.status_code

    assert call_both() == (500, 500)
    listed = httpx.get(f"{enforced.endpoint}/_gureum/iam/would-deny").json()["wouldDeny"]
    assert any(d["principal"] == "apigateway.amazonaws.com" and d["resource"] == function for d in listed)
    for api_id, sid in ((rest.id, "rest"), (http["ApiId"], "http")):
        lam.add_permission(
            FunctionName=name,
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{REGION}:{ACCT}:{api_id}/authorizers/*",
        )
    assert call_both() == (200, 200)


def test_websocket_lambda_integrations_need_the_function_policy(enforced: Server, root: Client, name: str) -> None:
    """A WebSocket API's $connect route on a Lambda integration refuses the connection (500) until the function's
    policy lets apigateway.amazonaws.com in for the route (arn:…:<api>/<stage>/$connect)."""
    lam = root("lambda")
    function = python_function(root, name, "def handler(event, context):\n    return {'statusCode': 200}\n")
    v2 = root("apigatewayv2")
    api_id = v2.create_api(Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
        "ApiId"
    ]
    target = v2.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function)["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="$connect", Target=f"integrations/{target}")
    v2.create_stage(ApiId=api_id, StageName="prod", AutoDeploy=True)
    port = enforced.endpoint.rsplit(":", 1)[1]
    url = f"ws://127.0.0.1:{port}/restapis/{api_id}/prod/_user_request_"

    async def connect() -> int:
        try:
            async with websockets.connect(url):
                return 101
        except InvalidStatus as error:
            return int(error.response.status_code)

    assert asyncio.run(connect()) == 500
    lam.add_permission(
        FunctionName=name,
        StatementId="ws",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCT}:{api_id}/prod/$connect",
    )
    assert asyncio.run(connect()) == 101
