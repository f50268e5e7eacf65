"""SES receiving end to end: receipt rule sets, rules and IP filters through boto3, and mail sent with smtplib to
gureum's inbound SMTP port run through the active rule set (SNS notifications as AWS writes them, Lambda Event
and RequestResponse with its disposition, Bounce, Stop, AddHeader, TLS policy)."""

from __future__ import annotations

import email
import email.policy
import json
import smtplib
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ..lambda_.zips import create
from ._helpers import drain, error, topic_queue
from .conftest import Ses


def _send(ses: Ses, to: list[str], subject: str, sender: str = "someone@elsewhere.example") -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg.set_content(f"body of {subject}")
    with smtplib.SMTP("127.0.0.1", ses.server.inbound_port, timeout=30) as client:  # type: ignore[attr-defined]
        client.send_message(msg, from_addr=sender, to_addrs=to)


def _domain(ses: Ses, unique: Callable[[str], str]) -> str:
    domain = f"{unique('in')}.example.com"
    ses.verify_domain(domain)
    return domain


def test_rule_sets_rules_and_filters(ses: Ses, unique: Callable[[str], str]) -> None:
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="main")
    assert error(lambda: v1.create_receipt_rule_set(RuleSetName="main"))["Code"] == "AlreadyExists"
    assert error(lambda: v1.create_receipt_rule_set(RuleSetName="-bad"))["Code"] == "InvalidParameterValue"
    stop = {"StopAction": {"Scope": "RuleSet"}}
    v1.create_receipt_rule(RuleSetName="main", Rule={"Name": "b", "Enabled": True, "Actions": [stop]})
    v1.create_receipt_rule(RuleSetName="main", Rule={"Name": "a", "Actions": []})  # no After: first
    v1.create_receipt_rule(RuleSetName="main", After="a", Rule={"Name": "c", "Recipients": ["example.com"]})
    rules = v1.describe_receipt_rule_set(RuleSetName="main")["Rules"]
    assert [r["Name"] for r in rules] == ["a", "c", "b"]
    assert rules[0] == {"Name": "a", "Enabled": False, "TlsPolicy": "Optional", "Actions": [], "ScanEnabled": False}
    assert error(lambda: v1.create_receipt_rule(RuleSetName="main", Rule={"Name": "a"}))["Code"] == "AlreadyExists"
    missing = error(lambda: v1.create_receipt_rule(RuleSetName="main", After="zz", Rule={"Name": "d"}))
    assert missing["Code"] == "RuleDoesNotExist"
    assert error(lambda: v1.describe_receipt_rule_set(RuleSetName="nope"))["Code"] == "RuleSetDoesNotExist"
    workmail = {"WorkmailAction": {"OrganizationArn": "arn:aws:workmail:us-east-1:123456789012:organization/m-1"}}
    refused = error(lambda: v1.create_receipt_rule(RuleSetName="main", Rule={"Name": "w", "Actions": [workmail]}))
    assert refused["Code"] == "InvalidParameterValue" and "WorkMail" in refused["Message"]

    v1.set_receipt_rule_position(RuleSetName="main", RuleName="b")
    v1.reorder_receipt_rule_set(RuleSetName="main", RuleNames=["c", "b", "a"])
    assert [r["Name"] for r in v1.describe_receipt_rule_set(RuleSetName="main")["Rules"]] == ["c", "b", "a"]
    partial = error(lambda: v1.reorder_receipt_rule_set(RuleSetName="main", RuleNames=["c", "b"]))
    assert partial["Code"] == "InvalidParameterValue"
    v1.update_receipt_rule(RuleSetName="main", Rule={"Name": "a", "Enabled": True, "TlsPolicy": "Require"})
    rule = v1.describe_receipt_rule(RuleSetName="main", RuleName="a")["Rule"]
    assert rule["Enabled"] is True and rule["TlsPolicy"] == "Require"
    assert error(lambda: v1.update_receipt_rule(RuleSetName="main", Rule={"Name": "x"}))["Code"] == "RuleDoesNotExist"
    v1.delete_receipt_rule(RuleSetName="main", RuleName="c")

    v1.clone_receipt_rule_set(RuleSetName="copy", OriginalRuleSetName="main")
    assert [r["Name"] for r in v1.describe_receipt_rule_set(RuleSetName="copy")["Rules"]] == ["b", "a"]
    assert "Metadata" not in v1.describe_active_receipt_rule_set()
    v1.set_active_receipt_rule_set(RuleSetName="copy")
    assert v1.describe_active_receipt_rule_set()["Metadata"]["Name"] == "copy"
    assert error(lambda: v1.delete_receipt_rule_set(RuleSetName="copy"))["Code"] == "CannotDelete"
    assert {s["Name"] for s in v1.list_receipt_rule_sets()["RuleSets"]} == {"main", "copy"}
    v1.set_active_receipt_rule_set()
    v1.delete_receipt_rule_set(RuleSetName="copy")
    assert [s["Name"] for s in v1.list_receipt_rule_sets()["RuleSets"]] == ["main"]

    v1.create_receipt_filter(Filter={"Name": "blocked", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.0/8"}})
    dup = {"Name": "blocked", "IpFilter": {"Policy": "Allow", "Cidr": "10.1.0.0/16"}}
    assert error(lambda: v1.create_receipt_filter(Filter=dup))["Code"] == "AlreadyExists"
    bad = {"Name": "bad", "IpFilter": {"Policy": "Allow", "Cidr": "10.1.0.0/99"}}
    assert error(lambda: v1.create_receipt_filter(Filter=bad))["Code"] == "InvalidParameterValue"
    assert v1.list_receipt_filters()["Filters"] == [
        {"Name": "blocked", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.0/8"}}
    ]
    v1.delete_receipt_filter(FilterName="blocked")
    assert v1.list_receipt_filters()["Filters"] == []


def test_received_mail_to_sns_with_added_header(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = _domain(ses, unique)
    topic, url = topic_queue(ses, unique("rx"))
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="rx")
    rule = {
        "Name": "to-sns",
        "Enabled": True,
        "Recipients": [domain],
        "Actions": [
            {"AddHeaderAction": {"HeaderName": "X-Routed", "HeaderValue": "gureum"}},
            {"SNSAction": {"TopicArn": topic, "Encoding": "UTF-8"}},
        ],
    }
    v1.create_receipt_rule(RuleSetName="rx", Rule=rule)
    # not yet active: nobody receives for the domain
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(ses, [f"info@{domain}"], "too early")
    assert refused.value.recipients[f"info@{domain}"][0] == 550
    v1.set_active_receipt_rule_set(RuleSetName="rx")
    _send(ses, [f"info@{domain}"], "hello inbound")
    [envelope] = drain(ses, url, 1)
    assert envelope["Subject"] == "Amazon SES Email Receipt Notification"
    note = json.loads(envelope["Message"])
    assert note["notificationType"] == "Received"
    assert note["receipt"]["recipients"] == [f"info@{domain}"]
    assert note["receipt"]["action"] == {"type": "SNS", "topicArn": topic, "encoding": "UTF8"}
    assert {"spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict"} <= set(note["receipt"])
    mail = note["mail"]
    assert mail["source"] == "someone@elsewhere.example" and mail["destination"] == [f"info@{domain}"]
    assert mail["commonHeaders"]["subject"] == "hello inbound"
    assert mail["commonHeaders"]["from"] == ["someone@elsewhere.example"]
    assert len(mail["messageId"]) == 40 and mail["messageId"].isalnum()
    assert note["content"].startswith("X-Routed: gureum\r\nReturn-Path: <someone@elsewhere.example>\r\n")
    assert "body of hello inbound" in note["content"]
    kept = [m for m in ses.messages(destination=f"info@{domain}") if m["Origin"] == "received"]
    assert [m["Id"] for m in kept] == [mail["messageId"]]
    # an address the rule's conditions do not take, and a domain nobody verified
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(ses, [f"info@sub.{unique('x')}.example.org"], "nobody")


def test_bounce_stop_tls_policy_and_ip_filter(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = _domain(ses, unique)
    topic, url = topic_queue(ses, unique("rx"))
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="rx")
    v1.set_active_receipt_rule_set(RuleSetName="rx")
    sns = {"SNSAction": {"TopicArn": topic}}
    bounce = {
        "BounceAction": {
            "SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "no such user here",
            "Sender": f"mailer@{domain}", "TopicArn": topic,
        }
    }  # fmt: skip
    v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "last", "Enabled": True, "Actions": [sns]})
    v1.create_receipt_rule(
        RuleSetName="rx",
        Rule={"Name": "stop", "Enabled": True, "Recipients": [f"quiet@{domain}"], "Actions": [
            {"StopAction": {"Scope": "RuleSet", "TopicArn": topic}}
        ]},
    )  # fmt: skip
    gone = {"Name": "bounce", "Enabled": True, "Recipients": [f"gone@{domain}"], "Actions": [bounce]}
    v1.create_receipt_rule(RuleSetName="rx", Rule=gone)
    v1.create_receipt_rule(
        RuleSetName="rx",
        Rule={"Name": "tls", "Enabled": True, "TlsPolicy": "Require", "Recipients": [f"secure@{domain}"],
              "Actions": [sns]},
    )  # fmt: skip
    with pytest.raises(smtplib.SMTPDataError) as bounced:
        _send(ses, [f"gone@{domain}"], "to a bounced address")
    assert bounced.value.smtp_code == 550 and b"5.1.1 no such user here" in bounced.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as plain:
        _send(ses, [f"secure@{domain}"], "without TLS")
    assert plain.value.smtp_code == 530
    _send(ses, [f"quiet@{domain}"], "stopped")
    _send(ses, [f"open@{domain}", f"gone@{domain}"], "half bounced")
    notes = [json.loads(n["Message"]) for n in drain(ses, url, 4)]
    by_action = sorted((n["receipt"]["action"]["type"], n["mail"]["commonHeaders"]["subject"]) for n in notes)
    assert by_action == [
        ("Bounce", "half bounced"),
        ("Bounce", "to a bounced address"),
        ("SNS", "half bounced"),
        ("Stop", "stopped"),
    ]
    bounce_note = next(n for n in notes if n["receipt"]["action"]["type"] == "Bounce")
    assert bounce_note["receipt"]["action"] == {
        "type": "Bounce", "topicArn": topic, "smtpReplyCode": "550", "statusCode": "5.1.1",
        "message": "no such user here", "sender": f"mailer@{domain}",
    }  # fmt: skip
    assert "content" not in bounce_note
    sns_note = next(n for n in notes if n["receipt"]["action"]["type"] == "SNS")
    assert sns_note["receipt"]["recipients"] == [f"open@{domain}"]
    # the half-bounced message's sender gets SES's bounce message
    dsn = [m for m in ses.messages(destination="someone@elsewhere.example") if m["Origin"] == "bounce"]
    assert len(dsn) == 1 and dsn[0]["Source"] == f"mailer@{domain}"

    v1.create_receipt_filter(Filter={"Name": "local", "IpFilter": {"Policy": "Block", "Cidr": "127.0.0.0/8"}})
    with pytest.raises(smtplib.SMTPRecipientsRefused) as filtered:
        _send(ses, [f"open@{domain}"], "from a blocked address")
    assert filtered.value.recipients[f"open@{domain}"][0] == 554
    v1.create_receipt_filter(Filter={"Name": "me", "IpFilter": {"Policy": "Allow", "Cidr": "127.0.0.1"}})
    _send(ses, [f"open@{domain}"], "allowed again")
    assert [json.loads(n["Message"])["mail"]["commonHeaders"]["subject"] for n in drain(ses, url, 1)] == [
        "allowed again"
    ]


ROUTER = """
def handler(event, context):
    record = event["Records"][0]["ses"]
    subject = record["mail"]["commonHeaders"]["subject"]
    if "stop" in subject:
        return {"disposition": "STOP_RULE_SET"}
    return {"disposition": "CONTINUE", "seen": record["receipt"]["action"]["invocationType"]}
"""


def test_lambda_actions_event_and_request_response(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = _domain(ses, unique)
    topic, url = topic_queue(ses, unique("rx"))
    lam, sqs = ses.client("lambda"), ses.client("sqs")
    name = unique("router")
    fn = create(lam, name, {"index.py": ROUTER})["FunctionArn"]
    done_url = sqs.create_queue(QueueName=unique("done"))["QueueUrl"]
    done_arn = sqs.get_queue_attributes(QueueUrl=done_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": done_arn}})
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="rx")
    v1.set_active_receipt_rule_set(RuleSetName="rx")
    invoke = {"LambdaAction": {"FunctionArn": fn, "InvocationType": "Event"}}
    # SES may invoke only a function whose policy grants ses.amazonaws.com (for this account, this rule)
    refused = error(lambda: v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "later", "Actions": [invoke]}))
    assert refused["Code"] == "InvalidLambdaFunction" and refused["Type"] == "Sender"
    assert refused["Message"] == f"Could not invoke Lambda function: {fn}"
    lam.add_permission(
        FunctionName=name, StatementId="other", Action="lambda:InvokeFunction", Principal="ses.amazonaws.com",
        SourceAccount="999999999999",
    )  # fmt: skip
    assert (
        error(lambda: v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "later", "Actions": [invoke]}))["Code"]
        == "InvalidLambdaFunction"
    )
    lam.add_permission(
        FunctionName=name, StatementId="ses", Action="lambda:InvokeFunction", Principal="ses.amazonaws.com",
        SourceAccount=ses.account, SourceArn=f"arn:aws:ses:us-east-1:{ses.account}:receipt-rule-set/rx:receipt-rule/*",
    )  # fmt: skip
    missing = fn + "-gone"
    no_function = {"LambdaAction": {"FunctionArn": missing, "InvocationType": "Event"}}
    gone = error(lambda: v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "x", "Actions": [no_function]}))
    assert gone["Code"] == "InvalidLambdaFunction" and gone["Message"] == f"Could not invoke Lambda function: {missing}"
    v1.create_receipt_rule(
        RuleSetName="rx",
        Rule={"Name": "later", "Enabled": True, "Actions": [
            {"LambdaAction": {"FunctionArn": fn, "InvocationType": "Event"}},
            {"SNSAction": {"TopicArn": topic}},
        ]},
    )  # fmt: skip
    v1.create_receipt_rule(
        RuleSetName="rx",
        Rule={"Name": "first", "Enabled": True, "Actions": [
            {"LambdaAction": {"FunctionArn": fn, "InvocationType": "RequestResponse"}}
        ]},
    )  # fmt: skip
    _send(ses, [f"ops@{domain}"], "please stop here")
    _send(ses, [f"ops@{domain}"], "go on")
    notes = [json.loads(n["Message"]) for n in drain(ses, url, 1)]
    assert [n["mail"]["commonHeaders"]["subject"] for n in notes] == ["go on"]
    [done] = drain(ses, done_url, 1)
    event = done["requestPayload"]
    record = event["Records"][0]
    assert record["eventSource"] == "aws:ses" and record["eventVersion"] == "1.0"
    assert record["ses"]["receipt"]["action"] == {"type": "Lambda", "functionArn": fn, "invocationType": "Event"}
    assert record["ses"]["mail"]["commonHeaders"]["subject"] == "go on"
    assert done["responsePayload"] == {"disposition": "CONTINUE", "seen": "Event"}
    time.sleep(1)
    assert drain(ses, url, 1, seconds=1) == []  # the stopped message reached neither the SNS nor the Event action
    assert drain(ses, done_url, 1, seconds=1) == []


def test_s3_action_writes_the_received_mail(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = _domain(ses, unique)
    topic, url = topic_queue(ses, unique("rx"))
    s3 = ses.client("s3")
    bucket = unique("inbox")
    s3.create_bucket(Bucket=bucket)
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="rx")
    v1.set_active_receipt_rule_set(RuleSetName="rx")
    missing = {"S3Action": {"BucketName": unique("nobucket")}}
    refused = error(lambda: v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "x", "Actions": [missing]}))
    assert refused["Code"] == "InvalidS3Configuration"
    store = {"S3Action": {"BucketName": bucket, "ObjectKeyPrefix": "mail/", "TopicArn": topic}}
    v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "keep", "Enabled": True, "Actions": [store]})
    _send(ses, [f"archive@{domain}"], "to the bucket")
    [envelope] = drain(ses, url, 1)
    note = json.loads(envelope["Message"])
    action = note["receipt"]["action"]
    key = f"mail/{note['mail']['messageId']}"
    assert action == {
        "type": "S3",
        "topicArn": topic,
        "bucketName": bucket,
        "objectKeyPrefix": "mail/",
        "objectKey": key,
    }
    assert "content" not in note
    deadline = time.monotonic() + 20
    body = b""
    while time.monotonic() < deadline and not body:
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError:
            time.sleep(0.2)
    assert body.startswith(b"Return-Path: <someone@elsewhere.example>\r\nReceived: from ")
    assert b"Subject: to the bucket" in body and b"body of to the bucket" in body


def test_rule_topics_must_take_ses_publishing(ses: Ses, unique: Callable[[str], str]) -> None:
    """InvalidSnsTopic for a topic that does not exist, or another account's whose policy does not let SES
    publish; the account's own topics need no policy."""
    v1 = ses.v1
    v1.create_receipt_rule_set(RuleSetName="rx")
    own = ses.client("sns").create_topic(Name=unique("own"))["TopicArn"]
    other = Ses(ses.server)
    theirs = other.client("sns").create_topic(Name=unique("theirs"))["TopicArn"]
    missing = own + "-gone"
    for topic in (missing, theirs):
        for action in ({"SNSAction": {"TopicArn": topic}}, {"StopAction": {"Scope": "RuleSet", "TopicArn": topic}}):
            rule = {"Name": "n", "Actions": [action]}
            refused = error(lambda rule=rule: v1.create_receipt_rule(RuleSetName="rx", Rule=rule))
            assert refused["Code"] == "InvalidSnsTopic"
            assert refused["Message"] == f"Could not publish to SNS topic: {topic}"
    v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "n", "Actions": [{"SNSAction": {"TopicArn": own}}]})
    grant = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "SNS:Publish",
            "Resource": theirs, "Condition": {"StringEquals": {"AWS:SourceAccount": ses.account}},
        }],
    }  # fmt: skip
    other.client("sns").set_topic_attributes(TopicArn=theirs, AttributeName="Policy", AttributeValue=json.dumps(grant))
    v1.update_receipt_rule(RuleSetName="rx", Rule={"Name": "n", "Actions": [{"SNSAction": {"TopicArn": theirs}}]})
    assert (
        v1.describe_receipt_rule(RuleSetName="rx", RuleName="n")["Rule"]["Actions"][0]["SNSAction"]["TopicArn"]
        == theirs
    )


def test_send_bounce_for_received_mail(ses: Ses, unique: Callable[[str], str]) -> None:
    """SendBounce: a DSN (RFC 3464) from a verified identity to the envelope sender of a message gureum received,
    kept in the mailbox; AWS's MessageRejected for a message not received by this account or an unverified
    sender, InvalidParameterValue for recipients it cannot bounce."""
    domain = _domain(ses, unique)
    ses.v1.create_receipt_rule_set(RuleSetName="rx")
    ses.v1.create_receipt_rule(RuleSetName="rx", Rule={"Name": "all", "Enabled": True, "Recipients": [domain]})
    ses.v1.set_active_receipt_rule_set(RuleSetName="rx")
    _send(ses, [f"inbox@{domain}"], "to be bounced", sender="writer@elsewhere.example")
    [received] = [m for m in ses.messages(destination=f"inbox@{domain}") if m["Origin"] == "received"]
    v1 = ses.v1
    info = [{"Recipient": f"inbox@{domain}", "BounceType": "DoesNotExist"}]
    bounce_id = v1.send_bounce(
        OriginalMessageId=received["Id"], BounceSender=f"mailer-daemon@{domain}", BouncedRecipientInfoList=info,
        MessageDsn={"ReportingMta": "dns; mx.example.org", "ExtensionFields": [{"Name": "X-Case", "Value": "7"}]},
    )["MessageId"]  # fmt: skip
    [kept] = ses.messages(id=bounce_id)
    assert kept["Origin"] == "bounce" and kept["Source"] == f"mailer-daemon@{domain}"
    assert kept["Destination"] == ["writer@elsewhere.example"]
    dsn = email.message_from_bytes(ses.raw(bounce_id), policy=email.policy.default)
    assert dsn.get_content_type() == "multipart/report" and dsn.get_param("report-type") == "delivery-status"
    human, status, headers = dsn.iter_parts()
    assert f"inbox@{domain}" in human.get_content()
    text = status.as_string()
    assert "Reporting-MTA: dns; mx.example.org" in text and "X-Case: 7" in text
    assert f"Final-Recipient: rfc822; inbox@{domain}" in text and "Status: 5.1.1" in text and "Action: failed" in text
    assert "Subject: to be bounced" in headers.as_string()
    custom = v1.send_bounce(
        OriginalMessageId=received["Id"], BounceSender=f"mailer-daemon@{domain}", Explanation="Nobody here.",
        BouncedRecipientInfoList=[{
            "Recipient": f"inbox@{domain}",
            "RecipientDsnFields": {
                "Action": "delayed", "Status": "4.2.2", "DiagnosticCode": "smtp; 452 full",
                "LastAttemptDate": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            },
        }],
    )["MessageId"]  # fmt: skip
    parts = list(email.message_from_bytes(ses.raw(custom), policy=email.policy.default).iter_parts())
    assert parts[0].get_content().strip() == "Nobody here."
    assert "Status: 4.2.2" in parts[1].as_string() and "Diagnostic-Code: smtp; 452 full" in parts[1].as_string()
    assert "Last-Attempt-Date: Fri, 02 Jan 2026 03:04:05 -0000" in parts[1].as_string()

    def code(**kw: Any) -> tuple[str, str]:
        args = {"OriginalMessageId": received["Id"], "BounceSender": f"mailer-daemon@{domain}",
                "BouncedRecipientInfoList": info, **kw}  # fmt: skip
        found = error(lambda: v1.send_bounce(**args))
        return str(found["Code"]), str(found["Message"])

    assert code(OriginalMessageId="nope")[0] == "MessageRejected"
    assert code(OriginalMessageId="")[0] == "MessageRejected"
    unverified = code(BounceSender="someone@unverified.example")
    assert unverified == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "someone@unverified.example",
    )
    assert code(BouncedRecipientInfoList=[{"Recipient": "stranger@example.org", "BounceType": "Undefined"}])[0] == (
        "InvalidParameterValue"
    )
    assert code(BouncedRecipientInfoList=[{"Recipient": f"inbox@{domain}"}])[0] == "InvalidParameterValue"
    bad_field = {"ReportingMta": "dns; mx", "ExtensionFields": [{"Name": "bad name", "Value": "x"}]}
    assert code(MessageDsn=bad_field)[0] == "InvalidParameterValue"
    # BounceSenderArn: another account's identity, usable once its policy allows ses:SendBounce
    owner = Ses(ses.server)
    owned = f"{unique('owner')}.example.com"
    owner.verify_domain(owned)
    arn = f"arn:aws:ses:us-east-1:{owner.account}:identity/{owned}"
    delegated = {"BounceSender": f"postmaster@{owned}", "BounceSenderArn": arn}
    denied = code(**delegated)
    assert denied[0] == "AccessDenied" and "ses:SendBounce" in denied[1]
    statement = {
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ses.account}:root"}, "Action": "ses:SendBounce",
        "Resource": arn,
    }  # fmt: skip
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    owner.v1.put_identity_policy(Identity=owned, PolicyName="bounces", Policy=policy)
    allowed = v1.send_bounce(
        OriginalMessageId=received["Id"], BouncedRecipientInfoList=info, **delegated
    )["MessageId"]  # fmt: skip
    assert [m["Source"] for m in ses.messages(id=allowed)] == [f"postmaster@{owned}"]
    assert code(BounceSender=f"postmaster@{domain}", BounceSenderArn=arn)[0] == "InvalidParameterValue"
    other = Ses(ses.server)
    other.verify_domain(domain)
    refused = error(
        lambda: other.v1.send_bounce(
            OriginalMessageId=received["Id"], BounceSender=f"mailer-daemon@{domain}", BouncedRecipientInfoList=info
        )
    )
    assert refused["Code"] == "MessageRejected"
