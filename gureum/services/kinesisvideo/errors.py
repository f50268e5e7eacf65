"""Kinesis Video Streams error codes (the models' "Errors" of the four KVS APIs) and the messages gureum gives them."""

from __future__ import annotations

from ...aws.errors import ServiceError, error_class

InvalidArgumentException = error_class("InvalidArgumentException")
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
ResourceInUseException = error_class("ResourceInUseException")
VersionMismatchException = error_class("VersionMismatchException")
TagsPerResourceExceededLimitException = error_class("TagsPerResourceExceededLimitException")
AccountStreamLimitExceededException = error_class("AccountStreamLimitExceededException")
AccountChannelLimitExceededException = error_class("AccountChannelLimitExceededException")
ClientLimitExceededException = error_class("ClientLimitExceededException")
NoDataRetentionException = error_class("NoDataRetentionException")
NotAuthorizedException = error_class("NotAuthorizedException", 401)
StreamEdgeConfigurationNotFoundException = error_class("StreamEdgeConfigurationNotFoundException", 404)
MissingCodecPrivateDataException = error_class("MissingCodecPrivateDataException")
UnsupportedStreamMediaTypeException = error_class("UnsupportedStreamMediaTypeException")
InvalidMediaFrameException = error_class("InvalidMediaFrameException")
SessionExpiredException = error_class("SessionExpiredException")
NotImplemented = error_class("NotImplemented", 501, sender_fault=False)

__all__ = [
    "ServiceError",
    "InvalidArgumentException",
    "ResourceNotFoundException",
    "ResourceInUseException",
    "VersionMismatchException",
    "TagsPerResourceExceededLimitException",
    "AccountStreamLimitExceededException",
    "AccountChannelLimitExceededException",
    "ClientLimitExceededException",
    "NoDataRetentionException",
    "NotAuthorizedException",
    "StreamEdgeConfigurationNotFoundException",
    "MissingCodecPrivateDataException",
    "UnsupportedStreamMediaTypeException",
    "InvalidMediaFrameException",
    "SessionExpiredException",
    "NotImplemented",
]


def stream_not_found() -> ServiceError:
    return ResourceNotFoundException("The requested stream is not found or not active.")


def channel_not_found() -> ServiceError:
    return ResourceNotFoundException("The requested channel is not found or not active.")


def no_media() -> ServiceError:
    return ResourceNotFoundException("No fragments found in the stream for the streaming request.")


def version_mismatch() -> ServiceError:
    return VersionMismatchException("The version of the stream does not match the current version.")


def no_ffmpeg(operation: str) -> ServiceError:
    return NotImplemented(
        f"{operation} needs ffmpeg on gureum's PATH to remux media (Debian: apt-get install ffmpeg); "
        "PutMedia, GetMedia, ListFragments and GetMediaForFragmentList work without it."
    )
