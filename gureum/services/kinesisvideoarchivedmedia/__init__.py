"""Kinesis Video Streams Archived Media (kinesis-video-archived-media, rest-json): ListFragments,
GetMediaForFragmentList, GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetClip and GetImages, served from
the media the kinesisvideo service keeps, through the KinesisVideoMedia port. No state of its own."""

from __future__ import annotations

from ...aws.validate import Rules
from .. import Service

SERVICE: Service = Service(
    "kinesis-video-archived-media", validation=Rules(patterns=True, code="InvalidArgumentException")
)

from . import ops  # noqa: E402,F401  (register)
