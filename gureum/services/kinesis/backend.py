"""KinesisBackend: every Kinesis behaviour over the store, one method per operation with plain arguments, called
alike by the operations (ops_*.py), the "kinesis" delivery target and maintenance; kept by the start hook and
reached with backend(ctx).

Writes of records take the next indexes of their shard with one UPDATE … RETURNING (a row lock on PostgreSQL, so
indexes follow commit order) and insert the records in the same transaction: a record acknowledged is committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import iterators, lifecycle, limits, records, store
from .errors import (
    ExpiredIteratorException,
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceError,
    ValidationException,
    consumer_not_found,
    invalid_iterator,
    no_such_shard,
    not_active,
    rate_exceeded,
    shard_not_found,
)
from .records import Incoming
from .shards import Router, Shard, listed, parse_shard_id, shard_id
from .streams import (
    ACTIVE,
    CREATING,
    DELETING,
    ON_DEMAND,
    PROVISIONED,
    UPDATING,
    Consumer,
    Named,
    ShardsPage,
    Stream,
    after_token,
    check_policy,
    check_retention,
    check_tags,
    consumer_arn,
    describe,
    expand_metrics,
    list_entry,
    locate,
    not_found,
    ordered_metrics,
    parse_consumer_arn,
    parse_stream_arn,
    read_after_token,
    summary,
)
from .throughput import Throughput

T = TypeVar("T")


def backend(ctx: RequestContext) -> KinesisBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(KinesisBackend)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _same_second(given: float | None, created_at: float) -> bool:
    """StreamCreationTimestamp names this stream (clients such as boto3 send it in whole seconds)."""
    return given is None or int(given) == int(created_at)


def _epoch(value: dt.datetime | float | None) -> float | None:
    if value is None or isinstance(value, float):
        return value
    return value.timestamp()


class KinesisBackend:
    """Kinesis over one store and clock. Methods named for an operation check and do what it does."""

    def __init__(self, store_: Store, clock: Clock, settings: limits.Settings, deployment_secret: str) -> None:
        self.store = store_
        self.clock = clock
        self.settings = settings
        self.key = iterators.iterator_key(deployment_secret)
        self.throughput = Throughput(clock) if settings.limits else None
        self.wake = asyncio.Event()  # maintenance: a change was scheduled
        self.store.subscribe(lifecycle.CHANNEL, lambda _payload: self.wake.set())

    def forget(self) -> None:
        """After every table was emptied (POST /_gureum/reset)."""
        if self.throughput is not None:
            self.throughput.forget()

    # --- finding streams ---------------------------------------------------------------------------------------

    @staticmethod
    def _stream(tx: Tx, named: Named) -> Stream:
        stream = store.get_stream(tx, named.account, named.region, named.name)
        if stream is None:
            raise not_found(named)
        return stream

    @staticmethod
    def _active(stream: Stream) -> Stream:
        if stream.status != ACTIVE:
            raise not_active(stream.name, stream.account, stream.status)
        return stream

    async def _on_stream(self, named: Named, fn: Callable[[Tx, Stream], T], *, write: bool = True) -> T:
        def run(tx: Tx) -> T:
            return fn(tx, self._stream(tx, named))

        return await (self.store.write(run) if write else self.store.read(run))

    def _begin(self, tx: Tx, stream: Stream, pending: dict[str, Any], status: str = UPDATING) -> Stream:
        return lifecycle.begin(tx, stream, status, pending, self.clock.now(), self.settings.delay)

    # --- streams -------------------------------------------------------------------------------------------------

    async def create_stream(
        self,
        account: str,
        region: str,
        name: str,
        shard_count: int | None,
        mode: str | None,
        tags: dict[str, str] | None,
        max_record_kib: int | None,
        warm_mibps: int | None,
    ) -> None:
        mode = mode or PROVISIONED
        if mode == ON_DEMAND and shard_count is not None:
            raise ValidationException("ShardCount is not expected when StreamMode=ON_DEMAND")
        count = limits.ON_DEMAND_SHARDS if mode == ON_DEMAND else shard_count or limits.DEFAULT_PROVISIONED_SHARDS
        if count > limits.MAX_STREAM_SHARDS:
            raise LimitExceededException(
                f"ShardCount {count} is greater than the {limits.MAX_STREAM_SHARDS} shards a stream can have."
            )
        check_tags(name, account, tags or {})
        now = round(self.clock.now(), 3)  # as clients see it (milliseconds): StreamCreationTimestamp compares equal

        def run(tx: Tx) -> None:
            if store.get_stream(tx, account, region, name) is not None:
                raise ResourceInUseException(f"Stream {name} under account {account} already exists.")
            if self.settings.limits:
                self._check_quotas(tx, account, region, count, mode)
            stream = Stream(
                0, account, region, name, now, CREATING, mode, limits.RETENTION_HOURS_DEFAULT, "NONE", None, (),
                dict(tags or {}), None, max_record_kib or limits.MAX_RECORD_KIB_DEFAULT,
                warm_mibps if mode == ON_DEMAND else None, 0, None, None,
            )  # fmt: skip
            stream_id = store.insert_stream(tx, stream)
            if stream_id is None:
                raise ResourceInUseException(f"Stream {name} under account {account} already exists.")
            stream = dataclasses.replace(stream, id=stream_id)
            self._begin(tx, stream, {"op": "create", "shards": count}, CREATING)

        await self.store.write(run)

    @staticmethod
    def _check_quotas(tx: Tx, account: str, region: str, more_shards: int, mode: str | None) -> None:
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
        if mode == ON_DEMAND and on_demand >= limits.ON_DEMAND_STREAM_LIMIT:
            raise LimitExceededException(
                f"This request would exceed the on-demand stream count limit for the account {account} in "
                f"{region}. Limit: {limits.ON_DEMAND_STREAM_LIMIT}."
            )
        if mode is not None and creating >= limits.MAX_CREATING_STREAMS:
            raise LimitExceededException(
                f"Limit of {limits.MAX_CREATING_STREAMS} streams in the CREATING state exceeded "
                f"for the account {account} in {region}."
            )

    async def delete_stream(self, account: str, region: str, name: str | None, arn: str | None, force: bool) -> None:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> None:
            if stream.status == DELETING:
                raise not_found(named)
            if stream.status == CREATING:
                raise not_active(stream.name, stream.account, stream.status)
            if not force and store.consumer_counts(tx, stream.id)[0]:
                raise ResourceInUseException(
                    f"Stream {stream.name} under account {stream.account} has registered consumers. Deregister "
                    "them, or set EnforceConsumerDeletion, to delete the stream."
                )
            self._begin(tx, stream, {"op": "delete"}, DELETING)

        await self._on_stream(named, run)

    async def describe_stream(
        self, account: str, region: str, name: str | None, arn: str | None, limit: int | None, after: str | None
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        start = parse_shard_id(after) if after else None
        if after and start is None:
            raise no_such_shard(after, named.name, named.account)
        return await self._on_stream(
            named, lambda tx, s: describe(s, store.shards(tx, s.id), limit, start), write=False
        )

    async def describe_stream_summary(
        self, account: str, region: str, name: str | None, arn: str | None
    ) -> dict[str, Any]:
        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            open_shards = sum(1 for s in store.shards(tx, stream.id) if s.open)
            return summary(stream, open_shards, store.consumer_counts(tx, stream.id)[0])

        return await self._on_stream(locate(account, region, name, arn), run, write=False)

    async def list_streams(
        self, account: str, region: str, limit: int | None, start: str | None, token: str | None
    ) -> dict[str, Any]:
        after = read_after_token(token, None) if token else start or ""
        page = min(limit or limits.LIST_STREAMS_DEFAULT, limits.LIST_STREAMS_DEFAULT)
        found = await self.store.read(lambda tx: store.list_streams(tx, account, region, after, page + 1))
        more = len(found) > page
        found = found[:page]
        out: dict[str, Any] = {
            "StreamNames": [s.name for s in found],
            "HasMoreStreams": more,
            "StreamSummaries": [list_entry(s) for s in found],
        }
        if more:
            out["NextToken"] = after_token(found[-1].name, self.clock.now())
        return out

    async def update_stream_mode(self, arn: str, mode: str, warm_mibps: int | None) -> None:
        named = locate("", "", None, arn)

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            if warm_mibps is not None and mode == ON_DEMAND:
                stream = dataclasses.replace(stream, warm_mibps=warm_mibps)
            self._begin(tx, stream, {"op": "mode", "mode": mode})

        await self._on_stream(named, run)

    async def update_max_record_size(self, arn: str | None, kib: int) -> None:
        named = locate("", "", None, arn)

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            self._begin(tx, dataclasses.replace(stream, max_record_kib=kib), {"op": "settle"})

        await self._on_stream(named, run)

    async def update_stream_warm_throughput(
        self, account: str, region: str, name: str | None, arn: str | None, mibps: int
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            self._active(stream)
            if stream.mode != ON_DEMAND:
                raise InvalidArgumentException(
                    f"Warm throughput is only supported for on-demand streams; stream {stream.name} under account "
                    f"{stream.account} is in {stream.mode} mode."
                )
            commitment = store.account_settings(tx, stream.account, stream.region).get("commitment") or {}
            if commitment.get("Status") not in ("ENABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END"):
                raise InvalidArgumentException(
                    "Warm throughput requires MinimumThroughputBillingCommitment to be enabled for the account "
                    f"{stream.account}."
                )
            self._begin(tx, dataclasses.replace(stream, warm_mibps=mibps), {"op": "settle"})
            return {
                "StreamARN": stream.arn,
                "StreamName": stream.name,
                "WarmThroughput": {"TargetMiBps": mibps, "CurrentMiBps": stream.warm_mibps or 0},
            }

        return await self._on_stream(named, run)

    async def change_retention(
        self, account: str, region: str, name: str | None, arn: str | None, hours: int, increase: bool
    ) -> None:
        named = locate(account, region, name, arn)
        check_retention(hours)

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            current = stream.retention_hours
            if increase and hours < current:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter than "
                    f"existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
                )
            if not increase and hours > current:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer than "
                    f"existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
                )
            store.update_stream(tx, dataclasses.replace(stream, retention_hours=hours))

        await self._on_stream(named, run)

    async def set_encryption(
        self, account: str, region: str, name: str | None, arn: str | None, kind: str, key_id: str, start: bool
    ) -> None:
        named = locate(account, region, name, arn)
        if kind != "KMS":
            raise InvalidArgumentException(f"Invalid EncryptionType {kind}. Only KMS is supported.")

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            if start:
                changed = dataclasses.replace(stream, encryption="KMS", key_id=key_id)
            else:
                changed = dataclasses.replace(stream, encryption="NONE", key_id=None)
            self._begin(tx, changed, {"op": "settle"})

        await self._on_stream(named, run)

    async def set_monitoring(
        self, account: str, region: str, name: str | None, arn: str | None, metrics: list[str], enable: bool
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        given = expand_metrics(metrics)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            self._active(stream)
            current = set(stream.metrics)
            desired = current | given if enable else current - given
            store.update_stream(tx, dataclasses.replace(stream, metrics=ordered_metrics(desired)))
            return {
                "StreamName": stream.name,
                "StreamARN": stream.arn,
                "CurrentShardLevelMetrics": list(ordered_metrics(current)),
                "DesiredShardLevelMetrics": list(ordered_metrics(desired)),
            }

        return await self._on_stream(named, run)

    async def describe_limits(self, account: str, region: str) -> dict[str, Any]:
        shards, on_demand, _creating = await self.store.read(lambda tx: store.account_counts(tx, account, region))
        return {
            "ShardLimit": limits.shard_limit(region),
            "OpenShardCount": shards,
            "OnDemandStreamCount": on_demand,
            "OnDemandStreamCountLimit": limits.ON_DEMAND_STREAM_LIMIT,
        }

    async def describe_account_settings(self, account: str, region: str) -> dict[str, Any]:
        settings = await self.store.read(lambda tx: store.account_settings(tx, account, region))
        return {"MinimumThroughputBillingCommitment": settings.get("commitment") or {"Status": "DISABLED"}}

    async def update_account_settings(self, account: str, region: str, status: str) -> dict[str, Any]:
        now = self.clock.now()

        def run(tx: Tx) -> dict[str, Any]:
            settings = store.account_settings(tx, account, region)
            current = settings.get("commitment") or {"Status": "DISABLED"}
            if status == "ENABLED":
                if current["Status"] == "ENABLED":
                    commitment = current
                else:
                    commitment = {
                        "Status": "ENABLED",
                        "StartedAt": now,
                        "EarliestAllowedEndAt": now + limits.COMMITMENT_SECONDS,
                    }
            elif current["Status"] == "DISABLED":
                commitment = current
            elif now < current.get("EarliestAllowedEndAt", 0):
                commitment = {**current, "Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END"}
            else:
                commitment = {"Status": "DISABLED", "StartedAt": current.get("StartedAt"), "EndedAt": now}
            settings["commitment"] = {k: v for k, v in commitment.items() if v is not None}
            store.put_account_settings(tx, account, region, settings)
            return {"MinimumThroughputBillingCommitment": settings["commitment"]}

        return await self.store.write(run)

    # --- tags and resource policies ------------------------------------------------------------------------------

    async def add_tags(
        self, account: str, region: str, name: str | None, arn: str | None, tags: dict[str, str]
    ) -> None:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> None:
            if stream.status in (CREATING, DELETING):
                raise not_active(stream.name, stream.account, stream.status)
            merged = {**stream.tags, **tags}
            check_tags(stream.name, stream.account, merged)
            store.update_stream(tx, dataclasses.replace(stream, tags=merged))

        await self._on_stream(named, run)

    async def remove_tags(self, account: str, region: str, name: str | None, arn: str | None, keys: list[str]) -> None:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> None:
            if stream.status in (CREATING, DELETING):
                raise not_active(stream.name, stream.account, stream.status)
            kept = {k: v for k, v in stream.tags.items() if k not in set(keys)}
            store.update_stream(tx, dataclasses.replace(stream, tags=kept))

        await self._on_stream(named, run)

    async def list_tags_for_stream(
        self, account: str, region: str, name: str | None, arn: str | None, start: str | None, limit: int | None
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        stream = await self._on_stream(named, lambda tx, s: s, write=False)
        keys = sorted(k for k in stream.tags if start is None or k > start)
        page = limit or limits.LIST_TAGS_DEFAULT
        return {
            "Tags": [{"Key": k, "Value": stream.tags[k]} for k in keys[:page]],
            "HasMoreTags": len(keys) > page,
        }

    async def _on_resource(
        self, account: str, arn: str, fn: Callable[[Tx, Stream, Consumer | None], T], *, write: bool = True
    ) -> T:
        """Run fn(tx, stream, consumer) with the stream (and consumer) a resource ARN names."""
        consumer_named = parse_consumer_arn(arn)
        named = consumer_named[0] if consumer_named else parse_stream_arn(arn)
        if named is None:
            raise InvalidArgumentException(f"Invalid ResourceARN {arn}")

        def run(tx: Tx) -> T:
            stream = self._stream(tx, named)
            consumer = None
            if consumer_named is not None:
                consumer = store.get_consumer(tx, stream.id, consumer_named[1])
                if consumer is None or consumer.arn != arn:
                    raise consumer_not_found(arn, named.account)
            return fn(tx, stream, consumer)

        return await (self.store.write(run) if write else self.store.read(run))

    async def tag_resource(self, account: str, arn: str, tags: dict[str, str]) -> None:
        def run(tx: Tx, stream: Stream, consumer: Consumer | None) -> None:
            if consumer is not None:
                merged = {**consumer.tags, **tags}
                check_tags(consumer.name, stream.account, merged)
                store.update_consumer(tx, dataclasses.replace(consumer, tags=merged))
                return
            if stream.status in (CREATING, DELETING):
                raise not_active(stream.name, stream.account, stream.status)
            merged = {**stream.tags, **tags}
            check_tags(stream.name, stream.account, merged)
            store.update_stream(tx, dataclasses.replace(stream, tags=merged))

        await self._on_resource(account, arn, run)

    async def untag_resource(self, account: str, arn: str, keys: list[str]) -> None:
        gone = set(keys)

        def run(tx: Tx, stream: Stream, consumer: Consumer | None) -> None:
            if consumer is not None:
                kept = {k: v for k, v in consumer.tags.items() if k not in gone}
                store.update_consumer(tx, dataclasses.replace(consumer, tags=kept))
            else:
                store.update_stream(
                    tx, dataclasses.replace(stream, tags={k: v for k, v in stream.tags.items() if k not in gone})
                )

        await self._on_resource(account, arn, run)

    async def list_tags_for_resource(self, account: str, arn: str) -> list[dict[str, str]]:
        tags = await self._on_resource(account, arn, lambda tx, s, c: (c or s).tags, write=False)
        return [{"Key": k, "Value": tags[k]} for k in sorted(tags)]

    async def put_resource_policy(self, account: str, arn: str, policy: str) -> None:
        check_policy(policy)

        def run(tx: Tx, stream: Stream, consumer: Consumer | None) -> None:
            if consumer is not None:
                store.update_consumer(tx, dataclasses.replace(consumer, policy=policy))
            else:
                store.update_stream(tx, dataclasses.replace(stream, policy=policy))

        await self._on_resource(account, arn, run)

    async def get_resource_policy(self, account: str, arn: str) -> str:
        policy = await self._on_resource(account, arn, lambda tx, s, c: (c or s).policy, write=False)
        return policy or "{}"

    async def delete_resource_policy(self, account: str, arn: str) -> None:
        def run(tx: Tx, stream: Stream, consumer: Consumer | None) -> None:
            if (consumer or stream).policy is None:
                raise ResourceNotFoundException(f"No resource policy found for resource ARN {arn}.")
            if consumer is not None:
                store.update_consumer(tx, dataclasses.replace(consumer, policy=None))
            else:
                store.update_stream(tx, dataclasses.replace(stream, policy=None))

        await self._on_resource(account, arn, run)

    # --- shards --------------------------------------------------------------------------------------------------

    async def list_shards(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        token: str | None,
        exclusive_start: str | None,
        max_results: int | None,
        created: dt.datetime | None,
        shard_filter: dict[str, Any] | None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        page = min(max_results or limits.LIST_SHARDS_DEFAULT, limits.LIST_SHARDS_DEFAULT)
        if token:
            clashing: dict[str, object] = {
                "StreamName": name,
                "StreamARN": arn,
                "ExclusiveStartShardId": exclusive_start,
                "ShardFilter": shard_filter,
                "StreamCreationTimestamp": created,
            }
            for member, value in clashing.items():
                if value is not None:  # as AWS answers (boto3's ListShards paginator trips on it there too)
                    raise InvalidArgumentException(f"NextToken and {member} cannot be provided together.")
            continued = ShardsPage.read(token, now)
            named, kind, at = continued.named, continued.kind, continued.at
            after: int | None = continued.after
        else:
            named = locate(account, region, name, arn)
            after = None
            if exclusive_start:
                after = parse_shard_id(exclusive_start)
                if after is None:
                    raise no_such_shard(exclusive_start, named.name, named.account)
            kind, at = None, None
            if shard_filter:
                kind = shard_filter["Type"]
                if kind == "AFTER_SHARD_ID":
                    given = shard_filter.get("ShardId")
                    if not given:
                        raise InvalidArgumentException(
                            "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID"
                        )
                    index = parse_shard_id(given)
                    if index is None:
                        raise no_such_shard(given, named.name, named.account)
                    after = max(after if after is not None else -1, index)
                elif kind in ("AT_TIMESTAMP", "FROM_TIMESTAMP"):
                    if shard_filter.get("Timestamp") is None:
                        raise InvalidArgumentException(
                            "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"
                        )
                    at = _epoch(shard_filter["Timestamp"])
        created_at = _epoch(created)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            if not _same_second(created_at, stream.created_at):
                raise not_found(named)
            if stream.status == CREATING:
                raise not_active(stream.name, stream.account, stream.status)
            trim_horizon = max(now - stream.retention_hours * self.settings.hour_seconds, stream.created_at)
            found = listed(store.shards(tx, stream.id), kind, after=after, at=at, trim_horizon=trim_horizon, now=now)
            out: dict[str, Any] = {"Shards": [s.describe() for s in found[:page]]}
            if len(found) > page:
                out["NextToken"] = ShardsPage(named, found[page - 1].index, kind, at).token(now)
            return out

        return await self._on_stream(named, run, write=False)

    def _shard_of(self, tx: Tx, stream: Stream, given: str) -> Shard:
        """The shard SplitShard / MergeShards names."""
        index = parse_shard_id(given)
        found = store.shard(tx, stream.id, index) if index is not None else None
        if found is None:
            raise no_such_shard(shard_id(index) if index is not None else given, stream.name, stream.account)
        return found

    async def split_shard(
        self, account: str, region: str, name: str | None, arn: str | None, shard: str, new_start: str
    ) -> None:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            self._provisioned(stream)
            parent = self._shard_of(tx, stream, shard)
            key = int(new_start)
            if not (parent.start + 1 < key < parent.end):
                raise InvalidArgumentException(
                    f"NewStartingHashKey {new_start} used in SplitShard() on shard {parent.id} in stream "
                    f"{stream.name} under account {stream.account} is not both greater than one plus the shard's "
                    f"StartingHashKey {parent.start} and less than the shard's EndingHashKey {parent.end}."
                )
            if not parent.open:
                raise self._closed(parent, stream)
            if self.settings.limits:
                self._check_quotas(tx, stream.account, stream.region, 1, None)
            self._begin(tx, stream, {"op": "split", "shard": parent.index, "key": str(key)})

        await self._on_stream(named, run)

    @staticmethod
    def _closed(shard: Shard, stream: Stream) -> ServiceError:
        return InvalidArgumentException(
            f"Shard {shard.id} in stream {stream.name} under account {stream.account} has already been merged or "
            "split, and thus is not eligible for merging or splitting."
        )

    @staticmethod
    def _provisioned(stream: Stream) -> None:
        if stream.mode == ON_DEMAND:
            raise ValidationException(
                f"Request is invalid. Stream {stream.name} under account {stream.account} is in On-Demand mode."
            )

    async def merge_shards(
        self, account: str, region: str, name: str | None, arn: str | None, shard: str, adjacent: str
    ) -> None:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> None:
            self._active(stream)
            self._provisioned(stream)
            first, second = self._shard_of(tx, stream, shard), self._shard_of(tx, stream, adjacent)
            for one in (first, second):
                if not one.open:
                    raise self._closed(one, stream)
            if first.end + 1 != second.start:
                raise InvalidArgumentException(
                    f"Shards {first.id} and {second.id} in stream {stream.name} under account {stream.account} "
                    "are not an adjacent pair of shards eligible for merging"
                )
            self._begin(tx, stream, {"op": "merge", "shard": first.index, "adjacent": second.index})

        await self._on_stream(named, run)

    async def update_shard_count(
        self, account: str, region: str, name: str | None, arn: str | None, target: int
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            self._active(stream)
            self._provisioned(stream)
            current = sum(1 for s in store.shards(tx, stream.id) if s.open)
            counts = f"Current open shard count: {current}, Target shard count: {target}"
            if target > limits.MAX_STREAM_SHARDS:
                raise LimitExceededException(
                    f"Target shard count or number of open shards cannot be greater than {limits.MAX_STREAM_SHARDS}. "
                    f"{counts}"
                )
            if target > current * 2:
                raise LimitExceededException(
                    f"UpdateShardCount cannot scale up over double your current open shard count. {counts}"
                )
            if target < current / 2:
                raise LimitExceededException(
                    f"UpdateShardCount cannot scale down below half your current open shard count. {counts}"
                )
            if self.settings.limits and target > current:
                self._check_quotas(tx, stream.account, stream.region, target - current, None)
            self._begin(tx, stream, {"op": "scale", "target": target})
            return {
                "StreamName": stream.name,
                "StreamARN": stream.arn,
                "CurrentShardCount": current,
                "TargetShardCount": target,
            }

        return await self._on_stream(named, run)

    # --- records -------------------------------------------------------------------------------------------------

    def _admit(self, stream: Stream, shard: Shard, size: int) -> ServiceError | None:
        """The throughput error for one more record of ``size`` bytes into the shard (None: admitted)."""
        if self.throughput is None or self.throughput.admit_write(stream.id, shard.index, size):
            return None
        return rate_exceeded(shard.id, stream.name, stream.account)

    def _put_in_tx(self, tx: Tx, stream: Stream, batch: list[Incoming], *, whole: bool = False) -> list[dict[str, Any]]:
        """Store the records in their shards, each as the shard's throughput admits it; each one's result (a record
        refused has ErrorCode / ErrorMessage; ``whole``: a refusal is raised instead, as PutRecord answers)."""
        router = Router(store.shards(tx, stream.id))
        targets = records.route(router, batch)
        now_ms = self.clock.now_ms()
        results: list[dict[str, Any]] = [{} for _ in batch]
        by_shard: dict[int, list[int]] = {}
        for i, (record, shard) in enumerate(zip(batch, targets)):
            refused = self._admit(stream, shard, record.size)
            if refused is None:
                by_shard.setdefault(shard.key, []).append(i)
            elif whole:
                raise refused
            else:
                results[i] = records.failed_result(refused)
        rows: list[tuple[int, int, str, bytes]] = []
        for key in sorted(by_shard):  # one lock order for every writer (PostgreSQL)
            taken = by_shard[key]
            last = store.reserve(tx, key, len(taken))
            shard, base = targets[taken[0]], store.first_id(key)
            for index, i in enumerate(taken, last - len(taken) + 1):
                rows.append((base + index, now_ms, batch[i].partition_key, batch[i].data))
                results[i] = records.put_result(stream, shard, index, now_ms)
        store.insert_records(tx, rows)
        return results

    async def put_record(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        partition_key: str,
        data: bytes,
        explicit_hash_key: str | None,
        sequence_for_ordering: str | None,
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        record = records.incoming(partition_key, data, explicit_hash_key)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            stream.writable()
            records.check_ordering(stream, sequence_for_ordering)
            records.check_size(stream, record)
            return self._put_in_tx(tx, stream, [record], whole=True)[0]

        return await self._on_stream(named, run)

    async def put_records(
        self, account: str, region: str, name: str | None, arn: str | None, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        batch = [records.incoming(e["PartitionKey"], e["Data"], e.get("ExplicitHashKey")) for e in entries]
        records.check_batch(batch)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            stream.writable()
            for record in batch:
                records.check_size(stream, record)
            results = self._put_in_tx(tx, stream, batch)
            out: dict[str, Any] = {
                "FailedRecordCount": sum(1 for r in results if "ErrorCode" in r),
                "Records": results,
            }
            if stream.encrypted:
                out["EncryptionType"] = "KMS"
            return out

        return await self._on_stream(named, run)

    def deliver_in_tx(self, tx: Tx, arn: str, partition_key: str, data: bytes) -> dict[str, Any]:
        """Another service's record for the stream ``arn``, in the producer's transaction (the "kinesis" target):
        the checks PutRecord makes, throughput aside."""
        named = parse_stream_arn(arn)
        if named is None:
            raise InvalidArgumentException(f"Invalid StreamARN {arn}")
        stream = self._stream(tx, named)
        stream.writable()
        if not partition_key or len(partition_key) > limits.MAX_PARTITION_KEY:
            raise InvalidArgumentException(
                f"Partition key must be 1 to {limits.MAX_PARTITION_KEY} characters long; got {len(partition_key)}."
            )
        record = records.incoming(partition_key, data, None)
        records.check_size(stream, record)
        router = Router(store.shards(tx, stream.id))
        shard = router.route(record.hash_key)
        index = store.reserve(tx, shard.key, 1)
        now_ms = self.clock.now_ms()
        store.insert_records(tx, [(store.first_id(shard.key) + index, now_ms, partition_key, record.data)])
        return records.put_result(stream, shard, index, now_ms)

    def creating_in_tx(self, tx: Tx, arn: str) -> bool:
        """Whether the stream ``arn`` exists and is still being created (a delivery to it can wait)."""
        named = parse_stream_arn(arn)
        stream = store.get_stream(tx, named.account, named.region, named.name) if named is not None else None
        return stream is not None and stream.status == CREATING

    async def get_shard_iterator(
        self,
        account: str,
        region: str,
        name: str | None,
        arn: str | None,
        given_shard: str,
        kind: str,
        sequence: str | None,
        timestamp: dt.datetime | None,
    ) -> str:
        named = locate(account, region, name, arn)
        index = parse_shard_id(given_shard)
        if index is None:
            raise no_such_shard(given_shard, named.name, named.account)
        now_ms = self.clock.now_ms()

        def run(tx: Tx) -> str:
            stream = store.get_stream(tx, named.account, named.region, named.name)
            shard = store.shard(tx, stream.id, index) if stream is not None and stream.status != CREATING else None
            if stream is None or shard is None:
                raise shard_not_found(shard_id(index), named.name, named.account)
            records.check_iterator_request(kind, sequence, _epoch(timestamp))
            position, at_ms = None, None
            if kind == "TRIM_HORIZON":
                position = 0
            elif kind == "LATEST":
                position = store.last_index(tx, shard.key) + 1
            elif kind == "AT_TIMESTAMP":
                at_ms = int((_epoch(timestamp) or 0) * 1000)
                records.check_timestamp(at_ms, now_ms)
            else:
                assert sequence is not None
                position = records.sequence_position(stream, shard, kind, sequence)
            where = iterators.Position(
                stream.id, _ms(stream.created_at), shard.index, position, at_ms, now_ms, stream.account, stream.name
            )
            return iterators.issue(self.key, where)

        return await self.store.read(run)

    async def get_records(self, iterator: str, limit: int | None) -> dict[str, Any]:
        now_ms = self.clock.now_ms()
        where = iterators.read(self.key, iterator)
        if where is None:
            raise invalid_iterator()
        if now_ms - where.issued_ms > self.settings.iterator_seconds * 1000:
            raise ExpiredIteratorException(
                f"Iterator expired. The iterator was created at time {iterators.amz_time(where.issued_ms)} while "
                f"right now it is {iterators.amz_time(now_ms)} which is further in the future than the tolerated "
                f"delay of {int(self.settings.iterator_seconds * 1000)} milliseconds."
            )
        admitted = self.throughput is None or self.throughput.admit_read(where.stream_id, where.shard)
        wanted = min(limit or limits.MAX_GET_RECORDS, limits.MAX_GET_RECORDS)

        def run(tx: Tx) -> tuple[dict[str, Any], int]:
            stream = store.get_stream_by_id(tx, where.stream_id)
            if stream is not None and _ms(stream.created_at) != where.created_ms:
                stream = None  # another stream that took the row id of a deleted one
            shard = store.shard(tx, where.stream_id, where.shard) if stream is not None else None
            if stream is None or shard is None:
                raise shard_not_found(shard_id(where.shard), where.name, where.account)
            if not admitted:
                raise rate_exceeded(shard.id, stream.name, stream.account)
            return self._read(tx, stream, shard, where, wanted, now_ms)

        out, size = await self.store.read(run)
        if self.throughput is not None:
            self.throughput.charge_read(where.stream_id, where.shard, size)
        return out

    def _read(
        self, tx: Tx, stream: Stream, shard: Shard, where: iterators.Position, wanted: int, now_ms: int
    ) -> tuple[dict[str, Any], int]:
        """One GetRecords: the records from the iterator's position on (up to ``wanted``, or 10 MiB), the next
        iterator (none past the end of a closed shard, which names its children instead), MillisBehindLatest; and
        the bytes returned."""
        since = now_ms - self.settings.retention_ms(stream.retention_hours)
        index = where.index
        if index is None:  # AT_TIMESTAMP: the first record that arrived then or later
            found = store.first_arrival_after(tx, shard.key, 0, max(where.at_ms or 0, since))
            index = found[0] if found is not None else store.last_index(tx, shard.key) + 1
        taken: list[dict[str, Any]] = []
        size = 0
        next_index = index
        unread: int | None = None  # arrival (ms) of the first record left for the next call
        while unread is None and len(taken) < wanted:
            ask = min(limits.GET_RECORDS_CHUNK, wanted - len(taken) + 1)
            chunk = store.read_records(tx, shard.key, next_index, since, ask)
            for i, arrival, key, data in chunk:
                weight = len(data) + len(key.encode())
                if len(taken) >= wanted or (taken and size + weight > limits.MAX_GET_RECORDS_BYTES):
                    unread = arrival
                    break
                taken.append(records.record_out(stream, shard, i, arrival, key, data))
                size += weight
                next_index = i + 1
            if len(chunk) < ask:
                break
        if unread is None and len(taken) >= wanted:
            peek = store.read_records(tx, shard.key, next_index, since, 1)
            unread = peek[0][1] if peek else None
        out: dict[str, Any] = {"Records": taken, "MillisBehindLatest": max(0, now_ms - unread) if unread else 0}
        if shard.open or unread is not None:  # records are left, or may yet come
            position = dataclasses.replace(where, index=next_index, at_ms=None, issued_ms=now_ms)
            out["NextShardIterator"] = iterators.issue(self.key, position)
        else:
            out["ChildShards"] = [
                s.as_child() for s in store.shards(tx, stream.id) if shard.index in (s.parent, s.adjacent)
            ]
        return out, size

    # --- consumers -----------------------------------------------------------------------------------------------

    async def register_stream_consumer(self, arn: str, name: str, tags: dict[str, str] | None) -> dict[str, Any]:
        named = locate("", "", None, arn)
        now = self.clock.now()

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            if stream.status not in (ACTIVE, UPDATING):
                raise not_active(stream.name, stream.account, stream.status)
            existing = store.get_consumer(tx, stream.id, name)
            if existing is not None:
                raise ResourceInUseException(f"Consumer {existing.arn} under account {stream.account} already exists.")
            if self.settings.limits:
                registered, creating = store.consumer_counts(tx, stream.id)
                if registered >= limits.MAX_CONSUMERS or creating >= limits.MAX_CREATING_CONSUMERS:
                    raise LimitExceededException(
                        f"Consumer limit exceeded for stream {stream.name} under account {stream.account}: at most "
                        f"{limits.MAX_CONSUMERS} consumers, {limits.MAX_CREATING_CONSUMERS} of them CREATING."
                    )
            check_tags(name, stream.account, tags or {})
            delay = self.settings.delay
            status = CREATING if delay > 0 else ACTIVE
            consumer = Consumer(
                0, stream.id, name, consumer_arn(stream, name, now), now, status,
                now + delay if delay > 0 else None, dict(tags or {}),
            )  # fmt: skip
            consumer_id = store.insert_consumer(tx, consumer)
            if consumer_id is None:
                raise ResourceInUseException(f"Consumer {consumer.arn} under account {stream.account} already exists.")
            if delay > 0:
                tx.notify(lifecycle.CHANNEL, str(stream.id))
            return {"Consumer": consumer.describe()}

        return await self._on_stream(named, run)

    def _consumer(self, tx: Tx, stream_arn: str | None, name: str | None, arn: str | None) -> tuple[Stream, Consumer]:
        if arn:
            parsed = parse_consumer_arn(arn)
            if parsed is None:
                raise InvalidArgumentException(f"Invalid ConsumerARN {arn}")
            named, consumer_name = parsed
        elif stream_arn and name:
            named, consumer_name = locate("", "", None, stream_arn), name
        else:
            raise InvalidArgumentException("Either ConsumerARN or both ConsumerName and StreamARN must be provided.")
        stream = self._stream(tx, named)
        consumer = store.get_consumer(tx, stream.id, consumer_name)
        if consumer is None or (arn and consumer.arn != arn):
            raise consumer_not_found(arn or consumer_name, named.account)
        return stream, consumer

    async def describe_stream_consumer(
        self, stream_arn: str | None, name: str | None, arn: str | None
    ) -> dict[str, Any]:
        stream, consumer = await self.store.read(lambda tx: self._consumer(tx, stream_arn, name, arn))
        return {**consumer.describe(), "StreamARN": stream.arn}

    async def list_stream_consumers(
        self, stream_arn: str, token: str | None, max_results: int | None, created: dt.datetime | None
    ) -> dict[str, Any]:
        named = locate("", "", None, stream_arn)
        now = self.clock.now()
        after = read_after_token(token, now) if token else ""
        page = min(max_results or limits.LIST_CONSUMERS_DEFAULT, limits.LIST_CONSUMERS_DEFAULT)
        created_at = _epoch(created)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            if not _same_second(created_at, stream.created_at):
                raise not_found(named)
            found = store.list_consumers(tx, stream.id, after, page + 1)
            out: dict[str, Any] = {"Consumers": [c.describe() for c in found[:page]]}
            if len(found) > page:
                out["NextToken"] = after_token(found[page - 1].name, now)
            return out

        return await self._on_stream(named, run, write=False)

    async def deregister_stream_consumer(self, stream_arn: str | None, name: str | None, arn: str | None) -> None:
        now = self.clock.now()
        delay = self.settings.delay

        def run(tx: Tx) -> None:
            stream, consumer = self._consumer(tx, stream_arn, name, arn)
            if consumer.status == DELETING:
                return
            if delay <= 0:
                store.delete_consumer(tx, consumer.id)
                return
            store.update_consumer(tx, dataclasses.replace(consumer, status=DELETING, due_at=now + delay))
            tx.notify(lifecycle.CHANNEL, str(stream.id))

        await self.store.write(run)

    # --- maintenance (the leader's) ------------------------------------------------------------------------------

    async def complete_due(self) -> float | None:
        """Complete the changes that fell due; when the next one does."""
        now = self.clock.now()
        return await self.store.write(lambda tx: lifecycle.complete_due(tx, now))

    async def sweep(self) -> None:
        """Retention: delete the records older than their stream's retention period, and closed shards whose
        records have all expired (AWS no longer lists them)."""
        now_ms = self.clock.now_ms()

        def run(tx: Tx) -> None:
            for stream in store.all_streams(tx):
                cutoff = now_ms - self.settings.retention_ms(stream.retention_hours)
                expired = []
                for shard in store.shards(tx, stream.id):
                    if shard.closed_at is not None and shard.closed_at * 1000 < cutoff:
                        expired.append(shard.key)
                    else:
                        store.trim(tx, shard.key, cutoff)
                if expired:
                    store.delete_shards(tx, stream.id, expired)

        await self.store.write(run)
