"""Objects: put/get/head/delete, keys of any characters, user metadata and content headers, ETags, Content-MD5 and
checksums, ranges, conditional reads and writes, copies, tagging, storage classes, DeleteObjects."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import zlib
from collections.abc import Callable
from typing import Any

import crc32c
import pytest
from botocore.exceptions import ClientError

KEYS = [
    "plain",
    "dir/sub/file.txt",
    "spaces in key",
    "plus+sign",
    "percent%2Fslash",
    "ünï/кириллица/日本",
    "a//b",
    "/lead",
]


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response: dict[str, Any] = caught.value.response
    return response


@pytest.mark.parametrize("key", KEYS)
def test_keys_round_trip(s3: Any, bucket: str, key: str) -> None:
    body = f"body of {key}".encode()
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_put_get_head_delete(s3: Any, bucket: str) -> None:
    body = b"hello, objects"
    put = s3.put_object(
        Bucket=bucket,
        Key="doc.txt",
        Body=body,
        ContentType="text/plain; charset=utf-8",
        ContentDisposition='attachment; filename="doc.txt"',
        ContentLanguage="en",
        CacheControl="max-age=60",
        Metadata={"Owner": "me", "purpose": "test"},
        StorageClass="STANDARD_IA",
        Expires=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="doc.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain; charset=utf-8"
    assert got["ContentDisposition"] == 'attachment; filename="doc.txt"'
    assert got["ContentLanguage"] == "en"
    assert got["CacheControl"] == "max-age=60"
    assert got["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Wed, 02 Jan 2030 03:04:05 GMT"
    assert got["Metadata"] == {"owner": "me", "purpose": "test"}
    assert got["StorageClass"] == "STANDARD_IA"
    assert got["ContentLength"] == len(body)
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="doc.txt")
    assert head["ContentLength"] == len(body) and head["ETag"] == put["ETag"]
    assert abs((head["LastModified"] - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (listed["Key"], listed["Size"], listed["ETag"], listed["StorageClass"]) == (
        "doc.txt",
        len(body),
        put["ETag"],
        "STANDARD_IA",
    )
    s3.delete_object(Bucket=bucket, Key="doc.txt")
    missing = _error(lambda: s3.get_object(Bucket=bucket, Key="doc.txt"))
    assert missing["Error"] == {"Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "doc.txt"}
    assert _error(lambda: s3.head_object(Bucket=bucket, Key="doc.txt"))["Error"]["Code"] == "404"
    s3.delete_object(Bucket=bucket, Key="doc.txt")  # deleting what is not there succeeds
    assert _error(lambda: s3.get_object(Bucket=f"{bucket}-none", Key="k"))["Error"]["Code"] == "NoSuchBucket"


def test_empty_object_and_default_content_type(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b"" and got["ContentLength"] == 0
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == f'"{hashlib.md5(b"").hexdigest()}"'


def test_content_md5(s3: Any, bucket: str) -> None:
    body = b"digest me"
    good = base64.b64encode(hashlib.md5(body).digest()).decode()
    s3.put_object(Bucket=bucket, Key="ok", Body=body, ContentMD5=good)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    bad = _error(lambda: s3.put_object(Bucket=bucket, Key="bad", Body=body, ContentMD5=wrong))
    assert bad["Error"]["Code"] == "BadDigest"
    assert _error(lambda: s3.head_object(Bucket=bucket, Key="bad"))["Error"]["Code"] == "404"  # nothing kept


@pytest.mark.parametrize(
    "algorithm, compute",
    [
        ("CRC32", lambda b: zlib.crc32(b).to_bytes(4, "big")),
        ("CRC32C", lambda b: crc32c.crc32c(b).to_bytes(4, "big")),
        ("SHA1", lambda b: hashlib.sha1(b).digest()),
        ("SHA256", lambda b: hashlib.sha256(b).digest()),
    ],
)
def test_checksums(s3: Any, bucket: str, algorithm: str, compute: Callable[[bytes], bytes]) -> None:
    body = b"checksummed body " * 100
    value = base64.b64encode(compute(body)).decode()
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **{f"Checksum{algorithm}": value})
    assert put[f"Checksum{algorithm}"] == value
    head = s3.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == value
    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got["Body"].read() == body  # botocore checks the body against the checksum it is sent
    wrong = base64.b64encode(compute(b"something else")).decode()
    refused = _error(lambda: s3.put_object(Bucket=bucket, Key="c2", Body=body, **{f"Checksum{algorithm}": wrong}))
    assert refused["Error"]["Code"] == "BadDigest"


def test_default_client_checksum_is_kept(s3: Any, bucket: str) -> None:
    """boto3 sends a CRC32 of every PutObject body by default (request_checksum_calculation=when_supported)."""
    body = b"x" * 1000
    put = s3.put_object(Bucket=bucket, Key="k", Body=body)
    expected = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert put["ChecksumCRC32"] == expected
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum", "ObjectSize", "ETag"])
    assert attributes["Checksum"]["ChecksumCRC32"] == expected
    assert attributes["ObjectSize"] == 1000


def test_ranges(s3: Any, bucket: str) -> None:
    body = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    part = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 10-19/{len(body)}"
    assert part["Body"].read() == body[10:20]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == body[-5:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == body[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-99999")["Body"].read() == body[1000:]
    past = _error(lambda: s3.get_object(Bucket=bucket, Key="r", Range=f"bytes={len(body)}-"))
    assert past["Error"]["Code"] == "InvalidRange"
    assert past["ResponseMetadata"]["HTTPStatusCode"] == 416
    whole = s3.get_object(Bucket=bucket, Key="r", Range="bytes=5-1,2")  # S3 ignores what it cannot serve
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_conditional_reads(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")
    etag = put["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    assert (
        _error(lambda: s3.get_object(Bucket=bucket, Key="c", IfMatch='"nope"'))["Error"]["Code"] == "PreconditionFailed"
    )
    not_modified = _error(lambda: s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag))
    assert not_modified["ResponseMetadata"]["HTTPStatusCode"] == 304
    later = modified + dt.timedelta(seconds=10)
    earlier = modified - dt.timedelta(seconds=10)
    assert (
        _error(lambda: s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=later))["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 304
    )
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=earlier)["Body"].read() == b"v1"
    failed = _error(lambda: s3.head_object(Bucket=bucket, Key="c", IfUnmodifiedSince=earlier))
    assert failed["ResponseMetadata"]["HTTPStatusCode"] == 412
    # If-Match true wins over If-Unmodified-Since false (the S3 API reference's GetObject)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=earlier)["Body"].read() == b"v1"


def test_conditional_writes(s3: Any, bucket: str) -> None:
    first = s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    refused = _error(lambda: s3.put_object(Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*"))
    assert refused["Error"]["Code"] == "PreconditionFailed"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"
    s3.put_object(Bucket=bucket, Key="once", Body=b"third", IfMatch=first["ETag"])
    stale = _error(lambda: s3.put_object(Bucket=bucket, Key="once", Body=b"fourth", IfMatch=first["ETag"]))
    assert stale["Error"]["Code"] == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"third"


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"copied", Metadata={"a": "1"}, ContentType="text/plain", Tagging="t=1"
    )
    copy = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copy["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copied").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert (got["Body"].read(), got["Metadata"], got["ContentType"]) == (b"copied", {"a": "1"}, "text/plain")
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.copy_object(
        Bucket=bucket,
        Key="dst2",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
        ContentType="application/json",
    )
    replaced = s3.head_object(Bucket=bucket, Key="dst2")
    assert (replaced["Metadata"], replaced["ContentType"]) == ({"b": "2"}, "application/json")
    s3.delete_object(Bucket=bucket, Key="src")  # the copies keep their bodies
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"copied"
    to_itself = _error(lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/dst"))
    assert to_itself["Error"]["Code"] == "InvalidRequest"
    s3.copy_object(
        Bucket=bucket, Key="dst", CopySource=f"{bucket}/dst", MetadataDirective="REPLACE", Metadata={"c": "3"}
    )
    assert s3.head_object(Bucket=bucket, Key="dst")["Metadata"] == {"c": "3"}
    gone = _error(lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/src"))
    assert gone["Error"]["Code"] == "NoSuchKey"
    failed = _error(lambda: s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/dst", CopySourceIfMatch='"0"'))
    assert failed["Error"]["Code"] == "PreconditionFailed"


def test_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="env=prod&team=a%20b")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "a b"},
    ]
    assert s3.head_object(Bucket=bucket, Key="t")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "2"
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    assert (
        _error(lambda: s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": too_many}))["Error"]["Code"]
        == "InvalidTag"
    )


def test_object_acl(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    grants = s3.get_object_acl(Bucket=bucket, Key="a")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    refused = _error(lambda: s3.put_object_acl(Bucket=bucket, Key="a", ACL="public-read"))
    assert refused["Error"]["Code"] == "AccessControlListNotSupported"


def test_delete_objects(s3: Any, bucket: str) -> None:
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k0"}, {"Key": "k1"}, {"Key": "never"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["k0", "k1", "never"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k2"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k3", "k4"]


def test_metadata_limit(s3: Any, bucket: str) -> None:
    refused = _error(lambda: s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"big": "v" * 2100}))
    assert refused["Error"]["Code"] == "MetadataTooLarge"


def test_key_too_long(s3: Any, bucket: str) -> None:
    refused = _error(lambda: s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x"))
    assert refused["Error"]["Code"] == "KeyTooLongError"


def test_concurrent_writes_of_one_key(s3: Any, bucket: str) -> None:
    """Writers of one key race: every write succeeds, exactly one version is current, the body is whole."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [bytes([65 + i]) * (1000 + i) for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: s3.put_object(Bucket=bucket, Key="hot", Body=body), bodies))
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["Key"], v["IsLatest"]) for v in versions] == [("hot", True)]
    assert s3.get_object(Bucket=bucket, Key="hot")["Body"].read() in bodies
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: s3.put_object(Bucket=bucket, Key="hot", Body=body), bodies))
    latest = [v for v in s3.list_object_versions(Bucket=bucket)["Versions"] if v["IsLatest"]]
    assert len(latest) == 1
