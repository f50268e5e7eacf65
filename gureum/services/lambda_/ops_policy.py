"""The function's resource policy (AddPermission, RemovePermission, GetPolicy) and the read-only settings
tools such as Terraform read with every function: code signing, runtime management, recursion.

The policy is kept and returned exactly as AWS builds it; gureum enforces it only where AWS's callers are anonymous
(function URLs with AuthType NONE need a statement allowing lambda:InvokeFunctionUrl to everyone).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ResourceConflictException, ResourceNotFoundException, ServiceError, function_not_found, invalid
from .functions import LATEST, Function, function_arn, parse_function_name
from .ops_aliases import is_alias


def _statement(fn: Function, qualifier: str | None, req: dict[str, Any]) -> dict[str, Any]:
    """One statement as AWS writes it: services as Principal.Service, accounts and ARNs as Principal.AWS."""
    principal = req["Principal"]
    if principal == "*":
        who: Any = "*"
    elif principal.endswith(".amazonaws.com"):
        who = {"Service": principal}
    else:
        who = {"AWS": f"arn:aws:iam::{principal}:root" if principal.isdigit() else principal}
    statement: dict[str, Any] = {"Sid": req["StatementId"], "Effect": "Allow", "Principal": who, "Action": req["Action"],
                                 "Resource": function_arn(fn.region, fn.account, fn.name, qualifier)}  # fmt: skip
    condition: dict[str, dict[str, str]] = {}
    if req.get("SourceArn"):
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = req["SourceArn"]
    if req.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = req["SourceAccount"]
    if req.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = req["PrincipalOrgID"]
    if req.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = req["EventSourceToken"]
    if req.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = req["FunctionUrlAuthType"]
    if condition:
        statement["Condition"] = condition
    return statement


def alias_of(statement: dict[str, Any], fn: Function) -> str | None:
    """The alias a statement of $LATEST's row belongs to (its Resource is the alias's ARN), else None."""
    resource = str(statement.get("Resource") or "")
    qualifier = resource[len(fn.arn) + 1 :] if resource.startswith(fn.arn + ":") else None
    return qualifier if is_alias(qualifier) else None


def policy_statements(
    tx: Tx, account: str, region: str, name: str, qualifier: str | None
) -> tuple[Function, list[dict[str, Any]]] | None:
    """(the row holding them, the statements) of the policy of a function, version or alias; None when it does not
    exist. An alias's statements live on $LATEST's row, told apart by their Resource (the alias's ARN)."""
    alias = qualifier if is_alias(qualifier) else None
    fn = store.get_function(tx, account, region, name, LATEST if alias else (qualifier or LATEST))
    if fn is None or (alias and store.get_alias(tx, account, region, name, alias) is None):
        return None
    return fn, [s for s in fn.policy or [] if alias_of(s, fn) == alias]


def _edit(ctx: RequestContext, req: dict[str, Any], change: Any) -> Any:
    """Run ``change(fn, qualifier, statements) -> result`` on the addressed policy's statements, in one transaction."""
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region

    def edit(tx: Tx) -> Any:
        found = policy_statements(tx, account, region, ref.name, ref.qualifier)
        if found is None:
            raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
        fn, statements = found
        if req.get("RevisionId") and req["RevisionId"] != fn.revision_id:
            raise ServiceError(
                "The Revision Id provided does not match the latest Revision Id.",
                code="PreconditionFailedException",
                status=412,
                fields={"Type": "User"},
            )
        others = [s for s in fn.policy or [] if s not in statements]
        result = change(fn, ref.qualifier, statements)
        store.update_function(tx, replace(fn, policy=others + statements or None))
        return result

    return ctx.runtime.store.write(edit)


@SERVICE.op("AddPermission")
async def add_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    if not req["Action"].startswith("lambda:"):
        raise invalid(
            f"1 validation error detected: Value '{req['Action']}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])"
        )

    def add(fn: Function, qualifier: str | None, statements: list[dict[str, Any]]) -> dict[str, Any]:
        if any(s["Sid"] == req["StatementId"] for s in statements):
            raise ResourceConflictException(f"The statement id ({req['StatementId']}) provided already exists. Please provide a new statement id, or remove the existing statement.",
                                            fields={"Type": "User"})  # fmt: skip
        statement = _statement(fn, qualifier, req)
        statements.append(statement)
        return statement

    statement = await _edit(ctx, req, add)
    return {"Statement": json.dumps(statement)}


@SERVICE.op("RemovePermission")
async def remove_permission(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def remove(fn: Function, qualifier: str | None, statements: list[dict[str, Any]]) -> None:
        keep = [s for s in statements if s["Sid"] != req["StatementId"]]
        if len(keep) == len(statements):
            raise ResourceNotFoundException(
                f"Statement {req['StatementId']} is not found in resource policy.", fields={"Type": "User"}
            )
        statements[:] = keep

    await _edit(ctx, req, remove)
    return {}


@SERVICE.op("GetPolicy")
async def get_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region
    found = await ctx.runtime.store.read(lambda tx: policy_statements(tx, account, region, ref.name, ref.qualifier))
    if found is None:
        raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
    fn, statements = found
    if not statements:
        raise ResourceNotFoundException("The resource you requested does not exist.", fields={"Type": "User"})
    document = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return {"Policy": json.dumps(document), "RevisionId": fn.revision_id or str(uuid.uuid4())}


async def _latest(ctx: RequestContext, req: dict[str, Any]) -> Function:
    ref = parse_function_name(req["FunctionName"], req.get("Qualifier"))
    account, region = ref.account or ctx.account, ref.region or ctx.region
    fn = await ctx.runtime.store.read(
        lambda tx: store.get_function(tx, account, region, ref.name, ref.qualifier or LATEST)
    )
    if fn is None:
        raise function_not_found(function_arn(region, account, ref.name, ref.qualifier))
    return fn


@SERVICE.op("GetFunctionCodeSigningConfig")
async def get_function_code_signing_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    fn = await _latest(ctx, {"FunctionName": req["FunctionName"]})
    return {"FunctionName": fn.name}  # no code signing: gureum runs what it is given


@SERVICE.op("GetRuntimeManagementConfig")
async def get_runtime_management_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    fn = await _latest(ctx, req)
    return {"UpdateRuntimeOn": "Auto", "FunctionArn": fn.qualified_arn if fn.version != LATEST else fn.arn}


@SERVICE.op("GetFunctionRecursionConfig")
async def get_function_recursion_config(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _latest(ctx, {"FunctionName": req["FunctionName"]})
    return {"RecursiveLoop": "Terminate"}
