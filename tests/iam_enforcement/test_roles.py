"""Code acting with a role's credentials under IAM enforcement, end to end through boto3: a Lambda function's calls
are its execution role's session (GetCallerIdentity names assumed-role/<role>/<function>; what the role's policies
do not allow is refused inside the function, as on AWS)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..server import Server
from ..services.apigateway.helpers import Api, stage_url
from ..services.lambda_.zips import make_zip
from .test_requests import ACCT, Client, allow

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
CODE = """import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    me = boto3.client('sts').get_caller_identity()['Arn']
    try:
        boto3.client('sqs').send_message(QueueUrl=event['url'], MessageBody='from the function')
        sent = 'sent'
    except ClientError as error:
        sent = error.response['Error']['Code'] + ': ' + error.response['Error']['Message']
    return {'me': me, 'sent': sent}
"""


def _invoke(lam: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event))
    doc = json.loads(out["Payload"].read())
    assert "FunctionError" not in out, doc
    return dict(doc)


def test_a_function_acts_as_its_execution_role(root: Client, name: str) -> None:
    iam, sqs, lam = root("iam"), root("sqs"), root("lambda")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCT}:{name}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.py": CODE})},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    doc = _invoke(lam, name, {"url": url})
    session = f"arn:aws:sts::{ACCT}:assumed-role/{name}/{name}"
    assert doc["me"] == session  # GetCallerIdentity is never refused
    assert doc["sent"] == (
        f"AccessDenied: User: {session} is not authorized to perform: sqs:SendMessage on resource: {queue_arn} "
        "because no identity-based policy allows the sqs:SendMessage action"
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    iam.put_role_policy(RoleName=name, PolicyName="send", PolicyDocument=allow("sqs:SendMessage", queue_arn))
    assert _invoke(lam, name, {"url": url})["sent"] == "sent"  # the same warm environment: its role now may
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    assert [m["Body"] for m in got] == ["from the function"]


def test_an_api_gateway_aws_integration_acts_as_its_credentials_role(enforced: Server, root: Client, name: str) -> None:
    iam, sns = root("iam"), root("sns")
    topic = sns.create_topic(Name=name)["TopicArn"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    api = Api(root("apigateway"), name)
    for path, credentials in (("/with-role", {"credentials": role}), ("/without", {})):
        api.method(
            path,
            "POST",
            {
                "type": "AWS",
                "integrationHttpMethod": "POST",
                "uri": "arn:aws:apigateway:us-east-1:sns:action/Publish",
                "requestParameters": {
                    "integration.request.querystring.TopicArn": f"'{topic}'",
                    "integration.request.querystring.Message": "'hello'",
                },
                **credentials,
            },
        )
        api.respond(path, "POST")
    api.deploy()
    r = httpx.post(stage_url(enforced.endpoint, api.id, "test", "/with-role"), json={})
    session = f"arn:aws:sts::{ACCT}:assumed-role/{name}/BackplaneAssumeRoleSession"
    assert "<Code>AuthorizationError</Code>" in r.text, r.text
    assert f"User: {session} is not authorized to perform: sns:Publish on resource: {topic}" in r.text, r.text
    iam.put_role_policy(RoleName=name, PolicyName="publish", PolicyDocument=allow("sns:Publish", topic))
    r = httpx.post(stage_url(enforced.endpoint, api.id, "test", "/with-role"), json={})
    assert "<MessageId>" in r.text, r.text
    # without a credentials role API Gateway calls as itself: only the topic's policy could let it publish
    r = httpx.post(stage_url(enforced.endpoint, api.id, "test", "/without"), json={})
    assert "<Code>AuthorizationError</Code>" in r.text and "apigateway.amazonaws.com" in r.text, r.text
