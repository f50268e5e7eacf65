"""Layers: publish, read, list, delete, and functions importing code from them (AWS's /opt layout)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from ...expect import expect_error
from .zips import create, make_zip


def test_layer_versions_and_python_import(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    first = client.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": make_zip({"python/helper.py": "WHO = 'layer-1'\n"})},
        CompatibleRuntimes=["python3.12"],
    )
    assert (
        first["Version"] == 1
        and first["LayerVersionArn"] == f"{first['LayerArn']}:1"
        and first["Content"]["CodeSize"] > 0
    )
    second = client.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": make_zip({"python/helper.py": "WHO = 'layer-2'\n", "bin/tool": "#!/bin/sh\necho tool\n"})},
    )
    assert second["Version"] == 2
    assert (
        client.get_layer_version(LayerName=name, VersionNumber=1)["Content"]["CodeSha256"]
        == first["Content"]["CodeSha256"]
    )
    assert client.get_layer_version_by_arn(Arn=second["LayerVersionArn"])["Version"] == 2
    assert [v["Version"] for v in client.list_layer_versions(LayerName=name)["LayerVersions"]] == [2, 1]
    assert [
        v["Version"]
        for v in client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")["LayerVersions"]
    ] == [1]
    listed = {layer["LayerName"]: layer for layer in client.list_layers()["Layers"]}
    assert listed[name]["LatestMatchingVersion"]["Version"] == 2
    code = "import helper\ndef handler(event, context):\n    return helper.WHO\n"
    out = create(client, name, {"index.py": code}, Layers=[first["LayerVersionArn"]])
    assert out["Layers"] == [{"Arn": first["LayerVersionArn"], "CodeSize": first["Content"]["CodeSize"]}]
    assert json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == "layer-1"
    client.delete_layer_version(LayerName=name, VersionNumber=1)  # a function using it keeps it
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version(LayerName=name, VersionNumber=1)
    client.update_function_configuration(FunctionName=name, Layers=[second["LayerVersionArn"]])
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    assert json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == "layer-2"
    third = client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip({"python/x.py": ""})})
    assert third["Version"] == 3  # numbers are never reused
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        create(client, name + "-bad", {"index.py": code}, Layers=[f"{first['LayerArn']}:99"], wait=False)


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node.js on this machine")
def test_nodejs_layer_and_runtime_in_a_layer(aws: Callable[..., Any], name: str) -> None:
    from gureum.services.lambda_.runtimes import node_major

    client = aws("lambda")
    lib = client.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": make_zip({"nodejs/node_modules/greet/index.js": "module.exports = (n) => 'hi ' + n;\n"})},
    )
    code = "const greet = require('greet');\nexports.handler = async (e) => greet(e.n);\n"
    create(client, name, {"index.js": code}, runtime=f"nodejs{node_major()}.x", Layers=[lib["LayerVersionArn"]])
    assert json.loads(client.invoke(FunctionName=name, Payload=b'{"n": "layer"}')["Payload"].read()) == "hi layer"
    boot = (
        '#!/bin/sh\nAPI="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"\nwhile true; do\n'
        "  ID=$(curl -sSD - -o /dev/null \"$API/invocation/next\" | tr -d '\\r'"
        " | grep -i '^lambda-runtime-aws-request-id' | cut -d' ' -f2)\n"
        '  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d \'"from a layer runtime"\'\ndone\n'
    )
    runtime_layer = client.publish_layer_version(
        LayerName=name + "-rt", Content={"ZipFile": make_zip({"bootstrap": boot}, executable=("bootstrap",))}
    )
    create(
        client,
        name + "-rt",
        {"handler.txt": "x"},
        runtime="provided.al2023",
        handler="x",
        Layers=[runtime_layer["LayerVersionArn"]],
    )
    assert (
        json.loads(client.invoke(FunctionName=name + "-rt", Payload=b"{}")["Payload"].read()) == "from a layer runtime"
    )


def test_layer_version_permissions(aws: Callable[..., Any], name: str) -> None:
    """AddLayerVersionPermission, GetLayerVersionPolicy and RemoveLayerVersionPermission, worded as AWS words them
    (Terraform's aws_lambda_layer_version_permission reads the principal back from the statement)."""
    client = aws("lambda")
    layer = client.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip({"python/m.py": "X = 1\n"})})
    version, arn = layer["Version"], layer["LayerVersionArn"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version_policy(LayerName=name, VersionNumber=version)
    added = client.add_layer_version_permission(
        LayerName=name, VersionNumber=version, StatementId="share", Action="lambda:GetLayerVersion",
        Principal="123456789012",
    )  # fmt: skip
    assert json.loads(added["Statement"]) == {
        "Sid": "share", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "lambda:GetLayerVersion", "Resource": arn,
    }  # fmt: skip
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=version, StatementId="share", Action="lambda:GetLayerVersion", Principal="*"
        )
    with pytest.raises(client.exceptions.PreconditionFailedException):
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=version, StatementId="org", Action="lambda:GetLayerVersion", Principal="*",
            RevisionId="stale",
        )  # fmt: skip
    client.add_layer_version_permission(
        LayerName=arn.rsplit(":", 1)[0], VersionNumber=version, StatementId="org", Action="lambda:GetLayerVersion",
        Principal="*", OrganizationId="o-1234567890", RevisionId=added["RevisionId"],
    )  # fmt: skip
    policy = client.get_layer_version_policy(LayerName=name, VersionNumber=version)
    statements = json.loads(policy["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["share", "org"] and statements[1]["Principal"] == "*"
    assert statements[1]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}
    assert "policy" not in client.get_layer_version(LayerName=name, VersionNumber=version)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=version, StatementId="x", Action="lambda:InvokeFunction", Principal="*"
        )
    client.remove_layer_version_permission(LayerName=name, VersionNumber=version, StatementId="share")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.remove_layer_version_permission(LayerName=name, VersionNumber=version, StatementId="share")
    client.remove_layer_version_permission(LayerName=name, VersionNumber=version, StatementId="org")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_layer_version_policy(LayerName=name, VersionNumber=version)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.add_layer_version_permission(
            LayerName=name, VersionNumber=version + 5, StatementId="s", Action="lambda:GetLayerVersion", Principal="*"
        )
    client.delete_layer_version(LayerName=name, VersionNumber=version)


def test_another_account_uses_a_layer_only_when_granted(aws: Callable[..., Any], name: str) -> None:
    """Accounts are isolated: another account's layer version is used (in a function) or read only where its
    permissions grant lambda:GetLayerVersion to that account or to *, as on AWS."""
    owner = aws("lambda")
    other_account = "210987654321"
    other = aws("lambda", access_key=other_account)
    layer = owner.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip({"python/shared.py": "N = 3\n"})})
    arn, version = layer["LayerVersionArn"], layer["Version"]
    code = {"index.py": "import shared\ndef handler(event, context):\n    return shared.N\n"}
    expect_error(lambda: create(other, name, code, Layers=[arn], wait=False), "AccessDeniedException", status=403)
    expect_error(other.get_layer_version_by_arn, "AccessDeniedException", status=403, Arn=arn)
    owner.add_layer_version_permission(
        LayerName=name, VersionNumber=version, StatementId="to-other", Action="lambda:GetLayerVersion",
        Principal=other_account,
    )  # fmt: skip
    assert other.get_layer_version_by_arn(Arn=arn)["Version"] == version
    create(other, name, code, Layers=[arn])
    assert json.loads(other.invoke(FunctionName=name)["Payload"].read()) == 3
    owner.remove_layer_version_permission(LayerName=name, VersionNumber=version, StatementId="to-other")
    expect_error(
        other.update_function_configuration, "AccessDeniedException", status=403, FunctionName=name, Layers=[arn]
    )
    # deleted by its owner, the version stays for the function that uses it (AWS: "functions … continue to work")
    owner.delete_layer_version(LayerName=name, VersionNumber=version)
    other.update_function_configuration(FunctionName=name, Environment={"Variables": {"FRESH": "1"}})
    other.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    assert json.loads(other.invoke(FunctionName=name)["Payload"].read()) == 3
