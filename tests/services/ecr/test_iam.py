"""ECR and ECS under --enforce-iam: an IAM user may do only what its policy allows (AccessDeniedException in AWS's
words otherwise); another account reaches a repository only when both its own side and the repository's policy
allow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ...conftest import StoreFactory
from ...server import Server

ACCT = "111111111111"
OTHER = "222222222222"


@pytest.fixture(scope="module")
def enforced(store: StoreFactory) -> Iterator[Server]:
    server = Server(
        **store(), extra_args=["--enforce-iam", "--credentials", f"{ACCT}:root-one,{OTHER}:root-two"]
    ).start()
    yield server
    server.stop()


def _client(server: Server, service: str, key: str, secret: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def test_identity_policies_and_repository_policies(enforced: Server, name: str) -> None:
    root_ecr = _client(enforced, "ecr", ACCT, "root-one")
    iam = _client(enforced, "iam", ACCT, "root-one")
    repo = root_ecr.create_repository(repositoryName=name)["repository"]
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["ecr:DescribeImages", "ecs:ListClusters"], "Resource": "*"},
            {"Effect": "Allow", "Action": "ecr:ListImages", "Resource": repo["repositoryArn"]},
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user_ecr = _client(enforced, "ecr", key["AccessKeyId"], key["SecretAccessKey"])
    user_ecs = _client(enforced, "ecs", key["AccessKeyId"], key["SecretAccessKey"])
    assert user_ecr.list_images(repositoryName=name)["imageIds"] == []
    assert user_ecr.describe_images(repositoryName=name)["imageDetails"] == []
    user_ecs.list_clusters()
    with pytest.raises(ClientError) as refused:
        user_ecr.create_repository(repositoryName=f"{name}-2")
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert f"user/{name} is not authorized to perform: ecr:CreateRepository" in error["Message"]
    with pytest.raises(ClientError) as refused_ecs:
        user_ecs.create_cluster(clusterName=name)
    assert refused_ecs.value.response["Error"]["Code"] == "AccessDeniedException"

    # another account: refused until the repository's policy lets it in
    other_ecr = _client(enforced, "ecr", OTHER, "root-two")
    with pytest.raises(ClientError) as cross:
        other_ecr.list_images(registryId=ACCT, repositoryName=name)
    assert cross.value.response["Error"]["Code"] == "AccessDeniedException"
    grant = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "ecr:ListImages"}
        ],
    }
    root_ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(grant))
    assert other_ecr.list_images(registryId=ACCT, repositoryName=name)["imageIds"] == []
    root_ecr.delete_repository(repositoryName=name)
