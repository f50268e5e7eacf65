"""Log groups (a part of LogsBackend): create, delete, describe, deletion protection, KMS keys, retention, tags
(current and legacy); and what every part shares: ``Parts`` and finding a group by name, identifier or ARN."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from ...clock import Clock
from ...store.base import Store, Tx
from . import limits, store
from .errors import InvalidParameterException, TooManyTagsException, ValidationException, group_exists, no_group
from .paging import page_sorted

# logGroupIdentifier: a name, or an ARN with or without the trailing ":*"
_GROUP_ARN = re.compile(r"^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$")


class Parts:
    """The base of every part of LogsBackend: the store and the clock (set by LogsBackend)."""

    store: Store
    clock: Clock


def resolve_group_name(account: str, region: str, name: str | None, identifier: str | None) -> str:
    """The group a request names through logGroupName or logGroupIdentifier (exactly one of them)."""
    if name and identifier:
        raise InvalidParameterException("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if identifier:
        match = _GROUP_ARN.match(identifier)
        if match is None:
            if identifier.startswith("arn:"):
                raise InvalidParameterException(f"The log group identifier {identifier} is not valid.")
            return identifier
        arn_region, arn_account, group = match.groups()
        if (arn_region and arn_region != region) or arn_account != account:
            raise no_group()  # another account's or region's group is not visible here
        return group
    if not name:
        raise InvalidParameterException("Either logGroupName or logGroupIdentifier should be provided.")
    return name


def require_group(tx: Tx, account: str, region: str, name: str) -> store.Group:
    group = store.get_group(tx, account, region, name)
    if group is None:
        raise no_group()
    return group


def group_by_arn(tx: Tx, account: str, region: str, arn: str) -> store.Group:
    """A log group from a resource ARN (tagging operations)."""
    match = _GROUP_ARN.match(arn)
    if match is None:
        raise InvalidParameterException(
            f"Invalid resource arn: {arn}" if arn.startswith("arn:") else "Invalid resource arn"
        )
    arn_region, arn_account, name = match.groups()
    if arn_region != region or arn_account != account:
        raise no_group()
    return require_group(tx, account, region, name)


def describe_group(group: store.Group, stored_bytes: int, metric_filters: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "logGroupName": group.name,
        "creationTime": group.created_at,
        "metricFilterCount": metric_filters,
        "arn": group.arn + ":*",
        "storedBytes": stored_bytes,
        "logGroupClass": group.group_class,
        "logGroupArn": group.arn,
    }
    if group.retention_days is not None:
        out["retentionInDays"] = group.retention_days
    if group.kms_key:
        out["kmsKeyId"] = group.kms_key
    if group.deletion_protection:
        out["deletionProtectionEnabled"] = True
    return out


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > limits.MAX_TAGS:
        raise TooManyTagsException(f"A resource can have no more than {limits.MAX_TAGS} tags.")
    for key in tags:
        if key.lower().startswith("aws:"):
            raise InvalidParameterException("Tag keys prefixed with 'aws:' are reserved for AWS use.")


def _kms_target(tx: Tx, account: str, region: str, name: str | None, resource: str | None) -> store.Group:
    if name and resource:
        raise InvalidParameterException("logGroupName and resourceIdentifier are mutually exclusive parameters.")
    if resource:
        return group_by_arn(tx, account, region, resource)  # query-result ARNs: gureum has no Logs Insights
    if not name:
        raise InvalidParameterException("Either logGroupName or resourceIdentifier should be provided.")
    return require_group(tx, account, region, name)


class LogGroups(Parts):
    retention_wake: asyncio.Event  # set when a retention changes, so the sweeper expires events at once

    async def create_log_group(
        self,
        account: str,
        region: str,
        name: str,
        kms_key: str | None,
        group_class: str | None,
        deletion_protection: bool,
        tags: dict[str, str],
    ) -> None:
        if name.lower().startswith("aws/"):
            raise InvalidParameterException("Log groups starting with AWS/ are reserved for AWS.")
        check_tags(tags)
        group = store.Group(
            0,
            account,
            region,
            name,
            self.clock.now_ms(),
            None,
            kms_key,
            group_class or "STANDARD",
            deletion_protection,
            dict(tags),
        )

        def run(tx: Tx) -> None:
            if not store.insert_group(tx, group):
                raise group_exists()

        await self.store.write(run)

    async def delete_log_group(self, account: str, region: str, name: str) -> None:
        def run(tx: Tx) -> None:
            group = require_group(tx, account, region, name)
            if group.deletion_protection:
                raise ValidationException("Cannot delete log group with deletion protection enabled.")
            store.delete_group(tx, group.id)

        await self.store.write(run)

    async def describe_log_groups(
        self,
        account: str,
        region: str,
        prefix: str | None,
        pattern: str | None,
        identifiers: list[str] | None,
        group_class: str | None,
        token: str | None,
        limit: int | None,
    ) -> dict[str, Any]:
        """DescribeLogGroups' answer: {"logGroups", "nextToken"}."""
        if prefix and pattern:
            raise InvalidParameterException(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
            )
        if identifiers and (prefix or pattern):
            raise InvalidParameterException(
                "logGroupIdentifiers cannot be used with logGroupNamePrefix or logGroupNamePattern."
            )

        def read(tx: Tx) -> tuple[list[store.Group], str | None, dict[int, tuple[int, int]]]:
            groups = store.list_groups(tx, account, region, prefix or "")
            if pattern:
                groups = [g for g in groups if pattern in g.name]  # a case-sensitive substring
            if identifiers:
                wanted = {n.removesuffix(":*").rsplit(":log-group:", 1)[-1] for n in identifiers}
                groups = [g for g in groups if g.name in wanted]
            if group_class:
                groups = [g for g in groups if g.group_class == group_class]
            shown, next_token = page_sorted(groups, lambda g: g.name, token, limit)
            return shown, next_token, store.group_figures(tx, [g.id for g in shown])

        shown, next_token, figures = await self.store.read(read)
        described = [describe_group(g, *figures[g.id]) for g in shown]
        if pattern:  # "then only arn, creationTime, and logGroupName are included in the response"
            described = [{k: d[k] for k in ("logGroupName", "creationTime", "arn")} for d in described]
        return {"logGroups": described, "nextToken": next_token}

    async def put_deletion_protection(
        self, account: str, region: str, name: str | None, identifier: str | None, enabled: bool
    ) -> None:
        wanted = resolve_group_name(account, region, name, identifier)
        await self.store.write(
            lambda tx: store.set_deletion_protection(tx, require_group(tx, account, region, wanted).id, enabled)
        )

    async def associate_kms_key(
        self, account: str, region: str, name: str | None, resource: str | None, kms_key: str
    ) -> None:
        await self.store.write(
            lambda tx: store.set_kms_key(tx, _kms_target(tx, account, region, name, resource).id, kms_key)
        )

    async def disassociate_kms_key(self, account: str, region: str, name: str | None, resource: str | None) -> None:
        await self.store.write(
            lambda tx: store.set_kms_key(tx, _kms_target(tx, account, region, name, resource).id, None)
        )

    # --- retention --------------------------------------------------------------------------------------------

    async def put_retention_policy(self, account: str, region: str, name: str, days: int) -> None:
        if days not in limits.RETENTION_DAYS:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(str(d) for d in sorted(limits.RETENTION_DAYS))}]"
            )
        await self.store.write(lambda tx: store.set_retention(tx, require_group(tx, account, region, name).id, days))
        self.retention_wake.set()  # sweep now (on the leader, else within one sweep period)

    async def delete_retention_policy(self, account: str, region: str, name: str) -> None:
        await self.store.write(lambda tx: store.set_retention(tx, require_group(tx, account, region, name).id, None))

    # --- tags -------------------------------------------------------------------------------------------------

    async def tag_group_arn(self, account: str, region: str, arn: str, tags: dict[str, str]) -> None:
        await self._retag(lambda tx: group_by_arn(tx, account, region, arn), tags, [])

    async def untag_group_arn(self, account: str, region: str, arn: str, keys: list[str]) -> None:
        await self._retag(lambda tx: group_by_arn(tx, account, region, arn), {}, keys)

    async def group_arn_tags(self, account: str, region: str, arn: str) -> dict[str, str]:
        group = await self.store.read(lambda tx: group_by_arn(tx, account, region, arn))
        return group.tags

    async def tag_log_group(self, account: str, region: str, name: str, tags: dict[str, str]) -> None:
        await self._retag(lambda tx: require_group(tx, account, region, name), tags, [])

    async def untag_log_group(self, account: str, region: str, name: str, keys: list[str]) -> None:
        await self._retag(lambda tx: require_group(tx, account, region, name), {}, keys)

    async def list_tags_log_group(self, account: str, region: str, name: str) -> dict[str, str]:
        group = await self.store.read(lambda tx: require_group(tx, account, region, name))
        return group.tags

    async def _retag(self, find: Callable[[Tx], store.Group], add: dict[str, str], remove: list[str]) -> None:
        def run(tx: Tx) -> None:
            tx.lock("logs", str(find(tx).id))  # the group's tags are one document: its writers take turns …
            group = find(tx)  # … and read it once the lock is theirs
            tags = {k: v for k, v in group.tags.items() if k not in remove}
            tags.update(add)
            check_tags(tags)
            store.set_tags(tx, group.id, tags)

        await self.store.write(run)
