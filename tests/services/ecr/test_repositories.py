"""ECR repositories over boto3: create/describe/delete (force), settings stored and reported, tags, repository
and lifecycle policies, the authorization token — and AWS's errors for wrong calls."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ._images import push_api


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_create_describe_delete(ecr: Any, name: str, endpoint: str) -> None:
    created = ecr.create_repository(
        repositoryName=f"team/{name}",
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS"},
        tags=[{"Key": "env", "Value": "test"}],
    )["repository"]
    assert created["repositoryName"] == f"team/{name}"
    assert created["repositoryArn"] == f"arn:aws:ecr:us-east-1:{created['registryId']}:repository/team/{name}"
    host = endpoint.removeprefix("http://")
    assert created["repositoryUri"] == f"{host}/team/{name}"
    assert created["imageTagMutability"] == "IMMUTABLE"
    assert created["imageScanningConfiguration"] == {"scanOnPush": True}
    assert created["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert created["encryptionConfiguration"]["kmsKey"].endswith(":alias/aws/ecr")

    described = ecr.describe_repositories(repositoryNames=[f"team/{name}"])["repositories"]
    assert described == [created]
    assert ecr.list_tags_for_resource(resourceArn=created["repositoryArn"])["tags"] == [{"Key": "env", "Value": "test"}]

    with pytest.raises(ClientError) as dup:
        ecr.create_repository(repositoryName=f"team/{name}")
    assert _code(dup) == "RepositoryAlreadyExistsException"
    assert f"'team/{name}' already exists in the registry with id '{created['registryId']}'" in str(dup.value)

    deleted = ecr.delete_repository(repositoryName=f"team/{name}")["repository"]
    assert deleted["repositoryArn"] == created["repositoryArn"]
    with pytest.raises(ClientError) as gone:
        ecr.describe_repositories(repositoryNames=[f"team/{name}"])
    assert _code(gone) == "RepositoryNotFoundException"
    assert "does not exist in the registry with id" in str(gone.value)


def test_delete_with_images_needs_force(ecr: Any, name: str) -> None:
    ecr.create_repository(repositoryName=name)
    push_api(ecr, name, "v1")
    with pytest.raises(ClientError) as busy:
        ecr.delete_repository(repositoryName=name)
    assert _code(busy) == "RepositoryNotEmptyException"
    assert "still contains images" in str(busy.value)
    ecr.delete_repository(repositoryName=name, force=True)
    assert name not in [r["repositoryName"] for r in ecr.describe_repositories()["repositories"]]
    # the name is free again, empty
    ecr.create_repository(repositoryName=name)
    assert ecr.list_images(repositoryName=name)["imageIds"] == []
    ecr.delete_repository(repositoryName=name)


def test_describe_pages(ecr: Any, name: str) -> None:
    names = [f"{name}-{i}" for i in range(5)]
    for repo in names:
        ecr.create_repository(repositoryName=repo)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 2}
    while True:
        page = ecr.describe_repositories(**kwargs)
        assert len(page["repositories"]) <= 2
        seen += [r["repositoryName"] for r in page["repositories"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert [n for n in seen if n.startswith(name)] == names
    assert len(seen) == len(set(seen))
    for repo in names:
        ecr.delete_repository(repositoryName=repo)


def test_settings_and_tags(ecr: Any, name: str) -> None:
    arn = ecr.create_repository(repositoryName=name)["repository"]["repositoryArn"]
    got = ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="IMMUTABLE")
    assert got["imageTagMutability"] == "IMMUTABLE"
    got = ecr.put_image_scanning_configuration(repositoryName=name, imageScanningConfiguration={"scanOnPush": True})
    assert got["imageScanningConfiguration"] == {"scanOnPush": True}
    repo = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE" and repo["imageScanningConfiguration"]["scanOnPush"] is True
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}

    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "3"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "a", "Value": "3"}]
    with pytest.raises(ClientError) as missing:
        ecr.list_tags_for_resource(resourceArn=arn.replace(name, name + "-nope"))
    assert _code(missing) == "RepositoryNotFoundException"
    with pytest.raises(ClientError) as bad:
        ecr.tag_resource(resourceArn="arn:aws:sqs:us-east-1:000000000000:q", tags=[{"Key": "a", "Value": "1"}])
    assert _code(bad) == "InvalidParameterException"
    ecr.delete_repository(repositoryName=name)


def test_immutable_tags_cannot_move(ecr: Any, name: str) -> None:
    ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
    push_api(ecr, name, "v1")
    with pytest.raises(ClientError) as moved:
        push_api(ecr, name, "v1")
    assert _code(moved) == "ImageTagAlreadyExistsException"
    assert "'v1' already exists" in str(moved.value)
    ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="MUTABLE")
    second = push_api(ecr, name, "v1")
    tagged = ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": "v1"}])["imageDetails"]
    assert [d["imageDigest"] for d in tagged] == [second]
    ecr.delete_repository(repositoryName=name, force=True)


def test_repository_policy(ecr: Any, name: str) -> None:
    ecr.create_repository(repositoryName=name)
    with pytest.raises(ClientError) as none:
        ecr.get_repository_policy(repositoryName=name)
    assert _code(none) == "RepositoryPolicyNotFoundException"
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}],
        }
    )
    assert ecr.set_repository_policy(repositoryName=name, policyText=policy)["policyText"] == policy
    assert ecr.get_repository_policy(repositoryName=name)["policyText"] == policy
    with pytest.raises(ClientError) as bad:
        ecr.set_repository_policy(repositoryName=name, policyText="{not json")
    assert _code(bad) == "InvalidParameterException"
    assert ecr.delete_repository_policy(repositoryName=name)["policyText"] == policy
    with pytest.raises(ClientError) as again:
        ecr.delete_repository_policy(repositoryName=name)
    assert _code(again) == "RepositoryPolicyNotFoundException"
    ecr.delete_repository(repositoryName=name)


def test_lifecycle_policy_text(ecr: Any, name: str) -> None:
    ecr.create_repository(repositoryName=name)
    with pytest.raises(ClientError) as none:
        ecr.get_lifecycle_policy(repositoryName=name)
    assert _code(none) == "LifecyclePolicyNotFoundException"
    policy = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "keep 2",
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 2},
                    "action": {"type": "expire"},
                }
            ]
        }
    )
    assert ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=policy)["lifecyclePolicyText"] == policy
    assert ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"] == policy
    bad_rules = [
        {"rules": []},
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1},
                    "action": {"type": "expire"},
                }
            ]
        },
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countNumber": 1},
                    "action": {"type": "expire"},
                }
            ]
        },
    ]
    for bad in bad_rules:
        with pytest.raises(ClientError) as invalid:
            # padded past the model's 100-character minimum
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(bad).ljust(100))
        assert _code(invalid) == "InvalidParameterException"
        assert "Lifecycle policy validation failure" in str(invalid.value)
    assert ecr.delete_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"] == policy
    with pytest.raises(ClientError) as gone:
        ecr.delete_lifecycle_policy(repositoryName=name)
    assert _code(gone) == "LifecyclePolicyNotFoundException"
    ecr.delete_repository(repositoryName=name)


def test_authorization_token(ecr: Any, endpoint: str) -> None:
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and len(password) > 20
    left = data["expiresAt"] - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=11, minutes=59) < left <= dt.timedelta(hours=12, minutes=1)
    assert data["proxyEndpoint"] == endpoint


def test_unknown_repository_errors(ecr: Any, name: str) -> None:
    for call in (
        lambda: ecr.list_images(repositoryName=name),
        lambda: ecr.describe_images(repositoryName=name),
        lambda: ecr.delete_repository(repositoryName=name),
        lambda: ecr.initiate_layer_upload(repositoryName=name),
        lambda: ecr.get_lifecycle_policy(repositoryName=name),
    ):
        with pytest.raises(ClientError) as info:
            call()
        assert _code(info) == "RepositoryNotFoundException"
        assert f"The repository with name '{name}' does not exist" in str(info.value)


def test_immutable_with_exclusions(ecr: Any, name: str) -> None:
    """IMMUTABLE_WITH_EXCLUSION: tags matching an exclusion filter may move, every other tag may not."""
    ecr.create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest*"}],
    )
    push_api(ecr, name, "latest")
    push_api(ecr, name, "latest")  # excluded: it moves
    push_api(ecr, name, "v1")
    with pytest.raises(ClientError) as fixed:
        push_api(ecr, name, "v1")
    assert _code(fixed) == "ImageTagAlreadyExistsException"
    with pytest.raises(ClientError) as missing_filters:
        ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="MUTABLE_WITH_EXCLUSION")
    assert _code(missing_filters) == "InvalidParameterException"
    ecr.delete_repository(repositoryName=name, force=True)
