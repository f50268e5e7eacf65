"""SES v2's PutAccountDetails: the account's details kept and shown by GetAccount, production access asked for as
a review that AWS Support (gureum's admin endpoint) grants — the account stays in the sandbox until then; and
PutAccountVdmAttributes' settings kept and shown by GetAccount."""

from __future__ import annotations

from ._helpers import error
from .conftest import Ses


def test_put_account_details_opens_a_review_that_support_grants(ses: Ses) -> None:
    before = ses.v2.get_account()
    assert "Details" not in before and before["ProductionAccessEnabled"] is False
    ses.v2.put_account_details(
        MailType="TRANSACTIONAL",
        WebsiteURL="https://shop.example.com",
        ContactLanguage="EN",
        UseCaseDescription="Order receipts for our customers.",
        AdditionalContactEmailAddresses=["ops@example.com"],
        ProductionAccessEnabled=True,
    )
    asked = ses.v2.get_account()
    assert asked["ProductionAccessEnabled"] is False  # still in the sandbox while the review is pending
    assert asked["SendQuota"]["Max24HourSend"] == 200
    details = asked["Details"]
    review = details.pop("ReviewDetails")
    assert details == {
        "MailType": "TRANSACTIONAL",
        "WebsiteURL": "https://shop.example.com",
        "ContactLanguage": "EN",
        "UseCaseDescription": "Order receipts for our customers.",
        "AdditionalContactEmailAddresses": ["ops@example.com"],
    }
    assert review["Status"] == "PENDING" and review["CaseId"].isdigit()
    # the sandbox still applies
    ses.verify_email("acct@example.com")
    refused = error(
        lambda: ses.v2.send_email(
            FromEmailAddress="acct@example.com",
            Destination={"ToAddresses": ["someone@example.org"]},
            Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "y"}}}},
        )
    )
    assert refused["Code"] == "MessageRejected"
    # asking again while pending keeps the same case; AWS Support then grants it
    ses.v2.put_account_details(
        MailType="MARKETING", WebsiteURL="https://shop.example.com", ProductionAccessEnabled=True
    )
    again = ses.v2.get_account()["Details"]
    assert again["MailType"] == "MARKETING" and again["ReviewDetails"] == review
    ses.production(max_24=50000, rate=14)
    granted = ses.v2.get_account()
    assert granted["ProductionAccessEnabled"] is True
    assert granted["SendQuota"]["Max24HourSend"] == 50000 and granted["SendQuota"]["MaxSendRate"] == 14
    assert granted["Details"]["ReviewDetails"] == {"Status": "GRANTED", "CaseId": review["CaseId"]}


def test_put_account_details_without_production_access_opens_no_review(ses: Ses) -> None:
    ses.v2.put_account_details(MailType="MARKETING", WebsiteURL="https://news.example.com")
    details = ses.v2.get_account()["Details"]
    assert details == {"MailType": "MARKETING", "WebsiteURL": "https://news.example.com"}


def test_vdm_attributes_are_kept_and_shown(ses: Ses) -> None:
    # Terraform's aws_sesv2_account_vdm_attributes puts them and reads them back from GetAccount
    assert "VdmAttributes" not in ses.v2.get_account()
    attributes = {
        "VdmEnabled": "ENABLED",
        "DashboardAttributes": {"EngagementMetrics": "ENABLED"},
        "GuardianAttributes": {"OptimizedSharedDelivery": "DISABLED"},
    }
    ses.v2.put_account_vdm_attributes(VdmAttributes=attributes)
    assert ses.v2.get_account()["VdmAttributes"] == attributes
    ses.v2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "DISABLED"})
    assert ses.v2.get_account()["VdmAttributes"] == {"VdmEnabled": "DISABLED"}
    bad = error(lambda: ses.v2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "SOMETIMES"}))
    assert bad["Code"] == "BadRequestException"
