"""Inline and managed policies end to end: versions and their limit, attachments and their limit, AWS's catalogue,
ListPolicies filters, ListEntitiesForPolicy, tags."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from ...expect import ACCOUNT, expect_error
from ._docs import BASIC, POLICY, TRUST, policy


def test_inline_role_policies(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName=name, PolicyName="b", PolicyDocument=POLICY)
    iam.put_role_policy(RoleName=name, PolicyName="a", PolicyDocument=policy("sqs:*"))
    iam.put_role_policy(RoleName=name, PolicyName="a", PolicyDocument=policy("sns:*"))
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["a", "b"]
    got = iam.get_role_policy(RoleName=name, PolicyName="a")
    assert got["RoleName"] == name and got["PolicyDocument"] == json.loads(policy("sns:*"))
    expect_error(
        iam.get_role_policy,
        "NoSuchEntity",
        "The role policy with name c cannot be found.",
        RoleName=name,
        PolicyName="c",
    )
    expect_error(
        iam.put_role_policy,
        "MalformedPolicyDocument",
        "Policy document should not specify a principal.",
        RoleName=name,
        PolicyName="c",
        PolicyDocument=TRUST,
    )
    expect_error(iam.put_role_policy, "NoSuchEntity", RoleName=name + "x", PolicyName="c", PolicyDocument=POLICY)
    iam.delete_role_policy(RoleName=name, PolicyName="b")
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["a"]


def test_aws_managed_catalogue(iam: Any) -> None:
    got = iam.get_policy(PolicyArn=BASIC)["Policy"]
    assert (
        got["PolicyName"] == "AWSLambdaBasicExecutionRole" and got["Path"] == "/service-role/" and got["IsAttachable"]
    )
    version = iam.get_policy_version(PolicyArn=BASIC, VersionId=got["DefaultVersionId"])["PolicyVersion"]
    statement = version["Document"]["Statement"][0]
    assert (
        statement["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        and version["IsDefaultVersion"]
    )
    for arn in [
        "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]:
        assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn
    expect_error(
        iam.get_policy,
        "NoSuchEntity",
        "Policy arn:aws:iam::aws:policy/Nope was not found.",
        PolicyArn="arn:aws:iam::aws:policy/Nope",
    )
    expect_error(iam.create_policy_version, "UnmodifiableEntity", PolicyArn=BASIC, PolicyDocument=POLICY)
    aws_names = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", PathPrefix="/service-role/")["Policies"]]
    assert "AWSLambdaBasicExecutionRole" in aws_names and "AmazonSQSFullAccess" not in aws_names


def test_managed_policy_versions(iam: Any, name: str) -> None:
    created = iam.create_policy(PolicyName=name, Path="/p/", PolicyDocument=POLICY, Description="desc")["Policy"]
    arn = created["Arn"]
    assert (
        arn == f"arn:aws:iam::{ACCOUNT}:policy/p/{name}"
        and created["DefaultVersionId"] == "v1"
        and created["PolicyId"].startswith("ANPA")
    )
    assert created["AttachmentCount"] == 0
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "desc"
    expect_error(
        iam.create_policy,
        "EntityAlreadyExists",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
        PolicyName=name,
        PolicyDocument=POLICY,
    )
    for i in range(2, 6):
        v = iam.create_policy_version(PolicyArn=arn, PolicyDocument=policy(f"sqs:Action{i}"), SetAsDefault=(i == 3))[
            "PolicyVersion"
        ]
        assert v["VersionId"] == f"v{i}"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    expect_error(
        iam.create_policy_version, "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, "
        "you must delete an existing version.",
        PolicyArn=arn, PolicyDocument=POLICY,
    )  # fmt: skip
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, True, False, False]
    assert (
        iam.get_policy_version(PolicyArn=arn, VersionId="v4")["PolicyVersion"]["Document"]["Statement"][0]["Action"]
        == "sqs:Action4"
    )
    expect_error(
        iam.delete_policy_version,
        "DeleteConflict",
        "Cannot delete the default version of a policy.",
        PolicyArn=arn,
        VersionId="v3",
    )
    expect_error(iam.get_policy_version, "NoSuchEntity", PolicyArn=arn, VersionId="v9")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert (
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY)["PolicyVersion"]["VersionId"] == "v6"
    )  # numbers never reused
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v6")
    expect_error(iam.delete_policy, "DeleteConflict", PolicyArn=arn)  # more than one version
    for v in ("v2", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    iam.delete_policy(PolicyArn=arn)
    expect_error(iam.get_policy, "NoSuchEntity", f"Policy {arn} was not found.", 404, PolicyArn=arn)


def test_attachments_and_entities(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName=name)
    iam.create_group(GroupName=name)
    arn = iam.create_policy(PolicyName=name, PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    iam.attach_role_policy(RoleName=name, PolicyArn=arn)  # attaching twice is a no-op
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC)
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == [
        {"PolicyName": name, "PolicyArn": arn},
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC},
    ]
    assert iam.list_attached_role_policies(RoleName=name, PathPrefix="/service-role/")["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC}
    ]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [name] and [
        u["UserName"] for u in entities["PolicyUsers"]
    ] == [name]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == [name]
    only_roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert only_roles["PolicyUsers"] == [] and len(only_roles["PolicyRoles"]) == 1
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]]
    expect_error(iam.delete_policy, "DeleteConflict", "Cannot delete a policy attached to entities.", PolicyArn=arn)
    expect_error(
        iam.attach_role_policy, "NoSuchEntity", f"Policy {arn}x was not found.", PolicyArn=arn + "x", RoleName=name
    )
    expect_error(
        iam.attach_role_policy,
        "InvalidInput",
        "ARN not-an-arn-at-all-really is not valid.",
        PolicyArn="not-an-arn-at-all-really",
        RoleName=name,
    )
    iam.detach_role_policy(RoleName=name, PolicyArn=arn)
    expect_error(iam.detach_role_policy, "NoSuchEntity", f"Policy {arn} was not found.", RoleName=name, PolicyArn=arn)
    iam.detach_user_policy(UserName=name, PolicyArn=arn)
    iam.detach_group_policy(GroupName=name, PolicyArn=arn)
    assert arn not in [p["Arn"] for p in iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]]
    iam.delete_policy(PolicyArn=arn)


def test_ten_managed_policies_per_role(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    for i in range(10):
        arn = iam.create_policy(PolicyName=f"{name}-{i}", PolicyDocument=POLICY)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    expect_error(
        iam.attach_role_policy,
        "LimitExceeded",
        "Cannot exceed quota for PoliciesPerRole: 10",
        409,
        RoleName=name,
        PolicyArn=BASIC,
    )
    paged = iam.list_attached_role_policies(RoleName=name, MaxItems=4)
    assert len(paged["AttachedPolicies"]) == 4 and paged["IsTruncated"]


def test_policy_tags_and_listing(iam: Any, name: str) -> None:
    arn = iam.create_policy(
        PolicyName=name, Path=f"/{name}/", PolicyDocument=POLICY, Tags=[{"Key": "a", "Value": "1"}]
    )["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "b", "Value": "2"}]
    listed = iam.list_policies(Scope="Local", PathPrefix=f"/{name}/")["Policies"]
    assert [p["PolicyName"] for p in listed] == [name] and "Description" not in listed[0]
    expect_error(
        iam.create_policy,
        "MalformedPolicyDocument",
        "Policy statement must contain resources.",
        PolicyName=name + "x",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}),
    )


def test_concurrent_changes_keep_limits_exact(aws: Any, iam: Any, name: str) -> None:
    """Racing writers (several connections; on PostgreSQL several transactions at once) never break a limit."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    arns = [iam.create_policy(PolicyName=f"{name}-{i}", PolicyDocument=POLICY)["Policy"]["Arn"] for i in range(12)]
    clients = [aws("iam") for _ in range(6)]

    def attempt(call: Any, **kwargs: Any) -> str:
        try:
            call(**kwargs)
            return "ok"
        except ClientError as error:
            return str(error.response["Error"]["Code"])

    with ThreadPoolExecutor(6) as pool:
        attached = list(
            pool.map(lambda i: attempt(clients[i % 6].attach_role_policy, RoleName=name, PolicyArn=arns[i]), range(12))
        )
        versions = list(
            pool.map(
                lambda i: attempt(
                    clients[i % 6].create_policy_version, PolicyArn=arns[0], PolicyDocument=policy(f"sqs:A{i}")
                ),
                range(8),
            )
        )
    assert sorted(attached) == ["LimitExceeded"] * 2 + ["ok"] * 10
    assert sorted(versions) == ["LimitExceeded"] * 4 + ["ok"] * 4
    assert len(iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]) == 10
    assert sorted(v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arns[0])["Versions"]) == [
        "v1",
        "v2",
        "v3",
        "v4",
        "v5",
    ]
