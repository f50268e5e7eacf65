"""Another account's repository: refused (AccessDeniedException; the registry's DENIED) until the repository's
policy grants the caller's account the action — over the API (registryId) and the registry's host form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ._images import push_api, registry, token

OTHER = "222233334444"  # the pulling account (its 12-digit access key acts in it)


def test_repository_policy_grants_another_account(aws: Any, endpoint: str, name: str) -> None:
    owner_ecr, other_ecr = aws("ecr"), aws("ecr", access_key=OTHER)
    owner = owner_ecr.create_repository(repositoryName=name)["repository"]["registryId"]
    digest = push_api(owner_ecr, name, "v1")
    with pytest.raises(ClientError) as denied:
        other_ecr.describe_images(registryId=owner, repositoryName=name)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert f"arn:aws:iam::{OTHER}:root is not authorized to perform: ecr:DescribeImages" in str(denied.value)
    host = {"Host": f"{owner}.dkr.ecr.us-east-1.localhost"}
    with registry(endpoint, token(other_ecr)) as client:
        refused = client.get(f"/v2/{name}/manifests/v1", headers=host)
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "DENIED"

    pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": pull}],
    }
    owner_ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(policy))
    described = other_ecr.describe_images(registryId=owner, repositoryName=name)["imageDetails"]
    assert [d["imageDigest"] for d in described] == [digest]
    got = other_ecr.batch_get_image(registryId=owner, repositoryName=name, imageIds=[{"imageTag": "v1"}])
    assert got["images"][0]["imageId"]["imageDigest"] == digest
    with pytest.raises(ClientError) as push_denied:
        other_ecr.initiate_layer_upload(registryId=owner, repositoryName=name)
    assert push_denied.value.response["Error"]["Code"] == "AccessDeniedException"
    with registry(endpoint, token(other_ecr)) as client:
        manifest = client.get(f"/v2/{name}/manifests/v1", headers=host)
        assert manifest.status_code == 200 and manifest.headers["Docker-Content-Digest"] == digest
        layer = json.loads(manifest.content)["layers"][0]["digest"]
        assert client.get(f"/v2/{name}/blobs/{layer}", headers=host).status_code == 200
        upload = client.post(f"/v2/{name}/blobs/uploads/", headers=host)
        assert upload.status_code == 403  # pushing is not granted
        listing = client.get(f"/v2/{name}/tags/list", headers=host)
        assert listing.status_code == 403  # ecr:ListImages is not granted either
    owner_ecr.delete_repository(repositoryName=name, force=True)
