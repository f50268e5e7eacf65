"""Console passwords end to end: the account's password policy, users' login profiles checked against it (or AWS's
default policy), DeleteUser refused while a login profile is left, and the listings of the credentials gureum
cannot issue, which Terraform's aws_iam_user with force_destroy reads before deleting the user."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ...expect import expect_error


def _account() -> str:
    return str(random.randrange(10**11, 10**12))


def test_account_password_policy(aws: Callable[..., Any]) -> None:
    account = _account()
    iam = aws("iam", access_key=account)
    expect_error(
        iam.get_account_password_policy,
        "NoSuchEntity",
        f"The Password Policy with domain name {account} cannot be found.",
        404,
    )
    iam.update_account_password_policy(
        MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True, MaxPasswordAge=90,
        PasswordReusePrevention=3,
    )  # fmt: skip
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy == {
        "MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": True,
        "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False, "AllowUsersToChangePassword": False,
        "ExpirePasswords": True, "MaxPasswordAge": 90, "PasswordReusePrevention": 3,
    }  # fmt: skip
    iam.update_account_password_policy(RequireUppercaseCharacters=True)  # what is left out takes the defaults
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 6 and policy["RequireUppercaseCharacters"] is True
    assert policy["ExpirePasswords"] is False and "MaxPasswordAge" not in policy and policy["RequireSymbols"] is False
    iam.delete_account_password_policy()
    expect_error(iam.get_account_password_policy, "NoSuchEntity")
    expect_error(iam.delete_account_password_policy, "NoSuchEntity")


def test_login_profiles(aws: Callable[..., Any], name: str) -> None:
    iam = aws("iam", access_key=_account())
    iam.create_user(UserName=name)
    expect_error(iam.get_login_profile, "NoSuchEntity", f"Login Profile for User {name} cannot be found.", 404,
                 UserName=name)  # fmt: skip
    # without a policy of its own the account has AWS's default: 8 characters, three kinds of them
    expect_error(iam.create_login_profile, "PasswordPolicyViolation", status=400, UserName=name, Password="abcdefgh1")
    created = iam.create_login_profile(UserName=name, Password="Abcdefgh1", PasswordResetRequired=True)
    assert created["LoginProfile"]["UserName"] == name and created["LoginProfile"]["PasswordResetRequired"] is True
    got = iam.get_login_profile(UserName=name)["LoginProfile"]
    assert got["PasswordResetRequired"] is True and got["CreateDate"] == created["LoginProfile"]["CreateDate"]
    expect_error(iam.create_login_profile, "EntityAlreadyExists", UserName=name, Password="Abcdefgh1")
    iam.update_account_password_policy(MinimumPasswordLength=10, RequireSymbols=True)
    expect_error(iam.update_login_profile, "PasswordPolicyViolation", UserName=name, Password="Abcdefgh12")
    iam.update_login_profile(UserName=name, Password="Abcdefgh1!", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    expect_error(iam.delete_user, "DeleteConflict", "Cannot delete entity, must delete login profile first.",
                 UserName=name)  # fmt: skip
    # the credentials gureum cannot issue are listed as none; a user that does not exist is not found
    assert iam.list_ssh_public_keys(UserName=name)["SSHPublicKeys"] == []
    assert iam.list_signing_certificates(UserName=name)["Certificates"] == []
    assert iam.list_service_specific_credentials(UserName=name)["ServiceSpecificCredentials"] == []
    assert iam.list_mfa_devices(UserName=name)["MFADevices"] == []
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    expect_error(iam.list_ssh_public_keys, "NoSuchEntity", UserName=name + "-none")
    iam.delete_login_profile(UserName=name)
    expect_error(iam.delete_login_profile, "NoSuchEntity", UserName=name)
    expect_error(iam.update_login_profile, "NoSuchEntity", UserName=name, PasswordResetRequired=True)
    expect_error(iam.create_login_profile, "NoSuchEntity", UserName=name + "-none", Password="Abcdefgh1!")
    iam.delete_user(UserName=name)


def test_login_profile_without_a_user_name_is_the_callers(aws: Callable[..., Any], name: str) -> None:
    """UserName is optional: it defaults to the user whose key signs the call; other credentials (the root's) get
    IAM's ValidationError, never a server error."""
    account = _account()
    iam = aws("iam", access_key=account)
    expect_error(
        iam.get_login_profile, "ValidationError", "Must specify userName when calling with non-User credentials"
    )
    expect_error(iam.create_login_profile, "ValidationError", Password="Aa1!aaaaaaaaaaaa")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = aws("iam", access_key=key["AccessKeyId"])
    assert as_user.create_login_profile(Password="Aa1!aaaaaaaaaaaa")["LoginProfile"]["UserName"] == name
    assert as_user.get_login_profile()["LoginProfile"]["UserName"] == name
    as_user.delete_login_profile()
    expect_error(iam.get_login_profile, "NoSuchEntity", UserName=name)
