"""Helpers of the ECR tests: blobs and manifests made up on the spot, pushed through the ECR API (layer uploads and
PutImage) or the registry (the Distribution API over HTTP with the ECR token)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import httpx

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def upload_blob(ecr: Any, repo: str, data: bytes, part: int = 0) -> str:
    """A blob through InitiateLayerUpload / UploadLayerPart (in parts of ``part`` bytes) / CompleteLayerUpload."""
    upload = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    size = part or len(data)
    for first in range(0, len(data), size):
        piece = data[first : first + size]
        ecr.upload_layer_part(
            repositoryName=repo,
            uploadId=upload,
            partFirstByte=first,
            partLastByte=first + len(piece) - 1,
            layerPartBlob=piece,
        )
    digest = digest_of(data)
    got = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload, layerDigests=[digest])
    assert got["layerDigest"] == digest
    return digest


def manifest(config: bytes, layers: list[bytes], media_type: str = DOCKER_MANIFEST) -> bytes:
    """A manifest naming a config and layers (their bytes: digests and sizes taken from them)."""
    oci = media_type == OCI_MANIFEST
    doc = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json"
            if oci
            else "application/vnd.docker.container.image.v1+json",
            "size": len(config),
            "digest": digest_of(config),
        },
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"
                if oci
                else "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": len(layer),
                "digest": digest_of(layer),
            }
            for layer in layers
        ],
    }
    return json.dumps(doc, indent=3).encode()


def config_blob(label: str) -> bytes:
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"t": label}}}).encode()


def push_api(ecr: Any, repo: str, tag: str | None, layer_size: int = 2048, label: str = "") -> str:
    """An image of one random layer pushed with the ECR API: its manifest digest."""
    config = config_blob(label or os.urandom(8).hex())
    layer = os.urandom(layer_size)
    upload_blob(ecr, repo, config)
    upload_blob(ecr, repo, layer)
    text = manifest(config, [layer]).decode()
    kwargs: dict[str, Any] = {"imageTag": tag} if tag else {}
    image = ecr.put_image(repositoryName=repo, imageManifest=text, **kwargs)["image"]
    return str(image["imageId"]["imageDigest"])


def token(ecr: Any) -> str:
    """The registry password from GetAuthorizationToken (the user is AWS)."""
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    return password


def registry(endpoint: str, password: str | None, **kwargs: Any) -> httpx.Client:
    auth = ("AWS", password) if password is not None else None
    return httpx.Client(base_url=endpoint, auth=auth, timeout=30, **kwargs)
