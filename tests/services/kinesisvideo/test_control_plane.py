"""The control plane end to end through boto3: streams (versions, retention, media type, KMS, tags, listing),
GetDataEndpoint for every API, the stored configurations, signaling channels with their endpoints, and AWS's errors."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from ...conftest import make_client
from .conftest import create


def _error(call: Any, code: str, **kwargs: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == code, caught.value.response
    return str(caught.value.response["Error"]["Message"])


def test_stream_lifecycle(kvs: Any, endpoint: str, name: str) -> None:
    arn = kvs.create_stream(
        StreamName=name, DeviceName="cam-1", MediaType="video/h264", DataRetentionInHours=24, Tags={"team": "a"}
    )["StreamARN"]
    assert arn.startswith(f"arn:aws:kinesisvideo:us-east-1:000000000000:stream/{name}/")
    info = kvs.describe_stream(StreamName=name)["StreamInfo"]
    assert info["StreamARN"] == arn and info["Status"] == "ACTIVE" and info["DeviceName"] == "cam-1"
    assert info["MediaType"] == "video/h264" and info["DataRetentionInHours"] == 24
    assert info["KmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/aws/kinesisvideo"
    assert kvs.describe_stream(StreamARN=arn)["StreamInfo"] == info
    _error(kvs.create_stream, "ResourceInUseException", StreamName=name)

    # versions: a stale CurrentVersion is refused, each change makes a new one
    version = info["Version"]
    kvs.update_stream(StreamName=name, CurrentVersion=version, MediaType="video/h265")
    updated = kvs.describe_stream(StreamName=name)["StreamInfo"]
    assert updated["MediaType"] == "video/h265" and updated["Version"] != version
    _error(kvs.update_stream, "VersionMismatchException", StreamName=name, CurrentVersion=version, DeviceName="x")
    kvs.update_data_retention(
        StreamName=name,
        CurrentVersion=updated["Version"],
        Operation="DECREASE_DATA_RETENTION",
        DataRetentionChangeInHours=20,
    )
    after = kvs.describe_stream(StreamName=name)["StreamInfo"]
    assert after["DataRetentionInHours"] == 4
    _error(
        kvs.update_data_retention,
        "InvalidArgumentException",
        StreamName=name,
        CurrentVersion=after["Version"],
        Operation="DECREASE_DATA_RETENTION",
        DataRetentionChangeInHours=5,
    )

    # tags, by stream and by resource ARN
    kvs.tag_stream(StreamName=name, Tags={"env": "test"})
    assert kvs.list_tags_for_stream(StreamARN=arn)["Tags"] == {"team": "a", "env": "test"}
    kvs.untag_resource(ResourceARN=arn, TagKeyList=["team"])
    assert kvs.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "test"}
    _error(
        kvs.tag_stream, "TagsPerResourceExceededLimitException", StreamName=name, Tags={f"k{i}": "v" for i in range(50)}
    )

    # every data-plane API is served at gureum's own URL
    for api in ("PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_HLS_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES"):
        assert kvs.get_data_endpoint(StreamName=name, APIName=api)["DataEndpoint"] == endpoint

    listed = kvs.list_streams(StreamNameCondition={"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": name})
    assert [s["StreamName"] for s in listed["StreamInfoList"]] == [name]

    current = kvs.describe_stream(StreamName=name)["StreamInfo"]["Version"]
    _error(kvs.delete_stream, "VersionMismatchException", StreamARN=arn, CurrentVersion="stale")
    kvs.delete_stream(StreamARN=arn, CurrentVersion=current)
    message = _error(kvs.describe_stream, "ResourceNotFoundException", StreamName=name)
    assert "not found" in message
    _error(kvs.get_data_endpoint, "ResourceNotFoundException", StreamName=name, APIName="GET_MEDIA")


def test_listing_pages(kvs: Any, name: str) -> None:
    for i in range(3):
        create(kvs, f"{name}-{i}")
    condition = {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": name}
    first = kvs.list_streams(MaxResults=2, StreamNameCondition=condition)
    second = kvs.list_streams(MaxResults=2, StreamNameCondition=condition, NextToken=first["NextToken"])
    assert [s["StreamName"] for s in first["StreamInfoList"] + second["StreamInfoList"]] == [
        f"{name}-{i}" for i in range(3)
    ]
    assert "NextToken" not in second


def test_bad_input(kvs: Any, name: str) -> None:
    _error(kvs.describe_stream, "InvalidArgumentException")
    _error(kvs.create_stream, "InvalidArgumentException", StreamName="no spaces allowed")
    _error(kvs.describe_stream, "ResourceNotFoundException", StreamName=f"{name}-missing")


def test_configurations(kvs: Any, name: str) -> None:
    create(kvs, name)
    images = {
        "Status": "ENABLED",
        "ImageSelectorType": "SERVER_TIMESTAMP",
        "DestinationConfig": {"Uri": "s3://bucket/prefix", "DestinationRegion": "us-east-1"},
        "SamplingInterval": 3000,
        "Format": "JPEG",
        "FormatConfig": {"JPEGQuality": "80"},
        "WidthPixels": 320,
    }
    kvs.update_image_generation_configuration(StreamName=name, ImageGenerationConfiguration=images)
    assert kvs.describe_image_generation_configuration(StreamName=name)["ImageGenerationConfiguration"] == images
    notify = {"Status": "ENABLED", "DestinationConfig": {"Uri": "arn:aws:sns:us-east-1:000000000000:topic"}}
    kvs.update_notification_configuration(StreamName=name, NotificationConfiguration=notify)
    assert kvs.describe_notification_configuration(StreamName=name)["NotificationConfiguration"] == notify
    _error(kvs.describe_edge_configuration, "StreamEdgeConfigurationNotFoundException", StreamName=name)
    hub = "arn:aws:iot:us-east-1:000000000000:thing/hub"
    started = kvs.start_edge_configuration_update(
        StreamName=name, EdgeConfig={"HubDeviceArn": hub, "RecorderConfig": {"MediaSourceConfig": {
            "MediaUriSecretArn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:cam", "MediaUriType": "RTSP_URI"
        }}},
    )  # fmt: skip
    assert started["SyncStatus"] == "SYNCING" and started["EdgeConfig"]["HubDeviceArn"] == hub
    assert [c["StreamName"] for c in kvs.list_edge_agent_configurations(HubDeviceArn=hub)["EdgeConfigs"]] == [name]
    kvs.delete_edge_configuration(StreamName=name)
    _error(kvs.describe_edge_configuration, "StreamEdgeConfigurationNotFoundException", StreamName=name)


def test_signaling_channels(kvs: Any, endpoint: str, name: str) -> None:
    arn = kvs.create_signaling_channel(
        ChannelName=name, SingleMasterConfiguration={"MessageTtlSeconds": 30}, Tags=[{"Key": "k", "Value": "v"}]
    )["ChannelARN"]
    assert arn.startswith(f"arn:aws:kinesisvideo:us-east-1:000000000000:channel/{name}/")
    info = kvs.describe_signaling_channel(ChannelName=name)["ChannelInfo"]
    assert info["ChannelType"] == "SINGLE_MASTER" and info["ChannelStatus"] == "ACTIVE"
    assert info["SingleMasterConfiguration"] == {"MessageTtlSeconds": 30}
    kvs.update_signaling_channel(
        ChannelARN=arn, CurrentVersion=info["Version"], SingleMasterConfiguration={"MessageTtlSeconds": 60}
    )
    assert kvs.describe_signaling_channel(ChannelARN=arn)["ChannelInfo"]["SingleMasterConfiguration"] == {
        "MessageTtlSeconds": 60
    }
    assert kvs.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"k": "v"}
    endpoints = kvs.get_signaling_channel_endpoint(
        ChannelARN=arn, SingleMasterChannelEndpointConfiguration={"Protocols": ["WSS", "HTTPS"], "Role": "MASTER"}
    )["ResourceEndpointList"]
    by_protocol = {e["Protocol"]: e["ResourceEndpoint"] for e in endpoints}
    assert by_protocol == {"WSS": "ws" + endpoint[len("http") :], "HTTPS": endpoint}
    signaling = make_client(by_protocol["HTTPS"], "kinesis-video-signaling")
    assert signaling.get_ice_server_config(ChannelARN=arn, ClientId="viewer-1")["IceServerList"] == []
    listed = kvs.list_signaling_channels(
        ChannelNameCondition={"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": name}
    )["ChannelInfoList"]
    assert [c["ChannelARN"] for c in listed] == [arn]
    _error(kvs.create_signaling_channel, "ResourceInUseException", ChannelName=name)
    kvs.delete_signaling_channel(ChannelARN=arn)
    _error(kvs.describe_signaling_channel, "ResourceNotFoundException", ChannelName=name)
    _error(signaling.get_ice_server_config, "ResourceNotFoundException", ChannelARN=arn)
