"""SES sending authorization and MAIL FROM end to end: identity policies (v1 and v2 forms), a delegate sender of
another account sending with SourceArn / FromEmailAddressIdentityArn only as the owner's policy allows, and custom
MAIL FROM domains (pending, rejected with RejectMessage, used once verified)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Ses


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    return {**caught.value.response["Error"], "Status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def _policy(delegate: str, arn: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{delegate}:root"},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": arn,
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _send(ses: Ses, source: str, **extra: Any) -> str:
    return str(
        ses.v1.send_email(
            Source=source,
            Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
            Message={"Subject": {"Data": "delegated"}, "Body": {"Text": {"Data": "hi"}}},
            **extra,
        )["MessageId"]
    )


def test_identity_policies_v1_and_v2(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = f"{unique('pol')}.example.com"
    ses.verify_domain(domain)
    arn = f"arn:aws:ses:us-east-1:{ses.account}:identity/{domain}"
    document = _policy("222233334444", arn)
    ses.v1.put_identity_policy(Identity=domain, PolicyName="first", Policy=document)
    assert ses.v1.list_identity_policies(Identity=domain)["PolicyNames"] == ["first"]
    got = ses.v1.get_identity_policies(Identity=domain, PolicyNames=["first", "missing"])["Policies"]
    assert list(got) == ["first"] and json.loads(got["first"]) == json.loads(document)
    bad = _error(lambda: ses.v1.put_identity_policy(Identity=domain, PolicyName="bad", Policy="{not json"))
    assert bad["Code"] == "InvalidPolicy"
    second = {"EmailIdentity": domain, "PolicyName": "second", "Policy": document}
    ses.v2.create_email_identity_policy(**second)
    dup = _error(lambda: ses.v2.create_email_identity_policy(**second))
    assert dup["Code"] == "AlreadyExistsException"
    missing = _error(lambda: ses.v2.update_email_identity_policy(EmailIdentity=domain, PolicyName="x", Policy=document))
    assert missing["Code"] == "NotFoundException" and missing["Status"] == 404
    assert set(ses.v2.get_email_identity_policies(EmailIdentity=domain)["Policies"]) == {"first", "second"}
    assert set(ses.v2.get_email_identity(EmailIdentity=domain)["Policies"]) == {"first", "second"}
    ses.v2.delete_email_identity_policy(EmailIdentity=domain, PolicyName="second")
    ses.v1.delete_identity_policy(Identity=domain, PolicyName="first")
    assert ses.v1.list_identity_policies(Identity=domain)["PolicyNames"] == []
    nobody = _error(lambda: ses.v2.get_email_identity_policies(EmailIdentity=f"none.{domain}"))
    assert nobody["Code"] == "NotFoundException"


def test_identity_policies_v1_by_arn(ses: Ses, unique: Callable[[str], str]) -> None:
    # SES v1's policy calls name the identity or give its ARN (Terraform's aws_ses_identity_policy passes the ARN)
    domain = f"{unique('arn')}.example.com"
    ses.verify_domain(domain)
    arn = f"arn:aws:ses:us-east-1:{ses.account}:identity/{domain}"
    document = _policy("222233334444", arn)
    ses.v1.put_identity_policy(Identity=arn, PolicyName="by-arn", Policy=document)
    assert ses.v1.list_identity_policies(Identity=arn)["PolicyNames"] == ["by-arn"]
    assert ses.v1.list_identity_policies(Identity=domain)["PolicyNames"] == ["by-arn"]
    got = ses.v1.get_identity_policies(Identity=arn, PolicyNames=["by-arn"])["Policies"]
    assert json.loads(got["by-arn"]) == json.loads(document)
    other = f"arn:aws:ses:us-east-1:999988887777:identity/{domain}"
    refused = _error(lambda: ses.v1.put_identity_policy(Identity=other, PolicyName="x", Policy=document))
    assert refused["Code"] == "InvalidParameterValue" and refused["Status"] == 400
    assert ses.v1.list_identity_policies(Identity=other)["PolicyNames"] == []
    ses.v1.delete_identity_policy(Identity=arn, PolicyName="by-arn")
    assert ses.v1.list_identity_policies(Identity=domain)["PolicyNames"] == []


def test_delegate_sender_needs_the_owners_policy(ses_server: Any, unique: Callable[[str], str]) -> None:
    owner, delegate = Ses(ses_server), Ses(ses_server)
    delegate.production()  # out of the sandbox's one message a second
    domain = f"{unique('own')}.example.com"
    owner.verify_domain(domain)
    arn = f"arn:aws:ses:us-east-1:{owner.account}:identity/{domain}"
    source = f"news@{domain}"
    # no policy: the delegate may not send for the owner's identity
    denied = _error(lambda: _send(delegate, source, SourceArn=arn))
    assert denied["Code"] == "AccessDenied" and denied["Status"] == 403
    assert f"arn:aws:iam::{delegate.account}:root" in denied["Message"] and "ses:SendEmail" in denied["Message"]
    # nor without naming the identity: the delegate's account has not verified it
    assert _error(lambda: _send(delegate, source))["Code"] == "MessageRejected"
    owner.v1.put_identity_policy(
        Identity=domain,
        PolicyName="delegate",
        Policy=_policy(delegate.account, arn, {"StringEquals": {"ses:FromAddress": source}}),
    )
    sent = _send(delegate, source, SourceArn=arn)
    assert [m["Id"] for m in delegate.messages(source=source)] == [sent]
    # the policy's condition: another address of the domain is not allowed
    assert _error(lambda: _send(delegate, f"other@{domain}", SourceArn=arn))["Code"] == "AccessDenied"
    # SES v2's form of the same, and a raw message
    out = delegate.v2.send_email(
        FromEmailAddress=source,
        FromEmailAddressIdentityArn=arn,
        Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "hi"}}}},
    )
    assert out["MessageId"]
    raw = f"From: {source}\r\nTo: success@simulator.amazonses.com\r\nSubject: raw\r\n\r\nbody\r\n".encode()
    assert delegate.v1.send_raw_email(RawMessage={"Data": raw}, SourceArn=arn)["MessageId"]
    # an ARN that does not cover the sender
    assert _error(lambda: _send(delegate, "x@elsewhere.example.org", SourceArn=arn))["Code"] == (
        "InvalidParameterValue"
    )
    # bulk sends name the identity too: SendBulkTemplatedEmail's SourceArn, SendBulkEmail's
    # FromEmailAddressIdentityArn (without it, the delegate's account has no verified identity for the source)
    delegate.v1.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{n}}", "TextPart": "x"})
    bulk = {"Destination": {"ToAddresses": ["success@simulator.amazonses.com"]}, "ReplacementTemplateData": "{}"}
    v1_bulk = delegate.v1.send_bulk_templated_email(
        Source=source, SourceArn=arn, Template="t", DefaultTemplateData='{"n": "1"}', Destinations=[bulk]
    )["Status"]
    assert [s["Status"] for s in v1_bulk] == ["Success"]
    refused = delegate.v1.send_bulk_templated_email(
        Source=source, Template="t", DefaultTemplateData='{"n": "1"}', Destinations=[bulk]
    )["Status"]
    assert [s["Status"] for s in refused] == ["MessageRejected"]
    entry = {"Destination": {"ToAddresses": ["success@simulator.amazonses.com"]}}
    content = {"Template": {"TemplateName": "t", "TemplateData": '{"n": "2"}'}}
    v2_bulk = delegate.v2.send_bulk_email(
        FromEmailAddress=source, FromEmailAddressIdentityArn=arn, DefaultContent=content, BulkEmailEntries=[entry]
    )["BulkEmailEntryResults"]
    assert [r["Status"] for r in v2_bulk] == ["SUCCESS"]
    other = delegate.v2.send_bulk_email(
        FromEmailAddress=f"other@{domain}", FromEmailAddressIdentityArn=arn, DefaultContent=content,
        BulkEmailEntries=[entry],
    )["BulkEmailEntryResults"]  # fmt: skip
    assert [r["Status"] for r in other] == ["FAILED"]  # the policy allows news@ only: AccessDenied


def test_custom_mail_from(ses: Ses, unique: Callable[[str], str]) -> None:
    domain = f"{unique('mf')}.example.com"
    ses.verify_domain(domain)
    ses.production()
    bad = _error(lambda: ses.v1.set_identity_mail_from_domain(Identity=domain, MailFromDomain="mail.other.org"))
    assert bad["Code"] == "InvalidParameterValue"
    ses.v1.set_identity_mail_from_domain(
        Identity=domain, MailFromDomain=f"bounce.{domain}", BehaviorOnMXFailure="RejectMessage"
    )
    attrs = ses.v1.get_identity_mail_from_domain_attributes(Identities=[domain])["MailFromDomainAttributes"]
    assert attrs[domain] == {
        "MailFromDomain": f"bounce.{domain}",
        "MailFromDomainStatus": "Pending",
        "BehaviorOnMXFailure": "RejectMessage",
    }
    rejected = _error(lambda: _send(ses, f"me@{domain}"))
    assert rejected["Code"] == "MailFromDomainNotVerifiedException"
    v2_rejected = _error(
        lambda: ses.v2.send_email(
            FromEmailAddress=f"me@{domain}",
            Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        )
    )
    assert v2_rejected["Code"] == "MailFromDomainNotVerifiedException"
    # the MX record found (what stands in for SES's lookup): verified, and the mail's Return-Path uses it
    ses.admin("POST", "/_gureum/ses/identities/verify", {"identity": domain, "accountId": ses.account})
    got = ses.v2.get_email_identity(EmailIdentity=domain)["MailFromAttributes"]
    assert got == {
        "MailFromDomain": f"bounce.{domain}",
        "MailFromDomainStatus": "SUCCESS",
        "BehaviorOnMxFailure": "REJECT_MESSAGE",
    }
    sent = _send(ses, f"me@{domain}")
    assert ses.raw(sent).startswith(f"Return-Path: <{sent}@bounce.{domain}>".encode())
    ses.v2.put_email_identity_mail_from_attributes(EmailIdentity=domain)  # back to SES's own MAIL FROM
    assert "MailFromAttributes" not in ses.v2.get_email_identity(EmailIdentity=domain)
