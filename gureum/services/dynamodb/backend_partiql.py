"""PartiqlBackend: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction over the DynamoBackend's tables.
Statements are parsed by partiql.py; a SELECT with the partition key's equality reads one key range of the store
(the sort key's condition narrowing it) as Query does, any other a Scan, both through DynamoBackend's paging; writes
use the same item path (items.write) as PutItem/UpdateItem/DeleteItem, so indexes, streams and TTL follow."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from ...store.base import Tx
from . import evaluate, items, keyconditions, limits, store, values
from .backend import DynamoBackend, _plain, _returned, _size
from .errors import (
    DuplicateItemException,
    IdempotentParameterMismatchException,
    ServiceError,
    TransactionCanceledException,
    ValidationException,
    condition_failed,
)
from .expressions import Logic, Path
from .partiql import Exists, Insert, Modify, Select, Statement, conjuncts, equality, key_and_rest, parse
from .tables import Index, Table
from .values import Item

_BATCH_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ResourceNotFoundException": "ResourceNotFound",
    "ValidationException": "ValidationError",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "TransactionConflictException": "TransactionConflict",
}
_TOKEN_MAC = 16


class PartiqlBackend:
    """PartiQL over one DynamoBackend (its store, clock and item code)."""

    def __init__(self, core: DynamoBackend) -> None:
        self.core = core
        self.token_key = hmac.new(core.iterator_key, b"partiql-next-token", hashlib.sha256).digest()

    # --- ExecuteStatement ----------------------------------------------------------------------------------------

    async def execute_statement(
        self,
        account: str,
        region: str,
        text: str,
        parameters: list[dict[str, Any]] | None,
        consistent: bool,
        next_token: str | None,
        limit: int | None,
        return_capacity: str | None,
        return_on_failure: str | None,
    ) -> dict[str, Any]:
        stmt = parse(text, parameters)
        if isinstance(stmt, Exists):
            raise ValidationException("EXISTS is only supported in ExecuteTransaction")
        if isinstance(stmt, Select):
            digest = self._digest(text, parameters)
            start = self._read_token(next_token, digest) if next_token is not None else None

            def read(tx: Tx) -> dict[str, Any]:
                out = self._select(tx, account, region, stmt, limit, start, consistent, return_capacity)
                last = out.pop("LastEvaluatedKey", None)
                if last is not None:
                    out["NextToken"] = self._issue_token(digest, last)
                    out["LastEvaluatedKey"] = last
                return out

            return await self.core.store.read(read)
        if next_token is not None:
            raise ValidationException("NextToken is only supported for SELECT statements")

        def write(tx: Tx) -> dict[str, Any]:
            if isinstance(stmt, (Insert, Modify)):  # provisioned capacity (GUREUM_DYNAMODB_THROTTLE=1)
                self.core.throttle.admit(self.core._table(tx, account, region, stmt.table), "write")
            returned, table, units = self._write(tx, account, region, stmt, return_on_failure)
            self.core.throttle.take(table, "write", units)
            out: dict[str, Any] = {}
            if isinstance(stmt, Modify) and stmt.returning is not None:
                out["Items"] = [returned] if returned else []
            capacity = items.consumed(return_capacity, table.name, units)
            if capacity is not None:
                out["ConsumedCapacity"] = capacity
            return out

        return await self.core.store.write(write)

    @staticmethod
    def _digest(text: str, parameters: list[dict[str, Any]] | None) -> str:
        plain = json.dumps([text, _plain(parameters or [])], sort_keys=True)
        return hashlib.sha256(plain.encode()).hexdigest()[:32]

    def _issue_token(self, digest: str, key: Item) -> str:
        body = json.dumps({"d": digest, "k": values.dump_item(key)}, separators=(",", ":")).encode()
        mac = hmac.new(self.token_key, body, hashlib.sha256).digest()[:_TOKEN_MAC]
        return base64.urlsafe_b64encode(body + mac).decode()

    def _read_token(self, token: str, digest: str) -> Item:
        """The key a NextToken resumes after; ValidationException when it was not issued for this statement."""
        try:
            raw = base64.urlsafe_b64decode(token.encode())
        except (binascii.Error, ValueError):
            raw = b""
        body, mac = raw[:-_TOKEN_MAC], raw[-_TOKEN_MAC:]
        good = len(raw) > _TOKEN_MAC and hmac.compare_digest(
            mac, hmac.new(self.token_key, body, hashlib.sha256).digest()[:_TOKEN_MAC]
        )
        if not good:
            raise ValidationException("Invalid NextToken")
        doc = json.loads(body)  # our own text (the MAC holds)
        if doc["d"] != digest:
            raise ValidationException("Given NextToken is not valid for the statement and parameters given")
        return values.load_item(doc["k"])

    # --- SELECT --------------------------------------------------------------------------------------------------

    def _target(self, tx: Tx, account: str, region: str, stmt: Select, consistent: bool) -> tuple[Table, Index | None]:
        table = self.core._table(tx, account, region, stmt.table)
        index = self.core._index(table, stmt.index, consistent) if stmt.index is not None else None
        return table, index

    def _select(
        self,
        tx: Tx,
        account: str,
        region: str,
        stmt: Select,
        limit: int | None,
        start: Item | None,
        consistent: bool,
        return_capacity: str | None,
    ) -> dict[str, Any]:
        table, index = self._target(tx, account, region, stmt, consistent)
        hash_name, range_name = (index.hash, index.range) if index else (table.hash, table.range)
        terms = conjuncts(stmt.where)
        hash_term = next((t for t in terms if (e := equality(t)) is not None and e[0] == hash_name), None)
        forward = not stmt.descending
        if stmt.order is not None:
            if hash_term is None:
                raise ValidationException(
                    "Must have WHERE clause in the statement when using ORDER BY clause: the partition key's equality"
                )
            if stmt.order not in ((hash_name,), (range_name,)):
                raise ValidationException(
                    f"Variable reference {'.'.join(str(e) for e in stmt.order)} in ORDER BY clause must be part of "
                    "the primary key"
                )
        begin = self.core._position(table, index, start) if start is not None else None
        number = index.number if index else 0
        if hash_term is not None:
            low, high = self._sort_bounds(terms, hash_term, hash_name, range_name, table)
            pk = values.encode_key(_literal(hash_term))
            if begin is not None:
                if begin[0] != pk:
                    raise ValidationException("Invalid NextToken")
                if forward:
                    low = max(low or b"", begin[1] + b"\x00")
                else:
                    high = begin[1] if high is None else min(high, begin[1])

            def fetch(after: tuple[bytes, bytes] | None, count: int) -> list[store.Row]:
                lo, hi = low, high
                if after is not None:
                    if forward:
                        lo = after[1] + b"\x00"
                    else:
                        hi = after[1]
                return store.query(tx, table.id, number, pk, lo, hi, forward, count)

        else:

            def fetch(after: tuple[bytes, bytes] | None, count: int) -> list[store.Row]:
                return store.scan(tx, table.id, number, after or begin, count)

        out = self.core._page(tx, table, index, fetch, stmt.where, stmt.paths, None, limit, consistent,
                              return_capacity, None)  # fmt: skip
        out.pop("Count", None)
        out.pop("ScannedCount", None)
        if stmt.paths is not None:
            out["Items"] = [_reshape(item, stmt.paths) for item in out["Items"]]
        return out

    @staticmethod
    def _sort_bounds(
        terms: list[Any], hash_term: Any, hash_name: str, range_name: str | None, table: Table
    ) -> tuple[bytes | None, bytes | None]:
        """The narrowest store range one sort key term gives (the whole WHERE clause still filters every row)."""
        if range_name is None:
            return None, None
        for term in terms:
            if term is hash_term:
                continue
            types = {hash_name: _kind(hash_term), range_name: table.attributes.get(range_name, "S")}
            try:
                bounds = keyconditions.key_range(Logic("AND", hash_term, term), hash_name, range_name, types)
            except ServiceError:
                continue
            return bounds.low, bounds.high
        return None, None

    # --- writes --------------------------------------------------------------------------------------------------

    def _write(
        self, tx: Tx, account: str, region: str, stmt: Statement, return_on_failure: str | None
    ) -> tuple[Item | None, Table, float]:
        """Run one INSERT, UPDATE or DELETE: (the item RETURNING asks for, its table, write units)."""
        now = self.core.clock.now()
        if isinstance(stmt, Insert):
            table = self.core._table(tx, account, region, stmt.table)
            item = values.check_item(stmt.item)
            size = items.check_size(item)
            position = table.item_key(item)
            if self.core._current(tx, table, position) is not None:
                raise DuplicateItemException("Duplicate primary key exists in table")
            self.core._write(tx, table, position, None, item, now)
            return None, table, items.write_units(size)
        if not isinstance(stmt, Modify):
            raise ValidationException("Only INSERT, UPDATE and DELETE statements can write")
        table = self.core._table(tx, account, region, stmt.table)
        key, condition = key_and_rest(stmt.where, [table.hash] + ([table.range] if table.range else []))
        position = table.key(key)
        old = self.core._current(tx, table, position)
        if stmt.update is not None:
            if old is None:  # PartiQL's UPDATE changes an existing item only
                raise condition_failed()
            self.core._check(condition, old, return_on_failure)
            new, _touched = self.core._apply_update(tx, table, position, key, old, stmt.update, now)
            return _returned(stmt.returning, old, new, stmt.update), table, items.write_units(_size(old), _size(new))
        if old is None:
            if condition is not None:
                raise condition_failed()
            return None, table, items.write_units(0)
        self.core._check(condition, old, return_on_failure)
        self.core._write(tx, table, position, old, None, now)
        return (old if stmt.returning == "ALL_OLD" else None), table, items.write_units(_size(old))

    def _check_exists(self, tx: Tx, account: str, region: str, stmt: Exists) -> None:
        select = stmt.select
        table = self.core._table(tx, account, region, select.table)
        key, condition = key_and_rest(select.where, [table.hash] + ([table.range] if table.range else []))
        old = self.core._current(tx, table, table.key(key))
        if old is None or (condition is not None and not evaluate.test(old, condition)):
            raise condition_failed()

    def _get(self, tx: Tx, account: str, region: str, stmt: Select, consistent: bool) -> tuple[Table, Item | None]:
        """The one item a read in a batch or transaction names by its full primary key."""
        table, index = self._target(tx, account, region, stmt, consistent)
        if index is not None:
            raise ValidationException("Batch and transaction reads can not use a secondary index")
        key, condition = key_and_rest(stmt.where, [table.hash] + ([table.range] if table.range else []))
        row = store.get_item(tx, table.id, 0, *table.key(key))
        if row is None:
            return table, None
        item = values.load_item(row[0])
        if condition is not None and not evaluate.test(item, condition):
            return table, None
        return table, (_reshape(evaluate.project(item, stmt.paths), stmt.paths) if stmt.paths else item)

    # --- BatchExecuteStatement -----------------------------------------------------------------------------------

    async def batch_execute(
        self, account: str, region: str, requests: list[dict[str, Any]], return_capacity: str | None
    ) -> dict[str, Any]:
        parsed: list[Statement | ServiceError] = []
        for request in requests:
            try:
                parsed.append(parse(request["Statement"], request.get("Parameters")))
            except ServiceError as error:
                parsed.append(error)
        kinds = {isinstance(s, Select) for s in parsed if not isinstance(s, ServiceError)}
        if len(kinds) > 1:
            raise ValidationException("Statements in a batch must be all reads or all writes")
        if any(isinstance(s, Exists) for s in parsed):
            raise ValidationException("EXISTS is only supported in ExecuteTransaction")
        reads = kinds == {True}
        now_units: dict[str, float] = {}

        def run(tx: Tx) -> dict[str, Any]:
            responses: list[dict[str, Any]] = []
            for request, stmt in zip(requests, parsed):
                if isinstance(stmt, ServiceError):
                    responses.append({"Error": _batch_error(stmt)})
                    continue
                name = stmt.table if not isinstance(stmt, Exists) else stmt.select.table
                try:
                    if isinstance(stmt, Select):
                        table, item = self._get(tx, account, region, stmt, bool(request.get("ConsistentRead")))
                        response: dict[str, Any] = {"TableName": table.name}
                        if item is not None:
                            response["Item"] = item
                        units = items.read_units(_size(item), bool(request.get("ConsistentRead")))
                    else:
                        _returned_item, table, units = self._write(
                            tx, account, region, stmt, request.get("ReturnValuesOnConditionCheckFailure")
                        )
                        response = {"TableName": table.name}
                    now_units[table.name] = now_units.get(table.name, 0.0) + units
                    responses.append(response)
                except ServiceError as error:
                    responses.append({"TableName": name, "Error": _batch_error(error)})
            out: dict[str, Any] = {"Responses": responses}
            capacities = [items.consumed(return_capacity, n, u, write=not reads) for n, u in now_units.items()]
            if any(capacities):
                out["ConsumedCapacity"] = capacities
            return out

        return await (self.core.store.read(run) if reads else self.core.store.write(run))

    # --- ExecuteTransaction --------------------------------------------------------------------------------------

    async def execute_transaction(
        self,
        account: str,
        region: str,
        requests: list[dict[str, Any]],
        token: str | None,
        return_capacity: str | None,
    ) -> dict[str, Any]:
        parsed = [parse(r["Statement"], r.get("Parameters")) for r in requests]
        reads = [isinstance(s, Select) for s in parsed]
        if any(reads) and not all(reads):
            raise ValidationException("Transaction statements must be all reads or all writes")
        if all(reads):  # (SDKs fill in a ClientRequestToken for every call; a read has nothing to repeat)
            return await self.core.store.read(lambda tx: self._read_all(tx, account, region, parsed, return_capacity))
        digest = hashlib.sha256(json.dumps(_plain(requests), sort_keys=True).encode()).hexdigest()
        now = self.core.clock.now()

        def run(tx: Tx) -> dict[str, Any]:
            if token is not None:
                known = store.get_token(tx, account, region, "partiql:" + token, now)
                if known is not None:
                    if known != digest:
                        raise IdempotentParameterMismatchException(
                            "Request token already used with different parameters"
                        )
                    return {}
                store.put_token(tx, account, region, "partiql:" + token, digest, now + limits.TOKEN_SECONDS)
            self._check_distinct(tx, account, region, parsed)
            reasons: list[dict[str, Any]] = []
            per_table: dict[str, float] = {}
            failed = False
            for request, stmt in zip(requests, parsed):
                try:
                    if isinstance(stmt, Exists):
                        self._check_exists(tx, account, region, stmt)
                    else:
                        _item, table, units = self._write(
                            tx, account, region, stmt, request.get("ReturnValuesOnConditionCheckFailure")
                        )
                        per_table[table.name] = per_table.get(table.name, 0.0) + 2 * units
                    reasons.append({"Code": "None"})
                except ServiceError as error:
                    if error.code not in ("ConditionalCheckFailedException", "DuplicateItemException"):
                        raise
                    reason: dict[str, Any] = {"Code": _BATCH_CODES[error.code], "Message": error.message}
                    if error.fields.get("Item"):
                        reason["Item"] = error.fields["Item"]
                    reasons.append(reason)
                    failed = True
            if failed:
                codes = ", ".join(r["Code"] for r in reasons)
                raise TransactionCanceledException(
                    f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                    fields={"CancellationReasons": reasons},
                )
            out: dict[str, Any] = {}
            capacities = [items.consumed(return_capacity, n, u) for n, u in per_table.items()]
            if any(capacities):
                out["ConsumedCapacity"] = capacities
            return out

        return await self.core.store.write(run)

    def _check_distinct(self, tx: Tx, account: str, region: str, parsed: list[Statement]) -> None:
        """AWS refuses a transaction naming one item twice (before anything is written)."""
        seen = set()
        for stmt in parsed:
            if isinstance(stmt, Insert):
                table = self.core._table(tx, account, region, stmt.table)
                position = table.item_key(values.check_item(stmt.item))
            else:
                where = stmt.select.where if isinstance(stmt, Exists) else stmt.where
                name = stmt.select.table if isinstance(stmt, Exists) else stmt.table
                table = self.core._table(tx, account, region, name)
                key, _rest = key_and_rest(where, [table.hash] + ([table.range] if table.range else []))
                position = table.key(key)
            if (table.id, position) in seen:
                raise ValidationException("Transaction request cannot include multiple operations on one item")
            seen.add((table.id, position))

    def _read_all(
        self, tx: Tx, account: str, region: str, parsed: list[Statement], return_capacity: str | None
    ) -> dict[str, Any]:
        responses: list[dict[str, Any]] = []
        per_table: dict[str, float] = {}
        for stmt in parsed:
            assert isinstance(stmt, Select)
            table, item = self._get(tx, account, region, stmt, True)
            responses.append({"Item": item} if item is not None else {})
            per_table[table.name] = per_table.get(table.name, 0.0) + 2 * items.read_units(_size(item), True)
        out: dict[str, Any] = {"Responses": responses}
        capacities = [items.consumed(return_capacity, n, u, write=False) for n, u in per_table.items()]
        if any(capacities):
            out["ConsumedCapacity"] = capacities
        return out


def _literal(term: Any) -> values.Value:
    found = equality(term)
    assert found is not None
    return found[1]


def _kind(term: Any) -> str:
    return values.kind_of(_literal(term))


def _reshape(item: Item, paths: list[Path]) -> Item:
    """A projected item as PartiQL names its attributes: a nested path's value under its last name."""
    out: Item = {}
    for path in paths:
        value = evaluate.resolve(item, path)
        if value is None:
            continue
        name = next((e for e in reversed(path) if isinstance(e, str)), str(path[0]))
        out[name] = value
    return out


def _batch_error(error: ServiceError) -> dict[str, Any]:
    out: dict[str, Any] = {"Code": _BATCH_CODES.get(error.code, "InternalServerError"), "Message": error.message}
    if error.fields.get("Item"):
        out["Item"] = error.fields["Item"]
    return out
