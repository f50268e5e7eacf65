"""Kinesis Video Streams Archived Media (kinesis-video-archived-media, rest-json): ListFragments,
GetMediaForFragmentList, GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetClip and GetImages, served from
the media the kinesisvideo service keeps, through the KinesisVideoMedia port. No state of its own."""

from __future__ import annotations

from .. import Service

SERVICE: Service = Service("kinesis-video-archived-media")

from . import ops  # noqa: E402,F401  (register)
