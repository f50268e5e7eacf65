"""Playback end to end: GetMedia (EARLIEST, NOW with live continuation, FRAGMENT_NUMBER, PRODUCER_TIMESTAMP) and
GetMediaForFragmentList give MKV ffprobe accepts; HLS (fMP4 and MPEG-TS, ON_DEMAND and LIVE) and DASH session URLs
served by gureum play in ffprobe; GetClip returns a playable MP4 of the range; GetImages decodable JPEG/PNG frames."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
import urllib.request
from typing import Any

import botocore.exceptions
import pytest

from ._helpers import ffprobe, frames, persisted, put_media
from .conftest import create

_TAG = b"AWS_KINESISVIDEO_FRAGMENT_NUMBER"


def _upload(kvs: Any, name: str, mkv: bytes, start: float) -> list[str]:
    endpoint = kvs.get_data_endpoint(StreamName=name, APIName="PUT_MEDIA")["DataEndpoint"]
    acks = persisted(put_media(endpoint, [mkv], stream_name=name, start=start))
    assert len(acks) == 4
    return [a["FragmentNumber"] for a in acks]


def _read_fragments(payload: Any, count: int) -> bytes:
    """Read GetMedia's payload until ``count`` fragments (their tags) arrived."""
    data = b""
    # urllib3's read1 answers what has arrived (read(n) would wait for n bytes, or for GetMedia's idle end)
    raw = payload._raw_stream
    while data.count(_TAG) < count:
        chunk = raw.read1(65536)
        if not chunk:
            break
        data += chunk
    payload.close()
    return data


@pytest.fixture
def stored(kvs: Any, sample_mkv: bytes, name: str) -> tuple[str, float, list[str]]:
    """A stream holding the sample's four one-second fragments, produced a minute ago (whole seconds)."""
    create(kvs, name)
    start = float(int(time.time()) - 60)
    return name, start, _upload(kvs, name, sample_mkv, start)


def test_get_media_earliest_and_selectors(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, start, numbers = stored
    media = data_client("kinesis-video-media", name, "GET_MEDIA")
    out = media.get_media(StreamName=name, StartSelector={"StartSelectorType": "EARLIEST"})
    assert out["ContentType"] == "video/webm"
    data = _read_fragments(out["Payload"], 4)
    assert [data.count(n.encode()) for n in numbers] == [2, 2, 2, 2]  # fragment number and continuation token
    info = ffprobe(data, "matroska")
    assert info["streams"][0]["codec_name"] == "h264" and frames(info) == 40
    after = media.get_media(
        StreamName=name, StartSelector={"StartSelectorType": "FRAGMENT_NUMBER", "AfterFragmentNumber": numbers[1]}
    )
    data = _read_fragments(after["Payload"], 2)
    assert numbers[2].encode() in data and numbers[1].encode() not in data
    at = media.get_media(
        StreamName=name, StartSelector={"StartSelectorType": "PRODUCER_TIMESTAMP", "StartTimestamp": start + 3}
    )
    assert numbers[3].encode() in _read_fragments(at["Payload"], 1)


def test_get_media_now_continues_live(kvs: Any, data_client: Any, sample_mkv: bytes, name: str) -> None:
    create(kvs, name)
    media = data_client("kinesis-video-media", name, "GET_MEDIA")
    out = media.get_media(StreamName=name, StartSelector={"StartSelectorType": "NOW"})
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(_read_fragments(out["Payload"], 4)))
    reader.start()
    numbers = _upload(kvs, name, sample_mkv, time.time())
    reader.join(30)
    assert got and all(n.encode() in got[0] for n in numbers)
    assert frames(ffprobe(got[0], "matroska")) == 40


def test_get_media_rate_limit(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    """AWS: at most 5 GetMedia calls per second per stream; the sixth is ClientLimitExceededException."""
    name, _, _ = stored
    media = data_client("kinesis-video-media", name, "GET_MEDIA")
    admitted: list[float] = []
    refused = None
    for _ in range(30):
        try:
            media.get_media(StreamName=name, StartSelector={"StartSelectorType": "NOW"})["Payload"].close()
            admitted.append(time.monotonic())
        except botocore.exceptions.ClientError as error:
            refused = (time.monotonic(), error.response["Error"]["Code"])
            break
    assert refused is not None and refused[1] == "ClientLimitExceededException"
    # refused only after 5 calls within about a second (client-side times lag the server's a little)
    assert len([t for t in admitted if t > refused[0] - 1.5]) >= 5
    time.sleep(1.1)
    media.get_media(StreamName=name, StartSelector={"StartSelectorType": "NOW"})["Payload"].close()


def test_get_media_for_fragment_list(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, _, numbers = stored
    archived = data_client("kinesis-video-archived-media", name, "GET_MEDIA_FOR_FRAGMENT_LIST")
    out = archived.get_media_for_fragment_list(StreamName=name, Fragments=[numbers[0], numbers[2]])
    data = out["Payload"].read()
    assert frames(ffprobe(data, "matroska")) == 20
    assert b"AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP" in data
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        archived.get_media_for_fragment_list(StreamName=name, Fragments=[numbers[0][:-1] + "9"])
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def _probe_url(url: str) -> dict[str, Any]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-count_frames", url],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return dict(json.loads(done.stdout))


def test_hls_on_demand_and_live(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, start, numbers = stored
    archived = data_client("kinesis-video-archived-media", name, "GET_HLS_STREAMING_SESSION_URL")
    selector = {
        "FragmentSelectorType": "PRODUCER_TIMESTAMP",
        "TimestampRange": {"StartTimestamp": start, "EndTimestamp": start + 10},
    }
    url = archived.get_hls_streaming_session_url(
        StreamName=name, PlaybackMode="ON_DEMAND", HLSFragmentSelector=selector, DiscontinuityMode="NEVER"
    )["HLSStreamingSessionURL"]
    master = _get(url).decode()
    assert master.startswith("#EXTM3U") and 'CODECS="avc1.' in master
    playlist_url = url.rsplit("/", 1)[0] + "/" + master.strip().splitlines()[-1]
    playlist = _get(playlist_url).decode()
    assert "#EXT-X-ENDLIST" in playlist and playlist.count("#EXTINF:1.000,") == 4
    assert all(n in playlist for n in numbers) and "#EXT-X-DISCONTINUITY" not in playlist
    assert frames(_probe_url(url)) == 40

    ts = archived.get_hls_streaming_session_url(
        StreamName=name, PlaybackMode="ON_DEMAND", HLSFragmentSelector=selector, ContainerFormat="MPEG_TS"
    )["HLSStreamingSessionURL"]
    assert frames(_probe_url(ts)) == 40

    replay = archived.get_hls_streaming_session_url(
        StreamName=name,
        PlaybackMode="LIVE_REPLAY",
        HLSFragmentSelector={"FragmentSelectorType": "PRODUCER_TIMESTAMP", "TimestampRange": {"StartTimestamp": start}},
    )["HLSStreamingSessionURL"]
    replay_master = _get(replay).decode()
    replay_playlist = _get(replay.rsplit("/", 1)[0] + "/" + replay_master.strip().splitlines()[-1]).decode()
    assert "#EXT-X-ENDLIST" not in replay_playlist and all(n in replay_playlist for n in numbers)

    live = archived.get_hls_streaming_session_url(
        StreamName=name, PlaybackMode="LIVE", MaxMediaPlaylistFragmentResults=3
    )["HLSStreamingSessionURL"]
    live_master = _get(live).decode()
    live_playlist = _get(live.rsplit("/", 1)[0] + "/" + live_master.strip().splitlines()[-1]).decode()
    assert "#EXT-X-ENDLIST" not in live_playlist and live_playlist.count("#EXTINF") == 3
    assert numbers[0] not in live_playlist and numbers[3] in live_playlist
    # a live playlist has no end (ffprobe would wait for more): its parts are fetched and probed
    base = live.rsplit("/", 1)[0] + "/"
    lines = live_playlist.splitlines()
    init = _get(base + lines[next(i for i, x in enumerate(lines) if x.startswith("#EXT-X-MAP"))].split('"')[1])
    segments = [_get(base + line) for line in lines if line.startswith("getMP4MediaFragment")]
    assert frames(ffprobe(init + b"".join(segments), "mp4")) == 30


def test_dash_on_demand(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, start, _ = stored
    archived = data_client("kinesis-video-archived-media", name, "GET_DASH_STREAMING_SESSION_URL")
    url = archived.get_dash_streaming_session_url(
        StreamName=name,
        PlaybackMode="ON_DEMAND",
        DASHFragmentSelector={
            "FragmentSelectorType": "PRODUCER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": start, "EndTimestamp": start + 10},
        },
    )["DASHStreamingSessionURL"]
    manifest = _get(url).decode()
    assert 'type="static"' in manifest and manifest.count("<S t=") == 4
    assert frames(_probe_url(url)) == 40
    live = archived.get_dash_streaming_session_url(StreamName=name, PlaybackMode="LIVE", MaxManifestFragmentResults=2)
    live_manifest = _get(live["DASHStreamingSessionURL"]).decode()
    assert 'type="dynamic"' in live_manifest and live_manifest.count("<S t=") == 2


def test_clip(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, start, _ = stored
    archived = data_client("kinesis-video-archived-media", name, "GET_CLIP")
    out = archived.get_clip(
        StreamName=name,
        ClipFragmentSelector={
            "FragmentSelectorType": "PRODUCER_TIMESTAMP",
            "TimestampRange": {"StartTimestamp": start + 1, "EndTimestamp": start + 2},
        },
    )
    assert out["ContentType"] == "video/mp4"
    info = ffprobe(out["Payload"].read())
    assert "mp4" in info["format"]["format_name"] and frames(info) == 20
    assert abs(float(info["format"]["duration"]) - 2.0) < 0.2


def test_images(data_client: Any, stored: tuple[str, float, list[str]]) -> None:
    name, start, _ = stored
    archived = data_client("kinesis-video-archived-media", name, "GET_IMAGES")
    out = archived.get_images(
        StreamName=name,
        ImageSelectorType="PRODUCER_TIMESTAMP",
        StartTimestamp=start + 0.5,
        EndTimestamp=start + 10,
        SamplingInterval=1000,
        Format="JPEG",
        WidthPixels=80,
        MaxResults=5,
    )
    images = out["Images"]
    assert len(images) == 5 and "NextToken" in out
    assert [i.get("Error") for i in images] == [None, None, None, None, "NO_MEDIA"]
    for image in images[:4]:
        picture = base64.b64decode(image["ImageContent"])
        assert picture[:3] == b"\xff\xd8\xff"
        info = ffprobe(picture, "jpeg_pipe", count=False)
        assert info["streams"][0]["width"] == 80 and info["streams"][0]["height"] == 60
    dense = archived.get_images(
        StreamName=name,
        ImageSelectorType="PRODUCER_TIMESTAMP",
        StartTimestamp=start,
        EndTimestamp=start + 1,
        SamplingInterval=200,
        Format="JPEG",
    )["Images"]
    assert len(dense) == 6 and all("ImageContent" in i for i in dense)
    assert len({i["ImageContent"] for i in dense}) == 6  # the test pattern moves: six different frames
    png = archived.get_images(
        StreamName=name,
        ImageSelectorType="PRODUCER_TIMESTAMP",
        StartTimestamp=start + 1,
        EndTimestamp=start + 1,
        Format="PNG",
    )["Images"]
    assert base64.b64decode(png[0]["ImageContent"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_s3_keys_under_hls_paths_stay_s3(aws: Any, name: str) -> None:
    """The session routes take only URLs with a SessionToken: bucket "hls", key "v1/…" is still S3's."""
    s3 = aws("s3")
    try:
        s3.create_bucket(Bucket="hls")
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket="hls", Key=f"v1/{name}.m3u8", Body=b"#EXTM3U\n")
    assert s3.get_object(Bucket="hls", Key=f"v1/{name}.m3u8")["Body"].read() == b"#EXTM3U\n"
