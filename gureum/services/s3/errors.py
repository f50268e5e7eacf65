"""S3's error codes, statuses and the messages AWS words them with (the S3 API reference's "Error responses" list);
the engine writes them as S3's ``<Error>`` document, extra fields (Key, BucketName, …) as elements."""

from __future__ import annotations

from ...aws.errors import ServiceError as ServiceError
from ...aws.errors import error_class

AccessDenied = error_class("AccessDenied", 403)
BadDigest = error_class("BadDigest")
BucketAlreadyExists = error_class("BucketAlreadyExists", 409)
BucketAlreadyOwnedByYou = error_class("BucketAlreadyOwnedByYou", 409)
BucketNotEmpty = error_class("BucketNotEmpty", 409)
EntityTooLarge = error_class("EntityTooLarge")
EntityTooSmall = error_class("EntityTooSmall")
IllegalLocationConstraintException = error_class("IllegalLocationConstraintException")
IncompleteBody = error_class("IncompleteBody")
InvalidArgument = error_class("InvalidArgument")
InvalidBucketName = error_class("InvalidBucketName")
InvalidDigest = error_class("InvalidDigest")
InvalidPart = error_class("InvalidPart")
InvalidPartOrder = error_class("InvalidPartOrder")
InvalidRange = error_class("InvalidRange", 416)
InvalidRequest = error_class("InvalidRequest")
InvalidStorageClass = error_class("InvalidStorageClass")
InvalidTag = error_class("InvalidTag")
KeyTooLongError = error_class("KeyTooLongError")
MalformedXML = error_class("MalformedXML")
MethodNotAllowed = error_class("MethodNotAllowed", 405)
NoSuchBucket = error_class("NoSuchBucket", 404)
RestoreAlreadyInProgress = error_class("RestoreAlreadyInProgress", 409)
NoSuchKey = error_class("NoSuchKey", 404)
NoSuchUpload = error_class("NoSuchUpload", 404)
NoSuchVersion = error_class("NoSuchVersion", 404)
NoSuchTagSet = error_class("NoSuchTagSet", 404)
NoSuchBucketPolicy = error_class("NoSuchBucketPolicy", 404)
NoSuchCORSConfiguration = error_class("NoSuchCORSConfiguration", 404)
NoSuchLifecycleConfiguration = error_class("NoSuchLifecycleConfiguration", 404)
NoSuchWebsiteConfiguration = error_class("NoSuchWebsiteConfiguration", 404)
NoSuchPublicAccessBlockConfiguration = error_class("NoSuchPublicAccessBlockConfiguration", 404)
OwnershipControlsNotFoundError = error_class("OwnershipControlsNotFoundError", 404)
ServerSideEncryptionConfigurationNotFoundError = error_class("ServerSideEncryptionConfigurationNotFoundError", 404)
ObjectLockConfigurationNotFoundError = error_class("ObjectLockConfigurationNotFoundError", 404)
ReplicationConfigurationNotFoundError = error_class("ReplicationConfigurationNotFoundError", 404)
NoSuchConfiguration = error_class("NoSuchConfiguration", 404)
TooManyConfigurations = error_class("TooManyConfigurations")
InvalidBucketState = error_class("InvalidBucketState", 409)
NotImplemented = error_class("NotImplemented", 501, False)
PreconditionFailed = error_class("PreconditionFailed", 412)
ConditionalRequestConflict = error_class("ConditionalRequestConflict", 409)
SignatureDoesNotMatch = error_class("SignatureDoesNotMatch", 403)
XAmzContentSHA256Mismatch = error_class("XAmzContentSHA256Mismatch")
AccessControlListNotSupported = error_class("AccessControlListNotSupported")
InvalidObjectState = error_class("InvalidObjectState", 403)
InternalError = error_class("InternalError", 500, False)


def no_such_bucket(bucket: str) -> ServiceError:
    return NoSuchBucket("The specified bucket does not exist", fields={"BucketName": bucket})


def no_such_key(key: str) -> ServiceError:
    return NoSuchKey("The specified key does not exist.", fields={"Key": key})


def no_such_upload(upload_id: str) -> ServiceError:
    return NoSuchUpload(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or "
        "completed.",
        fields={"UploadId": upload_id},
    )


def no_such_version(key: str, version_id: str) -> ServiceError:
    return NoSuchVersion("The specified version does not exist.", fields={"Key": key, "VersionId": version_id})


def invalid_version(version_id: str) -> ServiceError:
    return InvalidArgument(
        "Invalid version id specified", fields={"ArgumentName": "versionId", "ArgumentValue": version_id}
    )


def precondition_failed(condition: str) -> ServiceError:
    return PreconditionFailed(
        "At least one of the pre-conditions you specified did not hold", fields={"Condition": condition}
    )


def no_object_lock() -> ServiceError:
    """What S3 answers an Object Lock call on a bucket created without Object Lock (every gureum bucket)."""
    return InvalidRequest("Bucket is missing Object Lock Configuration")


def bad_digest() -> ServiceError:
    return BadDigest("The Content-MD5 you specified did not match what we received.")


def checksum_mismatch(algorithm: str) -> ServiceError:
    return BadDigest(f"The {algorithm} you specified did not match the calculated checksum.")


def invalid_range(requested: str, size: int) -> ServiceError:
    return InvalidRange(
        "The requested range is not satisfiable",
        fields={"RangeRequested": requested, "ActualObjectSize": str(size)},
        headers={"Content-Range": f"bytes */{size}"},
    )


def invalid_object_state(storage_class: str, copy: bool = False) -> ServiceError:
    """A read of an archived object without a restored copy (GetObject, or a copy's source)."""
    what = "the source object's storage class" if copy else "the object's storage class"
    return InvalidObjectState(f"The operation is not valid for {what}", fields={"StorageClass": storage_class})
