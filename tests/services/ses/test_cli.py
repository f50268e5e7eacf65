"""SES v1 and v2 through the AWS CLI, as a user types it: identities, sending, receipt rules, the suppression
list (the CLI's own parameter handling and output on top of the same server)."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.awscli import aws

from .conftest import Ses


def test_ses_and_sesv2_with_the_aws_cli(ses: Ses, unique: Callable[[str], str]) -> None:
    endpoint = ses.server.endpoint
    domain = f"{unique('cli')}.example.com"
    token = aws(endpoint, "ses", "verify-domain-identity", "--domain", domain)["VerificationToken"]
    assert token
    found = aws(endpoint, "ses", "get-identity-verification-attributes", "--identities", domain)
    assert found["VerificationAttributes"][domain] == {"VerificationStatus": "Pending", "VerificationToken": token}
    created = aws(endpoint, "sesv2", "create-email-identity", "--email-identity", f"ops@{domain}")
    assert created["IdentityType"] == "EMAIL_ADDRESS"
    listed = aws(endpoint, "sesv2", "list-email-identities")["EmailIdentities"]
    assert {i["IdentityName"] for i in listed} >= {domain, f"ops@{domain}"}

    rule_set = unique("cli-rules")
    aws(endpoint, "ses", "create-receipt-rule-set", "--rule-set-name", rule_set)
    rule = {"Name": "drop", "Enabled": True, "Recipients": [domain], "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}
    aws(endpoint, "ses", "create-receipt-rule", "--rule-set-name", rule_set, "--rule", json.dumps(rule))
    described = aws(endpoint, "ses", "describe-receipt-rule-set", "--rule-set-name", rule_set)
    assert described["Metadata"]["Name"] == rule_set
    assert described["Rules"][0]["Actions"] == [{"StopAction": {"Scope": "RuleSet"}}]
    aws(endpoint, "ses", "delete-receipt-rule-set", "--rule-set-name", rule_set)

    address = f"{unique('gone')}@example.org"
    aws(endpoint, "sesv2", "put-suppressed-destination", "--email-address", address, "--reason", "BOUNCE")
    got = aws(endpoint, "sesv2", "get-suppressed-destination", "--email-address", address)
    assert got["SuppressedDestination"]["Reason"] == "BOUNCE"
    aws(endpoint, "sesv2", "delete-suppressed-destination", "--email-address", address)

    quota = aws(endpoint, "ses", "get-send-quota")
    assert quota["Max24HourSend"] >= 200 and "SentLast24Hours" in quota
    account = aws(endpoint, "sesv2", "get-account")
    assert "SendQuota" in account and "SuppressionAttributes" in account
