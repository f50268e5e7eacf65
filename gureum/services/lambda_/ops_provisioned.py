"""Provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfigs): a published version or an alias gets
that many initialised execution environments, kept warm and used before on-demand ones (no cold start).

The configuration lives in the store; the environments are each node's own (backend.py), started again when a
node starts. Status goes IN_PROGRESS → READY once every requested environment has initialised (FAILED if one
could not).
"""

from __future__ import annotations

import json
from typing import Any

from ...aws.context import RequestContext
from ...aws.errors import error_class
from ...runtime import Runtime
from ...store.base import Tx
from . import SERVICE, store
from .errors import ServiceError, function_not_found, invalid
from .functions import LATEST, Function, function_arn, parse_function_name, timestamp
from .limits import CONCURRENT_EXECUTIONS, MIN_UNRESERVED
from .ops_aliases import is_alias
from .ops_functions import backend

ProvisionedConcurrencyConfigNotFoundException = error_class("ProvisionedConcurrencyConfigNotFoundException", 404)


def _not_found() -> Exception:
    return ProvisionedConcurrencyConfigNotFoundException(
        "No Provisioned Concurrency Config found for this function", fields={"Type": "User"}
    )


def _target(tx: Tx, account: str, region: str, name: str, qualifier: str) -> Function:
    """The published version a qualifier (version number or alias) names."""
    if store.get_function(tx, account, region, name) is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    version = qualifier
    if is_alias(qualifier):
        alias = store.get_alias(tx, account, region, name, qualifier)
        if alias is None:
            raise function_not_found(function_arn(region, account, name, qualifier))
        version = str(alias["FunctionVersion"])
    if version == LATEST:
        raise invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    fn = store.get_function(tx, account, region, name, version)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    return fn


def _address(ctx: RequestContext, req: dict[str, Any]) -> tuple[str, str, str, str]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    if not ref.qualifier or ref.qualifier == LATEST:
        raise invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    return ref.account or ctx.account, ref.region or ctx.region, ref.name, ref.qualifier


def _rows(tx: Tx, account: str, region: str, name: str | None = None) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(function name, qualifier, requested, config) of the account's configurations in the region (or one function's)."""
    sql = "SELECT function_name, qualifier, requested, config FROM lambda_provisioned WHERE account = ? AND region = ?"
    params: tuple[Any, ...] = (account, region)
    if name is not None:
        sql, params = sql + " AND function_name = ?", (*params, name)
    return [
        (str(r[0]), str(r[1]), int(r[2]), dict(json.loads(r[3])))
        for r in tx.all(sql + " ORDER BY function_name, qualifier", params)
    ]


def _check_concurrency(tx: Tx, latest: Function, qualifier: str, requested: int) -> None:
    """Provisioned concurrency comes out of the function's reserved concurrency when it has one, else out of the
    account's unreserved concurrency, which must keep at least MIN_UNRESERVED (AWS's rule)."""
    rows = _rows(tx, latest.account, latest.region)
    mine = sum(r[2] for r in rows if r[0] == latest.name and r[1] != qualifier) + requested
    if latest.reserved_concurrency is not None:
        if mine > latest.reserved_concurrency:
            raise invalid(
                f"Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function: {latest.reserved_concurrency}"
            )
        return
    reserved = store.reserved_total(tx, latest.account, latest.region, latest.name)
    others: dict[str, int] = {}
    for name, _qualifier, count, _config in rows:
        if name != latest.name:
            others[name] = others.get(name, 0) + count
    unreserved_functions = sum(
        count
        for name, count in others.items()
        if (store.get_function(tx, latest.account, latest.region, name) or latest).reserved_concurrency is None
    )
    if reserved + unreserved_functions + mine > CONCURRENT_EXECUTIONS - MIN_UNRESERVED:
        raise invalid(
            f"Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
        )


def _doc(config: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "RequestedProvisionedConcurrentExecutions",
        "AvailableProvisionedConcurrentExecutions",
        "AllocatedProvisionedConcurrentExecutions",
        "Status",
        "StatusReason",
        "LastModified",
    )
    return {key: config[key] for key in keys if config.get(key) is not None}


def _warm_later(runtime: Runtime, fn: Function, key: str, qualifier: str, requested: int, stamp: str) -> None:
    """Start the environments in the background, then record READY (or FAILED) unless the configuration changed."""

    async def warm() -> None:
        ready, reason = await backend(runtime).provision(key, fn, requested)

        def record(tx: Tx) -> None:
            row = tx.one(
                "SELECT config FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
                (fn.account, fn.region, fn.name, qualifier),
            )
            if row is None:
                return
            config = dict(json.loads(row[0]))
            if config.get("LastModified") != stamp:
                return
            failed = reason is not None and ready < requested
            config.update(
                AvailableProvisionedConcurrentExecutions=ready,
                AllocatedProvisionedConcurrentExecutions=ready,
                Status="FAILED" if failed else "READY",
            )
            config.pop("StatusReason", None)
            if failed:
                config["StatusReason"] = f"Provisioned Concurrency configuration failed to be applied. Reason: {reason}"
            tx.execute("UPDATE lambda_provisioned SET config = ? WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
                       (json.dumps(config), fn.account, fn.region, fn.name, qualifier))  # fmt: skip

        await runtime.store.write(record)

    runtime.spawn(warm(), f"lambda-provision-{fn.name}")


@SERVICE.op("PutProvisionedConcurrencyConfig")
async def put_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)
    requested = int(req["ProvisionedConcurrentExecutions"])
    stamp = timestamp(ctx.runtime.clock.now())
    config = {"RequestedProvisionedConcurrentExecutions": requested, "AvailableProvisionedConcurrentExecutions": 0,
              "AllocatedProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS", "LastModified": stamp}  # fmt: skip

    def put(tx: Tx) -> Function:
        fn = _target(tx, account, region, name, qualifier)
        latest = store.get_function(tx, account, region, name)
        assert latest is not None
        _check_concurrency(tx, latest, qualifier, requested)
        tx.execute(
            "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            (account, region, name, qualifier),
        )
        tx.execute("INSERT INTO lambda_provisioned (account, region, function_name, qualifier, requested, config) VALUES (?, ?, ?, ?, ?, ?)",
                   (account, region, name, qualifier, requested, json.dumps(config)))  # fmt: skip
        return fn

    fn = await ctx.runtime.store.write(put)
    _warm_later(ctx.runtime, fn, function_arn(region, account, name, qualifier), qualifier, requested, stamp)
    return _doc(config)


@SERVICE.op("GetProvisionedConcurrencyConfig")
async def get_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)

    def read(tx: Tx) -> dict[str, Any] | None:
        if store.get_function(tx, account, region, name) is None:
            raise function_not_found(function_arn(region, account, name, qualifier))
        return next((r[3] for r in _rows(tx, account, region, name) if r[1] == qualifier), None)

    config = await ctx.runtime.store.read(read)
    if config is None:
        raise _not_found()
    return _doc(config)


@SERVICE.op("DeleteProvisionedConcurrencyConfig")
async def delete_provisioned_concurrency_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name, qualifier = _address(ctx, req)

    def delete(tx: Tx) -> bool:
        if store.get_function(tx, account, region, name) is None:
            raise function_not_found(function_arn(region, account, name, qualifier))
        where = (account, region, name, qualifier)
        found = tx.one(
            "SELECT 1 FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            where,
        )
        tx.execute(
            "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            where,
        )
        return found is not None

    if not await ctx.runtime.store.write(delete):
        raise _not_found()
    await backend(ctx.runtime).unprovision(function_arn(region, account, name, qualifier))
    return {}


@SERVICE.op("ListProvisionedConcurrencyConfigs")
async def list_provisioned_concurrency_configs(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = ref.account or ctx.account, ref.region or ctx.region
    limit = req.get("MaxItems") or 50
    start = int(req["Marker"]) if str(req.get("Marker") or "").isdigit() else 0

    def read(tx: Tx) -> list[tuple[str, str, int, dict[str, Any]]]:
        if store.get_function(tx, account, region, ref.name) is None:
            raise function_not_found(function_arn(region, account, ref.name))
        return _rows(tx, account, region, ref.name)

    rows = await ctx.runtime.store.read(read)
    configs = [
        {"FunctionArn": function_arn(region, account, ref.name, qualifier), **_doc(config)}
        for _name, qualifier, _count, config in rows[start : start + limit]
    ]
    out: dict[str, Any] = {"ProvisionedConcurrencyConfigs": configs}
    if start + limit < len(rows):
        out["NextMarker"] = str(start + limit)
    return out


def _follow_alias(runtime: Runtime, key: str) -> None:
    """An alias with provisioned concurrency now points at another version: warm that version's environments
    (the next invocations through the alias use them; the old version's are stopped)."""
    if key in _following:
        return
    _following.add(key)
    ref = parse_function_name(key)
    account, region, name, qualifier = str(ref.account), str(ref.region), ref.name, str(ref.qualifier)

    def read(tx: Tx) -> tuple[Function, int, str] | None:
        row = tx.one(
            "SELECT requested, config FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            (account, region, name, qualifier),
        )
        if row is None:
            return None
        try:
            fn = _target(tx, account, region, name, qualifier)
        except ServiceError:
            return None
        return fn, int(row[0]), str(json.loads(row[1]).get("LastModified"))

    async def follow() -> None:
        try:
            found = await runtime.store.read(read)
            wanted = backend(runtime).provisioned_wanted.get(key)
            if found is not None and wanted is not None and found[0].qualified_arn != wanted[0].qualified_arn:
                _warm_later(runtime, found[0], key, qualifier, found[1], found[2])
        finally:
            _following.discard(key)

    runtime.spawn(follow(), f"lambda-provision-follow-{name}")


_following: set[str] = set()


@SERVICE.on_start
async def _rewarm(runtime: Runtime) -> None:
    """A starting node warms every configuration's environments again (they are processes: none survived)."""
    backend(runtime).on_alias_moved = lambda key: _follow_alias(runtime, key)

    def read(tx: Tx) -> list[tuple[Function, str, int, str]]:
        out = []
        for account, region, name, qualifier, requested, text in tx.all(
            "SELECT account, region, function_name, qualifier, requested, config FROM lambda_provisioned"
        ):
            try:
                fn = _target(tx, str(account), str(region), str(name), str(qualifier))
            except ServiceError:
                continue  # its alias now points at $LATEST, or the version is gone
            config = dict(json.loads(text))
            config.update(
                Status="IN_PROGRESS",
                AvailableProvisionedConcurrentExecutions=0,
                AllocatedProvisionedConcurrentExecutions=0,
            )
            tx.execute("UPDATE lambda_provisioned SET config = ? WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
                       (json.dumps(config), account, region, name, qualifier))  # fmt: skip
            out.append((fn, str(qualifier), int(requested), str(config.get("LastModified"))))
        return out

    for fn, qualifier, requested, stamp in await runtime.store.write(read):
        _warm_later(runtime, fn, function_arn(fn.region, fn.account, fn.name, qualifier), qualifier, requested, stamp)
