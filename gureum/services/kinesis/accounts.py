"""Account-wide rules: the shard and stream quotas (checked when limits are on) and the minimum throughput billing
commitment (DescribeAccountSettings / UpdateAccountSettings)."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import limits, store
from .errors import LimitExceededException
from .streams import ON_DEMAND


def check_quotas(tx: Tx, account: str, region: str, more_shards: int, new_stream_mode: str | None) -> None:
    """LimitExceededException when ``more_shards`` would pass the account's shard quota, or (a new stream in
    ``new_stream_mode``) the on-demand stream quota or the streams CREATING at once."""
    shards, on_demand, creating = store.account_counts(tx, account, region)
    limit = limits.shard_limit(region)
    if shards + more_shards > limit:
        raise LimitExceededException(
            f"This request would exceed the shard limit for the account {account} in {region}. "
            f"Current shard count for the account: {shards}. Limit: {limit}. Number of additional shards that "
            f"would have resulted from this request: {more_shards}. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how "
            "to request higher limits."
        )
    if new_stream_mode == ON_DEMAND and on_demand >= limits.ON_DEMAND_STREAM_LIMIT:
        raise LimitExceededException(
            f"This request would exceed the on-demand stream count limit for the account {account} in "
            f"{region}. Limit: {limits.ON_DEMAND_STREAM_LIMIT}."
        )
    if new_stream_mode is not None and creating >= limits.MAX_CREATING_STREAMS:
        raise LimitExceededException(
            f"Limit of {limits.MAX_CREATING_STREAMS} streams in the CREATING state exceeded "
            f"for the account {account} in {region}."
        )


def commitment_after(current: dict[str, Any] | None, status: str, now: float) -> dict[str, Any]:
    """The MinimumThroughputBillingCommitment after asking for ``status``: enabling starts one that lasts at least
    24 hours; disabling before then leaves it ENABLED_UNTIL_EARLIEST_ALLOWED_END."""
    current = current or {"Status": "DISABLED"}
    if status == "ENABLED":
        if current["Status"] == "ENABLED":
            return current
        return {"Status": "ENABLED", "StartedAt": now, "EarliestAllowedEndAt": now + limits.COMMITMENT_SECONDS}
    if current["Status"] == "DISABLED":
        return current
    if now < current.get("EarliestAllowedEndAt", 0):
        return {**current, "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}
    ended = {"Status": "DISABLED", "StartedAt": current.get("StartedAt"), "EndedAt": now}
    return {k: v for k, v in ended.items() if v is not None}


def commitment_enabled(tx: Tx, account: str, region: str) -> bool:
    commitment = store.account_settings(tx, account, region).get("commitment") or {}
    return commitment.get("Status") in ("ENABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
