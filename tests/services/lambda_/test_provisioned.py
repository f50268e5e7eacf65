"""Provisioned concurrency end to end: configurations on versions and aliases, READY once the environments are
started, invocations served warm by them (no Init Duration), the limits AWS applies, and restart; and the
EphemeralStorage bound on an environment's files."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from ...conftest import StoreFactory, make_client
from ...expect import expect_error
from ...server import Server
from .zips import create

CODE = """
import os
print("initialising", os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"])
def handler(event, context):
    return {"init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "pid": os.getpid(),
            "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""


def _wait_ready(client: Any, name: str, qualifier: str, seconds: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        out = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        if out["Status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return dict(out)
        time.sleep(0.1)


def _invoke(client: Any, name: str, qualifier: str) -> tuple[dict[str, Any], str]:
    out = client.invoke(FunctionName=name, Qualifier=qualifier, Payload=b"{}", LogType="Tail")
    return json.loads(out["Payload"].read()), base64.b64decode(out["LogResult"]).decode()


def test_provisioned_version_is_ready_and_warm(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"index.py": CODE})
    expect_error(client.put_provisioned_concurrency_config, "InvalidParameterValueException",
                 "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
                 FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1)  # fmt: skip
    expect_error(
        client.get_provisioned_concurrency_config,
        "ProvisionedConcurrencyConfigNotFoundException",
        status=404,
        FunctionName=name,
        Qualifier="1",
    )
    version = client.publish_version(FunctionName=name)["Version"]
    put = client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    assert (
        put["RequestedProvisionedConcurrentExecutions"] == 2
        and put["Status"] == "IN_PROGRESS"
        and put["ResponseMetadata"]["HTTPStatusCode"] == 202
    )
    ready = _wait_ready(client, name, version)
    assert (
        ready["Status"] == "READY"
        and ready["AvailableProvisionedConcurrentExecutions"] == 2 == ready["AllocatedProvisionedConcurrentExecutions"]
    )
    doc, log = _invoke(client, name, version)
    assert doc["init"] == "provisioned-concurrency"
    assert (
        "REPORT RequestId" in log
        and "Init Duration" not in log
        and "INIT_START" not in log
        and "initialising" not in log
    )
    listed = client.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == [version] and listed[0]["Status"] == "READY"
    # $LATEST is not provisioned: its first invocation is a cold start
    _, latest_log = _invoke(client, name, "$LATEST")
    assert "Init Duration" in latest_log
    client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    expect_error(
        client.get_provisioned_concurrency_config,
        "ProvisionedConcurrencyConfigNotFoundException",
        FunctionName=name,
        Qualifier=version,
    )
    expect_error(
        client.delete_provisioned_concurrency_config,
        "ProvisionedConcurrencyConfigNotFoundException",
        FunctionName=name,
        Qualifier=version,
    )


def test_alias_and_limits(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, {"index.py": CODE})
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    expect_error(
        client.put_provisioned_concurrency_config,
        "InvalidParameterValueException",
        FunctionName=name,
        Qualifier="live",
        ProvisionedConcurrentExecutions=2,
    )
    client.delete_function_concurrency(FunctionName=name)
    expect_error(
        client.put_provisioned_concurrency_config,
        "InvalidParameterValueException",
        FunctionName=name,
        Qualifier="live",
        ProvisionedConcurrentExecutions=950,
    )
    expect_error(
        client.put_provisioned_concurrency_config,
        "ResourceNotFoundException",
        FunctionName=name,
        Qualifier="nope",
        ProvisionedConcurrentExecutions=1,
    )
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    assert _wait_ready(client, name, "live")["Status"] == "READY"
    doc, log = _invoke(client, name, "live")
    assert doc["init"] == "provisioned-concurrency" and "Init Duration" not in log
    again, _ = _invoke(client, name, "live")
    assert again["pid"] == doc["pid"]  # the same kept-warm environment
    # the alias moves to a new version: its provisioned environments follow
    client.update_function_configuration(FunctionName=name, Environment={"Variables": {"V": "2"}})
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    second = client.publish_version(FunctionName=name)["Version"]
    client.update_alias(FunctionName=name, Name="live", FunctionVersion=second)
    deadline = time.monotonic() + 15
    while True:
        moved, log = _invoke(client, name, "live")
        if moved["init"] == "provisioned-concurrency" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert moved["version"] == second and moved["init"] == "provisioned-concurrency" and "Init Duration" not in log
    client.delete_function(FunctionName=name)  # takes its configurations with it
    create(client, name, {"index.py": CODE})
    version = client.publish_version(FunctionName=name)["Version"]
    expect_error(
        client.get_provisioned_concurrency_config,
        "ProvisionedConcurrencyConfigNotFoundException",
        FunctionName=name,
        Qualifier=version,
    )


def test_alias_moved_then_reconfigured_keeps_the_count(aws: Callable[..., Any], name: str) -> None:
    """An alias's configuration put again after the alias moved to another version starts exactly the requested
    environments (Terraform does this for a function with publish = true: the old version's environment, retired,
    started its own replacements beside the new configuration's, and 4 were reported for 2)."""
    client = aws("lambda")
    create(client, name, {"index.py": CODE})
    first = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=first)
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    assert _wait_ready(client, name, "live")["Status"] == "READY"
    client.update_function_configuration(FunctionName=name, Environment={"Variables": {"V": "2"}})
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    second = client.publish_version(FunctionName=name)["Version"]
    client.update_alias(FunctionName=name, Name="live", FunctionVersion=second)
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2)
    ready = _wait_ready(client, name, "live")
    assert ready["Status"] == "READY" and ready["RequestedProvisionedConcurrentExecutions"] == 2
    assert ready["AvailableProvisionedConcurrentExecutions"] == 2 == ready["AllocatedProvisionedConcurrentExecutions"]
    moved, _ = _invoke(client, name, "live")
    assert moved["version"] == second and moved["init"] == "provisioned-concurrency"
    client.delete_function(FunctionName=name)


def test_init_failure_is_failed(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    # a runtime that reports an init error and exits, as AWS's runtime interface clients do
    bootstrap = ('#!/bin/sh\ncurl -s -X POST -d \'{"errorMessage":"no init for you","errorType":"Runtime.Init"}\' '
                 '"http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" '
                 '>/dev/null 2>&1\nexit 1\n')  # fmt: skip
    create(client, name, {"bootstrap": bootstrap}, runtime="provided.al2023", handler="x", executable=("bootstrap",))
    version = client.publish_version(FunctionName=name)["Version"]
    client.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1)
    out = _wait_ready(client, name, version)
    assert out["Status"] == "FAILED" and out["AvailableProvisionedConcurrentExecutions"] == 0
    assert "FUNCTION_ERROR_INIT_FAILURE" in out["StatusReason"]


def test_provisioned_environments_come_back_after_restart(store: StoreFactory, name: str) -> None:
    args = store()
    server = Server(**args).start()
    try:
        client = make_client(server.endpoint, "lambda")
        create(client, name, {"index.py": CODE})
        version = client.publish_version(FunctionName=name)["Version"]
        client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
        )
        assert _wait_ready(client, name, version)["Status"] == "READY"
        server.stop()
        server = Server(**args, port=server.port).start()
        client = make_client(server.endpoint, "lambda")
        assert _wait_ready(client, name, version)["Status"] == "READY"
        doc, log = _invoke(client, name, version)
        assert doc["init"] == "provisioned-concurrency" and "Init Duration" not in log
    finally:
        server.stop()


def test_ephemeral_storage_bounds_files(aws: Callable[..., Any], name: str) -> None:
    code = """
import os, tempfile
def handler(event, context):
    path = os.path.join(tempfile.gettempdir(), "big")
    with open(path, "wb", buffering=0) as f:
        f.seek(event["mb"] * 1024 * 1024)
        try:
            f.write(b"x")
        except OSError as exc:
            return {"written": False, "errno": exc.errno}
    return {"written": True}
"""
    client = aws("lambda")
    create(client, name, {"index.py": code}, EphemeralStorage={"Size": 512})
    assert json.loads(client.invoke(FunctionName=name, Payload=b'{"mb": 500}')["Payload"].read()) == {"written": True}
    assert json.loads(client.invoke(FunctionName=name, Payload=b'{"mb": 600}')["Payload"].read()) == {
        "written": False,
        "errno": 27,
    }  # EFBIG
