"""Subscription filters (a part of LogsBackend): PutSubscriptionFilter (at most two per log group; the destination
checked with AWS's test message, a cross-account destination through its access policy), DescribeSubscriptionFilters,
DeleteSubscriptionFilter; and what PutAccountPolicy shares with them: checking where a subscription delivers."""

from __future__ import annotations

from typing import Any

from ...policy import Principal, Request, evaluate
from ...store.base import Tx
from . import limits, store
from . import store_subscriptions as sstore
from .errors import AccessDeniedException, InvalidParameterException, LimitExceededException, ResourceNotFoundException
from .events import compile_filter
from .groups import Parts, require_group
from .metric_filters import check_regex_quota
from .paging import page_sorted
from .subscriptions import Subscriber, parse_target

SUPPORTED_TARGETS = (
    "a Kinesis data stream, a Firehose stream or a Lambda function of this account, or a destination "
    "(arn:aws:logs:<region>:<account>:destination:<name>)"
)


def check_destination(
    tx: Tx, subscriber: Subscriber, account: str, region: str, arn: str, role_arn: str | None
) -> None:
    """AWS's checks of a subscription's destination ARN, then its test message (CONTROL_MESSAGE), in ``tx``."""
    target = parse_target(arn)
    if target is None:
        raise InvalidParameterException(f"Invalid destinationArn {arn}: it must name {SUPPORTED_TARGETS}.")
    if target.kind == "logs":
        if target.region != region:
            raise InvalidParameterException(
                f"The destination must be in the same region as the log group: {target.region} is not {region}."
            )
        found = sstore.get_destination(tx, target.account, target.region, target.name)
        if found is None:
            raise ResourceNotFoundException("The specified destination does not exist.")
        if target.account != account:  # another account's destination lets senders in through its access policy
            action = "logs:PutSubscriptionFilter"
            if not evaluate(found.access_policy, Request(Principal.root(account), action, found.arn)).allowed:
                raise AccessDeniedException(
                    f"User with accountId: {account} is not authorized to perform: {action} on resource: {found.arn}"
                )
        where = subscriber.resolve(tx, arn)
        assert where is not None  # a destination's target is checked by PutDestination
        subscriber.send_test(tx, *where)
        return
    if target.account != account:
        raise InvalidParameterException(
            f"The destination {arn} belongs to another account: deliver across accounts through a destination "
            "(PutDestination in that account)."
        )
    if target.kind in ("kinesis", "firehose") and not role_arn:
        raise InvalidParameterException(
            "A roleArn is required to deliver to a Kinesis data stream or a Firehose stream (the role CloudWatch Logs "
            "assumes to put records)."
        )
    subscriber.send_test(tx, target.kind, arn)


def describe_filter(group_name: str, sf: sstore.SubscriptionFilter) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filterName": sf.name,
        "logGroupName": group_name,
        "filterPattern": sf.pattern,
        "destinationArn": sf.destination_arn,
        "distribution": sf.distribution,
        "creationTime": sf.created_at,
    }
    if sf.role_arn:
        out["roleArn"] = sf.role_arn
    return out


class SubscriptionFilters(Parts):
    subscriber: Subscriber

    async def put_subscription_filter(
        self,
        account: str,
        region: str,
        group_name: str,
        name: str,
        pattern: str,
        destination_arn: str,
        role_arn: str | None,
        distribution: str | None,
        unsupported: dict[str, Any],
    ) -> None:
        """``unsupported``: members gureum cannot honour (log transformers, field selection, system fields) as given;
        any that asks for something is refused."""
        for member, value in unsupported.items():
            if value:
                raise InvalidParameterException(
                    f"{member} is not supported by gureum: subscriptions deliver the log events as they were put."
                )
        compiled = compile_filter(pattern)
        now = self.clock.now_ms()

        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, group_name)
            existing = sstore.list_subscription_filters(tx, group.id)
            if name not in {sf.name for sf in existing} and len(existing) >= limits.SUBSCRIPTION_FILTERS_PER_GROUP:
                raise LimitExceededException("Resource limit exceeded.")
            check_regex_quota(tx, group.id, "subscription", name, compiled)
            check_destination(tx, self.subscriber, account, region, destination_arn, role_arn)
            kept = sstore.SubscriptionFilter(
                group.id, name, pattern, destination_arn, role_arn, distribution or "ByLogStream", now
            )
            sstore.put_subscription_filter(tx, kept)

        await self.store.write(run)

    async def delete_subscription_filter(self, account: str, region: str, group_name: str, name: str) -> None:
        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, group_name)
            if not sstore.delete_subscription_filter(tx, group.id, name):
                raise ResourceNotFoundException("The specified subscription filter does not exist.")

        await self.store.write(run)

    async def describe_subscription_filters(
        self, account: str, region: str, group_name: str, prefix: str | None, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        """DescribeSubscriptionFilters' answer: {"subscriptionFilters", "nextToken"}."""

        def read(tx: Tx) -> tuple[store.Group, list[sstore.SubscriptionFilter], str | None]:
            group = require_group(tx, account, region, group_name)
            found = [sf for sf in sstore.list_subscription_filters(tx, group.id) if sf.name.startswith(prefix or "")]
            shown, next_token = page_sorted(found, lambda sf: sf.name, token, limit)
            return group, shown, next_token

        group, shown, next_token = await self.store.read(read)
        return {"subscriptionFilters": [describe_filter(group.name, sf) for sf in shown], "nextToken": next_token}
