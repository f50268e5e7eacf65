"""Sending end to end: the sandbox's verified identities, rate and daily quota (a 3-second window on the test
server), raw MIME, templates, bulk, SES v2's SendEmail, the captured mailbox, paused sending, statistics."""

from __future__ import annotations

import email
import email.policy
import time
from email.message import EmailMessage

import pytest
from botocore.exceptions import ClientError

from .conftest import QUOTA_WINDOW, Ses

SIMPLE = {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hi there"}}}


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_sandbox_rejects_unverified_sender_and_recipients(ses: Ses) -> None:
    with pytest.raises(ClientError) as caught:
        ses.v1.send_email(Source="a@example.com", Destination={"ToAddresses": ["b@example.com"]}, Message=SIMPLE)
    assert _error(caught) == (
        "MessageRejected",
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        "a@example.com, b@example.com",
    )
    ses.verify_email("a@example.com")
    with pytest.raises(ClientError) as caught:
        ses.v2.send_email(
            FromEmailAddress="a@example.com",
            Destination={"ToAddresses": ["b@example.com"]},
            Content={"Simple": SIMPLE},
        )
    assert _error(caught)[0] == "MessageRejected"
    assert _error(caught)[1].endswith("in region US-EAST-1: b@example.com")
    # the mailbox simulator's addresses need no verification
    sent = ses.v1.send_email(
        Source="a@example.com", Destination={"ToAddresses": ["success@simulator.amazonses.com"]}, Message=SIMPLE
    )
    assert len(sent["MessageId"]) == 60 and sent["MessageId"].endswith("-000000")
    kept = ses.messages(id=sent["MessageId"])
    assert kept[0]["Destination"] == ["success@simulator.amazonses.com"] and kept[0]["Subject"] == "Hello"


def test_sandbox_rate_and_quota_counted(ses: Ses) -> None:
    ses.verify_email("a@example.com")
    dest = {"ToAddresses": ["success@simulator.amazonses.com", "ooto@simulator.amazonses.com"]}
    accepted, throttled = 0, None
    for _ in range(10):  # back to back: the second within a second of the first is throttled (a loaded machine
        try:  # may take longer than that between two calls; then the next pair tries again)
            ses.v1.send_email(Source="a@example.com", Destination=dest, Message=SIMPLE)
            accepted += 1
        except ClientError as error:
            throttled = error.response["Error"]
            break
    assert throttled is not None and (throttled["Code"], throttled["Message"]) == (
        "Throttling",
        "Maximum sending rate exceeded.",
    )
    quota = ses.v1.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"], quota["SentLast24Hours"]) == (200.0, 1.0, 2.0 * accepted)
    account = ses.v2.get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["SendQuota"]["SentLast24Hours"] == 2.0 * accepted
    points = ses.v1.get_send_statistics()["SendDataPoints"]
    assert sum(p["DeliveryAttempts"] for p in points) == 2 * accepted


def test_daily_quota_in_a_short_window(ses: Ses) -> None:
    ses.production(max_24=3, rate=100)
    ses.verify_email("q@example.com")
    for _ in range(3):
        ses.v1.send_email(Source="q@example.com", Destination={"ToAddresses": ["anyone@example.com"]}, Message=SIMPLE)
    with pytest.raises(ClientError) as caught:
        ses.v1.send_email(Source="q@example.com", Destination={"ToAddresses": ["anyone@example.com"]}, Message=SIMPLE)
    assert _error(caught) == ("Throttling", "Daily message quota exceeded.")
    with pytest.raises(ClientError) as caught:
        ses.v2.send_email(
            FromEmailAddress="q@example.com", Destination={"ToAddresses": ["x@example.com"]}, Content={"Simple": SIMPLE}
        )
    assert _error(caught) == ("LimitExceededException", "Daily message quota exceeded.")
    assert ses.v1.get_send_quota()["SentLast24Hours"] == 3.0
    time.sleep(QUOTA_WINDOW + 0.2)
    assert ses.v1.get_send_quota()["SentLast24Hours"] == 0.0
    ses.v1.send_email(Source="q@example.com", Destination={"ToAddresses": ["anyone@example.com"]}, Message=SIMPLE)


def test_production_sends_to_anyone_from_a_verified_domain(ses: Ses) -> None:
    ses.production()
    ses.verify_domain("corp.example")
    sent = ses.v1.send_email(
        Source="Sales <sales@corp.example>",
        Destination={"ToAddresses": ["x@else.example"], "CcAddresses": ["y@else.example"]},
        Message={"Subject": {"Data": "Offer"}, "Body": {"Text": {"Data": "t"}, "Html": {"Data": "<b>h</b>"}}},
        ReplyToAddresses=["reply@corp.example"],
    )
    raw = email.message_from_bytes(ses.raw(sent["MessageId"]), policy=email.policy.default)
    assert raw["From"] == "Sales <sales@corp.example>" and raw["Reply-To"] == "reply@corp.example"
    assert raw.get_content_type() == "multipart/alternative"
    assert raw["Message-ID"] == f"<{sent['MessageId']}@email.amazonses.com>"
    with pytest.raises(ClientError) as caught:
        ses.v1.send_email(Source="me@other.example", Destination={"ToAddresses": ["x@y.example"]}, Message=SIMPLE)
    assert _error(caught)[1].endswith(": me@other.example")


def test_built_message_bytes_ascii_and_encoded(ses: Ses) -> None:
    """SendEmail's MIME as the email package writes it: CRLF line ends (a body's CR, LF and CRLF alike), 7bit ASCII
    parts under one boundary, header fields in SES's order; a non-ASCII subject and a non-ASCII body take the email
    package's encodings (encoded words, quoted-printable)."""
    ses.production()
    ses.verify_domain("mime.example")
    sent = ses.v1.send_email(
        Source="Team <t@mime.example>",
        Destination={"ToAddresses": ["a@x.example", "b@x.example"], "CcAddresses": ["c@x.example"]},
        Message={"Subject": {"Data": "Plain =?subject?="},
                 "Body": {"Text": {"Data": "one\ntwo\r\nthree\rfour"}, "Html": {"Data": "<p>h</p>\n"}}},
    )  # fmt: skip
    raw = ses.raw(sent["MessageId"])
    head, body = raw.split(b"\r\n\r\n", 1)
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n")]
    assert names == [b"From", b"To", b"Cc", b"Subject", b"Message-ID", b"Date", b"Content-Type", b"MIME-Version"]
    assert b"To: a@x.example, b@x.example\r\n" in head and b"Subject: Plain =?subject?=\r\n" in head
    boundary = email.message_from_bytes(raw)["Content-Type"].split('boundary="', 1)[1].rstrip('"')
    assert (
        body
        == (
            f'--{boundary}\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n'
            f'one\r\ntwo\r\nthree\r\nfour\r\n--{boundary}\r\nContent-Type: text/html; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: 7bit\r\n\r\n<p>h</p>\r\n\r\n--{boundary}--\r\n"
        ).encode()
    )
    for subject, text in (("Grüße", "ascii"), ("plain", "Grüße aus Köln")):
        sent = ses.v1.send_email(Source="t@mime.example", Destination={"ToAddresses": ["a@x.example"]},
                                 Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}})  # fmt: skip
        raw = ses.raw(sent["MessageId"])
        assert all(line.endswith(b"\r") for line in raw.split(b"\n")[:-1])
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert parsed.get_content().rstrip("\n") == text
        if not subject.isascii():
            assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0] and parsed["Subject"] == subject
        if not text.isascii():
            assert parsed["Content-Transfer-Encoding"] == "quoted-printable"


def test_line_breaks_in_a_subject_never_make_a_header(ses: Ses) -> None:
    """A subject holding CR, LF or another character str.splitlines breaks on is written as encoded words, the
    break folded into white space: no injected header, no server error, on the ASCII and non-ASCII paths. A control
    character in an address's display name is refused as AWS refuses it."""
    ses.production()
    ses.verify_domain("breaks.example")
    for subject in ("hi\r\nBcc: evil@x.example", "a\x0bb\x0cc\x1cd\x1de\x1ef", "Grüße\nBcc: evil@x.example"):
        sent = ses.v1.send_email(Source="t@breaks.example", Destination={"ToAddresses": ["a@x.example"]},
                                 Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "x"}}})  # fmt: skip
        raw = ses.raw(sent["MessageId"])
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert parsed["Bcc"] is None and b"\r\nBcc:" not in raw
        names = [line.split(b":", 1)[0] for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")]
        assert [n for n in names if not n.startswith(b" ")] == [
            b"From", b"To", b"Subject", b"Message-ID", b"Date", b"Content-Type", b"MIME-Version",
            b"Content-Transfer-Encoding",
        ]  # fmt: skip
        words = subject.replace("\r\n", "\n").translate({ord(c): "\n" for c in "\x0b\x0c\x1c\x1d\x1e"}).split("\n")
        assert parsed["Subject"].split() == " ".join(words).split()
    for field, value in (("Source", "Team\r\nBcc: evil@x.example <t@breaks.example>"),
                         ("To", "Ann\n<a@x.example>"), ("ReplyTo", "R\x0b <r@x.example>")):  # fmt: skip
        source = value if field == "Source" else "t@breaks.example"
        with pytest.raises(ClientError) as caught:
            ses.v1.send_email(Source=source, Destination={"ToAddresses": [value if field == "To" else "a@x.example"]},
                              ReplyToAddresses=[value] if field == "ReplyTo" else [], Message=SIMPLE)  # fmt: skip
        code, message = _error(caught)  # (XML 1.0 cannot carry \x0b: the message shows U+FFFD for it)
        assert (code, message.startswith("Local address contains control or whitespace: ")) == (
            "InvalidParameterValue",
            True,
        )


def test_raw_email_parsed_bcc_dropped_and_malformed_kept(ses: Ses) -> None:
    ses.production()
    ses.verify_email("raw@example.com")
    msg = EmailMessage()
    msg["From"] = "raw@example.com"
    msg["To"] = "to@example.com"
    msg["Bcc"] = "hidden@example.com"
    msg["Subject"] = "With attachment"
    msg.set_content("see attached")
    msg.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="a.bin")
    sent = ses.v1.send_raw_email(RawMessage={"Data": msg.as_bytes()})
    kept = ses.messages(id=sent["MessageId"])[0]
    assert sorted(kept["Destination"]) == ["hidden@example.com", "to@example.com"]
    raw = email.message_from_bytes(ses.raw(sent["MessageId"]), policy=email.policy.default)
    assert raw["Bcc"] is None and raw["Subject"] == "With attachment"
    assert next(raw.iter_attachments()).get_content() == b"\x00\x01binary"
    # garbage that is no MIME at all: kept (with SES's Message-ID) when sender and recipients are given
    garbage = b"\xff\xfe not a message\r\n\r\n=?broken?= \x00"
    sent = ses.v1.send_raw_email(
        Source="raw@example.com", Destinations=["to@example.com"], RawMessage={"Data": garbage}
    )
    kept_raw = ses.raw(sent["MessageId"])
    assert b"not a message" in kept_raw and sent["MessageId"].encode() in kept_raw
    with pytest.raises(ClientError) as caught:
        ses.v1.send_raw_email(RawMessage={"Data": b"no headers here"})
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    too_many = [f"r{i}@example.com" for i in range(51)]
    with pytest.raises(ClientError) as caught:
        ses.v1.send_email(Source="raw@example.com", Destination={"ToAddresses": too_many}, Message=SIMPLE)
    assert _error(caught) == ("InvalidParameterValue", "Recipient count exceeds 50.")


def test_templates_render_and_send(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    ses.production()
    ses.verify_email("t@example.com")
    name = unique("tpl")
    ses.v1.create_template(
        Template={
            "TemplateName": name,
            "SubjectPart": "Hi {{name}}",
            "TextPart": "{{#if vip}}VIP {{/if}}Items:{{#each items}} {{@index}}={{this.sku}}{{/each}}",
            "HtmlPart": "<p>{{name}}</p>",
        }
    )
    with pytest.raises(ClientError) as caught:
        ses.v1.create_template(Template={"TemplateName": name, "SubjectPart": "x"})
    assert _error(caught)[0] == "AlreadyExists"
    data = '{"name": "Ann <A>", "vip": true, "items": [{"sku": "a"}, {"sku": "b"}]}'
    rendered = ses.v1.test_render_template(TemplateName=name, TemplateData=data)["RenderedTemplate"]
    assert "Subject: Hi Ann <A>" in rendered and "VIP Items: 0=a 1=b" in rendered
    assert "<p>Ann &lt;A&gt;</p>" in rendered
    with pytest.raises(ClientError) as caught:
        ses.v1.test_render_template(TemplateName=name, TemplateData='{"vip": false, "items": []}')
    assert _error(caught) == ("MissingRenderingAttribute", "Attribute 'name' is not present in the rendering data.")
    with pytest.raises(ClientError) as caught:
        ses.v1.get_template(TemplateName="missing-" + name)
    assert _error(caught) == ("TemplateDoesNotExist", f"Template missing-{name} does not exist.")
    assert ses.v2.get_email_template(TemplateName=name)["TemplateContent"]["Subject"] == "Hi {{name}}"
    ses.v2.update_email_template(TemplateName=name, TemplateContent={"Subject": "Yo {{name}}", "Text": "{{name}}"})
    assert ses.v1.get_template(TemplateName=name)["Template"]["SubjectPart"] == "Yo {{name}}"
    assert [t["Name"] for t in ses.v1.list_templates()["TemplatesMetadata"]] == [name]
    sent = ses.v1.send_templated_email(
        Source="t@example.com", Destination={"ToAddresses": ["u@example.com"]}, Template=name, TemplateData=data
    )
    assert ses.messages(id=sent["MessageId"])[0]["Subject"] == "Yo Ann <A>"
    v2 = ses.v2.send_email(
        FromEmailAddress="t@example.com",
        Destination={"ToAddresses": ["u@example.com"]},
        Content={"Template": {"TemplateName": name, "TemplateData": '{"name": "Bo"}'}},
    )
    assert ses.messages(id=v2["MessageId"])[0]["Subject"] == "Yo Bo"
    with pytest.raises(ClientError) as caught:
        ses.v2.get_email_template(TemplateName="missing-" + name)
    assert _error(caught)[0] == "NotFoundException"
    ses.v2.delete_email_template(TemplateName=name)
    assert ses.v1.list_templates()["TemplatesMetadata"] == []


def test_bulk_statuses_per_destination(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    ses.verify_email("bulk@example.com")
    ses.verify_email("ok@example.com")
    name = unique("bulk")
    ses.v1.create_template(Template={"TemplateName": name, "SubjectPart": "Hi {{name}}", "TextPart": "x"})
    result = ses.v1.send_bulk_templated_email(
        Source="bulk@example.com",
        Template=name,
        DefaultTemplateData='{"name": "friend"}',
        Destinations=[
            {"Destination": {"ToAddresses": ["ok@example.com"]}, "ReplacementTemplateData": '{"name": "Ok"}'},
            {"Destination": {"ToAddresses": ["stranger@example.com"]}},
            {"Destination": {"ToAddresses": ["success@simulator.amazonses.com"]}},
        ],
    )["Status"]
    assert [r["Status"] for r in result] == ["Success", "MessageRejected", "Success"]
    assert ses.messages(id=result[0]["MessageId"])[0]["Subject"] == "Hi Ok"
    assert ses.messages(id=result[2]["MessageId"])[0]["Subject"] == "Hi friend"
    time.sleep(1.1)  # the sandbox's one message per second
    v2 = ses.v2.send_bulk_email(
        FromEmailAddress="bulk@example.com",
        DefaultContent={"Template": {"TemplateName": name, "TemplateData": '{"name": "v2"}'}},
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": ["ok@example.com"]}},
            {"Destination": {"ToAddresses": ["nobody@example.com"]}},
        ],
    )["BulkEmailEntryResults"]
    assert [r["Status"] for r in v2] == ["SUCCESS", "MESSAGE_REJECTED"]
    with pytest.raises(ClientError) as caught:
        ses.v1.send_bulk_templated_email(
            Source="bulk@example.com",
            Template="nope-" + name,
            DefaultTemplateData="{}",
            Destinations=[{"Destination": {"ToAddresses": ["ok@example.com"]}}],
        )
    assert _error(caught)[0] == "TemplateDoesNotExist"


def test_sending_paused_and_mailbox_cleared(ses: Ses) -> None:
    ses.production()
    ses.verify_email("p@example.com")
    assert ses.v1.get_account_sending_enabled()["Enabled"] is True
    ses.v1.update_account_sending_enabled(Enabled=False)
    with pytest.raises(ClientError) as caught:
        ses.v1.send_email(Source="p@example.com", Destination={"ToAddresses": ["z@example.com"]}, Message=SIMPLE)
    assert _error(caught)[0] == "AccountSendingPausedException"
    with pytest.raises(ClientError) as caught:
        ses.v2.send_email(
            FromEmailAddress="p@example.com", Destination={"ToAddresses": ["z@example.com"]}, Content={"Simple": SIMPLE}
        )
    assert _error(caught)[0] == "SendingPausedException"
    ses.v2.put_account_sending_attributes(SendingEnabled=True)
    raw = b"From: p@example.com\r\nTo: z@example.com\r\nSubject: v2 raw\r\n\r\nbody\r\n"
    ses.v2.send_email(Content={"Raw": {"Data": raw}})
    assert [m["Subject"] for m in ses.messages(source="p@example.com")] == ["v2 raw"]
    assert ses.admin("DELETE", f"/_gureum/ses/messages?accountId={ses.account}")["deleted"] == 2
    assert ses.messages() == []
