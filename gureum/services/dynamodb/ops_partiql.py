"""DynamoDB's PartiQL operations (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction): each calls one
PartiqlBackend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend_partiql import PartiqlBackend


def _partiql(ctx: RequestContext) -> PartiqlBackend:
    return ctx.runtime.state(PartiqlBackend)


@SERVICE.op("ExecuteStatement")
async def execute_statement(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _partiql(ctx).execute_statement(
        ctx.account,
        ctx.region,
        req["Statement"],
        req.get("Parameters"),
        bool(req.get("ConsistentRead")),
        req.get("NextToken"),
        req.get("Limit"),
        req.get("ReturnConsumedCapacity"),
        req.get("ReturnValuesOnConditionCheckFailure"),
    )


@SERVICE.op("BatchExecuteStatement")
async def batch_execute_statement(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _partiql(ctx).batch_execute(
        ctx.account, ctx.region, req["Statements"], req.get("ReturnConsumedCapacity")
    )


@SERVICE.op("ExecuteTransaction")
async def execute_transaction(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await _partiql(ctx).execute_transaction(
        ctx.account,
        ctx.region,
        req["TransactStatements"],
        req.get("ClientRequestToken"),
        req.get("ReturnConsumedCapacity"),
    )
