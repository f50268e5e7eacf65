"""SES v2 identities' options and tags: CreateEmailIdentity's Tags and ConfigurationSetName kept,
PutEmailIdentityConfigurationSetAttributes, TagResource / UntagResource / ListTagsForResource of identities and
configuration sets, BYODKIM (DkimSigningAttributes, PutEmailIdentityDkimSigningAttributes) and DKIM signing turned
on and off (PutEmailIdentityDkimAttributes, SES v1 SetIdentityDkimEnabled)."""

from __future__ import annotations

import base64
from functools import partial

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ._helpers import error
from .conftest import Ses


def _private_key(bits: int = 1024) -> str:
    """A base64 RSA private key (PKCS#1 DER), as BYODKIM's DomainSigningPrivateKey takes it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())  # fmt: skip
    return base64.b64encode(der).decode()


def _ec_key() -> str:
    """A base64 private key that is no RSA key (EC, PKCS#8 DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())  # fmt: skip
    return base64.b64encode(der).decode()


def test_identity_tags_and_default_configuration_set(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    config_set, other = unique("cs"), unique("cs")
    for name in (config_set, other):
        ses.v2.create_configuration_set(ConfigurationSetName=name)
    domain = f"{unique('tags')}.example.com"
    ses.v2.create_email_identity(
        EmailIdentity=domain, Tags=[{"Key": "team", "Value": "mail"}], ConfigurationSetName=config_set
    )
    got = ses.v2.get_email_identity(EmailIdentity=domain)
    assert got["Tags"] == [{"Key": "team", "Value": "mail"}] and got["ConfigurationSetName"] == config_set
    ses.v2.put_email_identity_configuration_set_attributes(EmailIdentity=domain, ConfigurationSetName=other)
    assert ses.v2.get_email_identity(EmailIdentity=domain)["ConfigurationSetName"] == other
    ses.v2.put_email_identity_configuration_set_attributes(EmailIdentity=domain)
    assert "ConfigurationSetName" not in ses.v2.get_email_identity(EmailIdentity=domain)
    # a configuration set that does not exist is refused, and the identity is not created
    missing = error(lambda: ses.v2.create_email_identity(
        EmailIdentity=f"{unique('no')}.example.com", ConfigurationSetName=unique("nope")
    ))  # fmt: skip
    assert missing["Code"] == "NotFoundException"
    assert error(lambda: ses.v2.put_email_identity_configuration_set_attributes(
        EmailIdentity=domain, ConfigurationSetName=unique("nope")
    ))["Code"] == "NotFoundException"  # fmt: skip

    # tags by ARN: the identity's and the configuration set's
    arn = f"arn:aws:ses:us-east-1:{ses.account}:identity/{domain}"
    ses.v2.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "ops"}])
    assert ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "team", "Value": "ops"}, {"Key": "env", "Value": "test"},
    ]  # fmt: skip
    ses.v2.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]
    assert ses.v2.get_email_identity(EmailIdentity=domain)["Tags"] == [{"Key": "env", "Value": "test"}]
    set_arn = f"arn:aws:ses:us-east-1:{ses.account}:configuration-set/{config_set}"
    ses.v2.tag_resource(ResourceArn=set_arn, Tags=[{"Key": "cost", "Value": "1"}])
    assert ses.v2.get_configuration_set(ConfigurationSetName=config_set)["Tags"] == [{"Key": "cost", "Value": "1"}]
    assert ses.v2.list_tags_for_resource(ResourceArn=set_arn)["Tags"] == [{"Key": "cost", "Value": "1"}]
    # no such resource, another account's, a malformed ARN, too many tags, a reserved key
    for bad in (
        f"arn:aws:ses:us-east-1:{ses.account}:identity/{unique('none')}.example.com",
        f"arn:aws:ses:us-east-1:000000000000:configuration-set/{config_set}",
    ):
        assert error(partial(ses.v2.list_tags_for_resource, ResourceArn=bad))["Code"] == "NotFoundException"
    assert error(lambda: ses.v2.list_tags_for_resource(ResourceArn="not-an-arn"))["Code"] == "BadRequestException"
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error(lambda: ses.v2.tag_resource(ResourceArn=arn, Tags=many))["Code"] == "BadRequestException"
    assert len(ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 1  # nothing of the refused call kept
    reserved = error(lambda: ses.v2.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}]))
    assert reserved["Code"] == "BadRequestException"
    # deleting the identity forgets its tags: a new one of the same name starts with none
    ses.v2.delete_email_identity(EmailIdentity=domain)
    ses.v2.create_email_identity(EmailIdentity=domain)
    assert ses.v2.list_tags_for_resource(ResourceArn=arn)["Tags"] == []


def test_byodkim_and_dkim_signing(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    domain = f"{unique('byo')}.example.com"
    created = ses.v2.create_email_identity(
        EmailIdentity=domain,
        DkimSigningAttributes={"DomainSigningSelector": "sel1", "DomainSigningPrivateKey": _private_key()},
    )
    assert created["DkimAttributes"] == {
        "SigningEnabled": True, "Status": "PENDING", "Tokens": ["sel1"], "SigningAttributesOrigin": "EXTERNAL",
    }  # fmt: skip
    # the DNS stand-in finds the selector's record
    ses.admin("POST", "/_gureum/ses/identities/verify", {"identity": domain, "accountId": ses.account})
    dkim = ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]
    assert dkim["Status"] == "SUCCESS" and dkim["SigningAttributesOrigin"] == "EXTERNAL"
    # back to Easy DKIM: three new tokens, pending again
    answer = ses.v2.put_email_identity_dkim_signing_attributes(
        EmailIdentity=domain, SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )  # fmt: skip
    assert answer["DkimStatus"] == "PENDING" and len(answer["DkimTokens"]) == 3
    dkim = ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]
    assert dkim["SigningAttributesOrigin"] == "AWS_SES" and dkim["Tokens"] == answer["DkimTokens"]
    assert dkim["NextSigningKeyLength"] == "RSA_1024_BIT" and "LastKeyGenerationTimestamp" in dkim
    # and to BYODKIM again with another selector
    answer = ses.v2.put_email_identity_dkim_signing_attributes(
        EmailIdentity=domain, SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "sel2", "DomainSigningPrivateKey": _private_key()},
    )  # fmt: skip
    assert answer == {"DkimStatus": "PENDING", "DkimTokens": ["sel2"], "ResponseMetadata": answer["ResponseMetadata"]}
    # EXTERNAL without a key, a key that is no RSA key, an address identity: BadRequestException
    for attributes in (
        {"DomainSigningSelector": "s"},
        {"DomainSigningSelector": "s", "DomainSigningPrivateKey": "QUJD"},
        {"DomainSigningSelector": "s", "DomainSigningPrivateKey": _ec_key()},
        {"DomainSigningSelector": "s", "DomainSigningPrivateKey": _private_key(3072)},
    ):
        refused = error(partial(
            ses.v2.put_email_identity_dkim_signing_attributes,
            EmailIdentity=domain, SigningAttributesOrigin="EXTERNAL", SigningAttributes=attributes,
        ))  # fmt: skip
        assert refused["Code"] == "BadRequestException"
    assert ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]["Tokens"] == ["sel2"]
    ses.v2.create_email_identity(EmailIdentity=f"someone@{domain}")
    refused = error(lambda: ses.v2.put_email_identity_dkim_signing_attributes(
        EmailIdentity=f"someone@{domain}", SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "s", "DomainSigningPrivateKey": _private_key()},
    ))  # fmt: skip
    assert refused["Code"] == "BadRequestException"
    missing = error(lambda: ses.v2.put_email_identity_dkim_attributes(
        EmailIdentity=f"{unique('none')}.example.com", SigningEnabled=True
    ))  # fmt: skip
    assert missing["Code"] == "NotFoundException"

    # signing off and on: SES v2 and SES v1 see the same switch
    ses.v2.put_email_identity_dkim_attributes(EmailIdentity=domain, SigningEnabled=False)
    assert ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]["SigningEnabled"] is False
    v1 = ses.v1.get_identity_dkim_attributes(Identities=[domain])["DkimAttributes"][domain]
    assert v1["DkimEnabled"] is False and v1["DkimTokens"] == ["sel2"]
    ses.v1.set_identity_dkim_enabled(Identity=domain, DkimEnabled=True)
    assert ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]["SigningEnabled"] is True
    assert ses.v1.get_identity_dkim_attributes(Identities=[domain])["DkimAttributes"][domain]["DkimEnabled"] is True
    # an address whose domain is set up for DKIM may sign; one whose domain is not may not
    ses.v1.set_identity_dkim_enabled(Identity=f"someone@{domain}", DkimEnabled=True)
    attributes = ses.v1.get_identity_dkim_attributes(Identities=[f"someone@{domain}"])["DkimAttributes"]
    assert attributes[f"someone@{domain}"]["DkimEnabled"] is True
    ses.v2.create_email_identity(EmailIdentity="lonely@nodkim.example.org")
    refused = error(lambda: ses.v1.set_identity_dkim_enabled(Identity="lonely@nodkim.example.org", DkimEnabled=True))
    assert refused["Code"] == "InvalidParameterValue"
    unknown = error(lambda: ses.v1.set_identity_dkim_enabled(Identity=f"{unique('no')}.example.com", DkimEnabled=True))
    assert unknown["Code"] == "InvalidParameterValue"


def test_identity_default_configuration_set_applies_to_sends(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    """A send naming no configuration set uses its identity's default (here a paused one: refused); one named in
    the request takes precedence."""
    ses.production()  # out of the sandbox: no one-per-second limit between these sends
    paused, open_set = unique("cs"), unique("cs")
    ses.v2.create_configuration_set(ConfigurationSetName=paused, SendingOptions={"SendingEnabled": False})
    ses.v2.create_configuration_set(ConfigurationSetName=open_set)
    domain = f"{unique('dflt')}.example.com"
    ses.verify_domain(domain)
    ses.v2.put_email_identity_configuration_set_attributes(EmailIdentity=domain, ConfigurationSetName=paused)
    send = {
        "FromEmailAddress": f"Sender <news@{domain}>",
        "Destination": {"ToAddresses": ["success@simulator.amazonses.com"]},
        "Content": {"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}},
    }
    assert error(lambda: ses.v2.send_email(**send))["Code"] == "SendingPausedException"
    raw = f"From: news@{domain}\r\nTo: success@simulator.amazonses.com\r\nSubject: Hi\r\n\r\nHello\r\n".encode()
    refused = error(lambda: ses.v1.send_raw_email(RawMessage={"Data": raw}))
    assert refused["Code"] == "ConfigurationSetSendingPausedException"
    assert ses.v2.send_email(**send, ConfigurationSetName=open_set)["MessageId"]
    # a default set deleted since is no longer applied
    ses.v2.put_email_identity_configuration_set_attributes(EmailIdentity=domain, ConfigurationSetName=open_set)
    ses.v2.delete_configuration_set(ConfigurationSetName=open_set)
    assert ses.v2.send_email(**send)["MessageId"]
    # cleared: sends go again
    ses.v2.put_email_identity_configuration_set_attributes(EmailIdentity=domain)
    assert ses.v2.send_email(**send)["MessageId"]


def test_contact_list_and_template_tags(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    region = "us-east-1"
    name, template = unique("list"), unique("tpl")
    ses.v2.create_contact_list(ContactListName=name, Tags=[{"Key": "team", "Value": "news"}])
    assert ses.v2.get_contact_list(ContactListName=name)["Tags"] == [{"Key": "team", "Value": "news"}]
    list_arn = f"arn:aws:ses:{region}:{ses.account}:contact-list/{name}"
    ses.v2.tag_resource(ResourceArn=list_arn, Tags=[{"Key": "env", "Value": "test"}])
    assert ses.v2.list_tags_for_resource(ResourceArn=list_arn)["Tags"] == [
        {"Key": "team", "Value": "news"}, {"Key": "env", "Value": "test"},
    ]  # fmt: skip
    ses.v2.create_email_template(
        TemplateName=template,
        TemplateContent={"Subject": "Hi {{name}}", "Text": "Hello"},
        Tags=[{"Key": "kind", "Value": "welcome"}],
    )
    template_arn = f"arn:aws:ses:{region}:{ses.account}:template/{template}"
    assert ses.v2.list_tags_for_resource(ResourceArn=template_arn)["Tags"] == [{"Key": "kind", "Value": "welcome"}]
    ses.v2.untag_resource(ResourceArn=template_arn, TagKeys=["kind"])
    assert ses.v2.list_tags_for_resource(ResourceArn=template_arn)["Tags"] == []
    # tags that break AWS's rules refuse the creation itself
    bad = unique("tpl")
    refused = error(lambda: ses.v2.create_email_template(
        TemplateName=bad, TemplateContent={"Subject": "x", "Text": "y"}, Tags=[{"Key": "aws:x", "Value": "v"}]
    ))  # fmt: skip
    assert refused["Code"] == "BadRequestException"
    assert error(lambda: ses.v2.get_email_template(TemplateName=bad))["Code"] == "NotFoundException"
    # deleted: their tags go with them
    ses.v2.delete_email_template(TemplateName=template)
    ses.v2.delete_contact_list(ContactListName=name)
    for arn in (template_arn, list_arn):
        assert error(partial(ses.v2.list_tags_for_resource, ResourceArn=arn))["Code"] == "NotFoundException"
    ses.v2.create_contact_list(ContactListName=name)
    assert ses.v2.get_contact_list(ContactListName=name)["Tags"] == []


def test_dkim_signing_attributes_at_the_v1_path(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    # the SES v2 API reference and the AWS SDK for Go v2 (Terraform's provider) send
    # PutEmailIdentityDkimSigningAttributes to /v1/email/identities/{EmailIdentity}/dkim/signing; botocore's model
    # says /v2: SES answers both
    domain = f"{unique('v1path')}.example.com"
    ses.v2.create_email_identity(EmailIdentity=domain)
    client = ses.client("sesv2")

    def to_v1(request, **_):  # type: ignore[no-untyped-def]
        request.url = request.url.replace("/v2/email/identities/", "/v1/email/identities/")

    client.meta.events.register("before-sign.sesv2.PutEmailIdentityDkimSigningAttributes", to_v1)
    answer = client.put_email_identity_dkim_signing_attributes(
        EmailIdentity=domain, SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"},
    )  # fmt: skip
    assert answer["DkimStatus"] == "PENDING" and len(answer["DkimTokens"]) == 3
    dkim = ses.v2.get_email_identity(EmailIdentity=domain)["DkimAttributes"]
    assert dkim["NextSigningKeyLength"] == "RSA_1024_BIT" and dkim["Tokens"] == answer["DkimTokens"]


def _public_record(private_key: str) -> bytes:
    """The selector's DNS TXT record a BYODKIM domain owner publishes for ``private_key``."""
    key = serialization.load_der_private_key(base64.b64decode(private_key), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_byodkim_domains_sign_their_mail(ses: Ses, unique) -> None:  # type: ignore[no-untyped-def]
    """Mail from a verified BYODKIM domain carries a DKIM signature that its published key verifies (what a receiving
    server checks); turned off, or from a domain with Easy DKIM, it carries none."""
    import dkim

    ses.production()  # four sends in a row: past the sandbox's one a second
    domain, easy = f"{unique('signs')}.example.com", f"{unique('easy')}.example.com"
    private_key = _private_key(2048)
    ses.v2.create_email_identity(
        EmailIdentity=domain,
        DkimSigningAttributes={"DomainSigningSelector": "mail2026", "DomainSigningPrivateKey": private_key},
    )
    ses.v2.create_email_identity(EmailIdentity=easy)
    for name in (domain, easy):
        ses.admin("POST", "/_gureum/ses/identities/verify", {"identity": name, "accountId": ses.account})
    records = {f"mail2026._domainkey.{domain}.".encode(): _public_record(private_key)}

    def send(source: str) -> bytes:
        sent = ses.v2.send_email(
            FromEmailAddress=source,
            Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
            Content={"Simple": {"Subject": {"Data": "signed"}, "Body": {"Text": {"Data": "hello\nworld"}}}},
        )
        return ses.raw(sent["MessageId"])

    raw = send(f"news@{domain}")
    signature = raw[: raw.index(b"\r\n\r\n")].decode()
    assert f"d={domain}" in signature and "s=mail2026" in signature and "a=rsa-sha256" in signature
    signed = raw[raw.index(b"DKIM-Signature:") :]  # as the receiving server gets it (Return-Path is its own)
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: records.get(name))
    tampered = signed.replace(b"hello", b"HELLO")
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: records.get(name))
    assert b"DKIM-Signature" not in send(f"news@{easy}")  # Easy DKIM: Amazon's keys, which gureum does not hold
    ses.v2.put_email_identity_dkim_attributes(EmailIdentity=domain, SigningEnabled=False)
    assert b"DKIM-Signature" not in send(f"news@{domain}")
