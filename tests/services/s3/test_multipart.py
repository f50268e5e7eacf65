"""Multipart uploads: create, upload (and copy) parts, list parts and uploads, complete with AWS's validation
(ascending parts, matching ETags, 5 MiB minimum but the last), the md5-of-md5s ETag, parts read back, abort."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    return response


def _parts(count: int, size: int = 5 * MIB) -> list[bytes]:
    return [bytes([65 + i]) * size for i in range(count)]


def test_complete_upload(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="video/mp4", Metadata={"k": "v"})
    upload_id = upload["UploadId"]
    bodies = _parts(2) + [b"tail"]
    etags = []
    for number, body in enumerate(bodies, 1):
        part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=number, Body=body)
        assert part["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
        etags.append(part["ETag"])
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(1, 5 * MIB), (2, 5 * MIB), (3, 4)]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("big", upload_id)]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]},
    )
    md5s = b"".join(hashlib.md5(body).digest() for body in bodies)
    assert done["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-3"'
    head = s3.head_object(Bucket=bucket, Key="big")
    assert head["ContentLength"] == 10 * MIB + 4
    assert (head["ContentType"], head["Metadata"]) == ("video/mp4", {"k": "v"})
    body = s3.get_object(Bucket=bucket, Key="big")["Body"].read()
    assert hashlib.md5(body).digest() == hashlib.md5(b"".join(bodies)).digest()
    second = s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert second["PartsCount"] == 3 and second["ContentLength"] == 5 * MIB
    assert second["Body"].read() == bodies[1]
    across = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={5 * MIB - 2}-{5 * MIB + 1}")
    assert across["Body"].read() == b"AABB"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    assert (
        _error(lambda: s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id))["Error"]["Code"] == "NoSuchUpload"
    )


def test_complete_validation(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="v")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="v", UploadId=upload_id, PartNumber=1, Body=b"small")["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="v", UploadId=upload_id, PartNumber=2, Body=b"last")["ETag"]

    def complete(parts: list[dict[str, Any]]) -> dict[str, Any]:
        return _error(
            lambda: s3.complete_multipart_upload(
                Bucket=bucket, Key="v", UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        )

    too_small = complete([{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}])
    assert too_small["Error"]["Code"] == "EntityTooSmall"
    order = complete([{"PartNumber": 2, "ETag": last}, {"PartNumber": 1, "ETag": small}])
    assert order["Error"]["Code"] == "InvalidPartOrder"
    wrong = complete([{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}])
    assert wrong["Error"]["Code"] == "InvalidPart"
    missing = complete([{"PartNumber": 3, "ETag": last}])
    assert missing["Error"]["Code"] == "InvalidPart"
    bad_number = _error(lambda: s3.upload_part(Bucket=bucket, Key="v", UploadId=upload_id, PartNumber=10001, Body=b"x"))
    assert bad_number["Error"]["Code"] == "InvalidArgument"
    # one part only: no minimum
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="v", UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small}]}
    )
    assert done["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"small"
    unknown = _error(lambda: s3.upload_part(Bucket=bucket, Key="v", UploadId="nope", PartNumber=1, Body=b"x"))
    assert unknown["Error"]["Code"] == "NoSuchUpload"


def test_abort(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="a", UploadId=upload_id, PartNumber=1, Body=b"x")
    s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=upload_id)
    assert _error(lambda: s3.list_parts(Bucket=bucket, Key="a", UploadId=upload_id))["Error"]["Code"] == "NoSuchUpload"
    assert _error(lambda: s3.head_object(Bucket=bucket, Key="a"))["Error"]["Code"] == "404"


def test_upload_part_copy_with_ranges(s3: Any, bucket: str) -> None:
    source = bytes(range(256)) * (6 * 4096)  # 6 MiB
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    first = s3.upload_part_copy(
        Bucket=bucket,
        Key="joined",
        UploadId=upload_id,
        PartNumber=1,
        CopySource=f"{bucket}/src",
        CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )["CopyPartResult"]["ETag"]
    second = s3.upload_part_copy(
        Bucket=bucket,
        Key="joined",
        UploadId=upload_id,
        PartNumber=2,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=100-199",
    )["CopyPartResult"]["ETag"]
    assert second == f'"{hashlib.md5(source[100:200]).hexdigest()}"'
    past = _error(
        lambda: s3.upload_part_copy(
            Bucket=bucket,
            Key="joined",
            UploadId=upload_id,
            PartNumber=3,
            CopySource=f"{bucket}/src",
            CopySourceRange=f"bytes=0-{len(source)}",
        )
    )
    assert past["Error"]["Code"] == "InvalidRange"
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="joined",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": second}]},
    )
    body = s3.get_object(Bucket=bucket, Key="joined")["Body"].read()
    assert body == source[: 5 * MIB] + source[100:200]


def test_list_uploads_by_prefix(s3: Any, bucket: str) -> None:
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ["a/1", "a/2", "b/1"]}
    out = s3.list_multipart_uploads(Bucket=bucket, Prefix="a/")
    assert [u["Key"] for u in out["Uploads"]] == ["a/1", "a/2"]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "b/"]
    for key, upload_id in ids.items():
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_transfer_manager_upload_download(s3: Any, bucket: str, tmp_path: Any) -> None:
    """boto3's managed transfer (multipart with CRC32 checksums per part, ranged parallel downloads)."""
    from boto3.s3.transfer import TransferConfig

    source = tmp_path / "src.bin"
    source.write_bytes(hashlib.sha256(b"seed").digest() * (13 * MIB // 32))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(source), bucket, "managed.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="managed.bin", ChecksumMode="ENABLED")
    assert head["ETag"].endswith('-3"')
    target = tmp_path / "dst.bin"
    s3.download_file(bucket, "managed.bin", str(target), Config=config)
    assert target.read_bytes() == source.read_bytes()
