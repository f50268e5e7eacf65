"""DynamoBackend: every DynamoDB behaviour over the store, one method per operation with plain arguments, kept by
the start hook and reached with backend(ctx). An item operation is one store transaction: the condition is tested
against the committed item and the item and its index entries are written together, so a reply goes out only
after its change committed."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...clock import Clock
from ...policy import Principal, not_authorized
from ...policy import Request as PolicyRequest
from ...policy import evaluate as evaluate_policy
from ...store.base import Store, Tx
from . import answers, evaluate, items, keyconditions, limits, store, streams, tables, values
from . import legacy as legacy_mod
from .errors import (
    AccessDeniedException,
    ExpiredIteratorException,
    IdempotentParameterMismatchException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ServiceError,
    TransactionCanceledException,
    TrimmedDataAccessException,
    ValidationException,
    condition_failed,
    invalid,
    no_replicas,
    no_such_resource,
    table_not_found,
)
from .expressions import (
    Attributes,
    Between,
    Call,
    Compare,
    In,
    Logic,
    Path,
    Ref,
    Token,
    Tokenizer,
    Update,
    parse_condition,
    parse_projection,
    parse_update,
    tokenize,
)
from .tables import Index, Table
from .throttle import TABLE_SPENT, Throttle
from .values import Item

T = TypeVar("T")
_MEMO_EXPRESSIONS = 512  # expressions whose tokens are kept (emptied when full), each up to _MEMO_EXPRESSION_CHARS
_MEMO_EXPRESSION_CHARS = 1024


def backend(ctx: RequestContext) -> DynamoBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(DynamoBackend)


@dataclass
class Expressions:
    """The parsed expressions of one request."""

    condition: Any = None
    projection: list[Path] | None = None
    update: Update | None = None
    filter: Any = None
    key: Any = None


def _parse(
    names: dict[str, str] | None,
    vals: dict[str, Any] | None,
    *,
    condition: str | None = None,
    projection: str | None = None,
    update: str | None = None,
    filter_: str | None = None,
    key: str | None = None,
    legacy: dict[str, Any] | None = None,
    where: str = "ScanFilter",
    tokenized: Tokenizer = tokenize,
) -> Expressions:
    """The request's expressions parsed, or its legacy parameters translated (``legacy``: their names → values,
    None when absent; ``where``: the name of its filter parameter, for messages; ``tokenized``: tokenize or a memo
    of it)."""
    legacy = legacy or {}
    given = [e for e in (condition, projection, update, filter_, key) if e is not None]
    if not given and names is None and vals is None and all(v is None for v in legacy.values()):
        return Expressions()  # nothing to parse (most GetItem and PutItem calls)
    legacy_mod.check_mixed(
        legacy,
        {"ConditionExpression": condition, "UpdateExpression": update, "KeyConditionExpression": key,
         "FilterExpression": filter_, "ProjectionExpression": projection},
    )  # fmt: skip
    attrs = Attributes(names, vals, bool(given))
    out = Expressions()
    operator = legacy.get("ConditionalOperator")
    if legacy.get("Expected") is not None:
        out.condition = legacy_mod.expected(legacy["Expected"], operator)
    if legacy.get("AttributeUpdates") is not None:
        out.update = legacy_mod.attribute_updates(legacy["AttributeUpdates"])
    if legacy.get("KeyConditions") is not None:
        out.key = legacy_mod.key_conditions(legacy["KeyConditions"])
    filters = legacy.get("QueryFilter", legacy.get("ScanFilter"))
    if filters is not None:
        out.filter = legacy_mod.filter_(filters, operator, where)
    elif operator is not None and legacy.get("Expected") is None:
        raise invalid(f"ConditionalOperator can only be used when {where} has two or more elements")
    if key is not None:
        out.key = parse_condition(key, "KeyConditionExpression", attrs, tokenized)
    if condition is not None:
        out.condition = parse_condition(condition, "ConditionExpression", attrs, tokenized)
    if filter_ is not None:
        out.filter = parse_condition(filter_, "FilterExpression", attrs, tokenized)
    if update is not None:
        out.update = parse_update(update, attrs, tokenized)
    if projection is not None:
        out.projection = parse_projection(projection, attrs, tokenized)
    attrs.check_unused()
    return out


def _tracks_changes(table: Table) -> bool:
    """Whether a write to the table needs the item it replaces (items.write: index entries to move, a stream or
    Kinesis streaming destination record of the change)."""
    return bool(table.indexes) or table.stream_enabled or bool(table.kinesis)


def _projection(expr: Expressions, attributes_to_get: list[str] | None) -> list[Path] | None:
    if attributes_to_get is not None:
        if expr.projection is not None:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: Non-expression "
                "parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
            )
        return [(name,) for name in attributes_to_get]
    return expr.projection


def _table_name(name: str) -> tuple[str | None, str]:
    if name.startswith("arn:"):
        _region, _account, table = tables.parse_arn(name)
        return _account, table
    return None, name


class DynamoBackend:
    """DynamoDB over one store and clock."""

    def __init__(self, store_: Store, clock: Clock, settings: limits.Settings, deployment_secret: str) -> None:
        self.store = store_
        self.clock = clock
        self.settings = settings
        self.iterator_key = streams.iterator_key(deployment_secret)
        self.outbox: items.Outbox | None = None  # the delivery path, set at start (Kinesis streaming destinations)
        self._parsed: dict[tuple[Any, ...], Table] = {}  # read-only tables by their row (store.get_table's memo)
        self._tokens: dict[tuple[str, str], list[Token]] = {}  # expressions' tokens by text and kind
        self.throttle = Throttle(clock, settings.throttle)  # provisioned capacity, when GUREUM_DYNAMODB_THROTTLE=1

    def _tokenized(self, text: str, kind: str) -> list[Token]:
        """An expression's tokens (expressions.tokenize), kept for the next request with the same text: clients
        send the same few expressions again and again (the values differ, the text does not)."""
        key = (text, kind)
        found = self._tokens.get(key)
        if found is None:
            found = tokenize(text, kind)
            if len(text) <= _MEMO_EXPRESSION_CHARS:
                if len(self._tokens) >= _MEMO_EXPRESSIONS:
                    self._tokens.clear()
                self._tokens[key] = found
        return found

    def _write(
        self,
        tx: Tx,
        table: Table,
        key: tuple[bytes, bytes],
        old: Item | None,
        new: Item | None,
        now: float,
        by_service: bool = False,
        size: int | None = None,
    ) -> dict[str, float]:
        """items.write with this server's delivery path (``size``: ``new``'s, when known): write units by index."""
        return items.write(tx, table, key, old, new, now, by_service, self.outbox, size)

    # --- finding tables ------------------------------------------------------------------------------------------

    def _find(self, tx: Tx, account: str, region: str, name: str) -> Table | None:
        owner, name = _table_name(name)
        return store.get_table(tx, owner or account, region, name)

    def _table(self, tx: Tx, account: str, region: str, name: str, read_only: bool = False) -> Table:
        """A table item operations may use (ACTIVE or UPDATING); ``read_only``: one the transaction will not change
        (it may be one this backend parsed before from the same row)."""
        if read_only and tx.cache is None:
            owner, bare = _table_name(name)
            table = store.get_table(tx, owner or account, region, bare, self._parsed)
        else:
            table = self._find(tx, account, region, name)
        if table is None or table.importing or self._busy(table.created_at):
            raise no_such_resource()
        return table

    def _busy(self, since: float) -> bool:
        """Whether something changed at ``since`` is still CREATING/UPDATING (never without a delay: stored times
        are rounded to the millisecond, so one may lie a fraction of a millisecond ahead of the clock)."""
        return self.settings.delay > 0 and self.clock.now() < since + self.settings.delay

    def _described(self, tx: Tx, table: Table) -> dict[str, Any]:
        return tables.describe(table, self.clock.now(), self.settings.delay, store.counts(tx, table.id))

    # --- tables --------------------------------------------------------------------------------------------------

    async def create_table(
        self,
        account: str,
        region: str,
        name: str,
        attribute_definitions: list[dict[str, str]],
        key_schema: list[dict[str, str]],
        lsis: list[dict[str, Any]] | None,
        gsis: list[dict[str, Any]] | None,
        billing_mode: str | None,
        provisioned: dict[str, Any] | None,
        stream: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
        table_class: str | None,
        deletion_protection: bool | None,
        sse: dict[str, Any] | None = None,
        on_demand: dict[str, Any] | None = None,
        warm: dict[str, Any] | None = None,
        resource_policy: str | None = None,
    ) -> dict[str, Any]:
        table = self.new_table(
            account, region, name, attribute_definitions, key_schema, lsis, gsis, billing_mode, provisioned, tags,
            table_class, deletion_protection, sse, on_demand, warm,
        )  # fmt: skip
        if resource_policy is not None:  # the table's policy from the start, with its first revision id
            tables.check_policy(resource_policy)
            table.policy, table.policy_revision = resource_policy, str(self.clock.now_ms())
        enabled, view = streams.check_spec(stream) if stream else (False, None)

        def run(tx: Tx) -> dict[str, Any]:
            if enabled and view is not None and store.get_table(tx, account, region, name) is None:
                self._open_stream(tx, table, view, table.created_at)
            return self.insert_table(tx, table)

        return await self.store.write(run)

    def insert_table(self, tx: Tx, table: Table) -> dict[str, Any]:
        """Store a table made by new_table (ResourceInUseException when its name is taken): its description."""
        if store.get_table(tx, table.account, table.region, table.name) is not None:
            raise ResourceInUseException(f"Table already exists: {table.name}")
        table.id = store.insert_table(tx, table)
        return self._described(tx, table)

    def new_table(
        self,
        account: str,
        region: str,
        name: str,
        attribute_definitions: list[dict[str, str]],
        key_schema: list[dict[str, str]],
        lsis: list[dict[str, Any]] | None,
        gsis: list[dict[str, Any]] | None,
        billing_mode: str | None,
        provisioned: dict[str, Any] | None,
        tags: list[dict[str, str]] | None,
        table_class: str | None,
        deletion_protection: bool | None,
        sse: dict[str, Any] | None = None,
        on_demand: dict[str, Any] | None = None,
        warm: dict[str, Any] | None = None,
    ) -> Table:
        """A table as CreateTable's parameters describe it, checked as AWS checks them (not stored)."""
        billing = billing_mode or tables.PROVISIONED
        attributes: dict[str, str] = {}
        for definition in attribute_definitions:
            attributes[definition["AttributeName"]] = definition["AttributeType"]
        hash_name, range_name = tables.check_key_schema(key_schema, "KeySchema")
        read, write = tables.throughput(provisioned, billing, "table")
        now = round(self.clock.now(), 3)
        table = Table(
            0, account, region, name, now, str(uuid.uuid4()), hash_name, range_name, attributes, billing, read, write,
            tags={t["Key"]: t["Value"] for t in tags or []}, deletion_protection=bool(deletion_protection),
            table_class=table_class or "STANDARD", sse=tables.encryption(sse, account, region),
            on_demand=tables.throughput_setting(None, on_demand, tables.ON_DEMAND),
            warm=tables.throughput_setting(None, warm, tables.WARM),
        )  # fmt: skip
        for spec in lsis or []:
            self._add_index(table, spec, "LSI", now)
        for spec in gsis or []:
            self._add_index(table, spec, "GSI", now)
        self._check_definitions(table, attribute_definitions)
        if len([i for i in table.indexes if i.kind == "LSI"]) > limits.LSI_PER_TABLE:
            raise LimitExceededException("Cannot have more than 5 local secondary indexes per table")
        if len([i for i in table.indexes if i.kind == "GSI"]) > limits.GSI_PER_TABLE:
            raise LimitExceededException("Subscriber limit exceeded: Only 20 global secondary indexes per table")
        return table

    def _open_stream(self, tx: Tx, table: Table, view: str, now: float) -> None:
        """Give a table a new stream (its records start with the next change)."""
        when = now
        stream_label = streams.label(when)
        while stream_label == table.stream_label:
            when += 0.001
            stream_label = streams.label(when)
        stream_arn = streams.arn(table.region, table.account, table.name, stream_label)
        schema = json.dumps(table.key_schema)
        shard = streams.shard_id(when, stream_arn)
        table.stream_id = store.insert_stream(
            tx, table.account, table.region, table.name, stream_label, view, schema, shard, when
        )
        table.stream_label, table.stream_view, table.stream_enabled = stream_label, view, True

    @staticmethod
    def _close_stream(tx: Tx, table: Table, now: float) -> None:
        """Disable a table's stream: it stays readable to its end for the retention period."""
        if table.stream_enabled and table.stream_id is not None:
            store.disable_stream(tx, table.stream_id, now)
        table.stream_enabled = False

    def _add_index(self, table: Table, spec: dict[str, Any], kind: str, now: float) -> Index:
        name = spec["IndexName"]
        if any(i.name == name for i in table.indexes):
            raise invalid(f"Duplicate index name: {name}")
        hash_name, range_name = tables.check_key_schema(spec["KeySchema"], name)
        if kind == "LSI":
            if table.range is None:
                raise invalid("Table KeySchema does not have a range key, which is required when specifying a "
                              "LocalSecondaryIndex")  # fmt: skip
            if hash_name != table.hash:
                raise invalid(f"Index KeySchema does not have the same leading hash key as table KeySchema for "
                              f"index: {name}. index hash key: {hash_name}, table hash key: {table.hash}")  # fmt: skip
            if range_name is None:
                raise invalid(f"Index KeySchema does not have a range key for index: {name}")
        projection = dict(spec.get("Projection") or {})
        kind_of_projection = projection.get("ProjectionType")
        if kind_of_projection not in ("ALL", "KEYS_ONLY", "INCLUDE"):
            raise invalid(f"Unknown ProjectionType: {kind_of_projection}")
        if kind_of_projection != "INCLUDE" and projection.get("NonKeyAttributes"):
            raise invalid("ProjectionType is " + kind_of_projection + ", but NonKeyAttributes is specified")
        if kind_of_projection == "INCLUDE" and not projection.get("NonKeyAttributes"):
            raise invalid("NonKeyAttributes must not be empty")
        read = write = 0
        if kind == "GSI":
            read, write = tables.throughput(spec.get("ProvisionedThroughput"), table.billing, f"index {name}")
        index = Index(table.next_index, name, kind, hash_name, range_name, projection, read, write, now)
        if kind == "GSI":
            index.on_demand = tables.throughput_setting(None, spec.get("OnDemandThroughput"), tables.ON_DEMAND)
            index.warm = tables.throughput_setting(None, spec.get("WarmThroughput"), tables.WARM)
        table.next_index += 1
        table.indexes.append(index)
        return index

    @staticmethod
    def _check_definitions(table: Table, definitions: list[dict[str, str]]) -> None:
        keys = [table.hash] + ([table.range] if table.range else [])
        for index in table.indexes:
            keys += [index.hash] + ([index.range] if index.range else [])
        missing = [k for k in dict.fromkeys(keys) if k not in table.attributes]
        if missing:
            defined = ", ".join(d["AttributeName"] for d in definitions)
            raise invalid(
                "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{defined}]"
            )
        if len(set(keys)) != len(definitions):
            raise invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in "
                "AttributeDefinitions"
            )

    async def describe_table(self, account: str, region: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self._find(tx, account, region, name)
            if table is None:
                raise table_not_found(_table_name(name)[1])
            return self._described(tx, table)

        return await self.store.read(run)

    @staticmethod
    def describe_limits() -> dict[str, Any]:
        """DescribeLimits: AWS's default provisioned-capacity quotas (gureum enforces none of them)."""
        return {
            "AccountMaxReadCapacityUnits": limits.ACCOUNT_MAX_CAPACITY_UNITS,
            "AccountMaxWriteCapacityUnits": limits.ACCOUNT_MAX_CAPACITY_UNITS,
            "TableMaxReadCapacityUnits": limits.TABLE_MAX_CAPACITY_UNITS,
            "TableMaxWriteCapacityUnits": limits.TABLE_MAX_CAPACITY_UNITS,
        }

    @staticmethod
    def describe_endpoints(host: str) -> dict[str, Any]:
        """DescribeEndpoints (endpoint discovery): the address the caller reached, so a client that discovers its
        endpoint keeps calling this server."""
        return {"Endpoints": [{"Address": host, "CachePeriodInMinutes": limits.ENDPOINT_CACHE_MINUTES}]}

    async def list_tables(self, account: str, region: str, start: str | None, limit: int | None) -> dict[str, Any]:
        limit = limit or limits.LIST_TABLES_LIMIT
        names = await self.store.read(lambda tx: store.list_tables(tx, account, region, start, limit + 1))
        out: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    async def delete_table(self, account: str, region: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self._find(tx, account, region, name)
            if table is None:
                raise table_not_found(_table_name(name)[1])
            if table.importing or self._busy(table.created_at):  # AWS deletes only ACTIVE tables
                raise ResourceInUseException(
                    f"Attempt to change a resource which is still in use: Table is being created: {table.name}"
                )
            if self._busy(table.updated_at):
                raise ResourceInUseException(
                    f"Attempt to change a resource which is still in use: Table is being updated: {table.name}"
                )
            if table.deletion_protection:
                raise ValidationException(
                    "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
                    "protection first."
                )
            description = self._described(tx, table)
            description["TableStatus"] = tables.DELETING
            self._close_stream(tx, table, self.clock.now())
            store.delete_table(tx, table.id)
            return description

        return await self.store.write(run)

    async def update_table(
        self,
        account: str,
        region: str,
        name: str,
        attribute_definitions: list[dict[str, str]] | None,
        billing_mode: str | None,
        provisioned: dict[str, Any] | None,
        gsi_updates: list[dict[str, Any]] | None,
        stream: dict[str, Any] | None,
        table_class: str | None,
        deletion_protection: bool | None,
        replica_updates: list[dict[str, Any]] | None = None,
        sse: dict[str, Any] | None = None,
        on_demand: dict[str, Any] | None = None,
        warm: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if replica_updates:
            raise no_replicas(region)
        encryption = tables.encryption(sse, account, region) if sse is not None else None
        now = self.clock.now()
        enabled, view = streams.check_spec(stream) if stream else (False, None)

        def run(tx: Tx) -> dict[str, Any]:
            found = self._find(tx, account, region, name)
            if found is None:
                raise table_not_found(_table_name(name)[1])
            table = copy.deepcopy(found)
            if self._busy(table.created_at) or self._busy(table.updated_at):
                raise ResourceInUseException(f"Attempt to change a resource which is still in use: Table is being "
                                             f"updated: {table.name}")  # fmt: skip
            changed = False
            if billing_mode is not None and billing_mode != table.billing:
                table.billing = billing_mode
                if billing_mode == tables.PAY_PER_REQUEST:
                    table.read = table.write = 0
                    table.billing_changed_at = round(now, 3)
                    for index in table.indexes:
                        index.read = index.write = 0
                elif provisioned is None:
                    raise ValidationException("No provisioned throughput specified for the table")
                changed = True
            if provisioned is not None:
                read, write = tables.throughput(provisioned, table.billing, "table")
                if table.billing == tables.PROVISIONED and not changed and (read, write) == (table.read, table.write):
                    raise ValidationException(tables.unchanged_throughput(table.read, table.write))
                table.read, table.write = read, write
                changed = True
            if deletion_protection is not None:
                table.deletion_protection = deletion_protection
            if stream is not None:
                if enabled and table.stream_enabled:
                    raise ValidationException(f"Table already has an enabled stream: TableName: {table.name}")
                if not enabled and not table.stream_enabled:
                    raise ValidationException(f"Table already has no enabled stream: TableName: {table.name}")
                if enabled and view is not None:
                    self._open_stream(tx, table, view, now)
                else:
                    self._close_stream(tx, table, now)
            if table_class is not None:
                table.table_class = table_class
                changed = True
            if sse is not None and encryption != table.sse:  # to a KMS key, another one, or the AWS owned key
                table.sse = encryption
                changed = True
            for attribute, given, members in (("on_demand", on_demand, tables.ON_DEMAND), ("warm", warm, tables.WARM)):
                setting = tables.throughput_setting(getattr(table, attribute), given, members)
                if setting != getattr(table, attribute):
                    setattr(table, attribute, setting)
                    changed = True
            for definition in attribute_definitions or []:
                known = table.attributes.get(definition["AttributeName"])
                if known is not None and known != definition["AttributeType"]:
                    raise invalid(
                        f"Cannot change the type of attribute {definition['AttributeName']} "
                        f"(existing type: {known}, new type: {definition['AttributeType']})"
                    )
                table.attributes[definition["AttributeName"]] = definition["AttributeType"]
            for change in gsi_updates or []:
                changed = True
                self._change_index(tx, table, change, now)
            if changed:
                table.updated_at = round(now, 3)
            store.save_table(tx, table)
            return self._described(tx, table)

        return await self.store.write(run)

    def _change_index(self, tx: Tx, table: Table, change: dict[str, Any], now: float) -> None:
        if "Create" in change:
            spec = change["Create"]
            if len([i for i in table.indexes if i.kind == "GSI"]) >= limits.GSI_PER_TABLE:
                raise LimitExceededException("Subscriber limit exceeded: Only 20 global secondary indexes per table")
            index = self._add_index(table, spec, "GSI", round(now, 3))
            for name in (index.hash, index.range):
                if name is not None and name not in table.attributes:
                    raise invalid(
                        "Some index key attributes are not defined in AttributeDefinitions. "
                        f"Keys: [{name}], AttributeDefinitions: [{', '.join(table.attributes)}]"
                    )
            self._backfill(tx, table, index)
        elif "Delete" in change:
            name = change["Delete"]["IndexName"]
            found = next((i for i in table.indexes if i.name == name and i.kind == "GSI"), None)
            if found is None:
                raise ResourceNotFoundException(f"Requested resource not found: Index: {name} not found")
            table.indexes.remove(found)
            store.delete_index(tx, table.id, found.number)
        elif "Update" in change:
            spec = change["Update"]
            updated = next((i for i in table.indexes if i.name == spec["IndexName"] and i.kind == "GSI"), None)
            if updated is None:
                raise ResourceNotFoundException(f"Requested resource not found: Index: {spec['IndexName']} not found")
            if "ProvisionedThroughput" in spec:
                updated.read, updated.write = tables.throughput(
                    spec["ProvisionedThroughput"], table.billing, f"index {updated.name}"
                )
            updated.on_demand = tables.throughput_setting(updated.on_demand, spec.get("OnDemandThroughput"),
                                                          tables.ON_DEMAND)  # fmt: skip
            updated.warm = tables.throughput_setting(updated.warm, spec.get("WarmThroughput"), tables.WARM)

    @staticmethod
    def _backfill(tx: Tx, table: Table, index: Index) -> None:
        after: tuple[bytes, bytes] | None = None
        while True:
            rows = store.scan(tx, table.id, 0, after, 1000)
            for _pk, _sk, text, _size in rows:
                item = values.load_item(text)
                try:
                    position = table.index_key(index, item)
                except ServiceError:
                    continue  # AWS leaves items whose index key has another type out of the index
                if position is not None:
                    projected = index.projected(item, table)
                    store.put_item(tx, table.id, index.number, *position, values.dump_item(projected),
                                   values.item_size(projected), None)  # fmt: skip
            if len(rows) < 1000:
                return
            after = rows[-1][0], rows[-1][1]

    # --- tags and TTL --------------------------------------------------------------------------------------------

    async def _by_arn(self, arn: str, change: Callable[[Table], T], write: bool = True) -> T:
        region, account, name = tables.parse_arn(arn)

        def run(tx: Tx) -> T:
            found = store.get_table(tx, account, region, name)
            if found is None:
                raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
            table = copy.deepcopy(found)
            out = change(table)
            if write:
                store.save_table(tx, table)
            return out

        return await (self.store.write(run) if write else self.store.read(run))

    async def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        def change(table: Table) -> None:
            table.tags.update({t["Key"]: t["Value"] for t in tags})
            if len(table.tags) > 50:
                raise ValidationException("One or more parameter values were invalid: Too many tags")

        await self._by_arn(arn, change)

    async def untag_resource(self, arn: str, keys: list[str]) -> None:
        def change(table: Table) -> None:
            for key in keys:
                table.tags.pop(key, None)

        await self._by_arn(arn, change)

    async def list_tags(self, arn: str) -> dict[str, Any]:
        def read(table: Table) -> dict[str, Any]:
            return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

        return await self._by_arn(arn, read, write=False)

    async def update_ttl(self, account: str, region: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        enabled, attribute = bool(spec["Enabled"]), spec["AttributeName"]

        def run(tx: Tx) -> dict[str, Any]:
            found = self._find(tx, account, region, name)
            if found is None:
                raise no_such_resource()
            table = copy.deepcopy(found)
            if enabled and table.ttl_enabled:
                raise ValidationException("TimeToLive is already enabled")
            if not enabled and not table.ttl_enabled:
                raise ValidationException("TimeToLive is already disabled")
            if not enabled and attribute != table.ttl_attribute:
                raise ValidationException(
                    f"TimeToLive is active on a different AttributeName: current AttributeName is {table.ttl_attribute}"
                )
            table.ttl_enabled, table.ttl_attribute = enabled, attribute
            store.save_table(tx, table)
            self._reindex_expiry(tx, table)
            return {"Enabled": enabled, "AttributeName": attribute}

        return await self.store.write(run)

    @staticmethod
    def _reindex_expiry(tx: Tx, table: Table) -> None:
        store.clear_expiry(tx, table.id)
        if not table.ttl_enabled:
            return
        after: tuple[bytes, bytes] | None = None
        while True:
            rows = store.scan(tx, table.id, 0, after, 1000)
            for pk, sk, text, _size in rows:
                expires = items.expiry(table, values.load_item(text))
                if expires is not None:
                    store.set_expiry(tx, table.id, pk, sk, expires)
            if len(rows) < 1000:
                return
            after = rows[-1][0], rows[-1][1]

    async def describe_ttl(self, account: str, region: str, name: str) -> dict[str, Any]:
        def run(tx: Tx) -> dict[str, Any]:
            table = self._find(tx, account, region, name)
            if table is None:
                raise no_such_resource()
            if table.ttl_enabled:
                return {"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl_attribute}
            return {"TimeToLiveStatus": "DISABLED"}

        return await self.store.read(run)

    async def sweep_expired(self) -> int:
        """Delete items whose TTL passed (leader only): the number deleted."""
        now = self.clock.now()

        def run(tx: Tx) -> int:
            rows = store.expired(tx, now, now - limits.TTL_HORIZON_SECONDS, limits.TTL_BATCH)
            found = store.tables_by_id(tx, sorted({r[0] for r in rows}))
            for table_id, pk, sk, text in rows:
                table = found.get(table_id)
                if table is None:
                    continue
                self._write(tx, table, (pk, sk), values.load_item(text), None, now, by_service=True)
            return len(rows)

        total = 0
        while True:
            done = await self.store.write(run)
            total += done
            if done < limits.TTL_BATCH:
                return total

    # --- streams (the DynamoDbStreams port) ----------------------------------------------------------------------

    @staticmethod
    def _stream(tx: Tx, stream_arn: str, caller: str | None = None, action: str = "") -> store.StreamRow:
        """A stream's row; a ``caller`` account other than its owner must be allowed ``action`` by the stream's
        resource policy (as that account's root: the port is not told which IAM principal calls)."""
        parsed = streams.parse_arn(stream_arn)
        if parsed is None:
            raise ValidationException(f"Invalid StreamArn: {stream_arn}")
        region, account, table_name, stream_label = parsed
        row = store.get_stream(tx, account, region, table_name, stream_label)
        if caller is not None and caller != account:
            table = store.get_table(tx, account, region, table_name) if row is not None else None
            found = table.stream_policies.get(stream_label) if table is not None else None
            policy = found[0] if found else None
            principal = f"arn:aws:iam::{caller}:root"
            decision = evaluate_policy(policy, PolicyRequest(Principal(caller, principal), action, stream_arn))
            if not decision.allowed:
                raise AccessDeniedException(not_authorized(principal, action, stream_arn, decision))
        if row is None:
            raise ResourceNotFoundException(f"Requested resource not found: Stream: {stream_arn} not found")
        return row

    @staticmethod
    def _stream_arn(row: store.StreamRow) -> str:
        return streams.arn(row[2], row[1], row[3], row[4])

    async def list_streams(
        self, account: str, region: str, table_name: str | None, after_arn: str | None, limit: int | None
    ) -> dict[str, Any]:
        limit = limit or 100
        rows = await self.store.read(lambda tx: store.list_streams(tx, account, region, table_name))
        arns = [(self._stream_arn(r), r) for r in rows]
        if after_arn is not None:
            found = [a for a, _ in arns].index(after_arn) + 1 if after_arn in [a for a, _ in arns] else 0
            arns = arns[found:]
        out: dict[str, Any] = {
            "Streams": [{"StreamArn": a, "TableName": r[3], "StreamLabel": r[4]} for a, r in arns[:limit]]
        }
        if len(arns) > limit:
            out["LastEvaluatedStreamArn"] = arns[limit - 1][0]
        return out

    @staticmethod
    def _shard_end(row: store.StreamRow, shard: store.ShardRow) -> int | None:
        """The last sequence number a shard takes: its end once closed, the stream's last once disabled; None while
        it takes new records."""
        if shard[4] is not None:
            return shard[4]
        return row[10] - 1 if row[9] is not None else None

    async def describe_stream(
        self, account: str, region: str, stream_arn: str, limit: int | None, after_shard: str | None
    ) -> dict[str, Any]:
        if limit is not None and not 1 <= limit <= 100:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must "
                f"have value {'less than or equal to 100' if limit > 1 else 'greater than or equal to 1'}"
            )

        def run(tx: Tx) -> dict[str, Any]:
            row = self._stream(tx, stream_arn, account, "dynamodb:DescribeStream")
            oldest = store.oldest_sequence(tx, row[0]) or row[10]
            listed = store.stream_shards(tx, row[0])
            if after_shard is not None:
                ids = [shard[1] for shard in listed]
                listed = listed[ids.index(after_shard) + 1 :] if after_shard in ids else listed
            shards = []
            for shard in listed[: limit or 100]:
                end = self._shard_end(row, shard)
                numbers = {"StartingSequenceNumber": streams.sequence_number(max(shard[0], oldest))}
                if end is not None and end >= shard[0]:
                    numbers["EndingSequenceNumber"] = streams.sequence_number(end)
                described: dict[str, Any] = {"ShardId": shard[1], "SequenceNumberRange": numbers}
                if shard[2] is not None:
                    described["ParentShardId"] = shard[2]
                shards.append(described)
            description: dict[str, Any] = {
                "StreamArn": self._stream_arn(row),
                "StreamLabel": row[4],
                "StreamStatus": "ENABLED" if row[9] is None else "DISABLED",
                "StreamViewType": row[5],
                "CreationRequestDateTime": row[8],
                "TableName": row[3],
                "KeySchema": json.loads(row[6]),
                "Shards": shards,
            }
            if len(listed) > len(shards):
                description["LastEvaluatedShardId"] = shards[-1]["ShardId"]
            return {"StreamDescription": description}

        return await self.store.read(run)

    async def get_shard_iterator(
        self, account: str, region: str, stream_arn: str, shard_id: str, kind: str, sequence: str | None
    ) -> dict[str, Any]:
        if kind not in streams.ITERATOR_TYPES:
            raise ValidationException(
                f"1 validation error detected: Value '{kind}' at 'shardIteratorType' failed to satisfy constraint: "
                "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]"
            )
        by_number = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if by_number and sequence is None:
            raise ValidationException(f"Must provide SequenceNumber for ShardIteratorType: {kind}")
        if not by_number and sequence is not None:
            raise ValidationException(f"Must not provide SequenceNumber for ShardIteratorType: {kind}")
        number = streams.parse_sequence(sequence)
        if by_number and number is None:
            raise ValidationException(f"Invalid SequenceNumber: {sequence}")
        now_ms = self.clock.now_ms()

        def run(tx: Tx) -> dict[str, Any]:
            row = self._stream(tx, stream_arn, account, "dynamodb:GetShardIterator")
            shard = next((s for s in store.stream_shards(tx, row[0]) if s[1] == shard_id), None)
            if shard is None:
                raise ResourceNotFoundException(
                    f"Requested resource not found: Shard: {shard_id} in Stream: {stream_arn} not found"
                )
            end = self._shard_end(row, shard)
            last = end if end is not None else row[10] - 1
            first = max(shard[0], store.oldest_sequence(tx, row[0]) or row[10])
            if kind == "TRIM_HORIZON":
                after = first - 1
            elif kind == "LATEST":
                after = last
            else:
                assert number is not None
                if number < shard[0] or number > last:
                    raise ValidationException(f"Invalid SequenceNumber {sequence} for shard {shard_id}: no such record")
                if number < first:
                    raise TrimmedDataAccessException(
                        f"The requested sequence number {sequence} is beyond the trim horizon of the shard"
                    )
                after = number - 1 if kind == "AT_SEQUENCE_NUMBER" else number
            where = streams.Position(row[0], int(row[8] * 1000), after, now_ms, shard[0])
            return {"ShardIterator": streams.issue(self.iterator_key, where)}

        return await self.store.read(run)

    async def get_records(self, iterator: str, limit: int | None) -> dict[str, Any]:
        if limit is not None and not 1 <= limit <= streams.GET_RECORDS_LIMIT:
            raise ValidationException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must "
                f"have value {'less than or equal to 1000' if limit > 1 else 'greater than or equal to 1'}"
            )
        where = streams.read(self.iterator_key, iterator)
        if where is None:
            raise ValidationException("Invalid ShardIterator: the iterator was not issued by this service")
        now_ms = self.clock.now_ms()
        if now_ms - where.issued_ms > streams.ITERATOR_SECONDS * 1000:
            raise ExpiredIteratorException("Shard iterator has expired")

        def run(tx: Tx) -> dict[str, Any]:
            row = store.stream_by_id(tx, where.stream_id)
            if row is None or int(row[8] * 1000) != where.created_ms:
                raise ResourceNotFoundException("Requested resource not found: Stream was deleted or trimmed")
            shard = store.shard_from(tx, row[0], where.shard_first)
            first = store.oldest_sequence(tx, row[0]) or row[10]
            if shard is None or where.after + 1 < first:
                raise TrimmedDataAccessException(
                    "The operation attempted to read past the oldest stream record in a shard"
                )
            end = self._shard_end(row, shard)
            found = store.records(tx, row[0], where.after, limit or streams.GET_RECORDS_LIMIT, end)
            stream_arn = self._stream_arn(row)
            out: dict[str, Any] = {"Records": [streams.rendered(seq, text, row[2], stream_arn) for seq, text in found]}
            last = found[-1][0] if found else where.after
            if end is None or last < end:
                nxt = streams.Position(row[0], where.created_ms, last, now_ms, shard[0])
                out["NextShardIterator"] = streams.issue(self.iterator_key, nxt)
            return out

        return await self.store.read(run)

    async def roll_shards(self) -> int:
        """Close every open shard older than the shard lifetime that holds a record and open its child (AWS rolls a
        stream's shards about every four hours): how many rolled."""
        now = self.clock.now()
        due = await self.store.read(lambda tx: store.shards_to_roll(tx, now - self.settings.shard_seconds))
        rolled = 0
        for row, first in due:
            child = streams.shard_id(now, self._stream_arn(row))

            def roll(tx: Tx, row: store.StreamRow = row, first: int = first, child: str = child) -> bool:
                return store.roll_shard(tx, row[0], first, child, now)

            rolled += await self.store.write(roll)
        return rolled

    async def sweep_streams(self) -> int:
        """Drop stream records (and disabled streams) past the 24 hour retention: how many records went."""
        before = self.clock.now() - streams.RETENTION_SECONDS
        return await self.store.write(lambda tx: store.trim_streams(tx, before))

    # --- single items --------------------------------------------------------------------------------------------

    async def put_item(
        self,
        account: str,
        region: str,
        table_name: str,
        item: dict[str, Any],
        condition: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        return_values: str | None,
        return_on_failure: str | None,
        return_capacity: str | None,
        expected: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        return_metrics: str | None = None,
    ) -> dict[str, Any]:
        if return_values not in (None, "NONE", "ALL_OLD"):
            raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
        new = values.check_item(item)
        legacy = {"Expected": expected, "ConditionalOperator": conditional_operator}
        expr = _parse(names, vals, condition=condition, legacy=legacy, where="Expected", tokenized=self._tokenized)
        size = items.check_size(new)

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name)
            self.throttle.admit(table, "write")
            key = table.item_key(new)
            needs_old = expr.condition is not None or return_values == "ALL_OLD" or return_capacity is not None
            old = self._current(tx, table, key) if needs_old or _tracks_changes(table) else None
            self._check(expr.condition, old, return_on_failure)
            touched = self._write(tx, table, key, old, new, self.clock.now(), size=size)
            out: dict[str, Any] = {}
            if return_values == "ALL_OLD" and old:
                out["Attributes"] = old
            self._capacity(out, return_capacity, table, items.write_units(size, _size(old)), touched)
            self.throttle.take(table, "write", items.write_units(size, _size(old)), index_units=touched)
            self._metrics(out, return_metrics, tx, table, new)
            return out

        return await self.store.write(run)

    @staticmethod
    def _current(tx: Tx, table: Table, key: tuple[bytes, bytes]) -> Item | None:
        row = store.get_item(tx, table.id, 0, *key)
        return values.load_item(row[0]) if row is not None else None

    @staticmethod
    def _check(condition: Any, old: Item | None, return_on_failure: str | None) -> None:
        if condition is not None and not evaluate.test(old or {}, condition):
            raise condition_failed(values.wire_item(old) if old and return_on_failure == "ALL_OLD" else None)

    @staticmethod
    def _capacity(out: dict[str, Any], mode: str | None, table: Table, units: float, touched: dict[str, float]) -> None:
        capacity = items.consumed(mode, table.name, units, touched, local=_local(table))
        if capacity is not None:
            out["ConsumedCapacity"] = capacity

    def _metrics(self, out: dict[str, Any], mode: str | None, tx: Tx, table: Table, item: Item) -> None:
        if mode == "SIZE":
            metrics = self._collection(tx, table, item)
            if metrics is not None:
                out["ItemCollectionMetrics"] = metrics

    def _collections(self, tx: Tx, table: Table, written: list[Item], into: dict[str, list[dict[str, Any]]]) -> None:
        """A batch's or transaction's ItemCollectionMetrics for ``table``: one per item collection written."""
        seen = {values.encode_key(m["ItemCollectionKey"][table.hash]) for m in into.get(table.name, [])}
        for item in written:
            position = values.encode_key(item[table.hash])
            if position in seen:
                continue
            seen.add(position)
            metrics = self._collection(tx, table, item)
            if metrics is not None:
                into.setdefault(table.name, []).append(metrics)

    @staticmethod
    def _collection(tx: Tx, table: Table, item: Item) -> dict[str, Any] | None:
        """ItemCollectionMetrics of the item collection ``item`` (an item or key) belongs to: None unless the table
        has local secondary indexes, as on AWS; the estimate brackets its size between whole gigabytes."""
        local = [index.number for index in table.indexes if index.kind == "LSI"]
        if not local:
            return None
        hash_value = item[table.hash]
        size = store.collection_bytes(tx, table.id, [0, *local], values.encode_key(hash_value))
        low = float(size // limits.COLLECTION_GB)
        return {"ItemCollectionKey": {table.hash: hash_value}, "SizeEstimateRangeGB": [low, low + 1.0]}

    async def get_item(
        self,
        account: str,
        region: str,
        table_name: str,
        key: dict[str, Any],
        projection: str | None,
        names: dict[str, str] | None,
        attributes_to_get: list[str] | None,
        consistent: bool,
        return_capacity: str | None,
    ) -> dict[str, Any]:
        checked = values.check_item(key)
        expr = _parse(names, None, projection=projection, tokenized=self._tokenized)
        paths = _projection(expr, attributes_to_get)

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name, read_only=True)
            self.throttle.admit(table, "read")
            row = store.get_item(tx, table.id, 0, *table.key(checked))
            self.throttle.take(table, "read", items.read_units(row[1] if row else 0, consistent))
            out: dict[str, Any] = {}
            if row is not None:
                item = values.load_item(row[0])
                out["Item"] = evaluate.project(item, paths) if paths is not None else item
            capacity = items.consumed(
                return_capacity, table.name, items.read_units(row[1] if row else 0, consistent), write=False
            )
            if capacity is not None:
                out["ConsumedCapacity"] = capacity
            if row is not None and paths is None:
                return answers.prewritten(out, "Item", row[0])  # the item as stored is its JSON
            return out

        return await self.store.read(run)

    async def delete_item(
        self,
        account: str,
        region: str,
        table_name: str,
        key: dict[str, Any],
        condition: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        return_values: str | None,
        return_on_failure: str | None,
        return_capacity: str | None,
        expected: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        return_metrics: str | None = None,
    ) -> dict[str, Any]:
        if return_values not in (None, "NONE", "ALL_OLD"):
            raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
        checked = values.check_item(key)
        legacy = {"Expected": expected, "ConditionalOperator": conditional_operator}
        expr = _parse(names, vals, condition=condition, legacy=legacy, where="Expected", tokenized=self._tokenized)

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name)
            self.throttle.admit(table, "write")
            position = table.key(checked)
            needs_old = expr.condition is not None or return_values == "ALL_OLD" or return_capacity is not None
            if not needs_old and not _tracks_changes(table) and not table.pitr_enabled:  # (so no local index)
                store.delete_item(tx, table.id, 0, *position)  # nothing else to do, whether it was there or not
                self.throttle.take(table, "write", items.write_units(0))
                return {}
            old = self._current(tx, table, position)
            self._check(expr.condition, old, return_on_failure)
            touched = self._write(tx, table, position, old, None, self.clock.now()) if old is not None else {}
            out: dict[str, Any] = {}
            if return_values == "ALL_OLD" and old:
                out["Attributes"] = old
            self._capacity(out, return_capacity, table, items.write_units(_size(old)), touched)
            self.throttle.take(table, "write", items.write_units(_size(old)), index_units=touched)
            self._metrics(out, return_metrics, tx, table, checked)
            return out

        return await self.store.write(run)

    async def update_item(
        self,
        account: str,
        region: str,
        table_name: str,
        key: dict[str, Any],
        update: str | None,
        condition: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        return_values: str | None,
        return_on_failure: str | None,
        return_capacity: str | None,
        attribute_updates: dict[str, Any] | None = None,
        expected: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
        return_metrics: str | None = None,
    ) -> dict[str, Any]:
        checked = values.check_item(key)
        legacy = {"AttributeUpdates": attribute_updates, "Expected": expected,
                  "ConditionalOperator": conditional_operator}  # fmt: skip
        expr = _parse(
            names, vals, condition=condition, update=update, legacy=legacy, where="Expected", tokenized=self._tokenized
        )

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name)
            self.throttle.admit(table, "write")
            position = table.key(checked)
            old = self._current(tx, table, position)
            self._check(expr.condition, old, return_on_failure)
            new, touched = self._apply_update(tx, table, position, checked, old, expr.update, self.clock.now())
            out: dict[str, Any] = {}
            attributes = _returned(return_values, old, new, expr.update)
            if attributes:
                out["Attributes"] = attributes
            self._capacity(out, return_capacity, table, items.write_units(_size(old), _size(new)), touched)
            self.throttle.take(table, "write", items.write_units(_size(old), _size(new)), index_units=touched)
            self._metrics(out, return_metrics, tx, table, checked)
            return out

        return await self.store.write(run)

    def _apply_update(
        self,
        tx: Tx,
        table: Table,
        position: tuple[bytes, bytes],
        key: Item,
        old: Item | None,
        update: Update | None,
        now: float,
    ) -> tuple[Item, dict[str, float]]:
        base = old if old is not None else dict(key)
        if update is None:
            new = copy.deepcopy(base)
        else:
            for path in update.paths():
                if path[0] in (table.hash, table.range):
                    raise invalid(f"Cannot update attribute {path[0]}. This attribute is part of the key")
            new = evaluate.apply_update(base, update)
        items.check_size(new, update=True)
        return new, self._write(tx, table, position, old, new, now)

    # --- Query and Scan ------------------------------------------------------------------------------------------

    async def query(
        self,
        account: str,
        region: str,
        table_name: str,
        index_name: str | None,
        key_condition: str | None,
        filter_: str | None,
        projection: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        attributes_to_get: list[str] | None,
        select: str | None,
        limit: int | None,
        forward: bool,
        start: dict[str, Any] | None,
        consistent: bool,
        return_capacity: str | None,
        key_conditions: dict[str, Any] | None = None,
        query_filter: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
    ) -> dict[str, Any]:
        if key_condition is None and key_conditions is None:
            raise ValidationException(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
            )
        legacy = {"KeyConditions": key_conditions, "QueryFilter": query_filter,
                  "ConditionalOperator": conditional_operator}  # fmt: skip
        expr = _parse(names, vals, key=key_condition, filter_=filter_, projection=projection, legacy=legacy,
                      where="QueryFilter", tokenized=self._tokenized)  # fmt: skip
        paths = _projection(expr, attributes_to_get)
        start_key = values.check_item(start) if start else None

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name, read_only=True)
            index = self._index(table, index_name, consistent)
            hash_name, range_name = (index.hash, index.range) if index else (table.hash, table.range)
            bounds = keyconditions.key_range(expr.key, hash_name, range_name, table.attributes)
            self._check_filter(expr.filter, table, index, "QueryFilter" if query_filter is not None else None)
            pk = values.encode_key(bounds.hash_value)
            low, high = bounds.low, bounds.high
            if start_key is not None:
                start_pk, start_sk = self._position(table, index, start_key)
                if start_pk != pk:
                    raise ValidationException("The provided starting key is outside query boundaries based on "
                                              "provided conditions")  # fmt: skip
                if forward:
                    low = max(low or b"", start_sk + b"\x00")
                else:
                    high = start_sk if high is None else min(high, start_sk)

            def fetch(after: tuple[bytes, bytes] | None, count: int) -> list[store.Row]:
                lo, hi = low, high
                if after is not None:
                    if forward:
                        lo = after[1] + b"\x00"
                    else:
                        hi = after[1]
                return store.query(tx, table.id, index.number if index else 0, pk, lo, hi, forward, count)

            return self._page(tx, table, index, fetch, expr.filter, paths, select, limit, consistent,
                              return_capacity, None, written=True)  # fmt: skip

        return await self.store.read(run)

    async def scan(
        self,
        account: str,
        region: str,
        table_name: str,
        index_name: str | None,
        filter_: str | None,
        projection: str | None,
        names: dict[str, str] | None,
        vals: dict[str, Any] | None,
        attributes_to_get: list[str] | None,
        select: str | None,
        limit: int | None,
        start: dict[str, Any] | None,
        segment: int | None,
        total_segments: int | None,
        consistent: bool,
        return_capacity: str | None,
        scan_filter: dict[str, Any] | None = None,
        conditional_operator: str | None = None,
    ) -> dict[str, Any]:
        if segment is not None and total_segments is None:  # AWS's two wordings differ in more than the names
            raise ValidationException("The TotalSegments parameter is required but was not present in the request "
                                      "when Segment parameter is present")  # fmt: skip
        if total_segments is not None and segment is None:
            raise ValidationException("The Segment parameter is required but was not present in the request when "
                                      "parameter TotalSegments is present")  # fmt: skip
        if segment is not None and total_segments is not None and segment >= total_segments:
            raise ValidationException(
                f"The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: "
                f"{segment} is not less than TotalSegments: {total_segments}"
            )
        legacy = {"ScanFilter": scan_filter, "ConditionalOperator": conditional_operator}
        expr = _parse(names, vals, filter_=filter_, projection=projection, legacy=legacy, tokenized=self._tokenized)
        paths = _projection(expr, attributes_to_get)
        start_key = values.check_item(start) if start else None

        def run(tx: Tx) -> dict[str, Any]:
            table = self._table(tx, account, region, table_name, read_only=True)
            index = self._index(table, index_name, consistent)
            begin = self._position(table, index, start_key) if start_key is not None else None

            def fetch(after: tuple[bytes, bytes] | None, count: int) -> list[store.Row]:
                return store.scan(tx, table.id, index.number if index else 0, after or begin, count)

            wanted = None
            if total_segments is not None:
                wanted = (segment, total_segments)
            return self._page(tx, table, index, fetch, expr.filter, paths, select, limit, consistent,
                              return_capacity, wanted, written=True)  # fmt: skip

        return await self.store.read(run)

    def _index(self, table: Table, name: str | None, consistent: bool) -> Index | None:
        if name is None:
            return None
        index = next((i for i in table.indexes if i.name == name), None)
        if index is None:
            raise ValidationException(f"The table does not have the specified index: {name}")
        if index.kind == "GSI" and consistent:
            raise ValidationException("Consistent reads are not supported on global secondary indexes")
        if index.kind == "GSI" and index.created_at > table.created_at and self._busy(index.created_at):
            raise ValidationException(f"Cannot read from backfilling global secondary index: {index.name}")
        return index

    @staticmethod
    def _check_filter(node: Any, table: Table, index: Index | None, legacy: str | None) -> None:
        if node is None:
            return
        keys = {table.hash, table.range} if index is None else {index.hash, index.range}
        for path in _paths(node):
            if path[0] in keys:
                if legacy is not None:
                    raise invalid(f"{legacy} can only contain non-key attributes: Primary key attribute: {path[0]}")
                raise ValidationException(
                    f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {path[0]}"
                )

    @staticmethod
    def _position(table: Table, index: Index | None, key: Item) -> tuple[bytes, bytes]:
        if index is None:
            try:
                return table.key(key)
            except ServiceError:
                raise ValidationException("The provided starting key is invalid: The provided key element does "
                                          "not match the schema") from None  # fmt: skip
        return table.index_position(index, key)

    def _page(
        self,
        tx: Tx,
        table: Table,
        index: Index | None,
        fetch: Callable[[tuple[bytes, bytes] | None, int], list[store.Row]],
        filter_: Any,
        paths: list[Path] | None,
        select: str | None,
        limit: int | None,
        consistent: bool,
        return_capacity: str | None,
        segment: tuple[int | None, int] | None,
        written: bool = False,
    ) -> dict[str, Any]:
        """One page of Query / Scan (``fetch``: rows after a position); ``written``: when the items are returned as
        stored (no filter, projection or base-table fetch), the answer brings its JSON (answers.prewritten)."""
        select = select or ("SPECIFIC_ATTRIBUTES" if paths is not None else
                            "ALL_ATTRIBUTES" if index is None else "ALL_PROJECTED_ATTRIBUTES")  # fmt: skip
        if select == "SPECIFIC_ATTRIBUTES" and paths is None:
            raise ValidationException(
                "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: "
                "Member must specify ProjectionExpression or AttributesToGet"
            )
        if select != "SPECIFIC_ATTRIBUTES" and paths is not None:
            raise ValidationException(
                "Cannot specify the ProjectionExpression when choosing to get " + select
                if select != "COUNT"
                else "Cannot specify the AttributesToGet when choosing to get only the COUNT"
            )
        if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
            raise ValidationException("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
        partial = index is not None and index.projection.get("ProjectionType") != "ALL"
        if partial and select == "ALL_ATTRIBUTES" and index is not None and index.kind == "GSI":
            raise ValidationException(
                f"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
                f"secondary index {index.name} because its projection type is not ALL"
            )
        from_table = partial and index is not None and index.kind == "LSI" and select != "ALL_PROJECTED_ATTRIBUTES"
        self.throttle.admit(table, "read", index.name if index is not None else None)
        as_stored = written and filter_ is None and paths is None and not from_table and select != "COUNT"
        found: list[Item] = []
        texts: list[str] = []  # as_stored: the items' stored JSON
        scanned = 0
        read_bytes = 0
        last: Item | None = None
        more = False
        after: tuple[bytes, bytes] | None = None
        while True:
            want = limits.PAGE_CHUNK if limit is None else min(limits.PAGE_CHUNK, limit - scanned)
            rows = fetch(after, want)
            for pk, sk, text, size in rows:
                after = pk, sk
                if segment is not None and zlib.crc32(pk) % segment[1] != segment[0]:
                    continue
                if as_stored:
                    texts.append(text)
                    scanned += 1
                    read_bytes += size
                    if (limit is not None and scanned >= limit) or read_bytes >= limits.PAGE_BYTES:
                        more = True
                        break
                    continue
                item = values.load_item(text)
                if from_table:
                    base = store.get_item(tx, table.id, 0, *table.key(table.key_of(item)))
                    if base is not None:
                        item = values.load_item(base[0])
                scanned += 1
                read_bytes += size
                last = item
                if filter_ is None or evaluate.test(item, filter_):
                    if select != "COUNT":
                        found.append(evaluate.project(item, paths) if paths is not None else item)
                    else:
                        found.append({})
                if (limit is not None and scanned >= limit) or read_bytes >= limits.PAGE_BYTES:
                    more = True
                    break
            if more or len(rows) < want:
                break
        if as_stored and more and texts:
            last = values.load_item(texts[-1])  # for LastEvaluatedKey
        out: dict[str, Any] = {"Count": len(texts) if as_stored else len(found), "ScannedCount": scanned}
        if select != "COUNT":
            out["Items"] = found
        if more and last is not None:
            out["LastEvaluatedKey"] = table.key_of(last) if index is None else table.index_item_key(index, last)
        units = items.read_units(read_bytes, consistent)
        if index is None:
            capacity = items.consumed(return_capacity, table.name, units, write=False)
        else:  # an index read spends the index's capacity, not the table's
            capacity = items.consumed(return_capacity, table.name, 0.0, {index.name: units}, False, _local(table))
        if capacity is not None:
            out["ConsumedCapacity"] = capacity
        self.throttle.take(table, "read", units, index.name if index else None)
        if as_stored:
            return answers.prewritten(out, "Items", texts)
        return out

    # --- batches -------------------------------------------------------------------------------------------------

    async def batch_get(
        self, account: str, region: str, requests: dict[str, dict[str, Any]], return_capacity: str | None
    ) -> dict[str, Any]:
        if sum(len(r["Keys"]) for r in requests.values()) > limits.BATCH_GET_ITEMS:
            raise ValidationException("Too many items requested for the BatchGetItem call")
        plans = []
        for name, request in requests.items():
            expr = _parse(request.get("ExpressionAttributeNames"), None, projection=request.get("ProjectionExpression"))
            paths = _projection(expr, request.get("AttributesToGet"))
            keys = [values.check_item(k) for k in request["Keys"]]
            plans.append((name, keys, paths, bool(request.get("ConsistentRead"))))

        def run(tx: Tx) -> dict[str, Any]:
            responses: dict[str, list[Item]] = {}
            unprocessed: dict[str, Any] = {}
            capacities = []
            returned = 0  # bytes of the items answered: at most 16 MB
            for name, keys, paths, consistent in plans:
                table = self._table(tx, account, region, name)
                positions = [table.key(k) for k in keys]
                if len(set(positions)) != len(positions):
                    raise ValidationException("Provided list of item keys contains duplicates")
                if self.throttle.spent(table, "read") is not None:  # its capacity is spent: asked again later
                    unprocessed[name] = requests[name]
                    continue
                got: list[Item] = []
                units = 0.0
                for number, position in enumerate(positions):
                    if returned >= limits.BATCH_GET_BYTES:  # the answer is full: the rest is asked again later
                        unprocessed[name] = {**requests[name], "Keys": requests[name]["Keys"][number:]}
                        break
                    row = store.get_item(tx, table.id, 0, *position)
                    if row is not None and returned + row[1] > limits.BATCH_GET_BYTES:
                        returned = limits.BATCH_GET_BYTES
                        unprocessed[name] = {**requests[name], "Keys": requests[name]["Keys"][number:]}
                        break
                    units += items.read_units(row[1] if row is not None else 0, consistent)  # each item on its own
                    if row is not None:
                        item = values.load_item(row[0])
                        got.append(evaluate.project(item, paths) if paths is not None else item)
                        returned += row[1]
                if got or name not in unprocessed:
                    responses[name] = got
                self.throttle.take(table, "read", units)
                capacity = items.consumed(return_capacity, table.name, units, write=False)
                if capacity is not None:
                    capacities.append(capacity)
            if unprocessed and not responses:  # every table's capacity spent: AWS refuses the whole call
                raise ProvisionedThroughputExceededException(TABLE_SPENT)
            out: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
            if capacities:
                out["ConsumedCapacity"] = capacities
            return out

        return await self.store.read(run)

    async def batch_write(
        self,
        account: str,
        region: str,
        requests: dict[str, list[dict[str, Any]]],
        return_capacity: str | None,
        return_metrics: str | None = None,
    ) -> dict[str, Any]:
        if sum(len(r) for r in requests.values()) > limits.BATCH_WRITE_ITEMS:
            raise ValidationException("Too many items requested for the BatchWriteItem call")
        plans: list[tuple[str, list[tuple[str, Item, int]]]] = []
        for name, writes in requests.items():
            entries = []
            for write in writes:
                if ("PutRequest" in write) == ("DeleteRequest" in write):
                    raise ValidationException("Supplied AttributeValue has more than one datatypes set, must "
                                              "contain exactly one of the supported datatypes")  # fmt: skip
                if "PutRequest" in write:
                    item = values.check_item(write["PutRequest"]["Item"])
                    entries.append(("put", item, items.check_size(item)))
                else:
                    entries.append(("delete", values.check_item(write["DeleteRequest"]["Key"]), 0))
            plans.append((name, entries))

        def run(tx: Tx) -> dict[str, Any]:
            capacities = []
            metrics: dict[str, list[dict[str, Any]]] = {}
            unprocessed: dict[str, Any] = {}
            written = 0
            for name, entries in plans:
                table = self._table(tx, account, region, name)
                positions = [table.item_key(i) if kind == "put" else table.key(i) for kind, i, _ in entries]
                if len(set(positions)) != len(positions):
                    raise ValidationException("Provided list of item keys contains duplicates")
                if self.throttle.spent(table, "write") is not None:  # its capacity is spent: written later
                    unprocessed[name] = requests[name]
                    continue
                written += 1
                units = 0.0
                by_index: dict[str, float] = {}
                for (kind, item, size), position in zip(entries, positions):
                    old = self._current(tx, table, position)
                    put = kind == "put"
                    touched = self._write(
                        tx, table, position, old, item if put else None, self.clock.now(), size=size if put else None
                    )
                    units += items.write_units(_size(old), size)
                    _add_units(by_index, touched)
                self.throttle.take(table, "write", units, index_units=by_index)
                capacity = items.consumed(return_capacity, table.name, units, by_index, local=_local(table))
                if capacity is not None:
                    capacities.append(capacity)
                if return_metrics == "SIZE":
                    self._collections(tx, table, [item for _kind, item, _size in entries], metrics)
            if unprocessed and not written:  # every table's capacity spent: AWS refuses the whole call
                raise ProvisionedThroughputExceededException(TABLE_SPENT)
            out: dict[str, Any] = {"UnprocessedItems": unprocessed}
            if capacities:
                out["ConsumedCapacity"] = capacities
            if metrics:
                out["ItemCollectionMetrics"] = metrics
            return out

        return await self.store.write(run)

    # --- transactions --------------------------------------------------------------------------------------------

    async def transact_get(
        self, account: str, region: str, requests: list[dict[str, Any]], return_capacity: str | None
    ) -> dict[str, Any]:
        plans = []
        for request in requests:
            get = request["Get"]
            expr = _parse(get.get("ExpressionAttributeNames"), None, projection=get.get("ProjectionExpression"))
            plans.append((get["TableName"], values.check_item(get["Key"]), expr.projection))

        def run(tx: Tx) -> dict[str, Any]:
            responses: list[dict[str, Any]] = []
            seen = set()
            per_table: dict[str, float] = {}
            tables_read: dict[str, Table] = {}
            for name, key, paths in plans:
                table = self._table(tx, account, region, name)
                if table.name not in tables_read:
                    self.throttle.admit(table, "read")
                    tables_read[table.name] = table
                position = table.key(key)
                if (table.id, position) in seen:
                    raise ValidationException("Transaction request cannot include multiple operations on one item")
                seen.add((table.id, position))
                row = store.get_item(tx, table.id, 0, *position)
                per_table[table.name] = per_table.get(table.name, 0.0) + 2 * items.read_units(
                    row[1] if row else 0, True
                )
                if row is None:
                    responses.append({})
                    continue
                item = values.load_item(row[0])
                responses.append({"Item": evaluate.project(item, paths) if paths is not None else item})
            out: dict[str, Any] = {"Responses": responses}
            for name, units in per_table.items():
                self.throttle.take(tables_read[name], "read", units)
            capacities = [items.consumed(return_capacity, n, u, write=False) for n, u in per_table.items()]
            if any(capacities):
                out["ConsumedCapacity"] = capacities
            return out

        return await self.store.read(run)

    async def transact_write(
        self,
        account: str,
        region: str,
        requests: list[dict[str, Any]],
        token: str | None,
        return_capacity: str | None,
        return_metrics: str | None = None,
    ) -> dict[str, Any]:
        plans = []
        total = 0
        for request in requests:
            if len(request) != 1:
                raise ValidationException("TransactItems can only contain one of Check, Put, Update or Delete")
            ((kind, body),) = request.items()
            expr = _parse(
                body.get("ExpressionAttributeNames"),
                body.get("ExpressionAttributeValues"),
                condition=body.get("ConditionExpression"),
                update=body.get("UpdateExpression"),
            )
            if kind == "Put":
                target = values.check_item(body["Item"])
                total += items.check_size(target)
            else:
                target = values.check_item(body["Key"])
            plans.append((kind, body["TableName"], target, expr, body.get("ReturnValuesOnConditionCheckFailure")))
        if total > limits.TRANSACT_BYTES:
            raise ValidationException("Transaction size has exceeded the maximum allowed size of 4 MB")
        digest = hashlib.sha256(json.dumps([_plain(r) for r in requests], sort_keys=True).encode()).hexdigest()
        now = self.clock.now()

        def run(tx: Tx) -> dict[str, Any]:
            if token is not None:
                known = store.get_token(tx, account, region, token, now)
                if known is not None:
                    if known != digest:
                        raise IdempotentParameterMismatchException(
                            "Request token already used with different parameters"
                        )
                    return {}
                store.put_token(tx, account, region, token, digest, now + limits.TOKEN_SECONDS)
            seen = set()
            steps = []
            tables_written: dict[str, Table] = {}
            for kind, name, target, expr, on_failure in plans:
                table = self._table(tx, account, region, name)
                if table.name not in tables_written:
                    self.throttle.admit(table, "write")
                    tables_written[table.name] = table
                position = table.item_key(target) if kind == "Put" else table.key(target)
                if (table.id, position) in seen:
                    raise ValidationException("Transaction request cannot include multiple operations on one item")
                seen.add((table.id, position))
                steps.append((kind, table, position, target, expr, on_failure))
            reasons: list[dict[str, Any]] = []
            failed = False
            writes = []
            for kind, table, position, target, expr, on_failure in steps:
                old = self._current(tx, table, position)
                if expr.condition is not None and not evaluate.test(old or {}, expr.condition):
                    reason: dict[str, Any] = {
                        "Code": "ConditionalCheckFailed",
                        "Message": "The conditional request failed",
                    }
                    if on_failure == "ALL_OLD" and old:
                        reason["Item"] = values.wire_item(old)
                    reasons.append(reason)
                    failed = True
                    continue
                reasons.append({"Code": "None"})
                writes.append((kind, table, position, target, expr, old))
            if failed:
                codes = ", ".join(r["Code"] for r in reasons)
                raise TransactionCanceledException(
                    f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                    fields={"CancellationReasons": reasons},
                )
            per_table: dict[str, float] = {}
            per_index: dict[str, dict[str, float]] = {}  # table name → index name → units (transactional: 2×)
            local: dict[str, set[str]] = {}
            for kind, table, position, target, expr, old in writes:
                size = _size(old)
                touched: dict[str, float] = {}
                if kind == "Put":
                    touched = self._write(tx, table, position, old, target, self.clock.now())
                    size = max(size, values.item_size(target))
                elif kind == "Delete":
                    if old is not None:
                        touched = self._write(tx, table, position, old, None, self.clock.now())
                elif kind == "Update":
                    new, touched = self._apply_update(tx, table, position, target, old, expr.update, self.clock.now())
                    size = max(size, values.item_size(new))
                per_table[table.name] = per_table.get(table.name, 0.0) + 2 * items.write_units(size)
                _add_units(per_index.setdefault(table.name, {}), {n: 2 * u for n, u in touched.items()})
                local[table.name] = _local(table)
            for name, units in per_table.items():
                self.throttle.take(tables_written[name], "write", units, index_units=per_index.get(name))
            out: dict[str, Any] = {}
            if return_metrics == "SIZE":
                metrics: dict[str, list[dict[str, Any]]] = {}
                for kind, table, _position, target, _expr, _old in writes:
                    if kind != "ConditionCheck":
                        self._collections(tx, table, [target], metrics)
                if metrics:
                    out["ItemCollectionMetrics"] = metrics
            capacities = [items.consumed(return_capacity, n, u, per_index.get(n), local=local.get(n, set()))
                          for n, u in per_table.items()]  # fmt: skip
            if any(capacities):
                out["ConsumedCapacity"] = capacities
            return out

        return await self.store.write(run)


def _local(table: Table) -> set[str]:
    """The names of a table's local secondary indexes (ConsumedCapacity's LocalSecondaryIndexes)."""
    return {index.name for index in table.indexes if index.kind == "LSI"}


def _add_units(into: dict[str, float], units: dict[str, float]) -> None:
    for name, value in units.items():
        into[name] = into.get(name, 0.0) + value


def _size(item: Item | None) -> int:
    return values.item_size(item) if item else 0


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _paths(node: Any) -> list[Path]:
    """Every document path a condition reads."""
    if isinstance(node, Ref):
        return [node.path]
    if isinstance(node, Logic):
        return _paths(node.left) + (_paths(node.right) if node.right is not None else [])
    if isinstance(node, Compare):
        return _paths(node.left) + _paths(node.right)
    if isinstance(node, Between):
        return _paths(node.operand) + _paths(node.low) + _paths(node.high)
    if isinstance(node, In):
        return _paths(node.operand) + [p for c in node.choices for p in _paths(c)]
    if isinstance(node, Call):
        return [p for a in node.args for p in _paths(a)]
    return []


def _returned(mode: str | None, old: Item | None, new: Item, update: Update | None) -> Item | None:
    if mode in (None, "NONE"):
        return None
    if mode == "ALL_OLD":
        return old
    if mode == "ALL_NEW":
        return new
    paths = update.paths() if update is not None else []
    if mode == "UPDATED_OLD":
        return evaluate.project(old, paths) if old else None
    return evaluate.project(new, paths)
