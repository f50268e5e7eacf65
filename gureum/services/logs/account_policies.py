"""Account-level subscription filter policies (a part of LogsBackend): PutAccountPolicy / DescribeAccountPolicies /
DeleteAccountPolicy with policyType SUBSCRIPTION_FILTER_POLICY (one per account and region, every log group but those
its selectionCriteria "LogGroupName NOT IN [...]" leaves out). Other policy types are refused by name."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import limits
from . import store_subscriptions as sstore
from .errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from .events import compile_filter
from .groups import Parts
from .subscription_filters import check_destination
from .subscriptions import Subscriber, parse_selection, policy_settings


def _supported(policy_type: str) -> None:
    if policy_type != limits.SUBSCRIPTION_POLICY:
        raise InvalidParameterException(
            f"policyType {policy_type} is not supported by gureum: {limits.SUBSCRIPTION_POLICY} is."
        )


def describe_policy(policy: sstore.AccountPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "policyName": policy.name,
        "policyDocument": policy.document,
        "lastUpdatedTime": policy.updated_at,
        "policyType": policy.policy_type,
        "scope": policy.scope,
        "accountId": policy.account,
    }
    if policy.selection is not None:
        out["selectionCriteria"] = policy.selection
    return out


class AccountPolicies(Parts):
    subscriber: Subscriber

    async def put_account_policy(
        self,
        account: str,
        region: str,
        name: str,
        document: str,
        policy_type: str,
        scope: str | None,
        selection: str | None,
    ) -> dict[str, Any]:
        """PutAccountPolicy's accountPolicy."""
        _supported(policy_type)
        parse_selection(selection)
        settings = policy_settings(document)
        compile_filter(settings["FilterPattern"])
        policy = sstore.AccountPolicy(
            account, region, policy_type, name, document, scope or "ALL", selection, self.clock.now_ms()
        )

        def run(tx: Tx) -> None:
            existing = sstore.list_account_policies(tx, account, region, policy_type)
            if name not in {p.name for p in existing} and len(existing) >= limits.SUBSCRIPTION_POLICIES_PER_ACCOUNT:
                raise LimitExceededException(
                    f"An account can have at most {limits.SUBSCRIPTION_POLICIES_PER_ACCOUNT} subscription filter "
                    "policy."
                )
            check_destination(tx, self.subscriber, account, region, settings["DestinationArn"], settings["RoleArn"])
            sstore.put_account_policy(tx, policy)

        await self.store.write(run)
        return describe_policy(policy)

    async def describe_account_policies(
        self, account: str, region: str, policy_type: str, name: str | None, accounts: list[str] | None
    ) -> dict[str, Any]:
        """DescribeAccountPolicies' answer: {"accountPolicies"} (only the caller's own account is visible)."""
        _supported(policy_type)
        if accounts and account not in accounts:
            return {"accountPolicies": []}
        found = await self.store.read(lambda tx: sstore.list_account_policies(tx, account, region, policy_type))
        if name is not None:
            found = [p for p in found if p.name == name]
            if not found:
                raise ResourceNotFoundException(f"Policy with name [{name}] does not exist.")
        return {"accountPolicies": [describe_policy(p) for p in found]}

    async def delete_account_policy(self, account: str, region: str, name: str, policy_type: str) -> None:
        _supported(policy_type)

        def run(tx: Tx) -> None:
            if not sstore.delete_account_policy(tx, account, region, policy_type, name):
                raise ResourceNotFoundException(f"Policy with name [{name}] does not exist.")

        await self.store.write(run)
