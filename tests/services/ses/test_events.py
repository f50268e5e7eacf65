"""Configuration-set events with AWS's JSON: SNS destinations (a topic subscribed by an SQS queue) and SES v2's
EventBridge destinations (a rule on the default bus), the mailbox simulator's bounce and complaint."""

from __future__ import annotations

import json
import time

from ._helpers import drain
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
    # a message without the configuration set publishes nothing
    time.sleep(1.1)
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
