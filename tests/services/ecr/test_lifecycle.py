"""Lifecycle policies really expire images: a server whose sweep runs every 0.2 s and whose "day" is 2 s; a
policy keeping the newest two tagged images and expiring untagged ones a day old; the preview agrees."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._images import push_api

TUNED = {"GUREUM_ECR_LIFECYCLE_SECONDS": "0.2", "GUREUM_ECR_DAY_SECONDS": "2"}


@pytest.fixture(scope="module")
def tuned(store: StoreFactory) -> Iterator[Any]:
    srv = Server(**store(), env=TUNED).start()
    yield make_client(srv.endpoint, "ecr")
    srv.stop()


def _policy(rules: list[dict[str, Any]]) -> str:
    return json.dumps({"rules": rules})


def _tags(ecr: Any, repo: str) -> set[str]:
    return {i.get("imageTag", "<untagged>") for i in ecr.list_images(repositoryName=repo)["imageIds"]}


def test_rules_expire_images(tuned: Any, name: str) -> None:
    ecr = tuned
    ecr.create_repository(repositoryName=name)
    for i in range(4):
        push_api(ecr, name, f"release-{i}", layer_size=64)
        time.sleep(0.01)  # distinct push times
    push_api(ecr, name, "dev-1", layer_size=64)
    untagged = push_api(ecr, name, None, layer_size=64)
    rules = [
        {
            "rulePriority": 1,
            "description": "keep the newest two releases",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["release-*"],
                "countType": "imageCountMoreThan",
                "countNumber": 2,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 2,
            },
            "action": {"type": "expire"},
        },
    ]
    text = _policy(rules)
    ecr.start_lifecycle_policy_preview(repositoryName=name, lifecyclePolicyText=text)
    preview = ecr.get_lifecycle_policy_preview(repositoryName=name)
    assert preview["status"] == "COMPLETE"
    assert sorted(tag for r in preview["previewResults"] for tag in r["imageTags"]) == ["release-0", "release-1"]
    assert {r["appliedRulePriority"] for r in preview["previewResults"]} == {1}
    assert _tags(ecr, name) == {"release-0", "release-1", "release-2", "release-3", "dev-1", "<untagged>"}

    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=text)
    deadline = time.monotonic() + 10
    while _tags(ecr, name) != {"release-2", "release-3", "dev-1", "<untagged>"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tags(ecr, name) == {"release-2", "release-3", "dev-1", "<untagged>"}
    assert "lastEvaluatedAt" in ecr.get_lifecycle_policy(repositoryName=name)
    # the untagged image is two "days" (4 s) old soon: then it goes too; tagged dev-1 matches no rule and stays
    deadline = time.monotonic() + 10
    while "<untagged>" in _tags(ecr, name) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _tags(ecr, name) == {"release-2", "release-3", "dev-1"}
    assert untagged not in {d["imageDigest"] for d in ecr.describe_images(repositoryName=name)["imageDetails"]}
    ecr.delete_repository(repositoryName=name, force=True)
