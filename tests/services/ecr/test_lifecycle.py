"""Lifecycle policies really expire images, and the sweep removes what nothing holds any longer: a server whose
sweep runs every 0.2 s, whose "day" is 2 s and whose orphans go after 1 s; a policy keeping the newest two release
images, then expiring untagged ones a day old; the previews agree."""

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


def _keep_two_releases() -> dict[str, Any]:
    return {
        "rulePriority": 1,
        "description": "keep the newest two releases",
        "selection": {
            "tagStatus": "tagged",
            "tagPatternList": ["release-*"],
            "countType": "imageCountMoreThan",
            "countNumber": 2,
        },
        "action": {"type": "expire"},
    }


def _untagged_older_than(days: int) -> dict[str, Any]:
    return {
        "rulePriority": 2,
        "selection": {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": days,
        },
        "action": {"type": "expire"},
    }


def _preview(ecr: Any, repo: str, rules: list[dict[str, Any]]) -> list[str]:
    ecr.start_lifecycle_policy_preview(repositoryName=repo, lifecyclePolicyText=_policy(rules))
    preview = ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert preview["status"] == "COMPLETE"
    return sorted(tag for r in preview["previewResults"] for tag in (r.get("imageTags") or ["<untagged>"]))


def _until_tags(ecr: Any, repo: str, expected: set[str]) -> None:
    deadline = time.monotonic() + 20
    while _tags(ecr, repo) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tags(ecr, repo) == expected


def test_rules_expire_images(tuned: Any, name: str) -> None:
    ecr = tuned
    ecr.create_repository(repositoryName=name)
    for i in range(4):
        push_api(ecr, name, f"release-{i}", layer_size=64)
        time.sleep(0.01)  # distinct push times
    push_api(ecr, name, "dev-1", layer_size=64)
    untagged = push_api(ecr, name, None, layer_size=64)

    # the newest two releases are kept; dev-1 and the untagged image match no rule
    assert _preview(ecr, name, [_keep_two_releases()]) == ["release-0", "release-1"]
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=_policy([_keep_two_releases()]))
    _until_tags(ecr, name, {"release-2", "release-3", "dev-1", "<untagged>"})
    assert "lastEvaluatedAt" in ecr.get_lifecycle_policy(repositoryName=name)

    # sinceImagePushed counts days (2 s here) since the push: not 100 days old, but 1 day old once 2 s passed
    assert _preview(ecr, name, [_keep_two_releases(), _untagged_older_than(100)]) == []
    time.sleep(2.1)
    assert _preview(ecr, name, [_keep_two_releases(), _untagged_older_than(1)]) == ["<untagged>"]
    rules = [_keep_two_releases(), _untagged_older_than(1)]
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=_policy(rules))
    _until_tags(ecr, name, {"release-2", "release-3", "dev-1"})
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
    deadline = time.monotonic() + 30
    while on_disk(alone) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not on_disk(alone)
    assert on_disk(shared)
    assert not (tuned_server.data_dir / "ecr" / "uploads" / unfinished).exists()
    with pytest.raises(ClientError) as gone:
        ecr.complete_layer_upload(repositoryName=f"{name}-b", uploadId=unfinished, layerDigests=[digest_of(b"abc")])
    assert gone.value.response["Error"]["Code"] == "UploadNotFoundException"
    ecr.delete_repository(repositoryName=f"{name}-b", force=True)
