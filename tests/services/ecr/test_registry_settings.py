"""The registry's own settings over boto3: its permissions policy (put, get, delete, AWS's errors) and its
replication configuration (put, shown by DescribeRegistry, replaced, emptied) — what Terraform's
aws_ecr_registry_policy and aws_ecr_replication_configuration call."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _account_client(aws: Callable[..., Any]) -> tuple[Any, str]:
    """ECR as a fresh account (an access key of 12 digits acts as that account): the registry is the account's."""
    account = "".join(random.choice("0123456789") for _ in range(12))
    return aws("ecr", access_key=account), account


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    return dict(caught.value.response["Error"])


def test_registry_policy(aws: Callable[..., Any]) -> None:
    ecr, account = _account_client(aws)
    missing = _error(ecr.get_registry_policy)
    assert missing["Code"] == "RegistryPolicyNotFoundException"
    assert account in missing["Message"]
    assert _error(ecr.delete_registry_policy)["Code"] == "RegistryPolicyNotFoundException"

    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "replicate",
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
                    "Resource": f"arn:aws:ecr:us-east-1:{account}:repository/*",
                }
            ],
        }
    )
    put = ecr.put_registry_policy(policyText=policy)
    assert (put["registryId"], put["policyText"]) == (account, policy)
    got = ecr.get_registry_policy()
    assert (got["registryId"], json.loads(got["policyText"])) == (account, json.loads(policy))
    bad = _error(lambda: ecr.put_registry_policy(policyText="{not json"))
    assert bad["Code"] == "InvalidParameterException" and "Invalid registry policy provided" in bad["Message"]
    deleted = ecr.delete_registry_policy()
    assert deleted["policyText"] == policy
    assert _error(ecr.get_registry_policy)["Code"] == "RegistryPolicyNotFoundException"


def test_replication_configuration(aws: Callable[..., Any]) -> None:
    ecr, account = _account_client(aws)
    empty = ecr.describe_registry()
    assert (empty["registryId"], empty["replicationConfiguration"]) == (account, {"rules": []})
    config = {
        "rules": [
            {
                "destinations": [{"region": "us-west-2", "registryId": account}],
                "repositoryFilters": [{"filter": "team", "filterType": "PREFIX_MATCH"}],
            },
            {"destinations": [{"region": "eu-west-1", "registryId": "111122223333"}]},
        ]
    }
    assert ecr.put_replication_configuration(replicationConfiguration=config)["replicationConfiguration"] == config
    described = ecr.describe_registry()
    assert described["registryId"] == account and described["replicationConfiguration"] == config
    # another region's registry is another registry
    assert aws("ecr", access_key=account, region="eu-west-1").describe_registry()["replicationConfiguration"] == {
        "rules": []
    }

    too_many = {"rules": [{"destinations": [{"region": f"us-test-{i}", "registryId": account} for i in range(26)]}]}
    refused = _error(lambda: ecr.put_replication_configuration(replicationConfiguration=too_many))
    assert refused["Code"] == "InvalidParameterException"
    ecr.put_replication_configuration(replicationConfiguration={"rules": []})
    assert ecr.describe_registry()["replicationConfiguration"] == {"rules": []}
