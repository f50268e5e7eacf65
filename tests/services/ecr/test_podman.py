"""`podman push` to gureum's ECR and `podman pull` back, unchanged clients against the registry: an image built
FROM scratch with busybox-static (and one with a 3 MiB layer, streamed), login with GetAuthorizationToken's
credentials, the pulled image's digest equal to the pushed one and runnable; the push seen by the ECR API and as
"ECR Image Action" events on EventBridge."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from ...containers import Podman
from ._images import token

pytestmark = pytest.mark.containers


def _login(podman: Podman, ecr: Any, endpoint: str) -> str:
    registry = endpoint.removeprefix("http://")
    podman.run("login", "--tls-verify=false", "-u", "AWS", "--password-stdin", registry, input=token(ecr).encode())
    return registry


def _events_queue(aws: Any, name: str, repo: str) -> str:
    sqs, events = aws("sqs"), aws("events")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.ecr"], "detail-type": ["ECR Image Action"], "detail": {"repository-name": [repo]}}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def _received(sqs: Any, url: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            out.append(json.loads(message["Body"]))
    return out


def test_push_pull_round_trip(podman: Podman, ecr: Any, aws: Any, endpoint: str, name: str) -> None:
    repo = f"apps/{name}"
    ecr.create_repository(repositoryName=repo)
    url = _events_queue(aws, name, repo)
    registry = _login(podman, ecr, endpoint)
    source = podman.busybox_image()
    target = f"{registry}/{repo}:v1"
    podman.run("tag", source, target)
    pushed = podman.run("push", "--tls-verify=false", "--digestfile", str(podman.base / f"{name}.digest"), target)
    digest = (podman.base / f"{name}.digest").read_text().strip()
    assert digest.startswith("sha256:"), pushed.stderr

    detail = ecr.describe_images(repositoryName=repo)["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in detail] == [(digest, ["v1"])]
    assert detail[0]["imageSizeInBytes"] > 500_000  # busybox's layer
    listed = json.loads(
        ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])["images"][0]["imageManifest"]
    )
    assert len(listed["layers"]) == 2

    # pulled into an empty store, so every blob comes back from the registry
    fresh = ["--root", str(podman.base / f"{name}-root"), "--runroot", str(podman.base / f"{name}-run")]
    podman.run(*fresh, "pull", "--tls-verify=false", target)
    assert f"{registry}/{repo}@{digest}" in podman.repo_digests(target, *fresh)
    by_digest = podman.run(*fresh, "pull", "--tls-verify=false", f"{registry}/{repo}@{digest}").stdout.strip()
    assert by_digest == podman.run(*fresh, "image", "inspect", "--format", "{{.Id}}", target).stdout.strip()
    assert podman.run(*fresh, "run", "--rm", target).stdout == f"hello from {source}\n"
    podman.run(*fresh, "rmi", "--all", "--force")

    sqs = aws("sqs")
    events = _received(sqs, url, 1)
    assert [e["detail"] for e in events] == [
        {"result": "SUCCESS", "repository-name": repo, "image-digest": digest, "action-type": "PUSH", "image-tag": "v1"}
    ]
    assert events[0]["source"] == "aws.ecr" and events[0]["detail-type"] == "ECR Image Action"

    ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])
    deleted = _received(sqs, url, 1)
    assert deleted[0]["detail"]["action-type"] == "DELETE" and deleted[0]["detail"]["image-digest"] == digest
    podman.run("rmi", target)
    ecr.delete_repository(repositoryName=repo, force=True)


def test_push_of_a_large_layer_and_a_second_repository(podman: Podman, ecr: Any, endpoint: str, name: str) -> None:
    """A 3 MiB incompressible layer goes through the streamed upload path; pushing the same image to a second
    repository reuses the blobs the registry already has (podman mounts or re-uploads them) and agrees."""
    context = podman.base / f"big-{name}"
    context.mkdir()
    (context / "random.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    (context / "Containerfile").write_text(f"FROM {podman.busybox_image()}\nCOPY random.bin /random.bin\n")
    local = f"localhost/gureum-test/big-{name}:1"
    podman.run("build", "--quiet", "--format", "oci", "-t", local, str(context))
    registry = _login(podman, ecr, endpoint)
    digests = []
    for repo in (f"{name}-a", f"{name}-b"):
        ecr.create_repository(repositoryName=repo)
        target = f"{registry}/{repo}:big"
        podman.run("tag", local, target)
        digest_file = podman.base / f"{repo}.digest"
        podman.run("push", "--tls-verify=false", "--digestfile", str(digest_file), target)
        digests.append(digest_file.read_text().strip())
        podman.run("rmi", target)
        fresh = ["--root", str(podman.base / f"{repo}-root"), "--runroot", str(podman.base / f"{repo}-run")]
        podman.run(*fresh, "pull", "--tls-verify=false", target)  # every blob downloaded into an empty store
        assert f"{registry}/{repo}@{digests[-1]}" in podman.repo_digests(target, *fresh)
        counted = podman.run(*fresh, "run", "--rm", "--entrypoint", "/bin/busybox", target, "wc", "-c", "/random.bin")
        assert counted.stdout.split()[0] == str(3 * 1024 * 1024)
        podman.run(*fresh, "rmi", "--all", "--force")
    assert digests[0] == digests[1]
    detail = ecr.describe_images(repositoryName=f"{name}-b")["imageDetails"][0]
    assert detail["imageManifestMediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert detail["imageSizeInBytes"] > 3 * 1024 * 1024
    podman.run("rmi", local)
    for repo in (f"{name}-a", f"{name}-b"):
        ecr.delete_repository(repositoryName=repo, force=True)


def test_skopeo_copy_both_ways(podman: Podman, ecr: Any, endpoint: str, name: str, tmp_path: Path) -> None:
    """skopeo copies an image from the local store into gureum's ECR and from there to a directory, unchanged."""
    ecr.create_repository(repositoryName=name)
    registry = endpoint.removeprefix("http://")
    creds = f"AWS:{token(ecr)}"
    source = f"containers-storage:{podman.busybox_image()}"
    target = f"docker://{registry}/{name}:copied"
    podman.run_tool("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", creds, source, target)
    out = tmp_path / "copy"
    podman.run_tool("skopeo", "copy", "--src-tls-verify=false", "--src-creds", creds, target, f"dir:{out}")
    manifest = json.loads((out / "manifest.json").read_text())
    detail = ecr.describe_images(repositoryName=name, imageIds=[{"imageTag": "copied"}])["imageDetails"][0]
    assert detail["imageDigest"] == "sha256:" + hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    for layer in manifest["layers"]:
        blob = out / layer["digest"].removeprefix("sha256:")
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == layer["digest"].removeprefix("sha256:")
    inspected = json.loads(podman.run_tool("skopeo", "inspect", "--tls-verify=false", "--creds", creds, target).stdout)
    assert inspected["Digest"] == detail["imageDigest"]
    ecr.delete_repository(repositoryName=name, force=True)
