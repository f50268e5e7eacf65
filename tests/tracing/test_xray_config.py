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
