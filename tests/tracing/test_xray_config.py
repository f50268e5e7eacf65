"""X-Ray's configuration end to end through boto3: sampling rules (created, changed, deleted, listed by priority
beside the Default rule, which may be changed but not deleted, and answered with quotas by GetSamplingTargets),
groups with their filter expressions, and the tags of both (Terraform's aws_xray_sampling_rule and aws_xray_group
use exactly these)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from ..expect import expect_error

RULE = {
    "RuleName": "api", "ResourceARN": "*", "Priority": 100, "FixedRate": 0.25, "ReservoirSize": 3,
    "ServiceName": "orders", "ServiceType": "*", "Host": "*", "HTTPMethod": "GET", "URLPath": "/api/*", "Version": 1,
}  # fmt: skip


def _client(aws: Callable[..., Any]) -> tuple[Any, str]:
    account = str(random.randrange(10**11, 10**12))  # an account of its own: the Default rule is per account
    return aws("xray", access_key=account), account


def test_sampling_rules(aws: Callable[..., Any]) -> None:
    xray, account = _client(aws)
    created = xray.create_sampling_rule(SamplingRule=RULE, Tags=[{"Key": "team", "Value": "a"}])["SamplingRuleRecord"]
    arn = f"arn:aws:xray:us-east-1:{account}:sampling-rule/api"
    assert created["SamplingRule"]["RuleARN"] == arn and created["SamplingRule"]["Attributes"] == {}
    expect_error(xray.create_sampling_rule, "InvalidRequestException", SamplingRule=RULE)
    expect_error(
        xray.create_sampling_rule, "InvalidRequestException", SamplingRule={**RULE, "RuleName": "v", "Version": 2}
    )
    rules = [r["SamplingRule"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]]
    assert [r["RuleName"] for r in rules] == ["api", "Default"] and rules[0]["FixedRate"] == 0.25
    updated = xray.update_sampling_rule(SamplingRuleUpdate={"RuleARN": arn, "FixedRate": 0.5, "Priority": 20})
    assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.5
    assert updated["SamplingRuleRecord"]["SamplingRule"]["ServiceName"] == "orders"
    xray.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.1})
    default = [
        r for r in xray.get_sampling_rules()["SamplingRuleRecords"] if r["SamplingRule"]["RuleName"] == "Default"
    ]
    assert default[0]["SamplingRule"]["FixedRate"] == 0.1 and default[0]["SamplingRule"]["Priority"] == 10000
    targets = xray.get_sampling_targets(
        SamplingStatisticsDocuments=[
            {"RuleName": name, "ClientID": "a" * 24, "Timestamp": time.time(), "RequestCount": 5, "SampledCount": 1}
            for name in ("api", "Default", "gone")
        ]
    )
    quotas = {t["RuleName"]: (t["FixedRate"], t["ReservoirQuota"]) for t in targets["SamplingTargetDocuments"]}
    assert quotas == {"api": (0.5, 3), "Default": (0.1, 1)}
    assert [u["RuleName"] for u in targets["UnprocessedStatistics"]] == ["gone"]
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    xray.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    xray.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    expect_error(xray.delete_sampling_rule, "InvalidRequestException", RuleName="Default")
    assert xray.delete_sampling_rule(RuleName="api")["SamplingRuleRecord"]["SamplingRule"]["RuleName"] == "api"
    expect_error(xray.delete_sampling_rule, "InvalidRequestException", RuleName="api")
    expect_error(xray.update_sampling_rule, "InvalidRequestException", SamplingRuleUpdate={"RuleName": "api"})
    expect_error(xray.list_tags_for_resource, "ResourceNotFoundException", status=404, ResourceARN=arn)
    assert [r["SamplingRule"]["RuleName"] for r in xray.get_sampling_rules()["SamplingRuleRecords"]] == ["Default"]


def test_groups(aws: Callable[..., Any]) -> None:
    xray, account = _client(aws)
    group = xray.create_group(
        GroupName="slow", FilterExpression="responsetime > 5", InsightsConfiguration={"InsightsEnabled": True},
        Tags=[{"Key": "a", "Value": "b"}],
    )["Group"]  # fmt: skip
    assert group["GroupARN"].startswith(f"arn:aws:xray:us-east-1:{account}:group/slow/")
    assert group["InsightsConfiguration"] == {"InsightsEnabled": True, "NotificationsEnabled": False}
    expect_error(xray.create_group, "InvalidRequestException", GroupName="slow")
    expect_error(xray.create_group, "InvalidRequestException", GroupName="bad", FilterExpression="responsetime >")
    assert xray.get_group(GroupARN=group["GroupARN"])["Group"] == group
    updated = xray.update_group(GroupName="slow", FilterExpression="responsetime > 9")["Group"]
    assert updated["FilterExpression"] == "responsetime > 9" and updated["GroupARN"] == group["GroupARN"]
    assert [g["GroupName"] for g in xray.get_groups()["Groups"]] == ["slow"]
    assert xray.list_tags_for_resource(ResourceARN=group["GroupARN"])["Tags"] == [{"Key": "a", "Value": "b"}]
    xray.delete_group(GroupName="slow")
    expect_error(xray.get_group, "InvalidRequestException", GroupName="slow")
    assert xray.get_groups()["Groups"] == []


def test_encryption_config(aws: Callable[..., Any]) -> None:
    # Terraform's aws_xray_encryption_config: put, read back, and back to NONE on destroy
    xray, _ = _client(aws)
    assert xray.get_encryption_config()["EncryptionConfig"] == {"Status": "ACTIVE", "Type": "NONE"}
    key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    put = xray.put_encryption_config(Type="KMS", KeyId=key)["EncryptionConfig"]
    assert put == {"KeyId": key, "Status": "ACTIVE", "Type": "KMS"}
    assert xray.get_encryption_config()["EncryptionConfig"] == put
    expect_error(xray.put_encryption_config, "InvalidRequestException", Type="KMS")
    expect_error(xray.put_encryption_config, "InvalidRequestException", Type="NONE", KeyId=key)
    xray.put_encryption_config(Type="NONE")
    assert xray.get_encryption_config()["EncryptionConfig"] == {"Status": "ACTIVE", "Type": "NONE"}


def test_resource_policies(aws: Callable[..., Any]) -> None:
    # Terraform's aws_xray_resource_policy: revisions count up, a stale or zero revision id is refused, at most 5
    xray, _ = _client(aws)
    doc = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},'
        ' "Action": "xray:PutTraceSegments", "Resource": "*"}]}'
    )
    made = xray.put_resource_policy(PolicyName="sns", PolicyDocument=doc)["ResourcePolicy"]
    assert made["PolicyName"] == "sns" and made["PolicyDocument"] == doc and made["PolicyRevisionId"] == "1"
    expect_error(xray.put_resource_policy, "InvalidPolicyRevisionIdException", PolicyName="sns", PolicyDocument=doc,
                 PolicyRevisionId="0")  # fmt: skip
    expect_error(xray.put_resource_policy, "InvalidPolicyRevisionIdException", PolicyName="sns", PolicyDocument=doc,
                 PolicyRevisionId="7")  # fmt: skip
    again = xray.put_resource_policy(PolicyName="sns", PolicyDocument=doc, PolicyRevisionId="1")["ResourcePolicy"]
    assert again["PolicyRevisionId"] == "2"
    listed = xray.list_resource_policies()["ResourcePolicies"]
    assert [(p["PolicyName"], p["PolicyRevisionId"]) for p in listed] == [("sns", "2")]
    expect_error(xray.put_resource_policy, "MalformedPolicyDocumentException", PolicyName="bad", PolicyDocument="{")
    expect_error(xray.put_resource_policy, "PolicySizeLimitExceededException", PolicyName="big",
                 PolicyDocument=doc.replace("*", "*" * 6000))  # fmt: skip
    for i in range(4):
        xray.put_resource_policy(PolicyName=f"p{i}", PolicyDocument=doc)
    expect_error(xray.put_resource_policy, "PolicyCountLimitExceededException", PolicyName="six", PolicyDocument=doc)
    expect_error(xray.delete_resource_policy, "InvalidPolicyRevisionIdException", PolicyName="sns",
                 PolicyRevisionId="1")  # fmt: skip
    xray.delete_resource_policy(PolicyName="sns", PolicyRevisionId="2")
    for i in range(4):
        xray.delete_resource_policy(PolicyName=f"p{i}")
    xray.delete_resource_policy(PolicyName="gone")  # nothing to delete is no error
    assert xray.list_resource_policies()["ResourcePolicies"] == []
