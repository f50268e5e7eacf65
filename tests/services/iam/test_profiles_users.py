"""Instance profiles, users, groups and access keys end to end (an issued key acts in its account)."""

from __future__ import annotations

from typing import Any

import boto3

from ...expect import ACCOUNT, expect_error
from ._docs import POLICY, TRUST


def test_instance_profiles(iam: Any, name: str) -> None:
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    iam.create_role(RoleName=name + "-2", AssumeRolePolicyDocument=TRUST)
    profile = iam.create_instance_profile(InstanceProfileName=name, Path="/ip/", Tags=[{"Key": "k", "Value": "v"}])[
        "InstanceProfile"
    ]
    assert (
        profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/ip/{name}"
        and profile["InstanceProfileId"].startswith("AIPA")
        and profile["Roles"] == []
    )
    expect_error(
        iam.create_instance_profile,
        "EntityAlreadyExists",
        f"Instance Profile {name} already exists.",
        InstanceProfileName=name,
    )
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    expect_error(iam.add_role_to_instance_profile, "LimitExceeded", InstanceProfileName=name, RoleName=name + "-2")
    got = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [name] and got["Tags"] == [{"Key": "k", "Value": "v"}]
    assert [
        p["InstanceProfileName"] for p in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]
    ] == [name]
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles(PathPrefix="/ip/")["InstanceProfiles"]] == [
        name
    ]
    expect_error(
        iam.delete_instance_profile,
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
        InstanceProfileName=name,
    )
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=name)
    assert iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"] == []
    iam.delete_instance_profile(InstanceProfileName=name)
    expect_error(
        iam.get_instance_profile, "NoSuchEntity", f"Instance Profile {name} cannot be found.", InstanceProfileName=name
    )


def test_users_and_groups(iam: Any, name: str) -> None:
    user = iam.create_user(UserName=name, Path="/u/", Tags=[{"Key": "a", "Value": "b"}])["User"]
    assert user["UserId"].startswith("AIDA") and user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/u/{name}"
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "a", "Value": "b"}]
    group = iam.create_group(GroupName=name)["Group"]
    assert group["GroupId"].startswith("AGPA")
    iam.add_user_to_group(GroupName=name, UserName=name)
    got = iam.get_group(GroupName=name)
    assert [u["UserName"] for u in got["Users"]] == [name]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=name)["Groups"]] == [name]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=POLICY)
    iam.put_group_policy(GroupName=name, PolicyName="p", PolicyDocument=POLICY)
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == ["p"] and iam.list_group_policies(GroupName=name)[
        "PolicyNames"
    ] == ["p"]
    expect_error(iam.delete_user, "DeleteConflict", UserName=name)
    iam.delete_user_policy(UserName=name, PolicyName="p")
    expect_error(iam.delete_user, "DeleteConflict", UserName=name)  # still in the group
    expect_error(iam.delete_group, "DeleteConflict", GroupName=name)
    iam.delete_group_policy(GroupName=name, PolicyName="p")
    iam.remove_user_from_group(GroupName=name, UserName=name)
    iam.delete_group(GroupName=name)
    assert name in [u["UserName"] for u in iam.list_users(PathPrefix="/u/")["Users"]]
    iam.delete_user(UserName=name)
    expect_error(iam.get_user, "NoSuchEntity", f"The user with name {name} cannot be found.", UserName=name)


def test_access_keys_act_in_their_account(aws: Any, name: str) -> None:
    iam = aws("iam", access_key="210987654321")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert key["Status"] == "Active" and len(key["AccessKeyId"]) == 20 and key["SecretAccessKey"]
    sts = aws("sts", access_key=key["AccessKeyId"])
    user = iam.get_user(UserName=name)["User"]
    assert sts.get_caller_identity() | {"ResponseMetadata": None} == {
        "Account": "210987654321",
        "Arn": user["Arn"],
        "UserId": user["UserId"],
        "ResponseMetadata": None,
    }
    assert aws("iam", access_key=key["AccessKeyId"]).get_user()["User"]["UserName"] == name  # the key's own user
    iam.create_access_key(UserName=name)
    expect_error(iam.create_access_key, "LimitExceeded", UserName=name)
    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert len(listed) == 2 and key["AccessKeyId"] in [k["AccessKeyId"] for k in listed]
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}[
        key["AccessKeyId"]
    ] == "Inactive"
    assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["UserName"] == name
    expect_error(iam.delete_user, "DeleteConflict", UserName=name)
    for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
    expect_error(iam.delete_access_key, "NoSuchEntity", UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)


def test_state_survives_restart(store: Any, name: str) -> None:
    from ...conftest import make_client
    from ...server import Server

    args = store()
    srv = Server(**args).start()
    try:
        iam = make_client(srv.endpoint, "iam")
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    finally:
        srv.stop()
    srv = Server(**args).start()
    try:
        iam = make_client(srv.endpoint, "iam")
        assert iam.get_role(RoleName=name)["Role"]["RoleName"] == name
        assert (
            iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"][0]["PolicyName"] == "AdministratorAccess"
        )
    finally:
        srv.stop()


def test_access_key_signs_in_strict_mode(store: Any, name: str) -> None:
    """Strict mode verifies signatures: a key IAM issued carries a secret every node can check."""
    from ...conftest import make_client
    from ...server import Server

    srv = Server(**store(), extra_args=["--strict-auth"]).start()
    try:
        iam = make_client(srv.endpoint, "iam")  # test:test, the default strict credentials
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        signed = boto3.client(
            "sts",
            endpoint_url=srv.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
        )
        assert signed.get_caller_identity()["Account"] == ACCOUNT
        forged = boto3.client(
            "sts",
            endpoint_url=srv.endpoint,
            region_name="us-east-1",
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key="wrong",
        )
        expect_error(forged.get_caller_identity, "SignatureDoesNotMatch")
    finally:
        srv.stop()
