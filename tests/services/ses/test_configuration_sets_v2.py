"""SES v2 configuration sets: event destinations of every kind (Firehose records written, CloudWatch and Pinpoint
kept), the options CreateConfigurationSet takes and the PutConfigurationSet*Options calls, shown by
GetConfigurationSet (and SES v1's DescribeConfigurationSet), and sending paused per configuration set."""

from __future__ import annotations

import json
import time

from ._helpers import error
from .conftest import Ses

SIMPLE = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


def _firehose_to_s3(ses: Ses, unique) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A Firehose delivery stream writing to a new bucket at once: (stream ARN, role ARN, bucket)."""
    s3, firehose = ses.client("s3"), ses.client("firehose")
    bucket, role = unique("ses2-fh"), f"arn:aws:iam::{ses.account}:role/ses-to-firehose"
    s3.create_bucket(Bucket=bucket)
    stream = firehose.create_delivery_stream(
        DeliveryStreamName=unique("ses2-fh"),
        ExtendedS3DestinationConfiguration={
            "RoleARN": role,
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
        },
    )["DeliveryStreamARN"]
    return stream, role, bucket


def test_v2_firehose_cloudwatch_and_pinpoint_destinations(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    stream, role, bucket = _firehose_to_s3(ses, unique)
    config_set = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=config_set)
    to_firehose = {
        "Enabled": True,
        "MatchingEventTypes": ["SEND", "DELIVERY"],
        "KinesisFirehoseDestination": {"IamRoleArn": role, "DeliveryStreamArn": stream},
    }
    dimensions = [
        {"DimensionName": "campaign", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "none"},
        {"DimensionName": "link", "DimensionValueSource": "LINK_TAG", "DefaultDimensionValue": "x"},
    ]
    to_cloudwatch = {
        "Enabled": True,
        "MatchingEventTypes": ["BOUNCE"],
        "CloudWatchDestination": {"DimensionConfigurations": dimensions},
    }
    app = f"arn:aws:mobiletargeting:us-east-1:{ses.account}:apps/0123456789abcdef0123456789abcdef"
    to_pinpoint = {"Enabled": False, "MatchingEventTypes": ["OPEN"], "PinpointDestination": {"ApplicationArn": app}}
    for name, dest in (("fh", to_firehose), ("cw", to_cloudwatch), ("pp", to_pinpoint)):
        ses.v2.create_configuration_set_event_destination(
            ConfigurationSetName=config_set, EventDestinationName=name, EventDestination=dest
        )
    found = {d.pop("Name"): d for d in ses.v2.get_configuration_set_event_destinations(
        ConfigurationSetName=config_set
    )["EventDestinations"]}  # fmt: skip
    assert found["fh"] == {**to_firehose, "MatchingEventTypes": ["DELIVERY", "SEND"]}
    assert found == {"fh": found["fh"], "cw": to_cloudwatch, "pp": to_pinpoint}
    # SES v1 sees the same destinations in its own spelling
    v1 = {d["Name"]: d for d in ses.v1.describe_configuration_set(
        ConfigurationSetName=config_set, ConfigurationSetAttributeNames=["eventDestinations"]
    )["EventDestinations"]}  # fmt: skip
    assert v1["fh"]["KinesisFirehoseDestination"] == {"IAMRoleARN": role, "DeliveryStreamARN": stream}
    assert v1["cw"]["CloudWatchDestination"]["DimensionConfigurations"][0] == {
        "DimensionName": "campaign", "DimensionValueSource": "messageTag", "DefaultDimensionValue": "none",
    }  # fmt: skip
    # the Firehose destination gets each event as a JSON record and a newline
    ses.verify_email("fh2@example.com")
    sent = ses.v2.send_email(
        FromEmailAddress="fh2@example.com",
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Content=SIMPLE,
        ConfigurationSetName=config_set,
    )
    s3 = ses.client("s3")
    written = b""
    deadline = time.monotonic() + 15
    while written.count(b"\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        objects = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        written = b"".join(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in objects)
    records = [json.loads(line) for line in written.splitlines()]
    assert sorted(r["eventType"] for r in records) == ["Delivery", "Send"]
    assert {r["mail"]["messageId"] for r in records} == {sent["MessageId"]}
    # an update replaces the destination: the Firehose target becomes a CloudWatch one
    ses.v2.update_configuration_set_event_destination(
        ConfigurationSetName=config_set, EventDestinationName="fh", EventDestination=to_cloudwatch
    )
    found = {d.pop("Name"): d for d in ses.v2.get_configuration_set_event_destinations(
        ConfigurationSetName=config_set
    )["EventDestinations"]}  # fmt: skip
    assert found["fh"] == to_cloudwatch
    missing = error(lambda: ses.v2.update_configuration_set_event_destination(
        ConfigurationSetName=config_set, EventDestinationName="nope", EventDestination=to_cloudwatch
    ))  # fmt: skip
    assert missing["Code"] == "NotFoundException"
