"""Amazon CloudWatch Logs: log groups, streams, events, filter patterns, retention, tags, metric filters,
subscription filters, account-level subscription filter policies, destinations and saved Logs Insights query
definitions; and the "logs" delivery target
other services write their logs through (target.py)."""

from __future__ import annotations

from pathlib import Path

from ...aws.validate import Rules
from .. import Service

# constraint failures are InvalidParameterException ("1 validation error detected: …"), patterns included
SERVICE = Service(
    "logs",
    migrations=Path(__file__).parent / "migrations",
    validation=Rules(
        patterns=True,
        pattern_members=frozenset(
            {
                "logGroupName",
                "logGroupNamePrefix",
                "logStreamName",
                "logStreamNamePrefix",
                "filterName",
                "destinationName",
            }
        ),
        code="InvalidParameterException",
    ),
)

from . import ops_events, ops_groups, ops_metrics, ops_queries, ops_streams, ops_subscriptions  # noqa: E402,F401  (registers the operations)
from .target import TARGET  # noqa: E402

SERVICE.targets.append(TARGET)
