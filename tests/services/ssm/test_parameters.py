"""Parameter Store end to end through boto3: versions and history, SecureString encryption, selectors and labels,
hierarchies, filters and pages, tiers and limits, expiration, tags, and the "Parameter Store Change" events."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from ...expect import ACCOUNT, expect_error
from ..events._helpers import queue, receive


@pytest.fixture(scope="module")
def ssm(aws: Callable[..., Any]) -> Any:
    return aws("ssm")


def test_versions_overwrite_and_history(ssm: Any, name: str) -> None:
    path = f"/{name}/db/url"
    out = ssm.put_parameter(Name=path, Value="v1", Type="String", Description="the url")
    assert (out["Version"], out["Tier"]) == (1, "Standard")
    expect_error(
        ssm.put_parameter,
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
        Name=path, Value="v2", Type="String",
    )  # fmt: skip
    out = ssm.put_parameter(Name=path, Value="v2", Overwrite=True)  # the type is kept
    assert (out["Version"], out["Tier"]) == (2, "Standard")
    got = ssm.get_parameter(Name=path)["Parameter"]
    assert (got["Name"], got["Type"], got["Value"], got["Version"], got["DataType"]) == (
        path,
        "String",
        "v2",
        2,
        "text",
    )
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter{path}"
    assert ssm.get_parameter(Name=f"{path}:1")["Parameter"]["Value"] == "v1"
    assert ssm.get_parameter(Name=f"{path}:1")["Parameter"]["Selector"] == ":1"
    assert ssm.get_parameter(Name=got["ARN"])["Parameter"]["Value"] == "v2"
    history = ssm.get_parameter_history(Name=path)["Parameters"]
    assert [(h["Version"], h["Value"], h["Description"]) for h in history] == [
        (1, "v1", "the url"),
        (2, "v2", "the url"),
    ]
    assert history[0]["LastModifiedUser"] == f"arn:aws:iam::{ACCOUNT}:root"
    plain = f"{name}-plain"
    ssm.put_parameter(Name=plain, Value="a,b,c", Type="StringList")
    assert ssm.get_parameter(Name=plain)["Parameter"]["ARN"].endswith(f":parameter/{plain}")

    missing = expect_error(ssm.get_parameter, "ParameterNotFound", Name=f"/{name}/nothing")
    assert missing["Message"] == ""  # AWS sends this code without a message
    expect_error(ssm.get_parameter, "ParameterVersionNotFound", Name=f"{path}:7")
    expect_error(
        ssm.put_parameter, "ValidationException", "A parameter type is required when you create a parameter.",
        Name=f"/{name}/untyped", Value="x",
    )  # fmt: skip
    answer = ssm.get_parameters(Names=[path, f"{path}:1", f"/{name}/nothing", f"{path}:9"])
    assert [(p["Name"], p["Value"]) for p in answer["Parameters"]] == [(path, "v2"), (path, "v1")]
    assert answer["InvalidParameters"] == [f"/{name}/nothing", f"{path}:9"]

    ssm.delete_parameter(Name=path)
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=path)
    expect_error(ssm.delete_parameter, "ParameterNotFound", Name=path)
    deleted = ssm.delete_parameters(Names=[plain, f"/{name}/nothing"])
    assert (deleted["DeletedParameters"], deleted["InvalidParameters"]) == ([plain], [f"/{name}/nothing"])


def test_secure_strings_are_encrypted_until_asked(ssm: Any, name: str) -> None:
    path = f"/{name}/secret"
    ssm.put_parameter(Name=path, Value="hunter2", Type="SecureString")
    sealed = ssm.get_parameter(Name=path)["Parameter"]
    assert sealed["Type"] == "SecureString" and sealed["Value"] != "hunter2" and "hunter2" not in sealed["Value"]
    assert ssm.get_parameter(Name=path, WithDecryption=True)["Parameter"]["Value"] == "hunter2"
    ssm.put_parameter(Name=path, Value="hunter3", Overwrite=True, KeyId="alias/my-key")
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [path]}])["Parameters"]
    assert [(d["Type"], d["KeyId"], d["Version"]) for d in described] == [("SecureString", "alias/my-key", 2)]
    history = ssm.get_parameter_history(Name=path, WithDecryption=True)["Parameters"]
    assert [(h["Value"], h["KeyId"]) for h in history] == [("hunter2", "alias/aws/ssm"), ("hunter3", "alias/my-key")]
    both = ssm.get_parameters(Names=[path], WithDecryption=True)["Parameters"]
    assert [p["Value"] for p in both] == ["hunter3"]


def test_labels_move_and_select(ssm: Any, name: str) -> None:
    path = f"/{name}/flag"
    for value in ("a", "b", "c"):
        ssm.put_parameter(Name=path, Value=value, Type="String", Overwrite=value != "a")
    out = ssm.label_parameter_version(Name=path, ParameterVersion=1, Labels=["prod", "1bad", "awsx", "ok.v-1_"])
    assert (out["ParameterVersion"], sorted(out["InvalidLabels"])) == (1, ["1bad", "awsx"])
    assert ssm.get_parameter(Name=f"{path}:prod")["Parameter"]["Value"] == "a"
    assert ssm.label_parameter_version(Name=path, Labels=["prod"])["ParameterVersion"] == 3  # latest; moves
    history = {h["Version"]: h["Labels"] for h in ssm.get_parameter_history(Name=path)["Parameters"]}
    assert history == {1: ["ok.v-1_"], 2: [], 3: ["prod"]}
    by_label = ssm.get_parameters_by_path(Path=f"/{name}", ParameterFilters=[{"Key": "Label", "Values": ["prod"]}])
    assert [p["Value"] for p in by_label["Parameters"]] == ["c"]
    removed = ssm.unlabel_parameter_version(Name=path, ParameterVersion=3, Labels=["prod", "nope"])
    assert (removed["RemovedLabels"], removed["InvalidLabels"]) == (["prod"], ["nope"])
    expect_error(ssm.get_parameter, "ParameterVersionNotFound", Name=f"{path}:prod")
    ssm.label_parameter_version(Name=path, ParameterVersion=2, Labels=[f"l{i}" for i in range(10)])
    expect_error(ssm.label_parameter_version, "ParameterVersionLabelLimitExceeded", Name=path, ParameterVersion=2,
                 Labels=["eleven"])  # fmt: skip


def test_paths_filters_and_pages(ssm: Any, name: str) -> None:
    root = f"/{name}"
    names = [f"{root}/app/a", f"{root}/app/b", f"{root}/app/deep/c", f"{root}/other/d", f"{root}/top"]
    for i, n in enumerate(names):
        ssm.put_parameter(Name=n, Value=f"v{i}", Type="SecureString" if n.endswith("/b") else "String",
                          Tags=[{"Key": "team", "Value": "blue" if i % 2 else "red"}])  # fmt: skip
    one_level = ssm.get_parameters_by_path(Path=f"{root}/app")["Parameters"]
    assert [p["Name"] for p in one_level] == names[:2]
    everything: list[str] = []
    token: dict[str, str] = {}
    pages = 0
    while True:
        page = ssm.get_parameters_by_path(Path=root, Recursive=True, MaxResults=2, **token)
        everything += [p["Name"] for p in page["Parameters"]]
        pages += 1
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}
    assert everything == names and pages == 3
    decrypted = ssm.get_parameters_by_path(Path=f"{root}/app", WithDecryption=True)["Parameters"]
    assert [p["Value"] for p in decrypted] == ["v0", "v1"]
    only_secure = ssm.get_parameters_by_path(
        Path=root, Recursive=True, ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]
    )["Parameters"]
    assert [p["Name"] for p in only_secure] == [f"{root}/app/b"]
    expect_error(ssm.get_parameters_by_path, "InvalidFilterKey", Path=root,
                 ParameterFilters=[{"Key": "Name", "Values": ["x"]}])  # fmt: skip

    def described(**kwargs: Any) -> list[str]:
        return [p["Name"] for p in ssm.describe_parameters(**kwargs)["Parameters"]]

    assert described(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"{root}/app"]}]) == names[:3]
    assert described(ParameterFilters=[{"Key": "Path", "Option": "OneLevel", "Values": [root]}]) == [names[4]]
    assert described(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [root]},
                                       {"Key": "tag:team", "Values": ["blue"]}]) == [names[1], names[3]]  # fmt: skip
    assert described(Filters=[{"Key": "Name", "Values": [names[2]]}]) == [names[2]]
    paged = ssm.describe_parameters(MaxResults=1, ParameterFilters=[{"Key": "Path", "Values": [f"{root}/app"]}])
    assert len(paged["Parameters"]) == 1 and paged["NextToken"]
    expect_error(ssm.describe_parameters, "InvalidFilterOption",
                 ParameterFilters=[{"Key": "Type", "Option": "Contains", "Values": ["String"]}])  # fmt: skip
    expect_error(ssm.describe_parameters, "InvalidNextToken", NextToken="!!!")


def test_names_values_tiers_and_limits(ssm: Any, name: str) -> None:
    for bad in (f"aws-{name}", f"/ssm/{name}", f"{name}/x", f"/{name}/a b", f"/{name}//x"):
        expect_error(ssm.put_parameter, "ValidationException", Name=bad, Value="x", Type="String")
    deep = "/" + "/".join(f"l{i}" for i in range(16)) + f"/{name}"
    expect_error(ssm.put_parameter, "HierarchyLevelLimitExceededException", Name=deep, Value="x", Type="String")
    expect_error(
        ssm.put_parameter, "ParameterPatternMismatchException",
        "Parameter value, cannot be validated against allowedPattern: ^[0-9]+$",
        Name=f"/{name}/port", Value="80a", Type="String", AllowedPattern="^[0-9]+$",
    )  # fmt: skip
    ssm.put_parameter(Name=f"/{name}/port", Value="8080", Type="String", AllowedPattern="^[0-9]+$")
    expect_error(ssm.put_parameter, "ParameterPatternMismatchException", Name=f"/{name}/port", Value="x",
                 Overwrite=True)  # the stored pattern still applies  # fmt: skip
    big = "x" * 5000
    expect_error(ssm.put_parameter, "ValidationException", Name=f"/{name}/big", Value=big, Type="String")
    tiered = ssm.put_parameter(Name=f"/{name}/big", Value=big, Type="String", Tier="Intelligent-Tiering")
    assert tiered["Tier"] == "Advanced"
    expect_error(ssm.put_parameter, "ValidationException", Name=f"/{name}/big", Value="small", Overwrite=True,
                 Tier="Standard")  # fmt: skip
    expect_error(ssm.put_parameter, "ValidationException", Name=f"/{name}/tagged", Value="x", Type="String",
                 Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])  # fmt: skip
    expect_error(ssm.put_parameter, "IncompatiblePolicyException", Name=f"/{name}/pol", Value="x", Type="String",
                 Tier="Standard", Policies=json.dumps([{"Type": "NoChangeNotification", "Version": "1.0",
                                                        "Attributes": {"After": "2", "Unit": "Days"}}]))  # fmt: skip
    expect_error(ssm.put_parameter, "InvalidPolicyTypeException", Name=f"/{name}/pol", Value="x", Type="String",
                 Tier="Advanced", Policies=json.dumps([{"Type": "Forever", "Attributes": {}}]))  # fmt: skip

    capped = f"/{name}/capped"
    for i in range(101):
        ssm.put_parameter(Name=capped, Value=str(i), Type="String", Overwrite=i > 0)
    versions = [h["Version"] for h in ssm.get_parameter_history(Name=capped, MaxResults=50)["Parameters"]]
    assert versions[0] == 2 and len(versions) == 50  # the oldest of 101 went
    ssm.label_parameter_version(Name=capped, ParameterVersion=2, Labels=["keep"])
    expect_error(ssm.put_parameter, "ParameterMaxVersionLimitExceeded", Name=capped, Value="x", Overwrite=True)


def test_expiration_policy_removes_the_parameter(ssm: Any, name: str) -> None:
    path = f"/{name}/temporary"
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    policy = [{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": at}}]
    out = ssm.put_parameter(Name=path, Value="x", Type="String", Tier="Advanced", Policies=json.dumps(policy))
    assert out["Tier"] == "Advanced"
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [path]}])["Parameters"][0]
    assert [(p["PolicyType"], p["PolicyStatus"]) for p in described["Policies"]] == [("Expiration", "Pending")]
    assert ssm.get_parameter(Name=path)["Parameter"]["Value"] == "x"
    time.sleep(2.5)
    expect_error(ssm.get_parameter, "ParameterNotFound", Name=path)
    assert ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [path]}])["Parameters"] == []
    assert ssm.put_parameter(Name=path, Value="again", Type="String")["Version"] == 1  # a new parameter


def test_tags(ssm: Any, name: str) -> None:
    path = f"/{name}/tagged"
    ssm.put_parameter(Name=path, Value="x", Type="String", Tags=[{"Key": "a", "Value": "1"}])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=path, Tags=[{"Key": "b", "Value": "2"}])
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=path, TagKeys=["a"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=path)["TagList"] == [
        {"Key": "b", "Value": "2"}
    ]
    expect_error(ssm.list_tags_for_resource, "InvalidResourceId", ResourceType="Parameter", ResourceId=f"/{name}/no")
    expect_error(ssm.list_tags_for_resource, "InvalidResourceType", ResourceType="Document", ResourceId="x")


def test_changes_are_eventbridge_events(ssm: Any, aws: Callable[..., Any], sqs: Any, name: str) -> None:
    events = aws("events")
    url, arn = queue(sqs, name)
    pattern = {"source": ["aws.ssm"], "detail": {"name": [{"prefix": f"/{name}/"}]}}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    path = f"/{name}/watched"
    ssm.put_parameter(Name=path, Value="1", Type="String", Description="d")
    ssm.put_parameter(Name=path, Value="2", Overwrite=True)
    ssm.delete_parameter(Name=path)
    got = [json.loads(m["Body"]) for m in receive(sqs, url, expected=3)]
    assert [(e["detail-type"], e["detail"]["operation"]) for e in got] == [
        ("Parameter Store Change", "Create"),
        ("Parameter Store Change", "Update"),
        ("Parameter Store Change", "Delete"),
    ]
    assert got[0]["resources"] == [f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter{path}"]
    assert got[0]["detail"] == {"name": path, "type": "String", "operation": "Create", "description": "d"}
