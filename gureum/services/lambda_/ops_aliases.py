"""Lambda aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases, and resolving an alias qualifier
to the version an invocation runs (weighted by RoutingConfig.AdditionalVersionWeights)."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ResourceConflictException, ResourceNotFoundException, ServiceError, function_not_found, invalid
from .functions import LATEST, function_arn, parse_function_name

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


def _alias_not_found(arn: str) -> ServiceError:
    return ResourceNotFoundException(f"Alias not found: {arn}", fields={"Type": "User"})


def _check_routing(tx: Tx, account: str, region: str, name: str, alias: dict[str, Any]) -> None:
    versions = [alias["FunctionVersion"], *((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})]
    for version in versions:
        if store.get_function(tx, account, region, name, version) is None:
            raise function_not_found(function_arn(region, account, name, version))
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    if weights and (alias["FunctionVersion"] == LATEST or LATEST in weights):
        raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
    if sum(weights.values()) > 1.0 or any(not 0.0 <= w <= 1.0 for w in weights.values()):
        raise invalid("Sum of weights in AdditionalVersionWeights must be at most 1.0.")


def _target(ctx: RequestContext, req: dict[str, Any]) -> tuple[str, str, str]:
    ref = parse_function_name(req["FunctionName"])
    return ref.account or ctx.account, ref.region or ctx.region, ref.name


@SERVICE.op("CreateAlias")
async def create_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _target(ctx, req)
    if not _ALIAS.match(req["Name"]):
        raise invalid(
            f"1 validation error detected: Value '{req['Name']}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"
        )
    arn = function_arn(region, account, name, req["Name"])
    alias = {
        "AliasArn": arn,
        "Name": req["Name"],
        "FunctionVersion": req["FunctionVersion"],
        "Description": req.get("Description") or "",
        "RevisionId": str(uuid.uuid4()),
    }
    if req.get("RoutingConfig"):
        alias["RoutingConfig"] = req["RoutingConfig"]

    def create(tx: Tx) -> None:
        if store.get_function(tx, account, region, name) is None:
            raise function_not_found(function_arn(region, account, name))
        _check_routing(tx, account, region, name, alias)
        if not store.put_alias(tx, account, region, name, alias, create=True):
            raise ResourceConflictException(f"Alias already exists: {arn}", fields={"Type": "User"})

    await ctx.runtime.store.write(create)
    return alias


@SERVICE.op("GetAlias")
async def get_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _target(ctx, req)
    alias = await ctx.runtime.store.read(lambda tx: store.get_alias(tx, account, region, name, req["Name"]))
    if alias is None:
        raise _alias_not_found(function_arn(region, account, name, req["Name"]))
    return alias


@SERVICE.op("UpdateAlias")
async def update_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _target(ctx, req)

    def update(tx: Tx) -> dict[str, Any]:
        alias = store.get_alias(tx, account, region, name, req["Name"])
        if alias is None:
            raise _alias_not_found(function_arn(region, account, name, req["Name"]))
        if req.get("RevisionId") and req["RevisionId"] != alias["RevisionId"]:
            raise ServiceError(
                "The Revision Id provided does not match the latest Revision Id.",
                code="PreconditionFailedException",
                status=412,
                fields={"Type": "User"},
            )
        for member in ("FunctionVersion", "Description", "RoutingConfig"):
            if req.get(member) is not None:
                alias[member] = req[member]
        alias["RevisionId"] = str(uuid.uuid4())
        _check_routing(tx, account, region, name, alias)
        store.put_alias(tx, account, region, name, alias, create=False)
        return alias

    return await ctx.runtime.store.write(update)


@SERVICE.op("DeleteAlias")
async def delete_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _target(ctx, req)
    alias = req["Name"]

    def delete(tx: Tx) -> bool:
        """Delete the alias and what belongs to it (its URL, provisioned concurrency, policy statements, event invoke
        config); True when
        it had provisioned concurrency."""
        store.delete_alias(tx, account, region, name, alias)
        store.put_alias_event_invoke(tx, account, region, name, alias, None)
        where = (account, region, name, alias)
        tx.execute(
            "DELETE FROM lambda_urls WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?", where
        )
        provisioned = tx.one(
            "SELECT 1 FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            where,
        )
        tx.execute(
            "DELETE FROM lambda_provisioned WHERE account = ? AND region = ? AND function_name = ? AND qualifier = ?",
            where,
        )
        latest = store.get_function(tx, account, region, name)
        if latest is not None and latest.policy:
            resource = function_arn(region, account, name, alias)
            kept = [s for s in latest.policy if s.get("Resource") != resource]
            if len(kept) != len(latest.policy):
                store.update_function(tx, replace(latest, policy=kept or None))
        return provisioned is not None

    if await ctx.runtime.store.write(delete):
        from .ops_functions import backend  # (ops_functions imports this module)

        await backend(ctx.runtime).unprovision(function_arn(region, account, name, alias))
    return {}


@SERVICE.op("ListAliases")
async def list_aliases(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _target(ctx, req)

    def read(tx: Tx) -> list[dict[str, Any]] | None:
        if store.get_function(tx, account, region, name) is None:
            return None
        return store.list_aliases(tx, account, region, name)

    aliases = await ctx.runtime.store.read(read)
    if aliases is None:
        raise function_not_found(function_arn(region, account, name))
    if req.get("FunctionVersion"):
        aliases = [a for a in aliases if a["FunctionVersion"] == req["FunctionVersion"]]
    start = next((i + 1 for i, a in enumerate(aliases) if a["Name"] == req.get("Marker")), 0)
    limit = req.get("MaxItems") or 50
    page = aliases[start : start + limit]
    out: dict[str, Any] = {"Aliases": page}
    if start + limit < len(aliases):
        out["NextMarker"] = page[-1]["Name"]
    return out
