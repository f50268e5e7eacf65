"""Image manifests as the registry and PutImage take them: Docker v2 schema 2 manifests and manifest lists, OCI
image manifests and indexes. A manifest's digest is the sha256 of its exact bytes; what it refers to (config and
layer blobs, or an index's manifests) must be in the repository before it is accepted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ... import safejson

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MANIFEST_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)
INDEX_TYPES = (DOCKER_LIST, OCI_INDEX)
ACCEPTED = (*MANIFEST_TYPES, *INDEX_TYPES)
MAX_MANIFEST = 4 * 1024 * 1024  # ECR's ImageManifest limit

_HEX = frozenset("0123456789abcdef")


class InvalidManifest(ValueError):
    """A manifest the registry refuses (MANIFEST_INVALID; PutImage's InvalidParameterException)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    digest: str
    media_type: str
    artifact_type: str | None
    blobs: tuple[str, ...]  # config and layers (a manifest) — must be in the repository
    children: tuple[str, ...]  # the manifests an index lists — must be images of the repository
    size: int  # the image's size as ECR reports it: its layers' compressed sizes (and config's)
    layers: tuple[tuple[str, int, str], ...]  # (digest, size, mediaType) of each layer

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def valid_digest(digest: str) -> bool:
    """sha256:<64 lower-case hex> (the one algorithm ECR serves)."""
    algorithm, _, hexpart = digest.partition(":")
    return algorithm == "sha256" and len(hexpart) == 64 and set(hexpart) <= _HEX


def parse(data: bytes, declared: str | None) -> Manifest:
    """The manifest ``data`` (bytes exactly as pushed) under the media type the client declared (Content-Type or
    imageManifestMediaType; else its own mediaType field)."""
    if len(data) > MAX_MANIFEST:
        raise InvalidManifest("manifest is larger than 4 MiB")
    try:
        doc = safejson.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidManifest(f"manifest is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidManifest("manifest is not a JSON object")
    own = doc.get("mediaType")
    if own is not None and not isinstance(own, str):
        raise InvalidManifest("mediaType must be a string")
    media_type = declared if declared and declared not in ("application/json", "") else own
    if media_type is None:  # an OCI document may omit mediaType: its shape says which it is
        media_type = OCI_INDEX if "manifests" in doc else OCI_MANIFEST
    if own is not None and own != media_type:
        raise InvalidManifest(f"manifest's mediaType {own} does not match the declared {media_type}")
    if media_type == DOCKER_V1_SIGNED or doc.get("schemaVersion") == 1:
        raise InvalidManifest("Docker image manifest v2 schema 1 is not supported: push schema 2 or OCI")
    if media_type not in ACCEPTED:
        raise InvalidManifest(f"unsupported manifest media type {media_type}")
    if doc.get("schemaVersion") != 2:
        raise InvalidManifest("schemaVersion must be 2")
    artifact = doc.get("artifactType") if isinstance(doc.get("artifactType"), str) else None
    digest = sha256_digest(data)
    if media_type in INDEX_TYPES:
        entries = _descriptors(doc.get("manifests"), "manifests")
        children = tuple(entry[0] for entry in entries)
        return Manifest(digest, media_type, artifact, (), children, sum(entry[1] for entry in entries), ())
    config = _descriptors([doc.get("config")], "config")
    layers = _descriptors(doc.get("layers", []), "layers")
    blobs = tuple(dict.fromkeys([config[0][0], *(layer[0] for layer in layers)]))
    size = config[0][1] + sum(layer[1] for layer in layers)
    return Manifest(digest, media_type, artifact or config[0][2], blobs, (), size, tuple(layers))


def _descriptors(items: object, field: str) -> list[tuple[str, int, str]]:
    if not isinstance(items, list):
        raise InvalidManifest(f"{field} must be a list of descriptors")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidManifest(f"{field}: a descriptor must be an object")
        digest, size, media = item.get("digest"), item.get("size"), item.get("mediaType", "")
        if not isinstance(digest, str) or not valid_digest(digest):
            raise InvalidManifest(f"{field}: invalid digest {digest!r}")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidManifest(f"{field}: invalid size for {digest}")
        out.append((digest, size, media if isinstance(media, str) else ""))
    return out
