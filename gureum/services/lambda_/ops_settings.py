"""Lambda's per-function settings beside the configuration: tags, reserved concurrency; and GetAccountSettings."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import function_not_found, invalid
from .functions import function_arn, parse_function_name
from .limits import CONCURRENT_EXECUTIONS, MAX_UNZIPPED, MAX_ZIP, MIN_UNRESERVED, TOTAL_CODE_SIZE


def _resource(ctx: RequestContext, arn: str) -> tuple[str, str, str]:
    ref = parse_function_name(arn)
    if ref.qualifier:
        raise invalid("Tags are supported on functions, not on versions or aliases: use the unqualified function ARN.")
    return ref.account or ctx.account, ref.region or ctx.region, ref.name


@SERVICE.op("TagResource")
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _resource(ctx, req["Resource"])

    def tag(tx: Tx) -> None:
        tags = store.get_tags(tx, account, region, name)
        if tags is None:
            raise function_not_found(function_arn(region, account, name))
        tags.update(req.get("Tags") or {})
        if len(tags) > 50:
            raise invalid("Number of tags exceeds resource tag limit.")
        store.set_tags(tx, account, region, name, tags)

    await ctx.runtime.store.write(tag)
    return {}


@SERVICE.op("UntagResource")
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _resource(ctx, req["Resource"])

    def untag(tx: Tx) -> None:
        tags = store.get_tags(tx, account, region, name)
        if tags is None:
            raise function_not_found(function_arn(region, account, name))
        for key in req.get("TagKeys") or []:
            tags.pop(key, None)
        store.set_tags(tx, account, region, name, tags)

    await ctx.runtime.store.write(untag)
    return {}


@SERVICE.op("ListTags")
async def list_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _resource(ctx, req["Resource"])
    tags = await ctx.runtime.store.read(lambda tx: store.get_tags(tx, account, region, name))
    if tags is None:
        raise function_not_found(function_arn(region, account, name))
    return {"Tags": tags}


def _set_reserved(ctx: RequestContext, function_name: str, value: int | None) -> Awaitable[None]:
    ref = parse_function_name(function_name)
    account, region = ref.account or ctx.account, ref.region or ctx.region

    def put(tx: Tx) -> None:
        fn = store.get_function(tx, account, region, ref.name)
        if fn is None:
            raise function_not_found(function_arn(region, account, ref.name))
        if (
            value is not None
            and CONCURRENT_EXECUTIONS - store.reserved_total(tx, account, region, ref.name) - value < MIN_UNRESERVED
        ):
            raise invalid(
                f"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
            )
        store.update_function(tx, replace(fn, reserved_concurrency=value))  # not a new revision: warm environments stay

    return ctx.runtime.store.write(put)


@SERVICE.op("PutFunctionConcurrency")
async def put_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    value = req["ReservedConcurrentExecutions"]
    if value < 0:
        raise invalid("ReservedConcurrentExecutions must be 0 or more.")
    await _set_reserved(ctx, req["FunctionName"], value)
    return {"ReservedConcurrentExecutions": value}


@SERVICE.op("DeleteFunctionConcurrency")
async def delete_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _set_reserved(ctx, req["FunctionName"], None)
    return {}


@SERVICE.op("GetFunctionConcurrency")
async def get_function_concurrency(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"])
    account, region = ref.account or ctx.account, ref.region or ctx.region
    fn = await ctx.runtime.store.read(lambda tx: store.get_function(tx, account, region, ref.name))
    if fn is None:
        raise function_not_found(function_arn(region, account, ref.name))
    return {} if fn.reserved_concurrency is None else {"ReservedConcurrentExecutions": fn.reserved_concurrency}


@SERVICE.op("GetAccountSettings")
async def get_account_settings(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def totals(tx: Tx) -> tuple[int, int, int]:
        size, count = store.code_totals(tx, ctx.account)
        return size, count, store.reserved_total(tx, ctx.account, ctx.region, "")

    size, count, reserved = await ctx.runtime.store.read(totals)
    return {
        "AccountLimit": {
            "TotalCodeSize": TOTAL_CODE_SIZE,
            "CodeSizeUnzipped": MAX_UNZIPPED,
            "CodeSizeZipped": MAX_ZIP,
            "ConcurrentExecutions": CONCURRENT_EXECUTIONS,
            "UnreservedConcurrentExecutions": CONCURRENT_EXECUTIONS - reserved,
        },
        "AccountUsage": {"TotalCodeSize": size, "FunctionCount": count},
    }
