"""`serverless deploy` and `serverless remove` (the Serverless Framework v3 from npm, unchanged — v3 is the last
major that runs without a Serverless Inc. login) of a Python service with an http, an sqs and a schedule event.
v3's AWS SDK has no endpoint setting of its own; the serverless-localstack plugin (npm) points it at gureum's
endpoint. The framework packages the function, makes its deployment bucket through CloudFormation, uploads the
artifact to S3 and updates the stack; the function is then called through its REST API and fed by its queue, and
everything is gone after remove."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ...expect import expect_error
from ...nodejs import node_modules

PACKAGE = Path(__file__).parent / "serverless"

SERVICE = """service: {service}
frameworkVersion: '3'
provider:
  name: aws
  runtime: python3.12
  region: us-east-1
  stage: local
package:
  patterns:
    - "!node_modules/**"
functions:
  hello:
    handler: handler.hello
    events:
      - http:
          path: hello
          method: get
      - sqs:
          arn:
            Fn::GetAtt: [Jobs, Arn]
      - schedule: rate(1 hour)
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
plugins:
  - serverless-localstack
custom:
  localstack:
    stages: [local]
    host: http://{host}
    edgePort: {port}
    autostart: false
"""

HANDLER = """import json
def hello(event, context):
    body = {"path": event.get("path"), "records": len(event.get("Records", []))}
    return {"statusCode": 200, "body": json.dumps(body)}
"""


def _sls(modules: Path, service: Path, command: str, home: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLS_", "SERVERLESS_"))}
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
        HOME=str(home),
    )
    done = subprocess.run(
        ["node", str(modules / "serverless" / "bin" / "serverless.js"), command, "--stage", "local"],
        cwd=service, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"serverless {command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.mark.timeout(900)  # the first run installs serverless@3 and the plugin into the test cache
def test_serverless_deploy_and_remove(cfn: Any, aws: Any, endpoint: str, name: str, tmp_path: Path) -> None:
    modules = node_modules(PACKAGE)
    service = tmp_path / "service"
    service.mkdir()
    (service / "node_modules").symlink_to(modules)  # where the framework looks for the service's plugins
    where = urlsplit(endpoint)
    slug = "sls" + name.replace("-", "")[-12:]
    (service / "serverless.yml").write_text(SERVICE.format(service=slug, host=where.hostname, port=where.port))
    (service / "handler.py").write_text(HANDLER)
    stack = f"{slug}-local"

    _sls(modules, service, "deploy", tmp_path)
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
    }
    api = resources["ApiGatewayRestApi"]
    with urllib.request.urlopen(f"{endpoint}/restapis/{api}/local/_user_request_/hello", timeout=30) as answer:
        assert answer.status == 200 and b'"path": "/hello"' in answer.read()

    sqs, lambda_, events, s3 = aws("sqs"), aws("lambda"), aws("events"), aws("s3")
    queue = resources["Jobs"]
    sqs.send_message(QueueUrl=queue, MessageBody="job")
    deadline = time.monotonic() + 30
    while True:  # the event source mapping hands the message to the function, which consumes it
        counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        if counts["ApproximateNumberOfMessages"] == "0" and counts["ApproximateNumberOfMessagesNotVisible"] == "0":
            break
        assert time.monotonic() < deadline, counts
        time.sleep(0.2)
    function = resources["HelloLambdaFunction"]
    assert lambda_.get_function_configuration(FunctionName=function)["Runtime"] == "python3.12"
    rule = events.describe_rule(Name=resources["HelloEventsRuleSchedule1"])
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    bucket = resources["ServerlessDeploymentBucket"]
    assert any(o["Key"].endswith(".zip") for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    _sls(modules, service, "remove", tmp_path)
    expect_error(lambda: cfn.describe_stacks(StackName=stack), "ValidationError")
    expect_error(lambda: lambda_.get_function(FunctionName=function), "ResourceNotFoundException")
    expect_error(lambda: sqs.get_queue_attributes(QueueUrl=queue), "AWS.SimpleQueueService.NonExistentQueue")
    expect_error(lambda: s3.head_bucket(Bucket=bucket), "404")
