"""Identity notifications end to end: SetIdentityNotificationTopic and friends (v1), the feedback attributes (v2),
the Bounce / Complaint / Delivery notifications AWS publishes to the identity's topics (raw SQS delivery of an SNS
subscription), with and without the original headers, and feedback forwarding (the DSN and the ARF report mailed
to the Return-Path, and AWS's rule that forwarding is off only with both Bounce and Complaint topics)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable

from ._helpers import drain, error, topic_queue
from .conftest import Ses

SIMPLE = {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi there"}}}
SIM = "simulator.amazonses.com"


def test_notification_settings_and_aws_rules(ses: Ses, unique: Callable[[str], str]) -> None:
    v1 = ses.v1
    sender = f"{unique('n')}@example.com"
    ses.verify_email(sender)
    bounce_topic, _ = topic_queue(ses, unique("b"), raw=True)
    complaint_topic, _ = topic_queue(ses, unique("c"), raw=True)
    defaults = v1.get_identity_notification_attributes(Identities=[sender, "nobody@example.com"])
    assert defaults["NotificationAttributes"] == {
        sender: {
            "ForwardingEnabled": True,
            "HeadersInBounceNotificationsEnabled": False,
            "HeadersInComplaintNotificationsEnabled": False,
            "HeadersInDeliveryNotificationsEnabled": False,
        }
    }
    # forwarding may be off only when both bounces and complaints go to a topic
    refused = error(lambda: v1.set_identity_feedback_forwarding_enabled(Identity=sender, ForwardingEnabled=False))
    assert refused["Code"] == "InvalidParameterValue"
    headers = error(
        lambda: v1.set_identity_headers_in_notifications_enabled(
            Identity=sender, NotificationType="Bounce", Enabled=True
        )
    )
    assert headers["Code"] == "InvalidParameterValue"  # no Bounce topic yet
    missing = bounce_topic + "-gone"
    gone = error(
        lambda: v1.set_identity_notification_topic(Identity=sender, NotificationType="Bounce", SnsTopic=missing)
    )
    assert gone["Code"] == "InvalidParameterValue"
    unknown = error(
        lambda: v1.set_identity_notification_topic(
            Identity="nobody@example.com", NotificationType="Bounce", SnsTopic=bounce_topic
        )
    )
    assert unknown["Code"] == "InvalidParameterValue"
    v1.set_identity_notification_topic(Identity=sender, NotificationType="Bounce", SnsTopic=bounce_topic)
    arn = f"arn:aws:ses:us-east-1:{ses.account}:identity/{sender}"
    v1.set_identity_notification_topic(Identity=arn, NotificationType="Complaint", SnsTopic=complaint_topic)
    v1.set_identity_headers_in_notifications_enabled(Identity=sender, NotificationType="Bounce", Enabled=True)
    v1.set_identity_feedback_forwarding_enabled(Identity=sender, ForwardingEnabled=False)
    got = v1.get_identity_notification_attributes(Identities=[sender])["NotificationAttributes"][sender]
    assert got == {
        "BounceTopic": bounce_topic,
        "ComplaintTopic": complaint_topic,
        "ForwardingEnabled": False,
        "HeadersInBounceNotificationsEnabled": True,
        "HeadersInComplaintNotificationsEnabled": False,
        "HeadersInDeliveryNotificationsEnabled": False,
    }
    assert ses.v2.get_email_identity(EmailIdentity=sender)["FeedbackForwardingStatus"] is False
    # clearing the complaint topic turns forwarding back on (complaints would be reported nowhere)
    v1.set_identity_notification_topic(Identity=sender, NotificationType="Complaint")
    got = v1.get_identity_notification_attributes(Identities=[sender])["NotificationAttributes"][sender]
    assert "ComplaintTopic" not in got and got["ForwardingEnabled"] is True
    # SES v2 turns forwarding off without topics
    ses.v2.put_email_identity_feedback_attributes(EmailIdentity=sender, EmailForwardingEnabled=False)
    assert ses.v2.get_email_identity(EmailIdentity=sender)["FeedbackForwardingStatus"] is False
    nope = error(lambda: ses.v2.put_email_identity_feedback_attributes(EmailIdentity="x@nowhere.example"))
    assert nope["Code"] == "NotFoundException"
    # deleting the identity forgets its settings
    v1.delete_identity(Identity=sender)
    ses.verify_email(sender)
    again = v1.get_identity_notification_attributes(Identities=[sender])["NotificationAttributes"][sender]
    assert "BounceTopic" not in again and again["ForwardingEnabled"] is True


def test_notifications_published_with_aws_json(ses: Ses, unique: Callable[[str], str]) -> None:
    v1 = ses.v1
    domain = f"{unique('d')}.example.com"
    ses.verify_domain(domain)
    sender = f"shop@{domain}"
    topics = {kind: topic_queue(ses, unique(kind.lower()), raw=True) for kind in ("Bounce", "Complaint", "Delivery")}
    for kind, (topic, _) in topics.items():
        v1.set_identity_notification_topic(Identity=domain, NotificationType=kind, SnsTopic=topic)
    v1.set_identity_headers_in_notifications_enabled(Identity=domain, NotificationType="Delivery", Enabled=True)
    v1.set_identity_feedback_forwarding_enabled(Identity=domain, ForwardingEnabled=False)
    to = [f"success@{SIM}", f"bounce@{SIM}", f"complaint@{SIM}"]
    sent = v1.send_email(Source=sender, Destination={"ToAddresses": to}, Message=SIMPLE)["MessageId"]

    [delivery] = drain(ses, topics["Delivery"][1], 1)
    assert delivery["notificationType"] == "Delivery"
    assert sorted(delivery["delivery"]["recipients"]) == [f"complaint@{SIM}", f"success@{SIM}"]
    assert delivery["delivery"]["smtpResponse"].startswith("250")
    mail = delivery["mail"]
    assert mail["messageId"] == sent and mail["source"] == sender and mail["sendingAccountId"] == ses.account
    assert mail["sourceArn"] == f"arn:aws:ses:us-east-1:{ses.account}:identity/{domain}"
    assert mail["destination"] == to and mail["callerIdentity"] == "root"
    assert mail["headersTruncated"] is False
    assert {"name": "Subject", "value": "Hello"} in mail["headers"]
    assert mail["commonHeaders"]["subject"] == "Hello" and mail["commonHeaders"]["to"] == to
    assert "tags" not in mail  # identity notifications carry no tags (configuration-set events do)

    [bounce] = drain(ses, topics["Bounce"][1], 1)
    assert bounce["notificationType"] == "Bounce"
    assert bounce["bounce"]["bounceType"] == "Permanent" and bounce["bounce"]["bounceSubType"] == "General"
    assert bounce["bounce"]["bouncedRecipients"][0]["emailAddress"] == f"bounce@{SIM}"
    assert bounce["bounce"]["feedbackId"].endswith("-000000")
    # headers were not asked for bounces: the mail object has none of the three fields
    assert not {"headers", "headersTruncated", "commonHeaders"} & set(bounce["mail"])
    assert bounce["mail"]["messageId"] == sent

    [complaint] = drain(ses, topics["Complaint"][1], 1)
    assert complaint["notificationType"] == "Complaint"
    assert complaint["complaint"]["complainedRecipients"] == [{"emailAddress": f"complaint@{SIM}"}]
    assert complaint["complaint"]["complaintFeedbackType"] == "abuse"
    # forwarding is off and both types have topics: nothing mailed back
    assert [m for m in ses.messages(destination=sender) if m["Origin"] in ("bounce", "complaint")] == []


def test_feedback_forwarded_to_the_return_path(ses: Ses, unique: Callable[[str], str]) -> None:
    v1 = ses.v1
    sender = f"{unique('fw')}@example.com"
    returns = f"{unique('rp')}@example.com"
    ses.verify_email(sender)
    ses.production()
    to = {"ToAddresses": [f"bounce@{SIM}", f"complaint@{SIM}"]}
    sent = v1.send_email(Source=sender, Destination=to, Message=SIMPLE, ReturnPath=returns)["MessageId"]
    mailed = {m["Origin"]: m for m in ses.messages(destination=returns)}
    assert set(mailed) == {"bounce", "complaint"}
    dsn = email.message_from_bytes(ses.raw(mailed["bounce"]["Id"]), policy=email.policy.default)
    assert dsn["From"] == "MAILER-DAEMON@amazonses.com" and dsn["To"] == returns
    assert dsn.get_content_type() == "multipart/report" and dsn.get_param("report-type") == "delivery-status"
    status = dsn.get_payload()[1]
    assert status.get_content_type() == "message/delivery-status"
    text = ses.raw(mailed["bounce"]["Id"]).decode()
    assert f"Final-Recipient: rfc822; bounce@{SIM}" in text and "Status: 5.1.1" in text
    assert f"X-SES-Message-ID: {sent}" in text
    arf = email.message_from_bytes(ses.raw(mailed["complaint"]["Id"]), policy=email.policy.default)
    assert arf["From"] == "complaints@email-abuse.amazonses.com"
    assert arf.get_param("report-type") == "feedback-report"
    assert "Feedback-Type: abuse" in ses.raw(mailed["complaint"]["Id"]).decode()
    # without ReturnPath, feedback goes to the source; SES v2's FeedbackForwardingEmailAddress names another
    v1.send_email(Source=sender, Destination={"ToAddresses": [f"bounce@{SIM}"]}, Message=SIMPLE)
    assert [m["Origin"] for m in ses.messages(destination=sender) if m["Origin"] == "bounce"] == ["bounce"]
    other = f"{unique('v2')}@example.com"
    ses.v2.send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [f"bounce@{SIM}"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "x"}}}},
        FeedbackForwardingEmailAddress=other,
    )
    assert [m["Origin"] for m in ses.messages(destination=other)] == ["bounce"]
    # SES v2 turned forwarding off, no topics and no event destination: bounces are still mailed (AWS's rule)
    ses.v2.put_email_identity_feedback_attributes(EmailIdentity=sender, EmailForwardingEnabled=False)
    v1.send_email(Source=sender, Destination={"ToAddresses": [f"bounce@{SIM}"]}, Message=SIMPLE)
    assert len([m for m in ses.messages(destination=sender) if m["Origin"] == "bounce"]) == 2
    # a suppressed address bounces as OnAccountSuppressionList: the notification says so
    topic, url = topic_queue(ses, unique("sup"), raw=True)
    v1.set_identity_notification_topic(Identity=sender, NotificationType="Bounce", SnsTopic=topic)
    ses.v2.put_suppressed_destination(EmailAddress="gone@example.net", Reason="BOUNCE")
    v1.send_email(Source=sender, Destination={"ToAddresses": ["gone@example.net"]}, Message=SIMPLE)
    [note] = drain(ses, url, 1)
    assert note["bounce"]["bounceSubType"] == "OnAccountSuppressionList"
    assert note["bounce"]["bouncedRecipients"][0]["emailAddress"] == "gone@example.net"
