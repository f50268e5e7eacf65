"""PutMedia end to end: a signed chunked MKV upload (botocore's SigV4, at the endpoint GetDataEndpoint answers) gets
BUFFERING, RECEIVED and PERSISTED acks per cluster while it goes on; fragments are listed with AWS's numbers and
timestamps; malformed MKV gets AWS's ERROR ack and ends the upload; a stream that keeps no data gets no PERSISTED."""

from __future__ import annotations

import time
from typing import Any

import botocore.exceptions
import pytest

from ._helpers import children, clusters, persisted, put_media, split
from .conftest import create


def _endpoint(kvs: Any, name: str) -> str:
    return str(kvs.get_data_endpoint(StreamName=name, APIName="PUT_MEDIA")["DataEndpoint"])


def test_upload_acks_each_fragment(kvs: Any, data_client: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name)
    start = float(int(time.time()) - 60)  # whole seconds: botocore sends timestamps to this API in seconds
    upload = put_media(_endpoint(kvs, name), split(sample_mkv, 3000), stream_name=name, start=start)
    assert upload.status == 200, upload.body
    kinds = [a["EventType"] for a in upload.acks]
    assert kinds == ["BUFFERING", "RECEIVED", "PERSISTED"] * 4, kinds
    done = persisted(upload)
    assert [a["FragmentTimecode"] for a in done] == [0, 1000, 2000, 3000]
    numbers = [a["FragmentNumber"] for a in done]
    assert all(len(n) == 47 and n.isdigit() for n in numbers) and numbers == sorted(numbers)
    assert len(set(numbers)) == 4

    archived = data_client("kinesis-video-archived-media", name, "LIST_FRAGMENTS")
    fragments = archived.list_fragments(StreamName=name)["Fragments"]
    assert [f["FragmentNumber"] for f in fragments] == numbers
    first = fragments[0]
    assert abs(first["ProducerTimestamp"].timestamp() - start) < 0.01
    assert abs(first["ServerTimestamp"].timestamp() - time.time()) < 30
    assert [f["FragmentLengthInMilliseconds"] for f in fragments] == [1000] * 4
    assert all(f["FragmentSizeInBytes"] > 1000 for f in fragments)
    # paging and a producer-time range
    page = archived.list_fragments(StreamName=name, MaxResults=3)
    rest = archived.list_fragments(StreamName=name, MaxResults=3, NextToken=page["NextToken"])
    assert [f["FragmentNumber"] for f in page["Fragments"] + rest["Fragments"]] == numbers
    ranged = archived.list_fragments(
        StreamName=name,
        FragmentSelector={
            "FragmentSelectorType": "PRODUCER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": start + 1, "EndTimestamp": start + 2},
        },
    )["Fragments"]
    assert [f["FragmentNumber"] for f in ranged] == numbers[1:3]


def test_absolute_timecodes_and_arn(kvs: Any, sample_mkv: bytes, name: str) -> None:
    arn = create(kvs, name)
    upload = put_media(_endpoint(kvs, name), [sample_mkv], stream_arn=arn, timecode_type="ABSOLUTE")
    assert len(persisted(upload)) == 4


def test_malformed_mkv_gets_error_ack(kvs: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name)
    endpoint = _endpoint(kvs, name)
    garbage = put_media(endpoint, [b"this is not matroska at all" * 100], stream_name=name)
    assert garbage.status == 200
    assert garbage.acks == [{"EventType": "ERROR", "ErrorId": 4006}]
    # a good fragment, then the second cluster's first block header corrupted (an EBML id of 0x00): the first is
    # persisted, then ERROR 4006 ends the upload
    offset, head, size = clusters(sample_mkv)[1]
    block = next(pos for ident, pos, _ in children(sample_mkv, offset + head, offset + head + size) if ident == 0xA3)
    broken = sample_mkv[:block] + b"\x00" + sample_mkv[block + 1 :]
    upload = put_media(endpoint, split(broken, 4096), stream_name=name)
    assert [a["EventType"] for a in upload.acks][:3] == ["BUFFERING", "RECEIVED", "PERSISTED"]
    assert upload.acks[-1]["EventType"] == "ERROR" and upload.acks[-1]["ErrorId"] == 4006
    # the server is fine and the stream still takes media
    assert len(persisted(put_media(endpoint, [sample_mkv], stream_name=name))) == 4


def test_out_of_order_fragment_is_4004(kvs: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name)
    upload = put_media(_endpoint(kvs, name), [sample_mkv, sample_mkv], stream_name=name)
    kinds = [a["EventType"] for a in upload.acks]
    assert kinds.count("PERSISTED") == 4
    assert upload.acks[-1] == {"EventType": "ERROR", "FragmentTimecode": 0, "ErrorId": 4004}


def test_stream_without_retention_gets_no_persisted(kvs: Any, data_client: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name, retention=0)
    upload = put_media(_endpoint(kvs, name), [sample_mkv], stream_name=name)
    kinds = [a["EventType"] for a in upload.acks]
    assert kinds == ["BUFFERING", "RECEIVED"] * 4
    # live consumers still get the media; archived playback is refused
    media = data_client("kinesis-video-media", name, "GET_MEDIA")
    payload = media.get_media(StreamName=name, StartSelector={"StartSelectorType": "EARLIEST"})["Payload"]
    data = b""
    while data.count(b"AWS_KINESISVIDEO_FRAGMENT_NUMBER") < 4 and (chunk := payload._raw_stream.read1(65536)):
        data += chunk
    payload.close()
    assert data.count(b"AWS_KINESISVIDEO_FRAGMENT_NUMBER") == 4
    archived = data_client("kinesis-video-archived-media", name, "GET_HLS_STREAMING_SESSION_URL")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        archived.get_hls_streaming_session_url(StreamName=name, PlaybackMode="LIVE")
    assert caught.value.response["Error"]["Code"] == "NoDataRetentionException"


def test_bad_headers(kvs: Any, endpoint: str, sample_mkv: bytes, name: str) -> None:
    missing = put_media(endpoint, [sample_mkv], stream_name=f"{name}-none")
    assert missing.status == 404 and missing.headers["x-amzn-errortype"].startswith("ResourceNotFoundException")
    create(kvs, name)
    wrong = put_media(endpoint, [sample_mkv], stream_name=name, timecode_type="SOMETIMES")
    assert wrong.status == 400 and wrong.headers["x-amzn-errortype"].startswith("InvalidArgumentException")


def test_idle_ack_while_the_producer_pauses(kvs: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name)
    second = clusters(sample_mkv)[1][0]

    def paused() -> Any:
        yield sample_mkv[:second]
        time.sleep(3.5)  # AWS sends IDLE while no data arrives (gureum: every 3 s)
        yield sample_mkv[second:]

    upload = put_media(_endpoint(kvs, name), paused(), stream_name=name)
    kinds = [a["EventType"] for a in upload.acks]
    assert "IDLE" in kinds and kinds.count("PERSISTED") == 4
    assert kinds.index("IDLE") > kinds.index("BUFFERING")
