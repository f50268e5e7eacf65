"""Provisioned concurrency configurations as values and transaction bodies: which version a configuration keeps
warm (a published version, or the one an alias points at), the concurrency it may take, its status document
(IN_PROGRESS → READY | FAILED). The environments themselves are each node's own (pool.py). No HTTP."""

from __future__ import annotations

from typing import Any

from ...store.base import Tx
from . import store, store_configs
from .aliases import resolve
from .errors import ProvisionedConcurrencyConfigNotFoundException, ServiceError, function_not_found, invalid
from .functions import LATEST, Function, function_arn
from .limits import CONCURRENT_EXECUTIONS, MIN_UNRESERVED

_UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
_DOC = (
    "RequestedProvisionedConcurrentExecutions",
    "AvailableProvisionedConcurrentExecutions",
    "AllocatedProvisionedConcurrentExecutions",
    "Status",
    "StatusReason",
    "LastModified",
)


def not_found() -> ServiceError:
    return ProvisionedConcurrencyConfigNotFoundException(
        "No Provisioned Concurrency Config found for this function", fields={"Type": "User"}
    )


def check_qualifier(qualifier: str | None) -> str:
    """A configuration belongs to a published version or an alias, never to $LATEST."""
    if not qualifier or qualifier == LATEST:
        raise invalid(_UNPUBLISHED)
    return qualifier


def doc(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration as Get/PutProvisionedConcurrencyConfig answer with it."""
    return {key: config[key] for key in _DOC if config.get(key) is not None}


def new_config(requested: int, stamp: str) -> dict[str, Any]:
    return {"RequestedProvisionedConcurrentExecutions": requested, "AvailableProvisionedConcurrentExecutions": 0,
            "AllocatedProvisionedConcurrentExecutions": 0, "Status": "IN_PROGRESS", "LastModified": stamp}  # fmt: skip


def _require_function(tx: Tx, account: str, region: str, name: str, qualifier: str | None) -> Function:
    latest = store.get_function(tx, account, region, name)
    if latest is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    return latest


def target(tx: Tx, account: str, region: str, name: str, qualifier: str) -> Function:
    """The published version a qualifier (version number or alias) names."""
    _require_function(tx, account, region, name, qualifier)
    fn = resolve(tx, account, region, name, qualifier)
    if fn is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    if fn.version == LATEST:
        raise invalid(_UNPUBLISHED)
    return fn


def _check_concurrency(tx: Tx, latest: Function, qualifier: str, requested: int) -> None:
    """Provisioned concurrency comes out of the function's reserved concurrency when it has one, else out of the
    account's unreserved concurrency, which must keep at least MIN_UNRESERVED (AWS's rule)."""
    rows = store_configs.provisioned_configs(tx, latest.account, latest.region)
    mine = sum(r[2] for r in rows if r[0] == latest.name and r[1] != qualifier) + requested
    if latest.reserved_concurrency is not None:
        if mine > latest.reserved_concurrency:
            raise invalid(
                "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for "
                f"function: {latest.reserved_concurrency}"
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
            "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its "
            f"minimum value of [{MIN_UNRESERVED}]."
        )


def put(tx: Tx, account: str, region: str, name: str, qualifier: str, requested: int, stamp: str) -> Function:
    """Store the configuration IN_PROGRESS; the version whose environments are to be started."""
    fn = target(tx, account, region, name, qualifier)
    latest = _require_function(tx, account, region, name, qualifier)
    _check_concurrency(tx, latest, qualifier, requested)
    store_configs.put_provisioned(tx, account, region, name, qualifier, requested, new_config(requested, stamp))
    return fn


def get(tx: Tx, account: str, region: str, name: str, qualifier: str) -> dict[str, Any]:
    _require_function(tx, account, region, name, qualifier)
    found = store_configs.get_provisioned(tx, account, region, name, qualifier)
    if found is None:
        raise not_found()
    return doc(found[1])


def delete(tx: Tx, account: str, region: str, name: str, qualifier: str) -> None:
    _require_function(tx, account, region, name, qualifier)
    if not store_configs.delete_provisioned(tx, account, region, name, qualifier):
        raise not_found()


def listing(tx: Tx, account: str, region: str, name: str, marker: str | None, limit: int) -> dict[str, Any]:
    """ListProvisionedConcurrencyConfigs' page (the marker is an offset)."""
    _require_function(tx, account, region, name, None)
    rows = store_configs.provisioned_configs(tx, account, region, name)
    start = int(marker) if marker and marker.isdigit() else 0
    configs = [
        {"FunctionArn": function_arn(region, account, name, qualifier), **doc(config)}
        for _name, qualifier, _count, config in rows[start : start + limit]
    ]
    out: dict[str, Any] = {"ProvisionedConcurrencyConfigs": configs}
    if start + limit < len(rows):
        out["NextMarker"] = str(start + limit)
    return out


def record_ready(
    tx: Tx, fn: Function, qualifier: str, stamp: str, requested: int, ready: int, reason: str | None
) -> None:
    """The environments of a configuration started (all, or ``ready`` of them with a failure ``reason``): READY or
    FAILED, unless the configuration changed (another LastModified) or went meanwhile."""
    found = store_configs.get_provisioned(tx, fn.account, fn.region, fn.name, qualifier)
    if found is None or found[1].get("LastModified") != stamp:
        return
    config = found[1]
    failed = reason is not None and ready < requested
    config.update(
        AvailableProvisionedConcurrentExecutions=ready,
        AllocatedProvisionedConcurrentExecutions=ready,
        Status="FAILED" if failed else "READY",
    )
    config.pop("StatusReason", None)
    if failed:
        config["StatusReason"] = f"Provisioned Concurrency configuration failed to be applied. Reason: {reason}"
    store_configs.set_provisioned_config(tx, fn.account, fn.region, fn.name, qualifier, config)


def current_target(tx: Tx, account: str, region: str, name: str, qualifier: str) -> tuple[Function, int, str] | None:
    """(the version, requested, LastModified) a configuration now wants; None when it is gone or names no version."""
    found = store_configs.get_provisioned(tx, account, region, name, qualifier)
    if found is None:
        return None
    try:
        fn = target(tx, account, region, name, qualifier)
    except ServiceError:
        return None
    return fn, found[0], str(found[1].get("LastModified"))


def restart_all(tx: Tx) -> list[tuple[Function, str, int, str]]:
    """A starting node's configurations, set IN_PROGRESS again (their environments are processes: none survived):
    (version, qualifier, requested, LastModified) of each whose version still exists."""
    out = []
    for account, region, name, qualifier, requested, config in store_configs.every_provisioned(tx):
        try:
            fn = target(tx, account, region, name, qualifier)
        except ServiceError:
            continue  # its alias now points at $LATEST, or the version is gone
        config.update(
            Status="IN_PROGRESS", AvailableProvisionedConcurrentExecutions=0, AllocatedProvisionedConcurrentExecutions=0
        )
        store_configs.set_provisioned_config(tx, account, region, name, qualifier, config)
        out.append((fn, qualifier, requested, str(config.get("LastModified"))))
    return out
