"""Change sets (CREATE and UPDATE, the changes they list, IMPORT refused) and the SAM transform, deployed as
`sam deploy` does it: CreateChangeSet with the template, the change set waiter, ExecuteChangeSet, the stack
waiter. The SAM app (an HTTP API, a function with an SQS trigger, a SimpleTable) is then called and removed."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from ...expect import expect_error
from ._helpers import WAIT, body, outputs, wait

SAM_APP = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
  Jobs:
    Type: AWS::SQS::Queue
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          TABLE: !Ref Table
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
      InlineCode: |
        import json, os, boto3
        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
        def handler(event, context):
            for record in event.get("Records", []):
                table.put_item(Item={"id": record["body"]})
            return {"statusCode": 200, "body": json.dumps({"hello": event.get("rawPath")})}
      Events:
        Http:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: get
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 1
Outputs:
  ApiId:
    Value: !Ref ServerlessHttpApi
  Table:
    Value: !Ref Table
  Queue:
    Value: !Ref Jobs
"""


def test_sam_app_through_change_sets(cfn: Any, aws: Any, endpoint: str, name: str) -> None:
    created = cfn.create_change_set(
        StackName=name,
        ChangeSetName="deploy-1",
        ChangeSetType="CREATE",
        TemplateBody=SAM_APP,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=created["Id"], WaiterConfig=WAIT)
    described = cfn.describe_change_set(ChangeSetName="deploy-1", StackName=name)
    added = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert added["HelloRole"]["ResourceType"] == "AWS::IAM::Role"  # the transform's expansion
    assert added["ServerlessHttpApi"]["Action"] == "Add" and added["Hello"]["ResourceType"] == "AWS::Lambda::Function"
    template = cfn.get_template(StackName=name, ChangeSetName="deploy-1", TemplateStage="Processed")["TemplateBody"]
    assert "AWS::Serverless::Function" not in json.dumps(template)
    cfn.execute_change_set(ChangeSetName="deploy-1", StackName=name)
    found = wait(cfn, "stack_create_complete", name)
    out = outputs(found)
    url = f"{endpoint}/restapis/{out['ApiId']}/$default/_user_request_/hello"
    with urllib.request.urlopen(url, timeout=60) as answer:
        assert json.loads(answer.read()) == {"hello": "/hello"}
    aws("sqs").send_message(QueueUrl=out["Queue"], MessageBody="job-1")
    table = aws("dynamodb")
    deadline = time.monotonic() + 60
    while "Item" not in table.get_item(TableName=out["Table"], Key={"id": {"S": "job-1"}}):
        assert time.monotonic() < deadline
        time.sleep(0.2)

    updated = SAM_APP.replace("Timeout: 10", "Timeout: 20")
    cfn.create_change_set(
        StackName=name,
        ChangeSetName="deploy-2",
        ChangeSetType="UPDATE",
        TemplateBody=updated,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName="deploy-2", StackName=name, WaiterConfig=WAIT)
    changes = cfn.describe_change_set(ChangeSetName="deploy-2", StackName=name)["Changes"]
    assert [
        (c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Action"], c["ResourceChange"]["Replacement"])
        for c in changes
    ] == [("Hello", "Modify", "False")]
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]] == ["deploy-1", "deploy-2"]
    cfn.execute_change_set(ChangeSetName="deploy-2", StackName=name)
    wait(cfn, "stack_update_complete", name)
    fn = aws("lambda").get_function_configuration(
        FunctionName=[
            r["PhysicalResourceId"]
            for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
            if r["LogicalResourceId"] == "Hello"
        ][0]
    )
    assert fn["Timeout"] == 20

    cfn.create_change_set(
        StackName=name,
        ChangeSetName="same",
        ChangeSetType="UPDATE",
        TemplateBody=updated,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    same = cfn.describe_change_set(ChangeSetName="same", StackName=name)
    assert same["Status"] == "FAILED" and "didn't contain changes" in same["StatusReason"]
    expect_error(cfn.execute_change_set, "InvalidChangeSetStatus", ChangeSetName="same", StackName=name)
    cfn.delete_change_set(ChangeSetName="same", StackName=name)
    expect_error(cfn.describe_change_set, "ChangeSetNotFound", ChangeSetName="same", StackName=name)
    cfn.delete_stack(StackName=name)
    wait(cfn, "stack_delete_complete", found["StackId"])
    assert out["Table"] not in table.list_tables()["TableNames"]


def test_import_refused_and_create_needs_auto_expand(cfn: Any, name: str) -> None:
    plain = body({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    error = expect_error(
        cfn.create_change_set,
        "ValidationError",
        StackName=name,
        ChangeSetName="imp",
        ChangeSetType="IMPORT",
        TemplateBody=plain,
        ResourcesToImport=[
            {"ResourceType": "AWS::SQS::Queue", "LogicalResourceId": "Q", "ResourceIdentifier": {"QueueUrl": "x"}}
        ],
    )
    assert "IMPORT is not supported by gureum" in error["Message"]
    expect_error(
        cfn.create_stack,
        "InsufficientCapabilitiesException",
        "Requires capabilities : [CAPABILITY_AUTO_EXPAND]",
        StackName=name,
        TemplateBody=SAM_APP,
        Capabilities=["CAPABILITY_IAM"],
    )
