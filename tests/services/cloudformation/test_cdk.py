"""The AWS CDK CLI and aws-cdk-lib from npm, unchanged, against gureum: `cdk deploy` / `cdk destroy` of a JavaScript
app with the legacy synthesizer (a queue feeding a Python function, no assets), and `cdk bootstrap` followed by the
default synthesizer's deploy — a function whose code is a directory asset the CLI publishes to the bootstrap
bucket through the bootstrap roles, and a Systems Manager parameter; the bootstrap version is read from Parameter
Store. The CLI's change sets, waiters and outputs run against gureum; what it made is checked, then destroyed."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ...expect import expect_error
from ...nodejs import node_modules

CDK = Path(__file__).parent / "cdk"


def _cdk(endpoint: str, tmp_path: Path, app: str, stack: str) -> Callable[..., str]:
    """A runner of the CDK CLI for ``app`` (a file in cdk/) with gureum as every endpoint."""
    modules = node_modules(CDK)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        STACK=stack,
        NODE_PATH=str(modules),
        CDK_DISABLE_VERSION_CHECK="1",
        HOME=str(tmp_path),
    )
    cdk = [
        str(modules / ".bin" / "cdk"),
        "--app",
        f"node {CDK / app}",
        "--output",
        str(tmp_path / "cdk.out"),
        "--no-version-reporting",
        "--no-notices",
    ]

    def run(*args: str) -> str:
        done = subprocess.run([*cdk, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout + done.stderr

    return run


def _outputs(cfn: Any, stack: str) -> dict[str, str]:
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert found["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}


@pytest.mark.timeout(900)  # the first run installs aws-cdk and aws-cdk-lib (about 220 MB) into the test cache
def test_cdk_deploy_and_destroy(cfn: Any, aws: Any, endpoint: str, name: str, tmp_path: Path) -> None:
    stack = "Cdk" + name.replace("-", "")
    run = _cdk(endpoint, tmp_path, "app.js", stack)
    out = run("deploy", "--require-approval", "never")
    assert f"{stack}.FunctionName" in out
    outputs = _outputs(cfn, stack)
    lam = aws("lambda")
    mappings = lam.list_event_source_mappings(FunctionName=outputs["FunctionName"])["EventSourceMappings"]
    assert [m["BatchSize"] for m in mappings] == [5]

    run("destroy", "--force")
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {stack} does not exist", StackName=stack)
    expect_error(lam.get_function, "ResourceNotFoundException", FunctionName=outputs["FunctionName"])
    expect_error(
        aws("sqs").get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=outputs["QueueUrl"]
    )


@pytest.mark.timeout(900)
def test_cdk_bootstrap_then_deploy_with_assets(cfn: Any, aws: Any, endpoint: str, name: str, tmp_path: Path) -> None:
    stack = "CdkAssets" + name.replace("-", "")
    run = _cdk(endpoint, tmp_path, "assets_app.js", stack)
    out = run("bootstrap", "aws://000000000000/us-east-1")
    assert "bootstrapped" in out
    toolkit = cfn.describe_stacks(StackName="CDKToolkit")["Stacks"][0]
    assert toolkit["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    bucket = {o["OutputKey"]: o["OutputValue"] for o in toolkit["Outputs"]}["BucketName"]
    ssm = aws("ssm")
    version = ssm.get_parameter(Name="/cdk-bootstrap/hnb659fds/version")["Parameter"]["Value"]
    assert int(version) >= 6

    run("deploy", "--require-approval", "never")
    outputs = _outputs(cfn, stack)
    assets = [o["Key"] for o in aws("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert any(key.endswith(".zip") for key in assets), assets  # the handler directory, published by the CLI
    lam = aws("lambda")
    answer = lam.invoke(FunctionName=outputs["FunctionName"], Payload=json.dumps({"n": 1}).encode())
    assert json.loads(answer["Payload"].read()) == {"asset": True, "got": {"n": 1}}
    assert ssm.get_parameter(Name=outputs["SettingName"])["Parameter"]["Value"] == "from-cdk"
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p.get("ResolvedValue") for p in described}["BootstrapVersion"] == version

    run("destroy", "--force")
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {stack} does not exist", StackName=stack)
    expect_error(lam.get_function, "ResourceNotFoundException", FunctionName=outputs["FunctionName"])
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=outputs["SettingName"])
