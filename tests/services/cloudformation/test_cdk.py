"""`cdk deploy` and `cdk destroy` (the AWS CDK CLI and aws-cdk-lib from npm, unchanged) of a JavaScript CDK app —
a queue feeding a Python function — with the legacy synthesizer (no bootstrap stack: the app has no assets). The
CLI's change set, waiter and outputs run against gureum; the function is checked through Lambda, then destroyed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ...expect import expect_error
from ...nodejs import node_modules

CDK = Path(__file__).parent / "cdk"


@pytest.mark.timeout(900)  # the first run installs aws-cdk and aws-cdk-lib (about 220 MB) into the test cache
def test_cdk_deploy_and_destroy(cfn: Any, aws: Any, endpoint: str, name: str, tmp_path: Path) -> None:
    modules = node_modules(CDK)
    stack = "Cdk" + name.replace("-", "")
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
        f"node {CDK / 'app.js'}",
        "--output",
        str(tmp_path / "cdk.out"),
        "--no-version-reporting",
        "--no-notices",
    ]

    def run(*args: str) -> str:
        done = subprocess.run([*cdk, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        return done.stdout + done.stderr

    out = run("deploy", "--require-approval", "never")
    assert f"{stack}.FunctionName" in out
    found = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert found["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found["Outputs"]}
    lam = aws("lambda")
    mappings = lam.list_event_source_mappings(FunctionName=outputs["FunctionName"])["EventSourceMappings"]
    assert [m["BatchSize"] for m in mappings] == [5]

    run("destroy", "--force")
    expect_error(cfn.describe_stacks, "ValidationError", f"Stack with id {stack} does not exist", StackName=stack)
    expect_error(lam.get_function, "ResourceNotFoundException", FunctionName=outputs["FunctionName"])
    expect_error(
        aws("sqs").get_queue_attributes, "AWS.SimpleQueueService.NonExistentQueue", QueueUrl=outputs["QueueUrl"]
    )
