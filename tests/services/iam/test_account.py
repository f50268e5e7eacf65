"""Account-wide IAM end to end: renaming users and groups, the account alias, GetAccountSummary."""

from __future__ import annotations

from typing import Any

from ...expect import ACCOUNT, expect_error
from ._docs import POLICY, TRUST
from .test_server_certificates import _pair


def test_rename_user_and_group(iam: Any, name: str) -> None:
    iam.create_user(UserName=name)
    iam.create_user(UserName=name + "-taken")
    iam.create_group(GroupName=name)
    iam.add_user_to_group(GroupName=name, UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=POLICY)
    iam.update_user(UserName=name, NewUserName=name + "-new", NewPath="/moved/")
    user = iam.get_user(UserName=name + "-new")["User"]
    assert (user["Path"], user["Arn"]) == ("/moved/", f"arn:aws:iam::{ACCOUNT}:user/moved/{name}-new")
    assert iam.list_user_policies(UserName=name + "-new")["PolicyNames"] == ["p"]  # what hung off the user follows it
    expect_error(iam.get_user, "NoSuchEntity", UserName=name)
    expect_error(
        iam.update_user,
        "EntityAlreadyExists",
        f"User with name {name}-taken already exists.",
        UserName=name + "-new",
        NewUserName=name + "-taken",
    )
    iam.update_group(GroupName=name, NewGroupName=name + "-g")
    assert [u["UserName"] for u in iam.get_group(GroupName=name + "-g")["Users"]] == [name + "-new"]


def test_account_alias(aws: Any, name: str) -> None:
    iam = aws("iam", access_key="333344445555")
    iam.create_account_alias(AccountAlias=f"{name}-a")
    iam.create_account_alias(AccountAlias=f"{name}-b")  # an account has one alias: the new one replaces it
    assert iam.list_account_aliases()["AccountAliases"] == [f"{name}-b"]
    expect_error(
        aws("iam", access_key="444455556666").create_account_alias, "EntityAlreadyExists", AccountAlias=f"{name}-b"
    )
    iam.delete_account_alias(AccountAlias=f"{name}-b")
    assert iam.list_account_aliases()["AccountAliases"] == []
    expect_error(iam.delete_account_alias, "NoSuchEntity", AccountAlias=f"{name}-b")


def test_account_summary(aws: Any, name: str) -> None:
    iam = aws("iam", access_key="555566667777")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    arn = iam.create_policy(PolicyName=name, PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY)
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Roles"], summary["Policies"], summary["PolicyVersionsInUse"], summary["Users"]) == (1, 1, 2, 0)
    assert summary["AttachedPoliciesPerRoleQuota"] == 10 and summary["VersionsPerPolicyQuota"] == 5


def test_sts_preferences_and_server_certificates_in_summary(aws: Any, name: str) -> None:
    # Terraform's aws_iam_security_token_service_preferences reads the version back from GetAccountSummary
    iam = aws("iam", access_key="555566668888")
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["GlobalEndpointTokenVersion"] == 1 and summary["ServerCertificates"] == 0
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1
    body, key = _pair("www.example.com")
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=body, PrivateKey=key)
    assert iam.get_account_summary()["SummaryMap"]["ServerCertificates"] == 1
    iam.delete_server_certificate(ServerCertificateName=name)
