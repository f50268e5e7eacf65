"""The registry's Distribution API over plain HTTP: authentication (401 with WWW-Authenticate, Basic with the ECR
token), monolithic and chunked uploads (a body larger than the server's streaming threshold), blobs with Range,
manifests by tag and digest, tag listing, the host form, the API's error JSON — and AWS REST calls under /v2/
(API Gateway v2) still reaching their service."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from ._images import DOCKER_MANIFEST, config_blob, digest_of, manifest, registry, token


@pytest.fixture
def repo(ecr: Any, name: str) -> Any:
    ecr.create_repository(repositoryName=f"ns/{name}")
    yield f"ns/{name}"
    ecr.delete_repository(repositoryName=f"ns/{name}", force=True)


def _errors(response: Any) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def _monolithic(client: Any, repo: str, data: bytes) -> str:
    digest = digest_of(data)
    got = client.post(f"/v2/{repo}/blobs/uploads/", params={"digest": digest}, content=data)
    assert got.status_code == 201, got.text
    assert got.headers["Docker-Content-Digest"] == digest
    return digest


def test_authentication(endpoint: str, ecr: Any, repo: str) -> None:
    with registry(endpoint, None) as anonymous:
        base = anonymous.get("/v2/")
        assert base.status_code == 401
        assert base.headers["WWW-Authenticate"].startswith('Basic realm="')
        assert base.headers["Docker-Distribution-API-Version"] == "registry/2.0"
        assert _errors(base) == ["UNAUTHORIZED"]
        assert anonymous.get(f"/v2/{repo}/tags/list").status_code == 401
    with registry(endpoint, "forged.token") as forged:
        assert forged.get("/v2/").status_code == 401
    with registry(endpoint, token(ecr)) as client:
        ok = client.get("/v2/")
        assert ok.status_code == 200 and ok.json() == {}
        assert repo in client.get("/v2/_catalog").json()["repositories"]
        unknown = client.get("/v2/ns/none-such/tags/list")
        assert unknown.status_code == 404 and _errors(unknown) == ["NAME_UNKNOWN"]


def test_uploads_blobs_and_manifests(endpoint: str, ecr: Any, repo: str) -> None:
    with registry(endpoint, token(ecr)) as client:
        config = config_blob("reg")
        config_digest = _monolithic(client, repo, config)
        # a chunked upload: POST, two PATCHes (the first larger than the server's 1 MiB streaming threshold), PUT
        big = os.urandom(3 * 1024 * 1024 + 17)
        start = client.post(f"/v2/{repo}/blobs/uploads/")
        assert start.status_code == 202
        location = start.headers["Location"]
        first = client.patch(location, content=big[:2_500_000], headers={"Content-Type": "application/octet-stream"})
        assert first.status_code == 202 and first.headers["Range"] == "0-2499999"
        bad_range = client.patch(
            first.headers["Location"], content=b"x", headers={"Content-Range": "10-10", "Content-Length": "1"}
        )
        assert bad_range.status_code == 416 and _errors(bad_range) == ["RANGE_INVALID"]
        second = client.patch(first.headers["Location"], content=iter([big[2_500_000:]]))  # chunked encoding
        assert second.status_code == 202 and second.headers["Range"] == f"0-{len(big) - 1}"
        status = client.get(second.headers["Location"])
        assert status.status_code == 204 and status.headers["Range"] == f"0-{len(big) - 1}"
        wrong = client.put(second.headers["Location"], params={"digest": digest_of(b"other")})
        assert wrong.status_code == 400 and _errors(wrong) == ["DIGEST_INVALID"]

        start = client.post(f"/v2/{repo}/blobs/uploads/")
        client.patch(start.headers["Location"], content=big)
        done = client.put(start.headers["Location"], params={"digest": digest_of(big)})
        assert done.status_code == 201 and done.headers["Docker-Content-Digest"] == digest_of(big)

        head = client.head(f"/v2/{repo}/blobs/{digest_of(big)}")
        assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(big)
        assert client.get(f"/v2/{repo}/blobs/{digest_of(big)}").content == big
        ranged = client.get(f"/v2/{repo}/blobs/{digest_of(big)}", headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206 and ranged.content == big[100:200]
        missing = client.get(f"/v2/{repo}/blobs/{digest_of(b'nothing')}")
        assert missing.status_code == 404 and _errors(missing) == ["BLOB_UNKNOWN"]
        invalid = client.get(f"/v2/{repo}/blobs/sha256:nothex")
        assert invalid.status_code == 400 and _errors(invalid) == ["DIGEST_INVALID"]

        body = manifest(config, [big])
        headers = {"Content-Type": DOCKER_MANIFEST}
        put = client.put(f"/v2/{repo}/manifests/v1", content=body, headers=headers)
        assert put.status_code == 201, put.text
        assert put.headers["Docker-Content-Digest"] == digest_of(body)
        again = client.put(f"/v2/{repo}/manifests/v1", content=body, headers=headers)
        assert again.status_code == 201  # the same push twice is no error on the registry
        for reference in ("v1", digest_of(body)):
            got = client.get(f"/v2/{repo}/manifests/{reference}", headers={"Accept": DOCKER_MANIFEST})
            assert got.status_code == 200 and got.content == body
            assert got.headers["Content-Type"] == DOCKER_MANIFEST
            assert got.headers["Docker-Content-Digest"] == digest_of(body)
        assert client.get(f"/v2/{repo}/tags/list").json() == {"name": repo, "tags": ["v1"]}
        unknown = client.get(f"/v2/{repo}/manifests/v2")
        assert unknown.status_code == 404 and _errors(unknown) == ["MANIFEST_UNKNOWN"]

        bad = client.put(f"/v2/{repo}/manifests/v2", content=b"{not json", headers=headers)
        assert bad.status_code == 400 and _errors(bad) == ["MANIFEST_INVALID"]
        orphan = manifest(config, [b"never pushed"])
        unknown_blob = client.put(f"/v2/{repo}/manifests/v2", content=orphan, headers=headers)
        assert unknown_blob.status_code == 400 and _errors(unknown_blob) == ["MANIFEST_BLOB_UNKNOWN"]
        mismatch = client.put(f"/v2/{repo}/manifests/{digest_of(b'x')}", content=body, headers=headers)
        assert mismatch.status_code == 400 and _errors(mismatch) == ["MANIFEST_INVALID"]

    # what the registry stored is what the API describes
    detail = ecr.describe_images(repositoryName=repo)["imageDetails"][0]
    assert detail["imageDigest"] == digest_of(body) and detail["imageTags"] == ["v1"]
    assert detail["imageSizeInBytes"] == len(big)
    assert "lastRecordedPullTime" in detail
    assert (
        config_digest
        in json.loads(
            ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])["images"][0]["imageManifest"]
        )["config"]["digest"]
    )


def test_blobs_are_shared_and_mountable(endpoint: str, ecr: Any, repo: str, name: str) -> None:
    other = f"ns/{name}-other"
    ecr.create_repository(repositoryName=other)
    try:
        with registry(endpoint, token(ecr)) as client:
            data = os.urandom(4096)
            digest = _monolithic(client, repo, data)
            # another repository sees the blob only once it is mounted (or pushed) there
            assert client.head(f"/v2/{other}/blobs/{digest}").status_code == 404
            mounted = client.post(f"/v2/{other}/blobs/uploads/", params={"mount": digest, "from": repo})
            assert mounted.status_code == 201 and mounted.headers["Docker-Content-Digest"] == digest
            assert client.get(f"/v2/{other}/blobs/{digest}").content == data
    finally:
        ecr.delete_repository(repositoryName=other, force=True)


def test_host_form(endpoint: str, ecr: Any, repo: str) -> None:
    account = ecr.describe_repositories(repositoryNames=[repo])["repositories"][0]["registryId"]
    with registry(endpoint, token(ecr)) as client:
        digest = _monolithic(client, repo, b"host form")
        host = {"Host": f"{account}.dkr.ecr.us-east-1.localhost"}
        assert client.get(f"/v2/{repo}/blobs/{digest}", headers=host).content == b"host form"
        # another account's registry: /v2/ answers any valid token; its repositories need their policy's grant
        assert client.get("/v2/", headers={"Host": "999999999999.dkr.ecr.us-east-1.localhost"}).status_code == 200
        other = client.get(f"/v2/{repo}/tags/list", headers={"Host": "999999999999.dkr.ecr.us-east-1.localhost"})
        assert other.status_code == 403 and _errors(other) == ["DENIED"]
        elsewhere = client.get(f"/v2/{repo}/tags/list", headers={"Host": f"{account}.dkr.ecr.eu-west-1.localhost"})
        assert elsewhere.status_code == 404 and _errors(elsewhere) == ["NAME_UNKNOWN"]


def test_aws_calls_under_v2_still_reach_their_service(aws: Any, name: str) -> None:
    apigw = aws("apigatewayv2")
    api = apigw.create_api(Name=name, ProtocolType="HTTP")
    assert apigw.get_api(ApiId=api["ApiId"])["Name"] == name
    apigw.delete_api(ApiId=api["ApiId"])


def test_uploads_larger_than_a_whole_request_body_stream(endpoint: str, ecr: Any, repo: str) -> None:
    """A PATCH and a monolithic PUT past the 20 MiB gureum reads whole (413 beyond) are streamed to disk."""
    data = os.urandom(21 * 1024 * 1024)
    with registry(endpoint, token(ecr)) as client:
        start = client.post(f"/v2/{repo}/blobs/uploads/")
        patched = client.patch(start.headers["Location"], content=data)
        assert patched.status_code == 202, patched.text
        done = client.put(patched.headers["Location"], params={"digest": digest_of(data)})
        assert done.status_code == 201
        start = client.post(f"/v2/{repo}/blobs/uploads/")
        whole = data[1:] + b"!"
        put = client.put(start.headers["Location"], params={"digest": digest_of(whole)}, content=whole)
        assert put.status_code == 201, put.text
        got = client.get(f"/v2/{repo}/blobs/{digest_of(whole)}")
        assert got.status_code == 200 and len(got.content) == len(whole) and got.content[-1:] == b"!"


def test_paging_and_deleting_manifests(endpoint: str, ecr: Any, repo: str) -> None:
    """Tag listing and the catalog page with n/last and a Link header; a manifest is deleted by digest only."""
    with registry(endpoint, token(ecr)) as client:
        config, layer = config_blob("paging"), os.urandom(64)
        _monolithic(client, repo, config)
        _monolithic(client, repo, layer)
        body = manifest(config, [layer])
        for tag in ("a", "b", "c"):
            put = client.put(f"/v2/{repo}/manifests/{tag}", content=body, headers={"Content-Type": DOCKER_MANIFEST})
            assert put.status_code == 201
        first = client.get(f"/v2/{repo}/tags/list", params={"n": 2})
        assert first.json()["tags"] == ["a", "b"]
        assert 'rel="next"' in first.headers["Link"] and "last=b" in first.headers["Link"]
        rest = client.get(f"/v2/{repo}/tags/list", params={"n": 2, "last": "b"})
        assert rest.json()["tags"] == ["c"] and "Link" not in rest.headers
        catalog = client.get("/v2/_catalog", params={"n": 1000})
        assert repo in catalog.json()["repositories"]
        too_many = client.get("/v2/_catalog", params={"n": 100000})
        assert too_many.status_code == 400 and _errors(too_many) == ["PAGINATION_NUMBER_INVALID"]

        by_tag = client.delete(f"/v2/{repo}/manifests/a")
        assert by_tag.status_code == 400 and _errors(by_tag) == ["DIGEST_INVALID"]
        deleted = client.delete(f"/v2/{repo}/manifests/{digest_of(body)}")
        assert deleted.status_code == 202
        assert client.get(f"/v2/{repo}/tags/list").json()["tags"] == []
        again = client.delete(f"/v2/{repo}/manifests/{digest_of(body)}")
        assert again.status_code == 404 and _errors(again) == ["MANIFEST_UNKNOWN"]
        assert client.delete(f"/v2/{repo}/blobs/{digest_of(layer)}").status_code == 405
