"""Calls on another account's table (its ARN given for TableName, TableArn, ResourceArn, ...): allowed only when
the table's (or stream's) resource policy allows the caller the action (gureum.policy, evaluated by
PolicyBackend.admit; an explicit Deny wins; a missing table allows nothing). Calls within an account are not
checked (identity policies are IAM enforcement's). ``guard`` wraps every operation of the service with the check,
so each handler stays one call of its backend; batches and transactions name each item's table and action.

PartiQL's operations name their tables in the statements' text, so IAM enforcement (or learning) leaves them to
``guard``: each statement needs dynamodb:PartiQLSelect / PartiQLInsert / PartiQLUpdate / PartiQLDelete on its table
(a SELECT on an index: on the index), as AWS authorises them; a statement that does not parse needs nothing here
(the operation answers its ValidationException)."""

from __future__ import annotations

from typing import Any

from ...aws.auth import Caller as Signer
from ...aws.authorize import authorizer, checks_deliveries
from ...aws.context import RequestContext
from ...aws.dispatch import Handler
from ...aws.errors import ServiceError
from ...policy import Caller, call_context
from ...policy.actions import Needed, Requirement, table
from .backend_policies import PolicyBackend
from .partiql import Exists, Insert, Modify, Select, parse

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


_PARTIQL = {"ExecuteStatement": ("Statement", None), "BatchExecuteStatement": ("Statements", "Statement"),
            "ExecuteTransaction": ("TransactStatements", "Statement")}  # fmt: skip


def partiql_needs(operation: str, req: dict[str, Any], region: str, account: str) -> list[Needed]:
    """The permission each PartiQL statement of the request needs (one per table and action)."""
    member, inner = _PARTIQL[operation]
    entries = [req] if inner is None else [e for e in req.get(member) or [] if isinstance(e, dict)]
    out: list[Needed] = []
    for entry in entries:
        text = entry.get(member if inner is None else inner)
        if not isinstance(text, str):
            continue
        try:
            stmt = parse(text, entry.get("Parameters"))
        except (ServiceError, RecursionError):
            continue
        select = stmt.select if isinstance(stmt, Exists) else stmt
        resource = f"arn:aws:dynamodb:{region}:{account}:table/{select.table}"
        if isinstance(select, Select):
            action = "PartiQLSelect"
            resource += f"/index/{select.index}" if select.index else ""
        elif isinstance(select, Insert):
            action = "PartiQLInsert"
        else:
            assert isinstance(select, Modify)
            action = "PartiQLUpdate" if select.update is not None else "PartiQLDelete"
        need = Needed(f"dynamodb:{action}", resource)
        if need not in out:
            out.append(need)
    return out


async def _authorise_partiql(ctx: RequestContext, req: dict[str, Any]) -> None:
    needs = partiql_needs(ctx.operation, req, ctx.region, ctx.account)
    if not needs:
        return
    found = table("dynamodb")
    code = (found.code if found else None) or "AccessDeniedException"
    requirement = Requirement(tuple(needs), code=code, type_name=found.type_name if found else None)
    signer = Signer(ctx.access_key, ctx.account, ctx.region, "dynamodb")
    await authorizer(ctx.runtime).authorise(
        ctx.request, ctx.protocol, signer, requirement, req, f"dynamodb {ctx.operation}"
    )


def _account(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def guard(handler: Handler) -> Handler:
    """``handler`` with the cross-account check before it."""

    async def guarded(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any] | None:
        if ctx.operation in _PARTIQL and checks_deliveries(ctx.runtime):
            await _authorise_partiql(ctx, req)
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
