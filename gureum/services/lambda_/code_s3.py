"""Deployment packages read from S3 (CreateFunction / UpdateFunctionCode S3Bucket/S3Key/S3ObjectVersion,
PublishLayerVersion Content from S3) through the S3Objects port, as the caller's principal: another account's
bucket must allow it s3:GetObject in its policy. S3's refusals become Lambda's, worded as AWS words them."""

from __future__ import annotations

from ...aws.errors import ServiceError
from ...ports import S3Objects
from ...runtime import Runtime
from .errors import AccessDeniedException, invalid
from .limits import MAX_UNZIPPED
from .packages import S3Code, check_zip


def _get_object_error(code: str, message: str) -> ServiceError:
    return invalid(f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}")


async def package(runtime: Runtime, account: str, region: str, access_key: str, source: bytes | S3Code) -> bytes:
    """The checked zip a code source names: the ZipFile itself, or the S3 object's body (in the function's Region,
    at most the unzipped-size limit)."""
    if isinstance(source, bytes):
        return source
    s3 = runtime.optional_port(S3Objects)
    if s3 is None:
        raise invalid("S3 is not running in this gureum (the s3 service failed to load): upload the code as ZipFile.")
    principal = await runtime.principal_arn(account, access_key) if access_key else None
    try:
        fields, body = await s3.open_object(
            account, region, source.bucket, source.key, version_id=source.version, principal_arn=principal
        )
    except ServiceError as error:
        if error.code == "NoSuchBucket":
            raise _get_object_error("NoSuchBucket", "The specified bucket does not exist") from None
        if error.code == "NoSuchKey":
            raise _get_object_error("NoSuchKey", "The specified key does not exist.") from None
        if error.code == "AccessDenied":
            raise AccessDeniedException(
                "Your access has been denied by S3, please make sure your request credentials have permission to "
                f"GetObject for {source.bucket}/{source.key}. S3 Error Code: AccessDenied. S3 Error Message: "
                "Access Denied"
            ) from None
        raise _get_object_error(error.code, error.message) from None
    if fields.get("BucketRegion", region) != region:
        raise _get_object_error(
            "PermanentRedirect",
            f"The bucket is in this region: {fields['BucketRegion']}. Please use this region to retry the request",
        )
    if int(fields.get("ContentLength") or 0) > MAX_UNZIPPED:
        raise invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
    zip_bytes = b"".join([chunk async for chunk in body])
    check_zip(zip_bytes, MAX_UNZIPPED)
    return zip_bytes
