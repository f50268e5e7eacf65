"""SAML 2.0 identity providers end to end (Terraform's aws_iam_saml_provider): create, read with the metadata's
expiry, list, update, tags, delete, and metadata that is not SAML refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...expect import ACCOUNT, expect_error


def _metadata(entity: str, valid_until: str | None) -> str:
    until = f' validUntil="{valid_until}"' if valid_until else ""
    certificate = "MIIC" + "A" * 1200  # the length real metadata has (the model asks for 1,000 characters at least)
    return (
        '<?xml version="1.0"?>\n'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"{until} entityID="{entity}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
        f"<ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"'
        ' Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )


def test_saml_provider_lifecycle(iam: Any, name: str) -> None:
    document = _metadata("https://idp.example.com/saml", "2030-01-01T00:00:00Z")
    made = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document, Tags=[{"Key": "a", "Value": "b"}])
    arn = made["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}" and made["Tags"] == [{"Key": "a", "Value": "b"}]
    expect_error(iam.create_saml_provider, "EntityAlreadyExists", status=409, Name=name, SAMLMetadataDocument=document)
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document and got["Tags"] == [{"Key": "a", "Value": "b"}]
    assert got["ValidUntil"] == dt.datetime(2030, 1, 1, tzinfo=dt.UTC) and len(got["SAMLProviderUUID"]) >= 22
    listed = [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
    assert len(listed) == 1 and listed[0]["ValidUntil"] == got["ValidUntil"]

    changed = _metadata("https://idp.example.com/other", None)
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=changed)["SAMLProviderArn"] == arn
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == changed and "ValidUntil" not in got
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "c", "Value": "d"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["a"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "c", "Value": "d"}]

    iam.delete_saml_provider(SAMLProviderArn=arn)
    expect_error(iam.get_saml_provider, "NoSuchEntity", status=404, SAMLProviderArn=arn)
    expect_error(iam.delete_saml_provider, "NoSuchEntity", status=404, SAMLProviderArn=arn)
    assert arn not in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]


def test_saml_metadata_must_be_saml(iam: Any, name: str) -> None:
    not_saml = "<html>" + "x" * 1000 + "</html>"
    expect_error(iam.create_saml_provider, "InvalidInput", Name=name, SAMLMetadataDocument=not_saml)
    expect_error(iam.create_saml_provider, "InvalidInput", Name=name, SAMLMetadataDocument="<a" + "x" * 1000)
    assert not [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"].endswith(f"/{name}")]
