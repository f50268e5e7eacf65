"""Kinesis Video Signaling (kinesis-video-signaling, rest-json) at the channel's HTTPS endpoint: GetIceServerConfig
(no TURN servers run here, so it lists none) through the KinesisVideoMedia port. SendAlexaOfferToMaster is not
served. The WebSocket relay itself is the kinesisvideo service's."""

from __future__ import annotations

from ...aws.validate import Rules
from .. import Service

SERVICE: Service = Service("kinesis-video-signaling", validation=Rules(patterns=True, code="InvalidArgumentException"))

from . import ops  # noqa: E402,F401  (register)
