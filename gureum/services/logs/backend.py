"""CloudWatch Logs' backend: one object (LogsBackend) whose methods take plain arguments, made of the parts in the
domain modules (groups, streams, events, metric filters, subscription filters, account policies, resource policies,
destinations); kept at start with the retention sweeper's wake-up and the subscriptions' Subscriber, and reached
through ``backend``."""

from __future__ import annotations

import asyncio

from ...aws.context import RequestContext
from ...runtime import Runtime
from . import SERVICE, retention
from .account_policies import AccountPolicies
from .destinations import Destinations
from .events import LogEvents
from .groups import LogGroups
from .metric_filters import MetricFilters
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
):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.clock = runtime.clock
        self.subscriber = runtime.keep(Subscriber(runtime))  # the "logs" target reaches it too
        self.retention_wake = asyncio.Event()


def backend(ctx: RequestContext) -> LogsBackend:
    return ctx.runtime.state(LogsBackend)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    logs = runtime.keep(LogsBackend(runtime))
    runtime.spawn(retention.sweep(runtime, logs.retention_wake), "logs-retention")
