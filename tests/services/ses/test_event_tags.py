"""The auto-tags of SES's event JSON (the "mail" object's tags): ses:operation names the operation that sent the
message (SMTP: SendSmtpEmail), ses:caller-identity the caller's IAM identity, ses:source-ip the client's address."""

from __future__ import annotations

import http.client
import smtplib
import ssl
import urllib.parse
from email.message import EmailMessage
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from gureum.services.ses.smtp import smtp_password
from tests.conftest import make_client

from ._helpers import drain, topic_queue
from .conftest import SMTP_KEY, SMTP_SECRET, Ses

SIMPLE = {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi there"}}}
OTHER_LOOPBACK = "127.0.0.2"  # a client address other than 127.0.0.1 (all of 127/8 reaches the loopback server)


def _send_events(ses: Ses, unique: Any) -> tuple[str, str]:
    """Production access (no one-per-second rate) and a configuration set whose SNS destination takes Send events:
    (its name, the queue they reach)."""
    ses.production()
    topic, url = topic_queue(ses, unique("ses-tags"), raw=True)
    config_set = unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=config_set)
    ses.v2.create_configuration_set_event_destination(
        ConfigurationSetName=config_set,
        EventDestinationName="to-sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"], "SnsDestination": {"TopicArn": topic}},
    )
    return config_set, url


def _tags_by_id(ses: Ses, url: str, want: int) -> dict[str, dict[str, list[str]]]:
    return {e["mail"]["messageId"]: e["mail"]["tags"] for e in drain(ses, url, want)}


def test_operation_and_caller_identity_of_each_sending_operation(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    config_set, url = _send_events(ses, unique)
    ses.verify_email("tags@example.com")
    template = unique("tpl")
    ses.v1.create_template(Template={"TemplateName": template, "SubjectPart": "Hi {{n}}", "TextPart": "x"})
    iam = ses.client("iam")
    user = unique("mailer")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    v1, as_user = ses.v1, make_client(ses.server.endpoint, "ses", access_key=key)
    to = {"ToAddresses": ["success@simulator.amazonses.com"]}
    raw = b"From: tags@example.com\r\nTo: success@simulator.amazonses.com\r\nSubject: raw\r\n\r\nbody\r\n"
    sent = {
        as_user.send_email(
            Source="tags@example.com", Destination=to, Message=SIMPLE, ConfigurationSetName=config_set
        )["MessageId"]: ("SendEmail", user),
        v1.send_raw_email(RawMessage={"Data": raw}, ConfigurationSetName=config_set)["MessageId"]: (
            "SendRawEmail",
            "root",
        ),
        v1.send_templated_email(
            Source="tags@example.com", Destination=to, Template=template, TemplateData='{"n": "1"}',
            ConfigurationSetName=config_set,
        )["MessageId"]: ("SendTemplatedEmail", "root"),
    }  # fmt: skip
    bulk = v1.send_bulk_templated_email(
        Source="tags@example.com", Template=template, DefaultTemplateData='{"n": "2"}',
        Destinations=[{"Destination": to}], ConfigurationSetName=config_set,
    )  # fmt: skip
    sent[bulk["Status"][0]["MessageId"]] = ("SendBulkTemplatedEmail", "root")
    got = _tags_by_id(ses, url, len(sent))
    assert set(got) == set(sent)
    for message_id, (operation, caller) in sent.items():
        tags = got[message_id]
        assert tags["ses:operation"] == [operation], (operation, tags)
        assert tags["ses:caller-identity"] == [caller], (operation, tags)
        assert tags["ses:source-ip"] == ["127.0.0.1"]
        assert tags["ses:from-domain"] == ["example.com"]
        assert tags["ses:configuration-set"] == [config_set]


def test_v2_send_email_names_the_operation_of_its_content(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    config_set, url = _send_events(ses, unique)
    ses.verify_email("tags2@example.com")
    to = {"ToAddresses": ["success@simulator.amazonses.com"]}
    raw = b"From: tags2@example.com\r\nTo: success@simulator.amazonses.com\r\nSubject: raw\r\n\r\nbody\r\n"
    simple = ses.v2.send_email(
        FromEmailAddress="tags2@example.com", Destination=to, Content={"Simple": SIMPLE},
        ConfigurationSetName=config_set,
    )["MessageId"]  # fmt: skip
    raw_id = ses.v2.send_email(Content={"Raw": {"Data": raw}}, ConfigurationSetName=config_set)["MessageId"]
    got = _tags_by_id(ses, url, 2)
    assert got[simple]["ses:operation"] == ["SendEmail"]
    assert got[raw_id]["ses:operation"] == ["SendRawEmail"]


def test_source_ip_is_the_clients_address(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    """A SendEmail from another loopback address than 127.0.0.1 is tagged with that address."""
    config_set, url = _send_events(ses, unique)
    ses.verify_email("ip@example.com")
    body = urllib.parse.urlencode({
        "Action": "SendEmail", "Version": "2010-12-01", "Source": "ip@example.com",
        "Destination.ToAddresses.member.1": "success@simulator.amazonses.com",
        "Message.Subject.Data": "from elsewhere", "Message.Body.Text.Data": "hi",
        "ConfigurationSetName": config_set,
    })  # fmt: skip
    endpoint = urllib.parse.urlparse(ses.server.endpoint)
    request = AWSRequest(
        method="POST", url=f"{ses.server.endpoint}/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )  # fmt: skip
    SigV4Auth(Credentials(ses.account, "test"), "ses", "us-east-1").add_auth(request)
    conn = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=10, source_address=(OTHER_LOOPBACK, 0))
    conn.request("POST", "/", body=body, headers=dict(request.headers))
    answer = conn.getresponse()
    assert answer.status == 200, answer.read()
    conn.close()
    events = drain(ses, url, 1)
    assert len(events) == 1
    assert events[0]["mail"]["tags"]["ses:source-ip"] == [OTHER_LOOPBACK]
    assert events[0]["mail"]["tags"]["ses:operation"] == ["SendEmail"]


def test_smtp_mail_is_tagged_send_smtp_email_with_the_clients_address(ses_smtp: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    ses = ses_smtp
    config_set, url = _send_events(ses, unique)
    ses.verify_email("smtp-tags@example.com")
    client = smtplib.SMTP(
        "127.0.0.1",
        ses.server.smtp_port,
        timeout=10,
        source_address=(OTHER_LOOPBACK, 0),  # type: ignore[attr-defined]
    )
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    client.starttls(context=context)
    client.login(SMTP_KEY, smtp_password(SMTP_SECRET, "us-east-1"))
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "smtp-tags@example.com", "success@simulator.amazonses.com", "tagged"
    msg["X-SES-CONFIGURATION-SET"] = config_set
    msg.set_content("over smtp")
    client.send_message(msg)
    client.quit()
    events = drain(ses, url, 1)
    assert len(events) == 1
    tags = events[0]["mail"]["tags"]
    assert tags["ses:operation"] == ["SendSmtpEmail"]
    assert tags["ses:source-ip"] == [OTHER_LOOPBACK]
    assert tags["ses:caller-identity"] == ["root"]
