"""SES v2 configuration sets: event destinations of every kind (Firehose records written, CloudWatch and Pinpoint
kept), the options CreateConfigurationSet takes and the PutConfigurationSet*Options calls, shown by
GetConfigurationSet (and SES v1's DescribeConfigurationSet), and sending paused per configuration set."""

from __future__ import annotations

import json
import time

from tests.conftest import make_client

from ._helpers import error, firehose_to_s3
from .conftest import Ses

SIMPLE = {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}}


def test_v2_firehose_cloudwatch_and_pinpoint_destinations(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    stream, role, bucket = firehose_to_s3(ses, unique)
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


def test_v2_create_configuration_set_keeps_every_option(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    name = unique("cs")
    ses.v2.create_configuration_set(
        ConfigurationSetName=name,
        TrackingOptions={"CustomRedirectDomain": "track.example.com", "HttpsPolicy": "REQUIRE"},
        DeliveryOptions={"TlsPolicy": "REQUIRE", "SendingPoolName": "ses-shared-pool", "MaxDeliverySeconds": 600},
        ReputationOptions={"ReputationMetricsEnabled": True},
        SendingOptions={"SendingEnabled": False},
        Tags=[{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "test"}],
        SuppressionOptions={"SuppressedReasons": ["BOUNCE"]},
        VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
    )
    got = ses.v2.get_configuration_set(ConfigurationSetName=name)
    got.pop("ResponseMetadata")
    assert got == {
        "ConfigurationSetName": name,
        "TrackingOptions": {"CustomRedirectDomain": "track.example.com", "HttpsPolicy": "REQUIRE"},
        "DeliveryOptions": {"TlsPolicy": "REQUIRE", "SendingPoolName": "ses-shared-pool", "MaxDeliverySeconds": 600},
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": False},
        "Tags": [{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "test"}],
        "SuppressionOptions": {"SuppressedReasons": ["BOUNCE"]},
        "VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"}},
    }
    # a plain one answers AWS's defaults
    plain = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=plain)
    got = ses.v2.get_configuration_set(ConfigurationSetName=plain)
    assert "DeliveryOptions" not in got  # none set (Terraform's aws_sesv2_configuration_set plans no change then)
    assert got["ReputationOptions"] == {"ReputationMetricsEnabled": False}
    assert got["SendingOptions"] == {"SendingEnabled": True} and got["Tags"] == []
    assert "VdmOptions" not in got and "TrackingOptions" not in got
    # a dedicated IP pool the account does not have is refused, and nothing is created
    bad = unique("cs")
    refused = error(lambda: ses.v2.create_configuration_set(
        ConfigurationSetName=bad, DeliveryOptions={"SendingPoolName": "no-such-pool"}
    ))  # fmt: skip
    assert refused["Code"] == "NotFoundException" and "no-such-pool" in refused["Message"]
    assert bad not in ses.v2.list_configuration_sets()["ConfigurationSets"]


def test_v2_put_options_and_sending_paused(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    name = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=name)
    ses.v2.put_configuration_set_delivery_options(
        ConfigurationSetName=name, TlsPolicy="REQUIRE", MaxDeliverySeconds=900
    )
    ses.v2.put_configuration_set_reputation_options(ConfigurationSetName=name, ReputationMetricsEnabled=True)
    ses.v2.put_configuration_set_vdm_options(
        ConfigurationSetName=name, VdmOptions={"GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}}
    )
    got = ses.v2.get_configuration_set(ConfigurationSetName=name)
    assert got["DeliveryOptions"] == {"TlsPolicy": "REQUIRE", "MaxDeliverySeconds": 900}
    assert got["ReputationOptions"] == {"ReputationMetricsEnabled": True}
    assert got["VdmOptions"] == {"GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}}
    # SES v1 sees the same options in its spelling
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["deliveryOptions", "reputationOptions"]
    )
    assert described["DeliveryOptions"] == {"TlsPolicy": "Require"}
    assert described["ReputationOptions"] == {"SendingEnabled": True, "ReputationMetricsEnabled": True}
    # sending paused for the set: SES v2 answers SendingPausedException, SES v1 ConfigurationSetSendingPausedException
    ses.verify_email("paused@example.com")
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName=name, SendingEnabled=False)
    assert ses.v2.get_configuration_set(ConfigurationSetName=name)["SendingOptions"] == {"SendingEnabled": False}
    send = {
        "FromEmailAddress": "paused@example.com",
        "Destination": {"ToAddresses": ["success@simulator.amazonses.com"]},
        "Content": SIMPLE,
        "ConfigurationSetName": name,
    }
    paused = error(lambda: ses.v2.send_email(**send))
    assert paused["Code"] == "SendingPausedException"
    paused_v1 = error(lambda: ses.v1.send_email(
        Source="paused@example.com", Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}, ConfigurationSetName=name,
    ))  # fmt: skip
    assert paused_v1["Code"] == "ConfigurationSetSendingPausedException"
    assert ses.messages(source="paused@example.com") == []
    # enabled again: sends go, and the set's reputation metrics had a fresh start
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName=name, SendingEnabled=True)
    assert ses.v2.send_email(**send)["MessageId"]
    reputation = ses.v2.get_configuration_set(ConfigurationSetName=name)["ReputationOptions"]
    assert reputation["ReputationMetricsEnabled"] is True and "LastFreshStart" in reputation
    # unknown sets and bad values answer AWS's errors
    for call in (
        lambda: ses.v2.put_configuration_set_sending_options(ConfigurationSetName=unique("nope"), SendingEnabled=True),
        lambda: ses.v2.put_configuration_set_delivery_options(ConfigurationSetName=unique("nope"), TlsPolicy="REQUIRE"),
    ):
        assert error(call)["Code"] == "NotFoundException"
    # the model's limits, checked by the server too (a client that does not validate)
    lax = make_client(ses.server.endpoint, "sesv2", access_key=ses.account, parameter_validation=False)
    too_short = error(
        lambda: lax.put_configuration_set_delivery_options(ConfigurationSetName=name, MaxDeliverySeconds=10)
    )
    assert too_short["Code"] == "BadRequestException"


def test_v1_delivery_and_reputation_options(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    name = unique("cs")
    ses.v1.create_configuration_set(ConfigurationSet={"Name": name})
    # none set: no DeliveryOptions (Terraform's aws_ses_configuration_set plans no change then)
    attributes = ["deliveryOptions"]
    fresh = ses.v1.describe_configuration_set(ConfigurationSetName=name, ConfigurationSetAttributeNames=attributes)
    assert "DeliveryOptions" not in fresh
    ses.v1.put_configuration_set_delivery_options(ConfigurationSetName=name, DeliveryOptions={"TlsPolicy": "Require"})
    ses.v1.update_configuration_set_reputation_metrics_enabled(ConfigurationSetName=name, Enabled=True)
    ses.v1.update_configuration_set_sending_enabled(ConfigurationSetName=name, Enabled=False)
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["deliveryOptions", "reputationOptions"]
    )
    assert described["DeliveryOptions"] == {"TlsPolicy": "Require"}
    assert described["ReputationOptions"] == {"SendingEnabled": False, "ReputationMetricsEnabled": True}
    got = ses.v2.get_configuration_set(ConfigurationSetName=name)
    assert got["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"} and got["SendingOptions"] == {"SendingEnabled": False}
    ses.v1.update_configuration_set_sending_enabled(ConfigurationSetName=name, Enabled=True)
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["reputationOptions"]
    )
    assert described["ReputationOptions"]["SendingEnabled"] is True
    assert "LastFreshStart" in described["ReputationOptions"]
    ses.v1.put_configuration_set_delivery_options(ConfigurationSetName=name)  # no options: cleared
    cleared = ses.v1.describe_configuration_set(ConfigurationSetName=name, ConfigurationSetAttributeNames=attributes)
    assert "DeliveryOptions" not in cleared
    missing = error(lambda: ses.v1.update_configuration_set_reputation_metrics_enabled(
        ConfigurationSetName=unique("nope"), Enabled=True
    ))  # fmt: skip
    assert missing["Code"] == "ConfigurationSetDoesNotExist"
    missing = error(lambda: ses.v1.put_configuration_set_delivery_options(
        ConfigurationSetName=unique("nope"), DeliveryOptions={"TlsPolicy": "Require"}
    ))  # fmt: skip
    assert missing["Code"] == "ConfigurationSetDoesNotExist"
