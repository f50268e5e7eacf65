"""Calls on another account's table (its ARN given for TableName, TableArn, ResourceArn, ...): allowed only when
the table's (or stream's) resource policy allows the caller the action (gureum.policy, evaluated by
PolicyBackend.admit; an explicit Deny wins; a missing table allows nothing). Calls within an account are not
checked (identity policies are IAM enforcement's). ``guard`` wraps every operation of the service with the check,
so each handler stays one call of its backend; batches and transactions name each item's table and action."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...aws.dispatch import Handler
from ...policy import Caller, call_context
from .backend_policies import PolicyBackend

_FIELDS = ("TableName", "TableArn", "ResourceArn", "SourceTableArn", "SourceTableName", "ExportArn", "ImportArn",
           "BackupArn")  # fmt: skip
_TRANSACT_ACTIONS = {"Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem"}  # fmt: skip


def _table_arn(arn: str) -> str:
    """The table ARN an export, import, backup, index or stream ARN belongs to."""
    head, _, rest = arn.partition(":table/")
    return f"{head}:table/{rest.split('/')[0]}"


def needs(operation: str, req: dict[str, Any]) -> list[tuple[str, str]]:
    """(dynamodb:Action, resource ARN) of each resource a request names by ARN."""
    out: list[tuple[str, str]] = []
    for field in _FIELDS:
        value = req.get(field)
        if isinstance(value, str) and value.startswith("arn:") and ":table/" in value:
            resource = value if field == "ResourceArn" else _table_arn(value)
            if req.get("IndexName") and field == "TableName":
                resource = f"{resource}/index/{req['IndexName']}"
            out.append((f"dynamodb:{operation}", resource))
    for name in (req.get("RequestItems") or {}) if operation in ("BatchGetItem", "BatchWriteItem") else ():
        if name.startswith("arn:"):
            out.append((f"dynamodb:{operation}", name))
    if operation in ("TransactGetItems", "TransactWriteItems"):
        for entry in req.get("TransactItems") or []:
            for kind, action in _TRANSACT_ACTIONS.items():
                name = (entry.get(kind) or {}).get("TableName")
                if isinstance(name, str) and name.startswith("arn:"):
                    out.append((f"dynamodb:{action}", name))
    return out


def _account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def guard(handler: Handler) -> Handler:
    """``handler`` with the cross-account check before it."""

    async def guarded(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any] | None:
        foreign = [(a, r) for a, r in needs(ctx.operation, req) if _account(r) != ctx.account]
        if foreign:
            principal = await ctx.runtime.principal_arn(ctx.account, ctx.access_key)
            who = Caller(ctx.account, ctx.access_key, ctx.request.peer, ctx.request.scheme == "https")
            context = call_context(who, principal, ctx.runtime.clock.now())
            await ctx.runtime.state(PolicyBackend).admit(principal, ctx.account, foreign, context)
        return await handler(ctx, req)

    guarded.__name__ = getattr(handler, "__name__", "guarded")
    guarded.__doc__ = handler.__doc__
    return guarded
