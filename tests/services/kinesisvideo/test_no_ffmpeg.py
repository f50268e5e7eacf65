"""Without ffmpeg on gureum's PATH (the tuned server's), the operations that remux media are refused with a clear
NotImplemented naming ffmpeg, while ingest and MKV playback still work."""

from __future__ import annotations

import time

import botocore.exceptions
import pytest

from ...conftest import make_client
from ...server import Server
from ._helpers import persisted, put_media
from .conftest import create


def test_remuxing_operations_refused(tuned: Server, sample_mkv: bytes, name: str) -> None:
    kvs = make_client(tuned.endpoint, "kinesisvideo")
    create(kvs, name)
    start = float(int(time.time()) - 60)
    assert len(persisted(put_media(tuned.endpoint, [sample_mkv], stream_name=name, start=start))) == 4
    archived = make_client(tuned.endpoint, "kinesis-video-archived-media")
    assert len(archived.list_fragments(StreamName=name)["Fragments"]) == 4
    span = {"StartTimestamp": start, "EndTimestamp": start + 10}
    calls = [
        lambda: archived.get_hls_streaming_session_url(StreamName=name, PlaybackMode="LIVE"),
        lambda: archived.get_dash_streaming_session_url(StreamName=name, PlaybackMode="LIVE"),
        lambda: archived.get_clip(
            StreamName=name, ClipFragmentSelector={"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": span}
        ),
        lambda: archived.get_images(StreamName=name, ImageSelectorType="PRODUCER_TIMESTAMP", Format="JPEG", **span),
    ]
    for call in calls:
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            call()
        error = caught.value.response["Error"]
        assert error["Code"] == "NotImplemented" and "ffmpeg" in error["Message"]
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
