"""STS through boto3: caller identity, and temporary credentials that act in the role's account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError


def test_caller_identity_default_and_account_keys(aws: Callable[..., Any]) -> None:
    assert aws("sts").get_caller_identity()["Account"] == "000000000000"
    identity = aws("sts", access_key="123456789012").get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"


def test_assume_role_credentials_work_in_the_role_account(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    result = aws("sts").assume_role(
        RoleArn="arn:aws:iam::210987654321:role/deployer", RoleSessionName="ci-run", DurationSeconds=900
    )
    creds = result["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert result["AssumedRoleUser"]["Arn"] == "arn:aws:sts::210987654321:assumed-role/deployer/ci-run"
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )
    assert session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"] == "210987654321"
    url = session.client("sqs", endpoint_url=endpoint).create_queue(QueueName=name)["QueueUrl"]
    assert "/210987654321/" in url
    # the default account does not see the role account's queue
    with pytest.raises(ClientError):
        aws("sqs").get_queue_url(QueueName=name)


def test_assume_role_validation(aws: Callable[..., Any]) -> None:
    with pytest.raises(ClientError) as err:
        aws("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/x", RoleSessionName="s1", DurationSeconds=100000)
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_session_and_federation_tokens(aws: Callable[..., Any]) -> None:
    sts = aws("sts", access_key="555555555555")
    assert sts.get_session_token()["Credentials"]["SessionToken"]
    fed = sts.get_federation_token(Name="bob")
    assert fed["FederatedUser"]["Arn"] == "arn:aws:sts::555555555555:federated-user/bob"
    key = fed["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == "555555555555"


def test_caller_identity_follows_the_keys_user(aws: Callable[..., Any], endpoint: str, name: str) -> None:
    """An IAM user's key names the user; renaming or deleting the user changes what the same key says at once
    (each node caches key owners, dropped on every IAM write)."""
    iam = aws("iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::000000000000:user/{name}"
    iam.update_user(UserName=name, NewUserName=f"{name}-renamed")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::000000000000:user/{name}-renamed"
    iam.delete_access_key(UserName=f"{name}-renamed", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=f"{name}-renamed")
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
