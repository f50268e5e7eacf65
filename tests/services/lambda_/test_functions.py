"""The function API through boto3: create and its validations, read, update with the SDK waiters, delete, list,
versions, tags, concurrency and account settings."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from gureum.services.lambda_.runtimes import python_interpreter

from .zips import ROLE, create, make_zip

CODE = {"index.py": "def handler(event, context):\n    return {'v': 1}\n"}


def test_create_get_list_delete(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    out = create(client, name, CODE, wait=False, Description="d", Timeout=30, MemorySize=512, Tags={"team": "a"})
    assert out["State"] == "Pending" and out["StateReasonCode"] == "Creating"
    assert out["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert out["Runtime"] == "python3.12" and out["Handler"] == "index.handler" and out["Version"] == "$LATEST"
    assert out["Timeout"] == 30 and out["MemorySize"] == 512 and out["PackageType"] == "Zip" and out["CodeSize"] > 0
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    got = client.get_function(FunctionName=name)
    assert got["Configuration"]["State"] == "Active" and got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Tags"] == {"team": "a"}
    with urllib.request.urlopen(got["Code"]["Location"]) as resp:
        assert resp.read() == make_zip(CODE)
    config = client.get_function_configuration(FunctionName=got["Configuration"]["FunctionArn"])
    assert config["CodeSha256"] == out["CodeSha256"] and config["Description"] == "d"
    names = [
        f["FunctionName"]
        for page in client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1})
        for f in page["Functions"]
    ]
    assert name in names
    with pytest.raises(client.exceptions.ResourceConflictException):
        create(client, name, CODE, wait=False)
    client.delete_function(FunctionName=name)
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="Function not found"):
        client.get_function(FunctionName=name)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_function(FunctionName=name)


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"Runtime": "python2.7"}, "no longer supported"),
        ({"Runtime": "java8.al2"}, "not served by gureum"),
        ({"Role": "not-a-role"}, "role"),
        ({"MemorySize": 64}, None),
        ({"MemorySize": 20000}, None),
        ({"Timeout": 901}, "Timeout"),
        ({"Environment": {"Variables": {"AWS_REGION": "x"}}}, "reserved keys"),
        ({"Code": {"ZipFile": b"not a zip"}}, "Could not unzip"),
        ({"Code": {"S3Bucket": "bucket", "S3Key": "k"}}, "S3 Error Code: NoSuchBucket"),
        (
            {"PackageType": "Image", "Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest"}},
            "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.",
        ),
    ],
)
def test_create_validations(aws: Callable[..., Any], name: str, changes: dict[str, Any], error: str | None) -> None:
    client = aws("lambda", parameter_validation=False)  # so the server, not botocore, judges the input
    args: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "index.handler",
        "Code": {"ZipFile": make_zip(CODE)},
    }
    args.update(changes)
    with pytest.raises(client.exceptions.ClientError) as info:
        client.create_function(**args)
    assert info.value.response["Error"]["Code"] in ("InvalidParameterValueException", "ValidationException")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if error:
        assert error in info.value.response["Error"]["Message"]


def test_configuration_as_aws_returns_it(aws: Callable[..., Any], name: str) -> None:
    """Every configuration AWS returns carries RuntimeVersionConfig, LoggingConfig, SnapStart, EphemeralStorage and
    Architectures; State and LastUpdateStatus move with AWS's reason codes, each change under a new RevisionId; the
    lists return AWS's documented subset; an alias or $LATEST named by the caller is in the FunctionArn."""
    client = aws("lambda")
    pid = {"index.py": "import os\ndef handler(event, context):\n    return os.getpid()\n"}
    out = create(client, name, pid, wait=False)
    assert out["State"] == "Pending" and out["StateReason"] == "The function is being created."
    assert out["StateReasonCode"] == "Creating" and "LastUpdateStatus" not in out  # as CreateFunction answers
    runtime_arn = out["RuntimeVersionConfig"]["RuntimeVersionArn"]
    assert re.fullmatch(r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", runtime_arn), runtime_arn
    assert out["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert out["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert out["EphemeralStorage"] == {"Size": 512} and out["Architectures"] == ["x86_64"]
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    active = client.get_function(FunctionName=name)["Configuration"]
    assert active["State"] == "Active" and active["LastUpdateStatus"] == "Successful"
    reasons = ("StateReason", "StateReasonCode", "LastUpdateStatusReason", "LastUpdateStatusReasonCode")
    assert not any(key in active for key in reasons), active
    assert active["RevisionId"] != out["RevisionId"]  # Pending → Active is a change
    assert active["RuntimeVersionConfig"] == out["RuntimeVersionConfig"]
    same = client.get_function_configuration(FunctionName=name)
    assert {k: v for k, v in same.items() if k != "ResponseMetadata"} == active
    first_pid = json.loads(client.invoke(FunctionName=name)["Payload"].read())

    changes: dict[str, Any] = {"Timeout": 9}
    if python_interpreter("3.11") is not None:
        changes["Runtime"] = "python3.11"
    update = client.update_function_configuration(FunctionName=name, RevisionId=active["RevisionId"], **changes)
    assert update["State"] == "Active" and update["LastUpdateStatus"] == "InProgress"
    assert update["LastUpdateStatusReason"] == "The function is being created."
    assert update["LastUpdateStatusReasonCode"] == "Creating" and update["RevisionId"] != active["RevisionId"]
    if "Runtime" in changes:  # one runtime version ARN per runtime
        assert update["RuntimeVersionConfig"]["RuntimeVersionArn"] != runtime_arn
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    done = client.get_function_configuration(FunctionName=name)
    assert done["LastUpdateStatus"] == "Successful" and not any(key in done for key in reasons)
    assert done["RevisionId"] != update["RevisionId"]  # InProgress → Successful is a change

    version = client.publish_version(FunctionName=name, RevisionId=done["RevisionId"])
    assert version["FunctionArn"] == f"{done['FunctionArn']}:1" and version["Version"] == "1"
    assert version["State"] == "Active" and version["LastUpdateStatus"] == "Successful"
    assert version["RuntimeVersionConfig"] == done["RuntimeVersionConfig"] and version["SnapStart"]["ApplyOn"] == "None"
    latest = client.get_function(FunctionName=name)["Configuration"]
    assert latest["RevisionId"] not in (done["RevisionId"], version["RevisionId"])  # publishing changes $LATEST's
    warm_pid = json.loads(client.invoke(FunctionName=name)["Payload"].read())
    client.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                          Principal="sns.amazonaws.com")  # fmt: skip
    with_policy = client.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    assert with_policy != latest["RevisionId"] and client.get_policy(FunctionName=name)["RevisionId"] == with_policy
    assert json.loads(client.invoke(FunctionName=name)["Payload"].read()) == warm_pid  # still the warm environment
    assert warm_pid != first_pid  # the update started a new one

    alias = client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert client.get_function(FunctionName=name)["Configuration"]["RevisionId"] == with_policy  # aliases do not
    client.add_permission(FunctionName=name, Qualifier="live", StatementId="a", Action="lambda:InvokeFunction",
                          Principal="sns.amazonaws.com")  # fmt: skip
    alias_revision = client.get_alias(FunctionName=name, Name="live")["RevisionId"]
    assert alias_revision != alias["RevisionId"]
    assert client.get_policy(FunctionName=name, Qualifier="live")["RevisionId"] == alias_revision
    via_alias = client.get_function(FunctionName=name, Qualifier="live")["Configuration"]
    assert via_alias["FunctionArn"] == f"{done['FunctionArn']}:live" and via_alias["Version"] == "1"
    assert via_alias["RuntimeVersionConfig"] == version["RuntimeVersionConfig"] and via_alias["State"] == "Active"
    named = client.get_function_configuration(FunctionName=name, Qualifier="$LATEST")
    assert named["FunctionArn"] == f"{done['FunctionArn']}:$LATEST"

    listed = [
        f
        for page in client.get_paginator("list_functions").paginate()
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert len(listed) == 1 and listed[0]["FunctionArn"] == done["FunctionArn"]
    subset = ("State", "LastUpdateStatus", "RuntimeVersionConfig", *reasons)
    assert not any(key in listed[0] for key in subset), listed[0]
    assert listed[0]["RevisionId"] == with_policy and listed[0]["LoggingConfig"] == out["LoggingConfig"]
    versions = client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["FunctionArn"] for v in versions] == [f"{done['FunctionArn']}:$LATEST", version["FunctionArn"]]
    assert not any(key in v for v in versions for key in subset)
    every = [
        f["FunctionArn"]
        for page in client.get_paginator("list_functions").paginate(FunctionVersion="ALL")
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert sorted(every) == sorted(v["FunctionArn"] for v in versions)
    assert len(client.list_functions(MaxItems=1000)["Functions"]) <= 50  # AWS's most per response


def test_update_code_and_configuration_with_waiters(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, CODE)
    out = client.update_function_configuration(FunctionName=name, Timeout=9, Environment={"Variables": {"A": "b"}})
    assert out["LastUpdateStatus"] == "InProgress" and out["Timeout"] == 9
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    code = {"index.py": "import os\ndef handler(event, context):\n    return {'v': 2, 'a': os.environ['A']}\n"}
    out = client.update_function_code(FunctionName=name, ZipFile=make_zip(code))
    assert out["LastUpdateStatus"] == "InProgress" and out["CodeSha256"] != create.__name__
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    body = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
    assert body == {"v": 2, "a": "b"}
    with pytest.raises(client.exceptions.PreconditionFailedException):
        client.update_function_configuration(FunctionName=name, Timeout=5, RevisionId="stale")


def test_versions(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, CODE)
    v1 = client.publish_version(FunctionName=name, Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(f":{name}:1")
    assert client.publish_version(FunctionName=name)["Version"] == "1"  # nothing changed: no new version
    client.update_function_code(
        FunctionName=name, ZipFile=make_zip({"index.py": "def handler(e, c):\n    return {'v': 2}\n"})
    )
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    assert client.publish_version(FunctionName=name)["Version"] == "2"
    versions = [v["Version"] for v in client.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    one = client.invoke(FunctionName=name, Qualifier="1", Payload=b"{}")
    assert json.loads(one["Payload"].read()) == {"v": 1} and one["ExecutedVersion"] == "1"
    assert json.loads(client.invoke(FunctionName=f"{name}:2", Payload=b"{}")["Payload"].read()) == {"v": 2}
    assert json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == {"v": 2}
    client.delete_function(FunctionName=name, Qualifier="1")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function(FunctionName=name, Qualifier="1")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.delete_function(FunctionName=name, Qualifier="$LATEST")


def test_tags_concurrency_and_account_settings(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    arn = create(client, name, CODE)["FunctionArn"]
    client.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    client.untag_resource(Resource=arn, TagKeys=["a"])
    assert client.list_tags(Resource=arn)["Tags"] == {"b": "2"}
    client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert client.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    settings = client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000 and settings["AccountUsage"]["FunctionCount"] >= 1
    with pytest.raises(client.exceptions.InvalidParameterValueException, match="UnreservedConcurrentExecution"):
        client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=950)
    client.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName=name)


def test_aliases(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, CODE)
    client.publish_version(FunctionName=name)
    client.update_function_code(
        FunctionName=name, ZipFile=make_zip({"index.py": "def handler(e, c):\n    return {'v': 2}\n"})
    )
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.2})
    client.publish_version(FunctionName=name)
    alias = client.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="prod")
    assert alias["AliasArn"].endswith(f":{name}:live") and alias["FunctionVersion"] == "1"
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_alias(FunctionName=name, Name="other", FunctionVersion="9")
    out = client.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    assert json.loads(out["Payload"].read()) == {"v": 1} and out["ExecutedVersion"] == "1"
    client.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert client.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "2"
    assert json.loads(client.invoke(FunctionName=f"{name}:live", Payload=b"{}")["Payload"].read()) == {"v": 2}
    client.update_alias(
        FunctionName=name, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}}
    )
    assert json.loads(client.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")["Payload"].read()) == {"v": 2}
    # an empty RoutingConfig (as Terraform sends with every update) clears the weights: no RoutingConfig is shown,
    # as after a create without weights (Terraform read {} back as a routing_config block: a diff after apply)
    cleared = client.update_alias(FunctionName=name, Name="live", FunctionVersion="2", RoutingConfig={})
    assert "RoutingConfig" not in cleared and "RoutingConfig" not in client.get_alias(FunctionName=name, Name="live")
    assert json.loads(client.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")["Payload"].read()) == {"v": 2}
    assert [a["Name"] for a in client.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    assert "RoutingConfig" not in client.list_aliases(FunctionName=name)["Aliases"][0]
    client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_alias(FunctionName=name, Name="live")


def test_permissions_and_terraform_reads(aws: Callable[..., Any], name: str) -> None:
    client = aws("lambda")
    create(client, name, CODE)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy(FunctionName=name)
    topic = "arn:aws:sns:us-east-1:000000000000:topic"
    out = client.add_permission(
        FunctionName=name,
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic,
    )
    statement = json.loads(out["Statement"])
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"} and statement["Condition"] == {
        "ArnLike": {"AWS:SourceArn": topic}
    }
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.add_permission(
            FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
        )
    client.add_permission(
        FunctionName=name, StatementId="acct", Action="lambda:InvokeFunction", Principal="111122223333"
    )
    policy = json.loads(client.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns", "acct"]
    assert policy["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    client.remove_permission(FunctionName=name, StatementId="sns")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.remove_permission(FunctionName=name, StatementId="sns")
    assert client.get_function_code_signing_config(FunctionName=name)["FunctionName"] == name
    assert client.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == "Auto"
    assert client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    # both settings are kept (Terraform's aws_lambda_runtime_management_config and
    # aws_lambda_function_recursion_config put them: they were NotImplemented)
    put = client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    assert put["UpdateRuntimeOn"] == "FunctionUpdate" and put["FunctionArn"].endswith(f":function:{name}")
    assert client.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == "FunctionUpdate"
    pinned = "arn:aws:lambda:us-east-1::runtime:" + "a" * 64
    client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual", RuntimeVersionArn=pinned)
    got = client.get_runtime_management_config(FunctionName=name)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", pinned)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual")
    assert client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")["RecursiveLoop"] == "Allow"
    assert client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.put_function_recursion_config(FunctionName=name + "-none", RecursiveLoop="Allow")
