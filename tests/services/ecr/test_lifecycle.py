"""Lifecycle policies really expire images, and the sweep removes what nothing holds any longer: a server whose
sweep runs every 0.2 s, whose "day" is 2 s and whose orphans go after 1 s; a policy keeping the newest two tagged
images and expiring untagged ones a day old; the preview agrees."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ...conftest import StoreFactory, make_client
from ...server import Server
from ._images import digest_of, push_api, upload_blob

TUNED = {"GUREUM_ECR_LIFECYCLE_SECONDS": "0.2", "GUREUM_ECR_DAY_SECONDS": "2", "GUREUM_ECR_ORPHAN_SECONDS": "1"}


@pytest.fixture(scope="module")
def tuned_server(store: StoreFactory) -> Iterator[Server]:
    srv = Server(**store(), env=TUNED).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def tuned(tuned_server: Server) -> Any:
    return make_client(tuned_server.endpoint, "ecr")


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


def test_blobs_of_deleted_repositories_and_stale_uploads_are_removed(
    tuned: Any, tuned_server: Server, name: str
) -> None:
    """A blob only a deleted repository held goes from disk once unused for GUREUM_ECR_ORPHAN_SECONDS (1 s here);
    one another repository still holds stays; an upload never finished goes too."""
    ecr = tuned
    assert tuned_server.data_dir is not None
    blobs = tuned_server.data_dir / "ecr" / "blobs" / "sha256"
    ecr.create_repository(repositoryName=f"{name}-a")
    ecr.create_repository(repositoryName=f"{name}-b")
    shared, alone = os.urandom(1000), os.urandom(1000)
    upload_blob(ecr, f"{name}-a", shared)
    upload_blob(ecr, f"{name}-b", shared)
    upload_blob(ecr, f"{name}-a", alone)
    unfinished = ecr.initiate_layer_upload(repositoryName=f"{name}-b")["uploadId"]
    ecr.upload_layer_part(
        repositoryName=f"{name}-b", uploadId=unfinished, partFirstByte=0, partLastByte=2, layerPartBlob=b"abc"
    )

    def on_disk(data: bytes) -> bool:
        hexpart = digest_of(data).partition(":")[2]
        return (blobs / hexpart[:2] / hexpart).is_file()

    assert on_disk(shared) and on_disk(alone)
    ecr.delete_repository(repositoryName=f"{name}-a", force=True)
    deadline = time.monotonic() + 10
    while on_disk(alone) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not on_disk(alone)
    assert on_disk(shared)
    assert not (tuned_server.data_dir / "ecr" / "uploads" / unfinished).exists()
    with pytest.raises(ClientError) as gone:
        ecr.complete_layer_upload(repositoryName=f"{name}-b", uploadId=unfinished, layerDigests=[digest_of(b"abc")])
    assert gone.value.response["Error"]["Code"] == "UploadNotFoundException"
    ecr.delete_repository(repositoryName=f"{name}-b", force=True)
