"""Objects written without encryption headers get the bucket's default encryption, as S3 applies it: SSE-S3, or
SSE-KMS with the configured key (the AWS managed aws/s3 key when none is named) and the bucket-key setting — on
PutObject, CopyObject (the destination bucket's default, not the source's) and multipart uploads; headers in the
request win. Terraform's aws_s3_object reads them back (server_side_encryption, kms_key_id, bucket_key_enabled)."""

from __future__ import annotations

from typing import Any

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def _kms_default(s3: Any, bucket: str, key_id: str | None = None) -> None:
    default: dict[str, Any] = {"SSEAlgorithm": "aws:kms"}
    if key_id:
        default["KMSMasterKeyID"] = key_id
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": True}]
        },
    )


def _encryption(answer: dict[str, Any]) -> tuple[Any, Any, Any]:
    return answer.get("ServerSideEncryption"), answer.get("SSEKMSKeyId"), answer.get("BucketKeyEnabled")


def test_put_object_gets_the_buckets_default(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert _encryption(put) == ("AES256", None, None)  # every bucket's default: SSE-S3
    _kms_default(s3, bucket)
    put = s3.put_object(Bucket=bucket, Key="kms", Body=b"x")
    algorithm, key, bucket_key = _encryption(put)
    assert algorithm == "aws:kms" and bucket_key is True
    assert key.startswith("arn:aws:kms:us-east-1:") and ":key/" in key  # the AWS managed key, as a key ARN
    assert _encryption(s3.head_object(Bucket=bucket, Key="kms")) == (algorithm, key, True)
    assert _encryption(s3.head_object(Bucket=bucket, Key="plain")) == ("AES256", None, None)  # written before
    # the same managed key every time; headers in the request win
    assert s3.put_object(Bucket=bucket, Key="again", Body=b"x")["SSEKMSKeyId"] == key
    explicit = s3.put_object(Bucket=bucket, Key="sse-s3", Body=b"x", ServerSideEncryption="AES256")
    assert _encryption(explicit) == ("AES256", None, None)

    _kms_default(s3, bucket, KEY_ID)
    named = s3.put_object(Bucket=bucket, Key="named", Body=b"x")
    account = named["SSEKMSKeyId"].split(":")[4]
    assert named["SSEKMSKeyId"] == f"arn:aws:kms:us-east-1:{account}:key/{KEY_ID}"
    s3.delete_bucket_encryption(Bucket=bucket)
    assert _encryption(s3.put_object(Bucket=bucket, Key="after", Body=b"x")) == ("AES256", None, None)


def test_copy_and_multipart_get_the_destinations_default(s3: Any, bucket: str, name: str) -> None:
    kms_bucket = f"{name}-kms"
    s3.create_bucket(Bucket=kms_bucket)
    _kms_default(s3, kms_bucket, KEY_ID)
    s3.put_object(Bucket=bucket, Key="source", Body=b"hello")

    copied = s3.copy_object(Bucket=kms_bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "source"})
    assert _encryption(copied)[0] == "aws:kms" and copied["SSEKMSKeyId"].endswith(f":key/{KEY_ID}")
    assert _encryption(s3.head_object(Bucket=kms_bucket, Key="copy"))[0] == "aws:kms"
    back = s3.copy_object(Bucket=bucket, Key="back", CopySource={"Bucket": kms_bucket, "Key": "copy"})
    assert _encryption(back) == ("AES256", None, None)  # the destination's default, not the source's
    kept = s3.copy_object(
        Bucket=kms_bucket, Key="sse-s3", CopySource={"Bucket": bucket, "Key": "source"}, ServerSideEncryption="AES256"
    )
    assert _encryption(kept) == ("AES256", None, None)

    created = s3.create_multipart_upload(Bucket=kms_bucket, Key="big")
    assert _encryption(created)[0] == "aws:kms" and created["BucketKeyEnabled"] is True
    part = s3.upload_part(Bucket=kms_bucket, Key="big", UploadId=created["UploadId"], PartNumber=1, Body=b"p")
    assert part["ServerSideEncryption"] == "aws:kms"
    done = s3.complete_multipart_upload(
        Bucket=kms_bucket,
        Key="big",
        UploadId=created["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert _encryption(done) == _encryption(created)
    assert _encryption(s3.head_object(Bucket=kms_bucket, Key="big")) == _encryption(created)
    for key in ("copy", "sse-s3", "big"):
        s3.delete_object(Bucket=kms_bucket, Key=key)
    s3.delete_bucket(Bucket=kms_bucket)
