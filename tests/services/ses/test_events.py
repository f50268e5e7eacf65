"""Configuration-set events with AWS's JSON: SNS destinations (a topic subscribed by an SQS queue) and SES v2's
EventBridge destinations (a rule on the default bus), the mailbox simulator's bounce and complaint."""

from __future__ import annotations

import email
import email.policy
import json
import time

from ._helpers import drain, error, firehose_to_s3, topic_queue
from .conftest import Ses

SIMPLE = {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi there"}}}


def test_sns_destination_gets_send_delivery_bounce_complaint(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    sns, sqs = ses.client("sns"), ses.client("sqs")
    topic = sns.create_topic(Name=unique("ses-events"))["TopicArn"]
    url = sqs.create_queue(QueueName=unique("ses-events"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    config_set = unique("cs")
    ses.v1.create_configuration_set(ConfigurationSet={"Name": config_set})
    ses.v1.create_configuration_set_event_destination(
        ConfigurationSetName=config_set,
        EventDestination={
            "Name": "to-sns",
            "Enabled": True,
            "MatchingEventTypes": ["send", "delivery", "bounce", "complaint"],
            "SNSDestination": {"TopicARN": topic},
        },
    )
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=config_set, ConfigurationSetAttributeNames=["eventDestinations"]
    )
    assert described["EventDestinations"][0]["SNSDestination"] == {"TopicARN": topic}
    ses.verify_email("ev@example.com")
    sent = ses.v1.send_email(
        Source="ev@example.com",
        Destination={
            "ToAddresses": [
                "success@simulator.amazonses.com",
                "bounce@simulator.amazonses.com",
                "complaint@simulator.amazonses.com",
            ]
        },
        Message=SIMPLE,
        ConfigurationSetName=config_set,
        Tags=[{"Name": "campaign", "Value": "spring"}],
    )
    events = {e["eventType"]: e for e in drain(ses, url, 4)}
    assert set(events) == {"Send", "Delivery", "Bounce", "Complaint"}
    for event in events.values():
        assert event["mail"]["messageId"] == sent["MessageId"]
        assert event["mail"]["source"] == "ev@example.com"
        assert event["mail"]["tags"]["campaign"] == ["spring"]
        assert event["mail"]["tags"]["ses:configuration-set"] == [config_set]
        assert event["mail"]["commonHeaders"]["subject"] == "Hello"
    assert sorted(events["Delivery"]["delivery"]["recipients"]) == [
        "complaint@simulator.amazonses.com",
        "success@simulator.amazonses.com",
    ]
    bounce = events["Bounce"]["bounce"]
    assert bounce["bounceType"] == "Permanent"
    assert bounce["bouncedRecipients"][0]["emailAddress"] == "bounce@simulator.amazonses.com"
    complaint = events["Complaint"]["complaint"]
    assert complaint["complainedRecipients"] == [{"emailAddress": "complaint@simulator.amazonses.com"}]
    points = ses.v1.get_send_statistics()["SendDataPoints"]
    assert sum(p["Bounces"] for p in points) == 1 and sum(p["Complaints"] for p in points) == 1
    # a message without the configuration set publishes nothing (after the sandbox's rate refilled: one recipient a
    # second, and the first message had three)
    time.sleep(3.1)
    ses.v1.send_email(Source="ev@example.com", Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                      Message=SIMPLE)  # fmt: skip
    assert drain(ses, url, 1, seconds=1.5) == []


def test_eventbridge_destination_on_the_default_bus(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    events_client, sqs = ses.client("events"), ses.client("sqs")
    url = sqs.create_queue(QueueName=unique("ses-eb"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = unique("ses-rule")
    events_client.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.ses"]}))
    events_client.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    config_set = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=config_set)
    bus = f"arn:aws:events:us-east-1:{ses.account}:event-bus/default"
    ses.v2.create_configuration_set_event_destination(
        ConfigurationSetName=config_set,
        EventDestinationName="to-eb",
        EventDestination={
            "Enabled": True,
            "MatchingEventTypes": ["BOUNCE"],
            "EventBridgeDestination": {"EventBusArn": bus},
        },
    )
    listed = ses.v2.get_configuration_set_event_destinations(ConfigurationSetName=config_set)["EventDestinations"]
    assert listed == [
        {
            "Name": "to-eb",
            "Enabled": True,
            "MatchingEventTypes": ["BOUNCE"],
            "EventBridgeDestination": {"EventBusArn": bus},
        }
    ]
    ses.verify_email("eb@example.com")
    sent = ses.v2.send_email(
        FromEmailAddress="eb@example.com",
        Destination={"ToAddresses": ["suppressionlist@simulator.amazonses.com"]},
        Content={"Simple": SIMPLE},
        ConfigurationSetName=config_set,
    )
    got = drain(ses, url, 1)
    assert len(got) == 1
    assert got[0]["source"] == "aws.ses" and got[0]["detail-type"] == "Email Bounced"
    assert got[0]["detail"]["mail"]["messageId"] == sent["MessageId"]
    assert got[0]["detail"]["bounce"]["bounceSubType"] == "OnAccountSuppressionList"
    ses.v2.delete_configuration_set(ConfigurationSetName=config_set)
    assert config_set not in ses.v2.list_configuration_sets()["ConfigurationSets"]


def test_unrenderable_template_is_accepted_and_publishes_rendering_failure(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    """As AWS: a templated send whose data lacks an attribute answers a message id, sends nothing, and publishes a
    Rendering Failure event (no Send) — v1 SendTemplatedEmail, v2 SendEmail and SendBulkEmail alike."""
    topic, url = topic_queue(ses, unique("ses-render"), raw=True)
    config_set = unique("cs")
    ses.v1.create_configuration_set(ConfigurationSet={"Name": config_set})
    ses.v1.create_configuration_set_event_destination(
        ConfigurationSetName=config_set,
        EventDestination={
            "Name": "to-sns",
            "Enabled": True,
            "MatchingEventTypes": ["send", "renderingFailure"],
            "SNSDestination": {"TopicARN": topic},
        },
    )
    template = unique("tpl")
    ses.v1.create_template(
        Template={"TemplateName": template, "SubjectPart": "Hi {{name}}", "TextPart": "{{color}} is nice"}
    )
    ses.verify_email("rf@example.com")
    ses.verify_email("rf-to@example.com")
    sent = ses.v1.send_templated_email(
        Source="rf@example.com", Destination={"ToAddresses": ["rf-to@example.com"]}, Template=template,
        TemplateData='{"name": "Ann"}', ConfigurationSetName=config_set, Tags=[{"Name": "run", "Value": "one"}],
    )  # fmt: skip
    got = drain(ses, url, 2, seconds=4)
    assert [e["eventType"] for e in got] == ["Rendering Failure"]
    assert got[0]["failure"] == {
        "errorMessage": "Attribute 'color' is not present in the rendering data.",
        "templateName": template,
    }
    mail = got[0]["mail"]
    assert mail["messageId"] == sent["MessageId"] and mail["destination"] == ["rf-to@example.com"]
    assert mail["source"] == "rf@example.com" and mail["sendingAccountId"] == ses.account
    assert mail["tags"]["run"] == ["one"] and mail["tags"]["ses:configuration-set"] == [config_set]
    assert "headers" not in mail and "commonHeaders" not in mail
    assert ses.messages(id=sent["MessageId"]) == []  # nothing was sent
    assert ses.v1.get_send_quota()["SentLast24Hours"] == 0
    # the sandbox still checks the call first: an unverified recipient is refused, not accepted
    time.sleep(1.1)
    refused = error(
        lambda: ses.v1.send_templated_email(
            Source="rf@example.com",
            Destination={"ToAddresses": ["stranger@example.com"]},
            Template=template,
            TemplateData="{}",
            ConfigurationSetName=config_set,
        )
    )
    assert refused["Code"] == "MessageRejected"
    # SES v2: SendEmail with template content, and a bulk send with one renderable entry and one not
    time.sleep(1.1)
    v2 = ses.v2.send_email(
        FromEmailAddress="rf@example.com", Destination={"ToAddresses": ["rf-to@example.com"]},
        Content={"Template": {"TemplateName": template, "TemplateData": "{}"}}, ConfigurationSetName=config_set,
    )  # fmt: skip
    bulk = ses.v2.send_bulk_email(
        FromEmailAddress="rf@example.com",
        DefaultContent={"Template": {"TemplateName": template, "TemplateData": '{"name": "All"}'}},
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": ["rf-to@example.com"]}},
            {
                "Destination": {"ToAddresses": ["success@simulator.amazonses.com"]},
                "ReplacementEmailContent": {"ReplacementTemplate": {"ReplacementTemplateData": '{"color": "red"}'}},
            },
        ],
        ConfigurationSetName=config_set,
    )["BulkEmailEntryResults"]
    assert [r["Status"] for r in bulk] == ["SUCCESS", "SUCCESS"]
    got = drain(ses, url, 4)
    by_id = {(e["mail"]["messageId"], e["eventType"]) for e in got}
    assert by_id == {
        (v2["MessageId"], "Rendering Failure"),
        (bulk[0]["MessageId"], "Rendering Failure"),
        (bulk[1]["MessageId"], "Send"),
    }
    assert ses.messages(id=v2["MessageId"]) == [] and ses.messages(id=bulk[0]["MessageId"]) == []
    assert ses.messages(id=bulk[1]["MessageId"])[0]["Subject"] == "Hi All"


def test_firehose_destination_gets_the_records_and_cloudwatch_is_kept(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    """SES v1's Firehose destination: each event written to the delivery stream as one JSON record and a newline
    (here through to S3); a CloudWatch destination kept as given; both shown by v1 and v2."""
    s3 = ses.client("s3")
    stream, role, bucket = firehose_to_s3(ses, unique)
    config_set = unique("cs")
    ses.v1.create_configuration_set(ConfigurationSet={"Name": config_set})
    to_firehose = {
        "Name": "to-firehose",
        "Enabled": True,
        "MatchingEventTypes": ["delivery", "send"],
        "KinesisFirehoseDestination": {"IAMRoleARN": role, "DeliveryStreamARN": stream},
    }
    dimensions = [
        {"DimensionName": "campaign", "DimensionValueSource": "messageTag", "DefaultDimensionValue": "none"},
        {"DimensionName": "X-Mailer", "DimensionValueSource": "emailHeader", "DefaultDimensionValue": "unknown"},
    ]
    to_cloudwatch = {
        "Name": "to-cloudwatch",
        "Enabled": True,
        "MatchingEventTypes": ["bounce"],
        "CloudWatchDestination": {"DimensionConfigurations": dimensions},
    }
    for dest in (to_firehose, to_cloudwatch):
        ses.v1.create_configuration_set_event_destination(ConfigurationSetName=config_set, EventDestination=dest)
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=config_set, ConfigurationSetAttributeNames=["eventDestinations"]
    )["EventDestinations"]
    assert sorted(described, key=lambda d: d["Name"]) == [to_cloudwatch, to_firehose]
    v2 = {d["Name"]: d for d in ses.v2.get_configuration_set_event_destinations(ConfigurationSetName=config_set)[
        "EventDestinations"
    ]}  # fmt: skip
    assert v2["to-firehose"]["KinesisFirehoseDestination"] == {"IamRoleArn": role, "DeliveryStreamArn": stream}
    assert v2["to-cloudwatch"]["CloudWatchDestination"]["DimensionConfigurations"] == [
        {"DimensionName": "campaign", "DimensionValueSource": "MESSAGE_TAG", "DefaultDimensionValue": "none"},
        {"DimensionName": "X-Mailer", "DimensionValueSource": "EMAIL_HEADER", "DefaultDimensionValue": "unknown"},
    ]
    ses.verify_email("fh@example.com")
    sent = ses.v1.send_email(
        Source="fh@example.com",
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message=SIMPLE,
        ConfigurationSetName=config_set,
    )
    written = b""
    deadline = time.monotonic() + 15
    while written.count(b"\n") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        found = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        written = b"".join(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in found)
    assert written.endswith(b"\n")
    records = [json.loads(line) for line in written.splitlines()]
    assert sorted(r["eventType"] for r in records) == ["Delivery", "Send"]
    assert {r["mail"]["messageId"] for r in records} == {sent["MessageId"]}
    # an update replaces the destination: disabled, still writing to the same stream
    ses.v1.update_configuration_set_event_destination(
        ConfigurationSetName=config_set, EventDestination={**to_firehose, "Enabled": False}
    )
    described = ses.v1.describe_configuration_set(
        ConfigurationSetName=config_set, ConfigurationSetAttributeNames=["eventDestinations"]
    )["EventDestinations"]
    assert {**to_firehose, "Enabled": False} in described


def test_ooto_is_delivered_and_auto_replies_to_the_sender(ses: Ses) -> None:
    """The mailbox simulator's ooto@ takes the mail (a Delivery, no bounce) and answers out of the office: the
    auto-reply (RFC 3834) lands in the mailbox addressed to the sender — the ReturnPath when one is given."""
    ses.production()
    ses.verify_email("away@example.com")
    sent = ses.v1.send_email(
        Source="away@example.com", Destination={"ToAddresses": ["ooto+label@simulator.amazonses.com"]},
        Message=SIMPLE,
    )["MessageId"]  # fmt: skip
    original = email.message_from_bytes(ses.raw(sent), policy=email.policy.default)
    [reply] = [m for m in ses.messages(destination="away@example.com") if m["Origin"] == "auto-reply"]
    assert reply["Source"] == "ooto+label@simulator.amazonses.com" and reply["Subject"] == "Auto: Hello"
    kept = email.message_from_bytes(ses.raw(reply["Id"]), policy=email.policy.default)
    assert kept["Auto-Submitted"] == "auto-replied"
    assert kept["In-Reply-To"] == original["Message-ID"] and kept["References"] == original["Message-ID"]
    assert kept["To"] == "away@example.com"
    assert ses.v1.get_send_statistics()["SendDataPoints"][-1]["Bounces"] == 0
    ses.v1.send_email(
        Source="away@example.com", Destination={"ToAddresses": ["ooto@simulator.amazonses.com"]}, Message=SIMPLE,
        ReturnPath="returns@example.com",
    )  # fmt: skip
    [elsewhere] = [m for m in ses.messages(destination="returns@example.com") if m["Origin"] == "auto-reply"]
    assert elsewhere["Source"] == "ooto@simulator.amazonses.com"
    assert len([m for m in ses.messages(destination="away@example.com") if m["Origin"] == "auto-reply"]) == 1
    success = ses.v1.send_email(
        Source="away@example.com", Destination={"ToAddresses": ["success@simulator.amazonses.com"]}, Message=SIMPLE
    )["MessageId"]
    assert success and not [m for m in ses.messages(source="success@simulator.amazonses.com")]
