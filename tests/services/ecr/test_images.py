"""ECR images over the API: layer uploads in parts, BatchCheckLayerAvailability, PutImage (Docker and OCI manifests,
indexes), DescribeImages / ListImages / BatchGetImage / BatchDeleteImage, GetDownloadUrlForLayer — and errors."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from ._images import OCI_INDEX, OCI_MANIFEST, config_blob, digest_of, manifest, push_api, upload_blob


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


@pytest.fixture
def repo(ecr: Any, name: str) -> Any:
    ecr.create_repository(repositoryName=name)
    yield name
    ecr.delete_repository(repositoryName=name, force=True)


def test_layer_upload_in_parts_and_availability(ecr: Any, repo: str) -> None:
    data = os.urandom(300_000)
    missing = digest_of(b"never uploaded")
    before = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[digest_of(data), missing])
    assert [layer["layerAvailability"] for layer in before["layers"]] == ["UNAVAILABLE", "UNAVAILABLE"]

    digest = upload_blob(ecr, repo, data, part=100_000)
    after = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[digest, missing, "sha256:xyz"])
    assert after["layers"][0] == {"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": len(data)}
    assert after["layers"][1]["layerAvailability"] == "UNAVAILABLE"
    assert after["failures"][0]["failureCode"] == "InvalidLayerDigest"

    with pytest.raises(ClientError) as again:
        upload_blob(ecr, repo, data)
    assert _code(again) == "LayerAlreadyExistsException"

    # a part that does not continue the upload, a wrong digest, an empty upload, an unknown upload
    upload = ecr.initiate_layer_upload(repositoryName=repo)
    assert upload["partSize"] > 0
    with pytest.raises(ClientError) as gap:
        ecr.upload_layer_part(
            repositoryName=repo, uploadId=upload["uploadId"], partFirstByte=10, partLastByte=12, layerPartBlob=b"abc"
        )
    assert _code(gap) == "InvalidLayerPartException"
    with pytest.raises(ClientError) as empty:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload["uploadId"], layerDigests=[missing])
    assert _code(empty) == "EmptyUploadException"
    ecr.upload_layer_part(
        repositoryName=repo, uploadId=upload["uploadId"], partFirstByte=0, partLastByte=2, layerPartBlob=b"abc"
    )
    with pytest.raises(ClientError) as wrong:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload["uploadId"], layerDigests=[missing])
    assert _code(wrong) == "InvalidLayerException"
    with pytest.raises(ClientError) as unknown:
        ecr.upload_layer_part(
            repositoryName=repo, uploadId="0" * 32, partFirstByte=0, partLastByte=0, layerPartBlob=b"a"
        )
    assert _code(unknown) == "UploadNotFoundException"


def test_put_describe_get_delete(ecr: Any, repo: str) -> None:
    config, layer = config_blob("one"), os.urandom(5000)
    text = manifest(config, [layer]).decode()
    with pytest.raises(ClientError) as missing:
        ecr.put_image(repositoryName=repo, imageManifest=text, imageTag="v1")
    assert _code(missing) == "LayersNotFoundException"
    assert digest_of(layer) in str(missing.value) or digest_of(config) in str(missing.value)

    upload_blob(ecr, repo, config)
    upload_blob(ecr, repo, layer)
    with pytest.raises(ClientError) as mismatch:
        ecr.put_image(repositoryName=repo, imageManifest=text, imageDigest=digest_of(b"other"))
    assert _code(mismatch) == "ImageDigestDoesNotMatchException"
    image = ecr.put_image(repositoryName=repo, imageManifest=text, imageTag="v1")["image"]
    digest = digest_of(text.encode())
    assert image["imageId"] == {"imageDigest": digest, "imageTag": "v1"}
    with pytest.raises(ClientError) as exists:
        ecr.put_image(repositoryName=repo, imageManifest=text, imageTag="v1")
    assert _code(exists) == "ImageAlreadyExistsException"
    ecr.put_image(repositoryName=repo, imageManifest=text, imageTag="latest")  # a second tag, same image

    details = ecr.describe_images(repositoryName=repo)["imageDetails"]
    assert len(details) == 1
    detail = details[0]
    assert detail["imageDigest"] == digest
    assert sorted(detail["imageTags"]) == ["latest", "v1"]
    assert detail["imageSizeInBytes"] == len(layer)
    assert detail["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    ids = ecr.list_images(repositoryName=repo)["imageIds"]
    assert sorted(ids, key=lambda i: i["imageTag"]) == [
        {"imageDigest": digest, "imageTag": "latest"},
        {"imageDigest": digest, "imageTag": "v1"},
    ]

    got = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}, {"imageTag": "nope"}])
    assert got["images"][0]["imageManifest"] == text
    assert got["failures"] == [
        {"imageId": {"imageTag": "nope"}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"}
    ]
    with pytest.raises(ClientError) as not_found:
        ecr.describe_images(repositoryName=repo, imageIds=[{"imageTag": "nope"}])
    assert _code(not_found) == "ImageNotFoundException"

    url = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=digest_of(layer))["downloadUrl"]
    assert httpx.get(url).content == layer  # signed: no credentials needed
    assert httpx.get(url.replace("Signature=", "Signature=x")).status_code == 401
    with pytest.raises(ClientError) as no_layer:
        ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=digest_of(b"none"))
    assert _code(no_layer) == "LayersNotFoundException"

    # deleting a tag keeps the image while it has another; deleting by digest takes it and its tags
    deleted = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "latest"}])
    assert deleted["imageIds"] == [{"imageDigest": digest, "imageTag": "latest"}]
    assert ecr.describe_images(repositoryName=repo)["imageDetails"][0]["imageTags"] == ["v1"]
    deleted = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": digest}, {"imageTag": "x"}])
    assert deleted["imageIds"] == [{"imageDigest": digest, "imageTag": "v1"}]
    assert deleted["failures"][0]["failureCode"] == "ImageNotFound"
    assert ecr.list_images(repositoryName=repo)["imageIds"] == []


def test_oci_index_and_filters(ecr: Any, repo: str) -> None:
    children = []
    for label in ("amd64", "arm64"):
        config, layer = config_blob(label), os.urandom(1000)
        upload_blob(ecr, repo, config)
        upload_blob(ecr, repo, layer)
        text = manifest(config, [layer], OCI_MANIFEST)
        ecr.put_image(repositoryName=repo, imageManifest=text.decode(), imageManifestMediaType=OCI_MANIFEST)
        children.append({"mediaType": OCI_MANIFEST, "size": len(text), "digest": digest_of(text)})
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})
    got = ecr.put_image(repositoryName=repo, imageManifest=index, imageTag="multi")["image"]
    assert got["imageManifestMediaType"] == OCI_INDEX

    tagged = ecr.list_images(repositoryName=repo, filter={"tagStatus": "TAGGED"})["imageIds"]
    assert tagged == [{"imageDigest": digest_of(index.encode()), "imageTag": "multi"}]
    untagged = ecr.describe_images(repositoryName=repo, filter={"tagStatus": "UNTAGGED"})["imageDetails"]
    assert sorted(d["imageDigest"] for d in untagged) == sorted(c["digest"] for c in children)
    assert all(d["imageManifestMediaType"] == OCI_MANIFEST for d in untagged)

    # an image an index lists cannot be deleted while the index is there
    refused = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": children[0]["digest"]}])
    assert refused["failures"][0]["failureCode"] == "ImageReferencedByManifestList"
    missing = dict(children[0], digest=digest_of(b"absent"))
    with pytest.raises(ClientError) as absent:
        ecr.put_image(
            repositoryName=repo,
            imageManifest=json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [missing]}),
        )
    assert _code(absent) == "ReferencedImagesNotFoundException"
    with pytest.raises(ClientError) as invalid:
        ecr.put_image(repositoryName=repo, imageManifest='{"schemaVersion": 1}')
    assert _code(invalid) == "InvalidParameterException"


def test_paging_images(ecr: Any, repo: str) -> None:
    pushed = {push_api(ecr, repo, f"t{i}", layer_size=100) for i in range(5)}
    seen: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 2}
    while True:
        page = ecr.describe_images(repositoryName=repo, **kwargs)
        seen += [d["imageDigest"] for d in page["imageDetails"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert sorted(seen) == sorted(pushed)
