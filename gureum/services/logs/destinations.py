"""Destinations (a part of LogsBackend): the logical destinations other accounts subscribe their log groups to
(PutDestination in front of a Kinesis data stream or a Firehose stream, PutDestinationPolicy with the access policy
PutSubscriptionFilter is checked against through gureum.policy, DescribeDestinations, DeleteDestination)."""

from __future__ import annotations

import re
from typing import Any

from ...policy import PolicyError, parse
from ...store.base import Tx
from . import store_subscriptions as sstore
from .errors import InvalidParameterException, ResourceNotFoundException, ServiceError
from .groups import Parts, check_tags
from .paging import page_sorted
from .subscriptions import parse_target


def describe_destination(d: sstore.Destination) -> dict[str, Any]:
    out: dict[str, Any] = {
        "destinationName": d.name,
        "targetArn": d.target_arn,
        "roleArn": d.role_arn,
        "arn": d.arn,
        "creationTime": d.created_at,
    }
    if d.access_policy is not None:
        out["accessPolicy"] = d.access_policy
    return out


_DESTINATION_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]*):(\d{12}):destination:([^:]+)$")


def destination_name(arn: str) -> str | None:
    """The destination a resource ARN names (TagResource and the other tagging operations), or None."""
    match = _DESTINATION_ARN.match(arn)
    return match.group(3) if match else None


def _no_destination() -> ServiceError:
    return ResourceNotFoundException("The specified destination does not exist.")


class Destinations(Parts):
    async def put_destination(
        self, account: str, region: str, name: str, target_arn: str, role_arn: str, tags: dict[str, str]
    ) -> dict[str, Any]:
        """PutDestination's destination (an existing one keeps its access policy)."""
        target = parse_target(target_arn)
        if target is None or target.kind not in ("kinesis", "firehose"):
            raise InvalidParameterException(
                f"Invalid targetArn {target_arn}: a destination delivers to a Kinesis data stream or a Firehose stream."
            )
        if target.account != account:
            raise InvalidParameterException("The destination's target must belong to the destination's account.")
        if any(key.lower().startswith("aws:") for key in tags):
            raise InvalidParameterException("Tag keys prefixed with 'aws:' are reserved for AWS use.")
        given = sstore.Destination(account, region, name, target_arn, role_arn, None, dict(tags), self.clock.now_ms())

        def run(tx: Tx) -> sstore.Destination:
            sstore.put_destination(tx, given)
            found = sstore.get_destination(tx, account, region, name)
            assert found is not None
            return found

        return describe_destination(await self.store.write(run))

    async def put_destination_policy(self, account: str, region: str, name: str, policy: str) -> None:
        try:
            parse(policy)
        except PolicyError as error:
            raise InvalidParameterException(f"Invalid access policy: {error}") from None

        def run(tx: Tx) -> None:
            if not sstore.set_destination_policy(tx, account, region, name, policy):
                raise _no_destination()

        await self.store.write(run)

    async def describe_destinations(
        self, account: str, region: str, prefix: str | None, token: str | None, limit: int | None
    ) -> dict[str, Any]:
        """DescribeDestinations' answer: {"destinations", "nextToken"}."""
        found = await self.store.read(lambda tx: sstore.list_destinations(tx, account, region))
        found = [d for d in found if d.name.startswith(prefix or "")]
        shown, next_token = page_sorted(found, lambda d: d.name, token, limit)
        return {"destinations": [describe_destination(d) for d in shown], "nextToken": next_token}

    async def retag_destination(
        self, account: str, region: str, arn: str, add: dict[str, str], remove: list[str]
    ) -> None:
        """TagResource and UntagResource on a destination's ARN."""
        match = _DESTINATION_ARN.match(arn)
        assert match is not None
        arn_region, arn_account, name = match.groups()

        def run(tx: Tx) -> None:
            tx.lock("logs-destination", f"{account}/{region}/{name}")  # the tags are one document: writers take turns
            found = sstore.get_destination(tx, account, region, name)
            if found is None or (arn_region, arn_account) != (region, account):
                raise _no_destination()
            tags = {k: v for k, v in found.tags.items() if k not in remove}
            tags.update(add)
            check_tags(tags)
            sstore.set_destination_tags(tx, account, region, name, tags)

        await self.store.write(run)

    async def destination_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        """ListTagsForResource on a destination's ARN."""
        match = _DESTINATION_ARN.match(arn)
        assert match is not None
        arn_region, arn_account, name = match.groups()
        found = await self.store.read(lambda tx: sstore.get_destination(tx, account, region, name))
        if found is None or (arn_region, arn_account) != (region, account):
            raise _no_destination()
        return found.tags

    async def delete_destination(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            if not sstore.delete_destination(tx, account, region, name):
                raise _no_destination()

        await self.store.write(run)
