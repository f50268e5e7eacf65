"""A serverless stack end to end: a Python function (inline code) behind an HTTP API (API Gateway v2 resources),
triggered by an SQS queue, writing to a DynamoDB table; then a custom resource backed by a Lambda function that
answers at the response URL gureum serves through the cfnresponse module CloudFormation adds to inline code, and one
backed by an SNS topic."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from ._helpers import body, events, outputs, settle, wait

HANDLER = """
import json, os, boto3
table = boto3.resource("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")).Table(os.environ["TABLE"])
def handler(event, context):
    for record in event.get("Records", []):
        table.put_item(Item={"id": record["body"]})
    if "Records" in event:
        return {}
    return {"statusCode": 200, "body": json.dumps({"table": os.environ["TABLE"], "path": event.get("rawPath")})}
"""

ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        },
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
    },
}


def serverless() -> dict[str, Any]:
    return {
        "Resources": {
            "Role": ROLE,
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                },
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": HANDLER},
                    "Environment": {"Variables": {"TABLE": {"Ref": "Table"}}},
                },
            },
            "Trigger": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                    "BatchSize": 1,
                },
            },
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": {"Ref": "AWS::StackName"}, "ProtocolType": "HTTP"},
            },
            "Integration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "IntegrationType": "AWS_PROXY",
                    "PayloadFormatVersion": "2.0",
                    "IntegrationUri": {"Fn::GetAtt": ["Fn", "Arn"]},
                },
            },
            "Route": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "Api"},
                    "RouteKey": "GET /hello",
                    "Target": {"Fn::Sub": "integrations/${Integration}"},
                },
            },
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True},
            },
            "Allow": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"},
                },
            },
        },
        "Outputs": {
            "ApiId": {"Value": {"Ref": "Api"}},
            "QueueUrl": {"Value": {"Ref": "Queue"}},
            "Table": {"Value": {"Ref": "Table"}},
        },
    }


def test_function_api_queue_and_table(cfn: Any, aws: Any, endpoint: str, name: str) -> None:
    cfn.create_stack(StackName=name, TemplateBody=body(serverless()), Capabilities=["CAPABILITY_IAM"])
    found = wait(cfn, "stack_create_complete", name)
    out = outputs(found)
    url = f"{endpoint}/restapis/{out['ApiId']}/$default/_user_request_/hello"
    with urllib.request.urlopen(url, timeout=60) as answer:
        assert json.loads(answer.read()) == {"table": out["Table"], "path": "/hello"}
    aws("sqs").send_message(QueueUrl=out["QueueUrl"], MessageBody="from-the-queue")
    table = aws("dynamodb")
    deadline = time.monotonic() + 60
    while "Item" not in table.get_item(TableName=out["Table"], Key={"id": {"S": "from-the-queue"}}):
        assert time.monotonic() < deadline, "the queue's message never reached the table"
        time.sleep(0.2)
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
    assert out["Table"] not in table.list_tables()["TableNames"]
    assert (
        aws("lambda").list_event_source_mappings(
            EventSourceArn=f"arn:aws:sqs:us-east-1:000000000000:{out['QueueUrl'].rsplit('/', 1)[-1]}"
        )["EventSourceMappings"]
        == []
    )


RESPONDER = """
import cfnresponse
def handler(event, context):
    props = event["ResourceProperties"]
    status = cfnresponse.FAILED if props.get("Fail") == "yes" else cfnresponse.SUCCESS
    data = {"Greeting": "hello " + props.get("Name", ""), "Kind": event["RequestType"]}
    cfnresponse.send(event, context, status, data, "custom-" + props.get("Name", "x"), reason="asked to fail")
"""


def test_custom_resource(cfn: Any, name: str) -> None:
    template = {
        "Parameters": {"Fail": {"Type": "String", "Default": "no", "AllowedValues": ["yes", "no"]}},
        "Resources": {
            "Role": ROLE,
            "Responder": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": RESPONDER},
                },
            },
            "Greeting": {
                "Type": "Custom::Greeting",
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": ["Responder", "Arn"]},
                    "Name": "world",
                    "Fail": {"Ref": "Fail"},
                },
            },
        },
        "Outputs": {
            "Greeting": {"Value": {"Fn::GetAtt": ["Greeting", "Greeting"]}},
            "Id": {"Value": {"Ref": "Greeting"}},
        },
    }
    cfn.create_stack(StackName=name, TemplateBody=body(template), Capabilities=["CAPABILITY_IAM"])
    out = outputs(wait(cfn, "stack_create_complete", name))
    assert out == {"Greeting": "hello world", "Id": "custom-world"}
    cfn.update_stack(
        StackName=name,
        UsePreviousTemplate=True,
        Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": "Fail", "ParameterValue": "yes"}],
    )
    found = settle(cfn, name)
    assert found["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    failed = [e for e in events(cfn, name) if e[:2] == ("Greeting", "UPDATE_FAILED")]
    assert "asked to fail" in failed[0][2]
    assert outputs(found)["Greeting"] == "hello world"
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])


SNS_RESPONDER = """
import json, urllib.request
def handler(event, context):
    request = json.loads(event["Records"][0]["Sns"]["Message"])
    doc = {"Status": "SUCCESS", "PhysicalResourceId": "via-sns", "StackId": request["StackId"],
           "RequestId": request["RequestId"], "LogicalResourceId": request["LogicalResourceId"],
           "Data": {"Kind": request["RequestType"]}}
    urllib.request.urlopen(urllib.request.Request(request["ResponseURL"], data=json.dumps(doc).encode(),
                                                  method="PUT")).read()
"""


def test_custom_resource_through_sns(cfn: Any, name: str) -> None:
    template = {
        "Resources": {
            "Role": ROLE,
            "Responder": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                    "Code": {"ZipFile": SNS_RESPONDER},
                },
            },
            "Topic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {
                    "Subscription": [{"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Responder", "Arn"]}}]
                },
            },
            "Allow": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "Responder"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "sns.amazonaws.com",
                    "SourceArn": {"Ref": "Topic"},
                },
            },
            "Thing": {
                "Type": "AWS::CloudFormation::CustomResource",
                "DependsOn": "Allow",
                "Properties": {"ServiceToken": {"Ref": "Topic"}},
            },
        },
        "Outputs": {"Id": {"Value": {"Ref": "Thing"}}, "Kind": {"Value": {"Fn::GetAtt": ["Thing", "Kind"]}}},
    }
    cfn.create_stack(StackName=name, TemplateBody=body(template), Capabilities=["CAPABILITY_IAM"])
    found = wait(cfn, "stack_create_complete", name)
    assert outputs(found) == {"Id": "via-sns", "Kind": "Create"}
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
