"""CloudWatch Logs' backend: one object (LogsBackend) whose methods take plain arguments, made of the parts in the
domain modules (groups, streams, events, metric filters, subscription filters, account policies, resource policies,
destinations, query definitions); kept at start with the retention sweeper's wake-up and the subscriptions'
Subscriber, and reached through ``backend``."""

from __future__ import annotations

import asyncio

from ...aws.context import RequestContext
from ...runtime import Runtime
from . import SERVICE, retention
from .account_policies import AccountPolicies
from .destinations import Destinations, destination_name
from .events import LogEvents
from .groups import LogGroups
from .metric_filters import MetricFilters
from .query_definitions import QueryDefinitions
from .resource_policies import ResourcePolicies
from .streams import LogStreams
from .subscription_filters import SubscriptionFilters
from .subscriptions import Subscriber


class LogsBackend(
    LogGroups,
    LogStreams,
    LogEvents,
    MetricFilters,
    SubscriptionFilters,
    AccountPolicies,
    ResourcePolicies,
    Destinations,
    QueryDefinitions,
):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.subscriber = runtime.keep(Subscriber(runtime))  # the "logs" target reaches it too
        self.retention_wake = asyncio.Event()

    # TagResource, UntagResource and ListTagsForResource take a log group's or a destination's ARN

    async def tag_resource(self, account: str, region: str, arn: str, tags: dict[str, str]) -> None:
        if destination_name(arn) is not None:
            await self.retag_destination(account, region, arn, tags, [])
        else:
            await self.tag_group_arn(account, region, arn, tags)

    async def untag_resource(self, account: str, region: str, arn: str, keys: list[str]) -> None:
        if destination_name(arn) is not None:
            await self.retag_destination(account, region, arn, {}, keys)
        else:
            await self.untag_group_arn(account, region, arn, keys)

    async def list_tags_for_resource(self, account: str, region: str, arn: str) -> dict[str, str]:
        if destination_name(arn) is not None:
            return await self.destination_tags(account, region, arn)
        return await self.group_arn_tags(account, region, arn)


def backend(ctx: RequestContext) -> LogsBackend:
    return ctx.runtime.state(LogsBackend)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    logs = runtime.keep(LogsBackend(runtime))
    runtime.spawn(retention.sweep(runtime, logs.retention_wake), "logs-retention")
