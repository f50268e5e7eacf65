"""`sam deploy` (the AWS SAM CLI from PyPI, unchanged) of a SAM app — an HTTP API in front of a Python function
that an SQS queue also triggers, and a SimpleTable — with --resolve-s3 (SAM's managed stack and its S3 bucket made
through CloudFormation too); the app is called, then `sam delete` removes it, leaving nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ...expect import expect_error

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::Serverless::SimpleTable
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          TABLE: !Ref Table
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
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
Outputs:
  ApiId:
    Value: !Ref ServerlessHttpApi
  Table:
    Value: !Ref Table
"""
APP = """
import json, os
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"hello": event.get("rawPath"), "table": os.environ["TABLE"]})}
"""


@pytest.mark.timeout(1800)  # the first run installs aws-sam-cli (about 340 MB) into the test cache
def test_sam_deploy_and_delete(
    sam_cli: list[str], cfn: Any, aws: Any, endpoint: str, name: str, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        SAM_CLI_TELEMETRY="0",
        SAM_CLI_POLL_DELAY="0.5",
        HOME=str(tmp_path),
    )

    def sam(*args: str) -> str:
        done = subprocess.run([*sam_cli, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout + done.stderr

    out = sam(
        "deploy",
        "--stack-name",
        name,
        "--resolve-s3",
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--region",
        "us-east-1",
    )
    assert f"Successfully created/updated stack - {name}" in out
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]}
    url = f"{endpoint}/restapis/{outputs['ApiId']}/$default/_user_request_/hello"
    with urllib.request.urlopen(url, timeout=60) as answer:
        assert json.loads(answer.read()) == {"hello": "/hello", "table": outputs["Table"]}
    assert cfn.describe_stacks(StackName="aws-sam-cli-managed-default")["Stacks"][0]["StackStatus"] in (
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
    )

    sam("delete", "--stack-name", name, "--no-prompts", "--region", "us-east-1")
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {name} does not exist", StackName=name)
    assert outputs["Table"] not in aws("dynamodb").list_tables()["TableNames"]
    assert outputs["ApiId"] not in [a["ApiId"] for a in aws("apigatewayv2").get_apis()["Items"]]
