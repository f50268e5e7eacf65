"""Kinesis Video Streams Media (kinesis-video-media, rest-json): GetMedia, served from the media the kinesisvideo
service keeps, through the KinesisVideoMedia port (services never import each other). PutMedia is not in botocore's
model: the kinesisvideo service serves it at POST /putMedia. This package keeps no state of its own."""

from __future__ import annotations

from ...aws.validate import Rules
from .. import Service

SERVICE: Service = Service("kinesis-video-media", validation=Rules(patterns=True, code="InvalidArgumentException"))

from . import ops  # noqa: E402,F401  (register)
