"""Aliases and qualifiers: which qualifiers name aliases, the alias document, its routing rules, resolving a
qualifier to the version it names (weighted by RoutingConfig.AdditionalVersionWeights for an invocation), and the
alias operations' transaction bodies. No HTTP."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace
from typing import Any

from ...store.base import Tx
from . import store, store_configs
from .errors import ResourceNotFoundException, ServiceError, conflict, function_not_found, invalid, revision_mismatch
from .functions import LATEST, Function, function_arn

_ALIAS = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$")


def is_alias(qualifier: str | None) -> bool:
    return bool(qualifier) and qualifier != LATEST and not str(qualifier).isdigit()


def pick_version(alias: dict[str, Any]) -> str:
    """The version one invocation through ``alias`` runs: the extra version with its weight, else the main one."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    roll = random.random()
    for version, weight in weights.items():
        if roll < weight:
            return str(version)
        roll -= weight
    return str(alias["FunctionVersion"])


def resolve(
    tx: Tx, account: str, region: str, name: str, qualifier: str | None, *, weighted: bool = False, own: bool = False
) -> Function | None:
    """The function version a qualifier names (None: none). An alias names its FunctionVersion, or with ``weighted``
    (an invocation) the version its RoutingConfig weights pick; with ``own`` the version carries the alias's own event
    invoke config (retries, event age, destinations) when it has one."""
    if not is_alias(qualifier):
        return store.get_function(tx, account, region, name, qualifier or LATEST)
    alias = store.get_alias(tx, account, region, name, str(qualifier))
    if alias is None:
        return None
    fn = store.get_function(
        tx, account, region, name, pick_version(alias) if weighted else str(alias["FunctionVersion"])
    )
    config = store.get_alias_event_invoke(tx, account, region, name, str(qualifier)) if own and fn else None
    return fn if fn is None or config is None else replace(fn, event_invoke=config)


def not_found(arn: str) -> ServiceError:
    return ResourceNotFoundException(f"Alias not found: {arn}", fields={"Type": "User"})


def _check_routing(tx: Tx, account: str, region: str, name: str, alias: dict[str, Any]) -> None:
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    for version in [alias["FunctionVersion"], *weights]:
        if store.get_function(tx, account, region, name, version) is None:
            raise function_not_found(function_arn(region, account, name, version))
    if weights and (alias["FunctionVersion"] == LATEST or LATEST in weights):
        raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
    if sum(weights.values()) > 1.0 or any(not 0.0 <= w <= 1.0 for w in weights.values()):
        raise invalid("Sum of weights in AdditionalVersionWeights must be at most 1.0.")


def new_alias(
    account: str,
    region: str,
    function: str,
    name: str,
    version: str,
    description: str | None,
    routing: dict[str, Any] | None,
) -> dict[str, Any]:
    """The AliasConfiguration CreateAlias stores (the name checked)."""
    if not _ALIAS.match(name):
        raise invalid(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
        )
    alias: dict[str, Any] = {
        "AliasArn": function_arn(region, account, function, name),
        "Name": name,
        "FunctionVersion": version,
        "Description": description or "",
        "RevisionId": str(uuid.uuid4()),
    }
    if routing:
        alias["RoutingConfig"] = routing
    return alias


def create(tx: Tx, account: str, region: str, function: str, alias: dict[str, Any]) -> None:
    if store.get_function(tx, account, region, function) is None:
        raise function_not_found(function_arn(region, account, function))
    _check_routing(tx, account, region, function, alias)
    if not store.put_alias(tx, account, region, function, alias, create=True):
        raise conflict(f"Alias already exists: {alias['AliasArn']}")


def get(tx: Tx, account: str, region: str, function: str, name: str) -> dict[str, Any]:
    alias = store.get_alias(tx, account, region, function, name)
    if alias is None:
        raise not_found(function_arn(region, account, function, name))
    return alias


def update(
    tx: Tx,
    account: str,
    region: str,
    function: str,
    name: str,
    changes: dict[str, Any],
    revision_id: str | None,
) -> dict[str, Any]:
    """Apply ``changes`` (FunctionVersion, Description, RoutingConfig: those not None) under a new RevisionId."""
    store.lock_function(tx, account, region, function)
    alias = get(tx, account, region, function, name)
    if revision_id and revision_id != alias["RevisionId"]:
        raise revision_mismatch()
    alias.update({member: value for member, value in changes.items() if value is not None})
    if not (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights"):
        alias.pop("RoutingConfig", None)  # an empty RoutingConfig clears the weights: shown as none, as on create
    alias["RevisionId"] = str(uuid.uuid4())
    _check_routing(tx, account, region, function, alias)
    store.put_alias(tx, account, region, function, alias, create=False)
    return alias


def delete(tx: Tx, account: str, region: str, function: str, name: str) -> bool:
    """Delete the alias and what belongs to it (its URL, provisioned concurrency, policy statements, event invoke
    config); True when it had provisioned concurrency."""
    store.lock_function(tx, account, region, function)
    store.delete_alias(tx, account, region, function, name)
    store.put_alias_event_invoke(tx, account, region, function, name, None)
    store_configs.delete_urls(tx, account, region, function, name)
    provisioned = store_configs.delete_provisioned(tx, account, region, function, name)
    latest = store.get_function(tx, account, region, function)
    if latest is not None and latest.policy:
        resource = function_arn(region, account, function, name)
        kept = [s for s in latest.policy if s.get("Resource") != resource]
        if len(kept) != len(latest.policy):
            store.update_function(tx, replace(latest, policy=kept or None))
    return bool(provisioned)


def listing(
    tx: Tx, account: str, region: str, function: str, version: str | None, marker: str | None, limit: int
) -> dict[str, Any]:
    """ListAliases' page: the function's aliases (of one version when ``version`` is set), after ``marker``."""
    if store.get_function(tx, account, region, function) is None:
        raise function_not_found(function_arn(region, account, function))
    aliases = store.list_aliases(tx, account, region, function)
    if version:
        aliases = [a for a in aliases if a["FunctionVersion"] == version]
    start = next((i + 1 for i, a in enumerate(aliases) if a["Name"] == marker), 0)
    page = aliases[start : start + limit]
    out: dict[str, Any] = {"Aliases": page}
    if start + limit < len(aliases):
        out["NextMarker"] = page[-1]["Name"]
    return out
