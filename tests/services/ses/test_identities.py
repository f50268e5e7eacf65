"""SES identities end to end: the verification mail and its link, domains verified through the admin stand-in for
DNS, SES v1 and v2 over the same state."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from .conftest import Ses


def test_verification_link_verifies_the_address(ses: Ses) -> None:
    ses.v1.verify_email_identity(EmailAddress="me@example.com")
    attrs = ses.v1.get_identity_verification_attributes(Identities=["me@example.com"])["VerificationAttributes"]
    assert attrs == {"me@example.com": {"VerificationStatus": "Pending"}}
    mail = ses.messages(destination="me@example.com")
    assert len(mail) == 1 and mail[0]["Source"] == "no-reply-aws@amazon.com"
    assert "Email Address Verification Request" in mail[0]["Subject"]
    ses.verify_email("me@example.com")
    attrs = ses.v1.get_identity_verification_attributes(Identities=["me@example.com"])["VerificationAttributes"]
    assert attrs["me@example.com"]["VerificationStatus"] == "Success"
    got = ses.v2.get_email_identity(EmailIdentity="me@example.com")
    assert got["IdentityType"] == "EMAIL_ADDRESS" and got["VerifiedForSendingStatus"] is True
    assert ses.v1.list_verified_email_addresses()["VerifiedEmailAddresses"] == ["me@example.com"]


def test_domain_tokens_and_admin_verification(ses: Ses) -> None:
    token = ses.v1.verify_domain_identity(Domain="example.org")["VerificationToken"]
    assert token
    dkim = ses.v1.verify_domain_dkim(Domain="example.org")["DkimTokens"]
    assert len(dkim) == 3
    created = ses.v2.create_email_identity(EmailIdentity="example.net")
    assert created["IdentityType"] == "DOMAIN" and len(created["DkimAttributes"]["Tokens"]) == 3
    assert created["VerifiedForSendingStatus"] is False
    with pytest.raises(ClientError) as caught:
        ses.v2.create_email_identity(EmailIdentity="example.net")
    assert caught.value.response["Error"]["Code"] == "AlreadyExistsException"
    ses.admin("POST", "/_gureum/ses/identities/verify", {"identity": "example.org", "accountId": ses.account})
    attrs = ses.v1.get_identity_verification_attributes(Identities=["example.org", "example.net"])
    expected = {"VerificationStatus": "Success", "VerificationToken": token}
    assert attrs["VerificationAttributes"]["example.org"] == expected
    assert attrs["VerificationAttributes"]["example.net"]["VerificationStatus"] == "Pending"
    dkim_attrs = ses.v1.get_identity_dkim_attributes(Identities=["example.org"])["DkimAttributes"]["example.org"]
    assert dkim_attrs["DkimVerificationStatus"] == "Success" and dkim_attrs["DkimTokens"] == dkim
    names = {i["IdentityName"]: i for i in ses.v2.list_email_identities()["EmailIdentities"]}
    assert names["example.org"]["VerificationStatus"] == "SUCCESS"
    assert ses.v1.list_identities(IdentityType="Domain")["Identities"] == ["example.net", "example.org"]


def test_delete_and_unknown_identities(ses: Ses) -> None:
    ses.v1.verify_email_identity(EmailAddress="gone@example.com")
    ses.v1.delete_identity(Identity="gone@example.com")
    ses.v1.delete_identity(Identity="never@example.com")  # SES v1 answers without an error
    assert ses.v1.list_identities()["Identities"] == []
    with pytest.raises(ClientError) as caught:
        ses.v2.get_email_identity(EmailIdentity="gone@example.com")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as caught:
        ses.v2.delete_email_identity(EmailIdentity="gone@example.com")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
    with pytest.raises(ClientError) as caught:
        ses.v1.verify_email_identity(EmailAddress="no-at-sign")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_v2_list_identities_in_the_older_get_form(ses: Ses) -> None:
    """Older SDKs and CLIs (botocore before 1.44) list SES v2 identities with GET /v2/email/identities and page with
    PageSize and NextToken in the query string: the pages come as they do for the current POST form."""
    for name in ("a.example.com", "b.example.com", "c.example.com"):
        ses.v2.create_email_identity(EmailIdentity=name)

    def get(query: str) -> dict[str, Any]:
        request = AWSRequest("GET", f"{ses.server.endpoint}/v2/email/identities{query}")
        SigV4Auth(Credentials(ses.account, "test"), "ses", "us-east-1").add_auth(request)
        answer = requests.get(request.url, headers=dict(request.headers), timeout=10)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    first = get("?PageSize=2")
    assert [i["IdentityName"] for i in first["EmailIdentities"]] == ["a.example.com", "b.example.com"]
    rest = get(f"?PageSize=2&NextToken={first['NextToken']}")
    assert [i["IdentityName"] for i in rest["EmailIdentities"]] == ["c.example.com"] and "NextToken" not in rest
    assert len(get("")["EmailIdentities"]) == 3


def test_lists_come_in_pages(ses: Ses) -> None:
    """v1 ListIdentities (MaxItems), ListTemplates (10 a page unless asked) and v2 ListEmailIdentities (PageSize)
    page with NextToken, as their paginators expect."""
    names = [f"{c}.pages.example.com" for c in "abc"]
    for name in names:
        ses.v1.verify_domain_identity(Domain=name)
    first = ses.v1.list_identities(MaxItems=2)
    rest = ses.v1.list_identities(MaxItems=2, NextToken=first["NextToken"])
    assert first["Identities"] + rest["Identities"] == names and "NextToken" not in rest
    pages = ses.v1.get_paginator("list_identities").paginate(PaginationConfig={"PageSize": 1})
    assert [i for page in pages for i in page["Identities"]] == names
    v2_first = ses.v2.list_email_identities(PageSize=2)
    assert len(v2_first["EmailIdentities"]) == 2 and "NextToken" in v2_first
    for i in range(12):
        ses.v1.create_template(Template={"TemplateName": f"t{i:02d}", "SubjectPart": "s", "TextPart": "x"})
    templates = ses.v1.list_templates()
    assert len(templates["TemplatesMetadata"]) == 10  # SES's default page of templates
    more = ses.v1.list_templates(NextToken=templates["NextToken"])
    assert len(more["TemplatesMetadata"]) == 2 and "NextToken" not in more
