"""Roles end to end: create/get/update/delete, listing with paths and paging, tags, boundaries, validation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import requests

from ...expect import ACCOUNT, expect_error
from ._docs import BASIC, POLICY, TRUST


def test_create_and_get_role(iam: Any, name: str) -> None:
    created = iam.create_role(
        RoleName=name,
        Path="/app/",
        AssumeRolePolicyDocument=TRUST,
        Description="d",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "a"}],
    )["Role"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/app/{name}"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert abs((dt.datetime.now(dt.UTC) - created["CreateDate"]).total_seconds()) < 60
    role = iam.get_role(RoleName=name)["Role"]
    assert role["RoleId"] == created["RoleId"] and role["Path"] == "/app/" and role["Description"] == "d"
    assert role["MaxSessionDuration"] == 7200 and role["Tags"] == [{"Key": "team", "Value": "a"}]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)  # botocore decodes the URL-encoded document
    # names are case-insensitive: the same name in other case is taken, and finds the role
    expect_error(
        iam.create_role,
        "EntityAlreadyExists",
        f"Role with name {name.upper()} already exists.",
        409,
        RoleName=name.upper(),
        AssumeRolePolicyDocument=TRUST,
    )
    assert iam.get_role(RoleName=name.upper())["Role"]["RoleName"] == name


def test_document_is_url_encoded_on_the_wire(iam: Any, endpoint: str, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    body = requests.post(
        endpoint,
        data={"Action": "GetRole", "Version": "2010-05-08", "RoleName": name},
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, "
            "SignedHeaders=host, Signature=x"
        },
    ).text
    assert f"<AssumeRolePolicyDocument>{quote(TRUST, safe='')}</AssumeRolePolicyDocument>" in body
    assert "%7B%22Version%22%3A%20%222012-10-17%22" in body


def test_update_role(iam: Any, raw_iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.update_role(RoleName=name, Description="new", MaxSessionDuration=43200)
    assert iam.update_role_description(RoleName=name, Description="newer")["Role"]["Description"] == "newer"
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        }
    )
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust)
    role = iam.get_role(RoleName=name)["Role"]
    assert (role["Description"], role["MaxSessionDuration"], role["AssumeRolePolicyDocument"]) == (
        "newer",
        43200,
        json.loads(trust),
    )
    expect_error(
        raw_iam.update_role, "ValidationError",
        "1 validation error detected: Value 60 at 'maxSessionDuration' failed to satisfy constraint: "
        "Member must have value greater than or equal to 3600",
        RoleName=name, MaxSessionDuration=60,
    )  # fmt: skip
    expect_error(
        iam.update_assume_role_policy, "MalformedPolicyDocument", RoleName=name, PolicyDocument=POLICY
    )  # no Principal


def test_missing_role_and_validation(iam: Any, raw_iam: Any, name: str) -> None:
    expect_error(iam.get_role, "NoSuchEntity", f"The role with name {name} cannot be found.", 404, RoleName=name)
    expect_error(iam.delete_role, "NoSuchEntity", f"The role with name {name} cannot be found.", RoleName=name)
    expect_error(
        iam.create_role, "ValidationError",
        "1 validation error detected: Value 'a b' at 'roleName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        RoleName="a b", AssumeRolePolicyDocument=TRUST,
    )  # fmt: skip
    expect_error(iam.create_role, "ValidationError", RoleName="r" * 65, AssumeRolePolicyDocument=TRUST)
    expect_error(
        raw_iam.get_role, "ValidationError",
        "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    )  # fmt: skip
    expect_error(iam.create_role, "ValidationError", RoleName=name, Path="no-slash", AssumeRolePolicyDocument=TRUST)
    expect_error(
        iam.create_role,
        "MalformedPolicyDocument",
        "Syntax errors in policy.",
        RoleName=name,
        AssumeRolePolicyDocument="{not json",
    )
    expect_error(
        iam.create_role,
        "MalformedPolicyDocument",
        "Missing required field Statement",
        RoleName=name,
        AssumeRolePolicyDocument='{"Version": "2012-10-17"}',
    )
    expect_error(
        iam.create_role,
        "MalformedPolicyDocument",
        RoleName=name,
        AssumeRolePolicyDocument='{"Version": "2019-01-01", "Statement": []}',
    )


def test_list_roles_path_prefix_and_paging(iam: Any, name: str) -> None:
    for i in range(5):
        iam.create_role(RoleName=f"{name}-{i}", Path=f"/{name}/", AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName=f"{name}-other", AssumeRolePolicyDocument=TRUST)
    first = iam.list_roles(PathPrefix=f"/{name}/", MaxItems=2)
    assert first["IsTruncated"] and [r["RoleName"] for r in first["Roles"]] == [f"{name}-0", f"{name}-1"]
    assert "Tags" not in first["Roles"][0] and "AssumeRolePolicyDocument" in first["Roles"][0]
    names = [
        r["RoleName"]
        for p in iam.get_paginator("list_roles").paginate(PathPrefix=f"/{name}/", PaginationConfig={"PageSize": 2})
        for r in p["Roles"]
    ]
    assert names == [f"{name}-{i}" for i in range(5)]
    assert f"{name}-other" in [r["RoleName"] for p in iam.get_paginator("list_roles").paginate() for r in p["Roles"]]


def test_role_tags(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_role(RoleName=name, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}]
    iam.untag_role(RoleName=name, TagKeys=["a"])
    assert iam.get_role(RoleName=name)["Role"]["Tags"] == [{"Key": "b", "Value": "2"}]
    expect_error(
        iam.tag_role, "InvalidInput", RoleName=name, Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]
    )
    expect_error(iam.tag_role, "LimitExceeded", RoleName=name, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])


def test_permissions_boundary(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST, PermissionsBoundary=BASIC)
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": BASIC,
    }
    assert iam.get_policy(PolicyArn=BASIC)["Policy"]["PermissionsBoundaryUsageCount"] >= 1
    iam.delete_role_permissions_boundary(RoleName=name)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=name)["Role"]
    expect_error(iam.delete_role_permissions_boundary, "NoSuchEntity", RoleName=name)
    policy_arn = iam.create_policy(PolicyName=name, PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=policy_arn)
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == policy_arn
    expect_error(
        iam.put_role_permissions_boundary, "NoSuchEntity", RoleName=name, PermissionsBoundary=policy_arn + "-gone"
    )


def test_delete_role_conflicts(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC)
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=POLICY)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    expect_error(
        iam.delete_role,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        409,
        RoleName=name,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=name)
    expect_error(
        iam.delete_role, "DeleteConflict", "Cannot delete entity, must detach all policies first.", RoleName=name
    )
    iam.detach_role_policy(RoleName=name, PolicyArn=BASIC)
    expect_error(iam.delete_role, "DeleteConflict", "Cannot delete entity, must delete policies first.", RoleName=name)
    iam.delete_role_policy(RoleName=name, PolicyName="inline")
    iam.delete_role(RoleName=name)
    expect_error(iam.get_role, "NoSuchEntity", RoleName=name)


def test_iam_is_global_but_per_account(aws: Any, name: str) -> None:
    aws("iam", region="eu-west-1").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    assert aws("iam", region="us-west-2").get_role(RoleName=name)["Role"]["RoleName"] == name
    other = aws("iam", access_key="111122223333")
    expect_error(other.get_role, "NoSuchEntity", RoleName=name)
    assert (
        other.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        == f"arn:aws:iam::111122223333:role/{name}"
    )


def test_service_linked_role(iam: Any) -> None:
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="gureum")["Role"]
    assert (
        role["RoleName"] == "AWSServiceRoleForAutoScaling_gureum"
        and role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    )
    expect_error(iam.delete_role, "UnmodifiableEntity", RoleName=role["RoleName"])
    # its description may be edited (Terraform's aws_iam_service_linked_role does so through UpdateRole), nothing else
    iam.update_role(RoleName=role["RoleName"], Description="scaling")
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["Description"] == "scaling"
    described = iam.update_role_description(RoleName=role["RoleName"], Description="scaling 2")["Role"]
    assert described["Description"] == "scaling 2"
    expect_error(iam.update_role, "UnmodifiableEntity", RoleName=role["RoleName"], MaxSessionDuration=7200)
    expect_error(iam.update_assume_role_policy, "UnmodifiableEntity", RoleName=role["RoleName"], PolicyDocument=TRUST)
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    expect_error(iam.get_role, "NoSuchEntity", RoleName=role["RoleName"])
