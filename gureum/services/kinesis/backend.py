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
import functools
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from ...aws.authorize import ResourceFacts
from ...aws.context import RequestContext
from ...clock import Clock
from ...store.base import Store, Tx
from . import (
    accounts,
    consumers,
    iterators,
    lifecycle,
    limits,
    reading,
    records,
    resharding,
    resources,
    sequences,
    store,
    writing,
)
from .errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ServiceError,
    ValidationException,
    consumer_not_found,
    invalid_iterator,
    no_such_shard,
    not_active,
    rate_exceeded,
    shard_not_found,
    subscribe_rate_exceeded,
    subscription_in_use,
)
from .listing import epoch, listing
from .shards import Shard, listed, parse_shard_id, shard_id
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
    describe,
    expand_metrics,
    list_entry,
    locate,
    new_stream,
    not_found,
    ordered_metrics,
    parse_stream_arn,
    read_after_token,
    summary,
)
from .throughput import Throughput

T = TypeVar("T")


def _event(stream: Stream, shard: Shard, batch: reading.Batch, now: float) -> dict[str, Any]:
    """A SubscribeToShardEvent: ContinuationSequenceNumber is the last record's, or (none) the position's, so that
    AFTER_SEQUENCE_NUMBER of it resumes where this event ends."""
    last = batch.records[-1]["SequenceNumber"] if batch.records else None
    continuation = last or sequences.encode(shard.created_second, shard.index, max(0, batch.next_index - 1), int(now))
    event: dict[str, Any] = {
        "Records": batch.records,
        "ContinuationSequenceNumber": continuation,
        "MillisBehindLatest": batch.behind_ms,
    }
    if batch.children is not None:
        event["ChildShards"] = batch.children
    return event


def backend(ctx: RequestContext) -> KinesisBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(KinesisBackend)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _same_second(given: float | None, created_at: float) -> bool:
    """StreamCreationTimestamp names this stream (clients such as boto3 send it in whole seconds)."""
    return given is None or int(given) == int(created_at)


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
        self._arrivals: dict[int, asyncio.Event] = {}  # readers waiting for records, by stream row id
        self.store.subscribe(writing.RECORDS_CHANNEL, self._arrived)

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
                accounts.check_quotas(tx, account, region, count, mode)
            stream = new_stream(account, region, name, now, mode, tags or {}, max_record_kib, warm_mibps)
            stream_id = store.insert_stream(tx, stream)
            if stream_id is None:
                raise ResourceInUseException(f"Stream {name} under account {account} already exists.")
            stream = dataclasses.replace(stream, id=stream_id)
            self._begin(tx, stream, {"op": "create", "shards": count}, CREATING)

        await self.store.write(run)

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
            if not accounts.commitment_enabled(tx, stream.account, stream.region):
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
            commitment = accounts.commitment_after(settings.get("commitment"), status, now)
            settings["commitment"] = commitment
            store.put_account_settings(tx, account, region, settings)
            return {"MinimumThroughputBillingCommitment": settings["commitment"]}

        return await self.store.write(run)

    # --- tags and resource policies ------------------------------------------------------------------------------

    async def add_tags(
        self, account: str, region: str, name: str | None, arn: str | None, tags: dict[str, str]
    ) -> None:
        await self._on_stream(
            locate(account, region, name, arn),
            lambda tx, stream: resources.set_tags(tx, stream, None, {**stream.tags, **tags}),
        )

    async def remove_tags(self, account: str, region: str, name: str | None, arn: str | None, keys: list[str]) -> None:
        gone = set(keys)
        await self._on_stream(
            locate(account, region, name, arn),
            lambda tx, stream: resources.set_tags(
                tx, stream, None, {k: v for k, v in stream.tags.items() if k not in gone}
            ),
        )

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

    async def _on_resource(self, arn: str, fn: Callable[[Tx, Stream, Consumer | None], T], *, write: bool = True) -> T:
        """Run fn(tx, stream, consumer) with the stream (and consumer) a resource ARN names."""

        def run(tx: Tx) -> T:
            return fn(tx, *resources.find_in_tx(tx, arn))

        return await (self.store.write(run) if write else self.store.read(run))

    async def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        await self._on_resource(arn, lambda tx, s, c: resources.set_tags(tx, s, c, {**(c or s).tags, **tags}))

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        gone = set(keys)
        await self._on_resource(
            arn,
            lambda tx, s, c: resources.set_tags(tx, s, c, {k: v for k, v in (c or s).tags.items() if k not in gone}),
        )

    async def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        tags = await self._on_resource(arn, lambda tx, s, c: (c or s).tags, write=False)
        return [{"Key": k, "Value": tags[k]} for k in sorted(tags)]

    async def put_resource_policy(self, arn: str, policy: str) -> None:
        check_policy(policy)
        await self._on_resource(arn, lambda tx, s, c: resources.set_policy(tx, s, c, policy, arn))

    async def resource_facts(self, arn: str) -> ResourceFacts:
        """IAM enforcement's view of a stream or consumer ARN: its resource policy and tags (none when unknown)."""
        try:
            return await self._on_resource(
                arn, lambda tx, s, c: ResourceFacts((c or s).policy, dict((c or s).tags)), write=False
            )
        except ServiceError:
            return ResourceFacts()

    async def get_resource_policy(self, arn: str) -> str:
        policy = await self._on_resource(arn, lambda tx, s, c: (c or s).policy, write=False)
        return policy or "{}"

    async def delete_resource_policy(self, arn: str) -> None:
        await self._on_resource(arn, lambda tx, s, c: resources.set_policy(tx, s, c, None, arn))

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
        asked = listing(account, region, name, arn, token, exclusive_start, created, shard_filter, now)
        named, after, kind, at = asked.named, asked.after, asked.kind, asked.at
        created_at = epoch(created)

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

    async def split_shard(
        self, account: str, region: str, name: str | None, arn: str | None, shard: str, new_start: str
    ) -> None:
        def run(tx: Tx, stream: Stream) -> None:
            self._begin(tx, stream, resharding.split(tx, stream, shard, new_start, self.settings.limits))

        await self._on_stream(locate(account, region, name, arn), run)

    async def merge_shards(
        self, account: str, region: str, name: str | None, arn: str | None, shard: str, adjacent: str
    ) -> None:
        def run(tx: Tx, stream: Stream) -> None:
            self._begin(tx, stream, resharding.merge(tx, stream, shard, adjacent))

        await self._on_stream(locate(account, region, name, arn), run)

    async def update_shard_count(
        self, account: str, region: str, name: str | None, arn: str | None, target: int
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            pending, current = resharding.scale(tx, stream, target, self.settings.limits)
            self._begin(tx, stream, pending)
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
            return writing.put_in_tx(tx, stream, [record], self.clock.now_ms(), self._admit, whole=True)[0]

        return await self._on_stream(named, run)

    async def put_records(
        self, account: str, region: str, name: str | None, arn: str | None, entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        named = locate(account, region, name, arn)
        batch = [records.incoming(e["PartitionKey"], e["Data"], e.get("ExplicitHashKey")) for e in entries]
        records.check_batch(batch)

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            stream.writable()
            records.check_sizes(stream, batch)
            results = writing.put_in_tx(tx, stream, batch, self.clock.now_ms(), self._admit)
            return records.put_records_answer(stream, results)

        return await self._on_stream(named, run)

    def deliver_in_tx(self, tx: Tx, arn: str, partition_key: str, data: bytes) -> dict[str, Any]:
        """Another service's record for the stream ``arn``, in the producer's transaction (the "kinesis" target):
        the checks PutRecord makes, throughput aside."""
        named = parse_stream_arn(arn)
        if named is None:
            raise InvalidArgumentException(f"Invalid StreamARN {arn}")
        stream = self._stream(tx, named)
        record = writing.delivered(stream, partition_key, data)
        return writing.put_in_tx(tx, stream, [record], self.clock.now_ms(), lambda *_: None)[0]

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
        at = epoch(timestamp)

        def run(tx: Tx) -> str:
            stream = store.get_stream(tx, named.account, named.region, named.name)
            shard = store.shard(tx, stream.id, index) if stream is not None and stream.status != CREATING else None
            if stream is None or shard is None:
                raise shard_not_found(shard_id(index), named.name, named.account)
            records.check_iterator_request(kind, sequence, at)
            at_ms = None if at is None else int(at * 1000)
            position, at_ms = reading.start_position(tx, stream, shard, kind, sequence, at_ms, now_ms)
            where = iterators.Position(
                stream.id, _ms(stream.created_at), shard.index, position, at_ms, now_ms, stream.account, stream.name
            )
            return iterators.issue(self.key, where)

        return await self.store.read(run)

    async def get_records(self, iterator: str, limit: int | None, as_json: bool = False) -> dict[str, Any]:
        """GetRecords; ``as_json`` (a JSON request): the answer also brings its JSON body (Prewritten), joined from
        the records' stored text."""
        now_ms = self.clock.now_ms()
        where = iterators.read(self.key, iterator)
        if where is None:
            raise invalid_iterator()
        iterators.check_fresh(where, now_ms, int(self.settings.iterator_seconds * 1000))
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
            since = now_ms - self.settings.retention_ms(stream.retention_hours)
            batch = reading.read_batch(
                tx, stream, shard, where.index, where.at_ms, wanted, now_ms, since, as_text=as_json
            )
            rest: dict[str, Any] = {"MillisBehindLatest": batch.behind_ms}
            if batch.children is None:
                position = dataclasses.replace(where, index=batch.next_index, at_ms=None, issued_ms=now_ms)
                rest["NextShardIterator"] = iterators.issue(self.key, position)
            else:
                rest["ChildShards"] = batch.children
            if batch.texts is not None:
                return records.prewritten(stream, batch.texts, rest), batch.size
            return {"Records": batch.records, **rest}, batch.size

        out, size = await self.store.read(run)
        if self.throughput is not None:
            self.throughput.charge_read(where.stream_id, where.shard, size)
        return out

    # --- waiting for records (subscriptions; pollers inside gureum) ----------------------------------------------

    def _arrived(self, payload: str) -> None:
        """Records were committed to the stream (on any node): wake whoever waits on it."""
        event = self._arrivals.pop(int(payload), None)
        if event is not None:
            event.set()

    def arrival(self, stream_id: int) -> asyncio.Event:
        """An event set when records next reach the stream: take it before looking, then wait on it."""
        event = self._arrivals.get(stream_id)
        if event is None:
            event = self._arrivals[stream_id] = asyncio.Event()
        return event

    async def subscribe_to_shard(
        self, consumer_arn: str, given_shard: str, starting: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """Open a subscription (errors here are the operation's: an unknown consumer or shard, a consumer not
        ACTIVE, another subscription of the consumer to the shard younger than 5 seconds, more than one call a
        second when limits are on) and return its events, SubscribeToShard's event stream in its tagged form
        ({"SubscribeToShardEvent": …}). A later call that takes the subscription over ends this one."""
        kind, sequence, at = starting["Type"], starting.get("SequenceNumber"), epoch(starting.get("Timestamp"))
        index = parse_shard_id(given_shard)
        now = self.clock.now()
        now_ms = self.clock.now_ms()
        token = secrets.token_hex(8)

        def start(tx: Tx) -> tuple[Stream, Consumer, int | None, int | None]:
            stream, consumer = consumers.find_in_tx(tx, None, None, consumer_arn)
            if consumer.status != ACTIVE:
                raise ResourceInUseException(
                    f"Consumer {consumer_arn} is not ACTIVE, instead in state {consumer.status}"
                )
            shard = store.shard(tx, stream.id, index) if index is not None else None
            if shard is None or index is None:
                raise shard_not_found(
                    shard_id(index) if index is not None else given_shard, stream.name, stream.account
                )
            records.check_iterator_request(kind, sequence, at)
            position, at_ms = reading.start_position(
                tx, stream, shard, kind, sequence, None if at is None else int(at * 1000), now_ms
            )
            held = store.subscription(tx, consumer.id, index)
            if held is not None:
                _, started, ended = held
                if ended is None and now - started < limits.SUBSCRIPTION_TAKEOVER_SECONDS:
                    raise subscription_in_use(consumer_arn)
                if self.settings.limits and now - started < limits.SUBSCRIBE_INTERVAL_SECONDS:
                    raise subscribe_rate_exceeded(consumer_arn, shard.id)
            store.take_subscription(tx, consumer.id, index, token, now)
            return stream, consumer, position, at_ms

        stream, consumer, position, at_ms = await self.store.write(start)
        assert index is not None
        return self._subscription(stream, consumer, index, token, position, at_ms)

    async def _subscription(
        self, stream: Stream, consumer: Consumer, index: int, token: str, position: int | None, at_ms: int | None
    ) -> AsyncIterator[dict[str, Any]]:
        """Records as they arrive, an empty event after 5 quiet seconds, for 5 minutes; ChildShards (and the end)
        at the end of a closed shard. Paced at 2 MiB/s when limits are on. Releases the subscription however it
        ends."""
        ends = self.clock.monotonic() + limits.SUBSCRIPTION_SECONDS
        read = functools.partial(self._subscribed_batch, stream, consumer, index, token)
        try:
            while True:
                arrived = self.arrival(stream.id)
                batch, shard = await self.store.read(functools.partial(read, position, at_ms))
                position, at_ms = batch.next_index, None
                quiet = not batch.records and batch.children is None
                if not quiet:
                    yield {"SubscribeToShardEvent": _event(stream, shard, batch, self.clock.now())}
                    if batch.children is not None:
                        return
                    if self.settings.limits and batch.size:
                        await asyncio.sleep(batch.size / limits.CONSUMER_READ_BYTES_PER_SECOND)
                left = ends - self.clock.monotonic()
                if left <= 0:
                    return
                if quiet:
                    try:
                        await asyncio.wait_for(arrived.wait(), min(limits.SUBSCRIPTION_HEARTBEAT_SECONDS, left))
                    except TimeoutError:
                        yield {"SubscribeToShardEvent": _event(stream, shard, batch, self.clock.now())}
        finally:
            ended = self.clock.now()
            await self.store.write(lambda tx: store.end_subscription(tx, consumer.id, index, token, ended))

    def _subscribed_batch(
        self, stream: Stream, consumer: Consumer, index: int, token: str, position: int | None, at_ms: int | None,
        tx: Tx,
    ) -> tuple[reading.Batch, Shard]:  # fmt: skip
        now_ms = self.clock.now_ms()
        holder = store.holder(tx, consumer.id, index)
        if holder is None or holder[1] != ACTIVE:
            raise consumer_not_found(consumer.arn, stream.account)
        if holder[0] != token:
            raise subscription_in_use(consumer.arn)
        current = store.get_stream_by_id(tx, stream.id)
        shard = store.shard(tx, stream.id, index) if current is not None else None
        if current is None or shard is None:
            raise shard_not_found(shard_id(index), stream.name, stream.account)
        since = now_ms - self.settings.retention_ms(current.retention_hours)
        return reading.read_batch(tx, current, shard, position, at_ms, limits.MAX_GET_RECORDS, now_ms, since), shard

    # --- consumers -----------------------------------------------------------------------------------------------

    async def register_stream_consumer(self, arn: str, name: str, tags: dict[str, str] | None) -> dict[str, Any]:
        named = locate("", "", None, arn)
        now = self.clock.now()

        def run(tx: Tx, stream: Stream) -> dict[str, Any]:
            delay, quotas = self.settings.delay, self.settings.limits
            return {"Consumer": consumers.register_in_tx(tx, stream, name, tags or {}, now, delay, quotas).describe()}

        return await self._on_stream(named, run)

    async def describe_stream_consumer(
        self, stream_arn: str | None, name: str | None, arn: str | None
    ) -> dict[str, Any]:
        stream, consumer = await self.store.read(lambda tx: consumers.find_in_tx(tx, stream_arn, name, arn))
        return {**consumer.describe(), "StreamARN": stream.arn}

    async def list_stream_consumers(
        self, stream_arn: str, token: str | None, max_results: int | None, created: dt.datetime | None
    ) -> dict[str, Any]:
        named = locate("", "", None, stream_arn)
        now = self.clock.now()
        after = read_after_token(token, now) if token else ""
        page = min(max_results or limits.LIST_CONSUMERS_DEFAULT, limits.LIST_CONSUMERS_DEFAULT)
        created_at = epoch(created)

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

        def run(tx: Tx) -> None:
            stream, consumer = consumers.find_in_tx(tx, stream_arn, name, arn)
            consumers.deregister_in_tx(tx, stream, consumer, now, self.settings.delay)

        await self.store.write(run)

    # --- maintenance (the leader's) ------------------------------------------------------------------------------

    async def complete_due(self) -> float | None:
        """Complete the changes that fell due; when the next one does."""
        now = self.clock.now()
        return await self.store.write(lambda tx: lifecycle.complete_due(tx, now))

    async def sweep(self) -> None:
        """Retention: delete the records older than their stream's retention period, and closed shards whose
        records have all expired (AWS no longer lists them). One transaction per stream, so a large expiry does
        not hold the writer for every stream at once."""
        now_ms = self.clock.now_ms()

        def trim(stream_id: int, tx: Tx) -> None:
            stream = store.get_stream_by_id(tx, stream_id)
            if stream is None:
                return
            cutoff = now_ms - self.settings.retention_ms(stream.retention_hours)
            expired = []
            for shard in store.shards(tx, stream.id):
                if shard.closed_at is not None and shard.closed_at * 1000 < cutoff:
                    expired.append(shard.key)
                else:
                    store.trim(tx, shard.key, cutoff)
            if expired:
                store.delete_shards(tx, stream.id, expired)

        for stream in await self.store.read(store.all_streams):
            await self.store.write(functools.partial(trim, stream.id))
