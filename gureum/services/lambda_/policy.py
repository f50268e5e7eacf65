"""A function's resource policy as values and transaction bodies: the statement AddPermission writes (exactly as
AWS builds it), which statements belong to a version or an alias, and the policy document GetPolicy answers with.
gureum enforces the policy only where AWS's callers are anonymous (function URLs with AuthType NONE). No HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ...store.base import Tx
from . import store
from .aliases import is_alias
from .errors import (
    ResourceNotFoundException,
    conflict,
    function_not_found,
    invalid,
    resource_not_found,
    revision_mismatch,
)
from .functions import LATEST, Function, function_arn

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class Permission:
    """AddPermission's members that make the statement."""

    statement_id: str
    action: str
    principal: str
    source_arn: str | None = None
    source_account: str | None = None
    principal_org_id: str | None = None
    event_source_token: str | None = None
    function_url_auth_type: str | None = None


def check_action(action: str) -> None:
    if not action.startswith("lambda:"):
        raise invalid(
            f"1 validation error detected: Value '{action}' at 'action' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])"
        )


def statement(fn: Function, qualifier: str | None, permission: Permission) -> dict[str, Any]:
    """One statement as AWS writes it: services as Principal.Service, accounts and ARNs as Principal.AWS."""
    principal = permission.principal
    if principal == "*":
        who: Any = "*"
    elif principal.endswith(".amazonaws.com"):
        who = {"Service": principal}
    else:
        who = {"AWS": f"arn:aws:iam::{principal}:root" if principal.isdigit() else principal}
    out: dict[str, Any] = {"Sid": permission.statement_id, "Effect": "Allow", "Principal": who,
                           "Action": permission.action,
                           "Resource": function_arn(fn.region, fn.account, fn.name, qualifier)}  # fmt: skip
    condition: dict[str, dict[str, str]] = {}
    if permission.source_arn:
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = permission.source_arn
    for key, value in (
        ("AWS:SourceAccount", permission.source_account),
        ("aws:PrincipalOrgID", permission.principal_org_id),
        ("lambda:EventSourceToken", permission.event_source_token),
        ("lambda:FunctionUrlAuthType", permission.function_url_auth_type),
    ):
        if value:
            condition.setdefault("StringEquals", {})[key] = value
    if condition:
        out["Condition"] = condition
    return out


def alias_of(statement: dict[str, Any], fn: Function) -> str | None:
    """The alias a statement of $LATEST's row belongs to (its Resource is the alias's ARN), else None."""
    resource = str(statement.get("Resource") or "")
    qualifier = resource[len(fn.arn) + 1 :] if resource.startswith(fn.arn + ":") else None
    return qualifier if is_alias(qualifier) else None


def statements(
    tx: Tx, account: str, region: str, name: str, qualifier: str | None
) -> tuple[Function, list[dict[str, Any]]] | None:
    """(the row holding them, the statements) of the policy of a function, version or alias; None when it does not
    exist. An alias's statements live on $LATEST's row, told apart by their Resource (the alias's ARN)."""
    alias = qualifier if is_alias(qualifier) else None
    fn = store.get_function(tx, account, region, name, LATEST if alias else (qualifier or LATEST))
    if fn is None or (alias and store.get_alias(tx, account, region, name, alias) is None):
        return None
    return fn, [s for s in fn.policy or [] if alias_of(s, fn) == alias]


def edit(
    tx: Tx,
    account: str,
    region: str,
    name: str,
    qualifier: str | None,
    revision_id: str | None,
    change: Callable[[Function, list[dict[str, Any]]], T],
) -> T:
    """Run ``change(fn, statements) -> result`` on the addressed policy's statements (changed in place) and store
    the policy under a new RevisionId of the version or alias it belongs to (the policy's RevisionId is theirs)."""
    store.lock_function(tx, account, region, name)
    found = statements(tx, account, region, name, qualifier)
    if found is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    fn, mine = found
    alias = store.get_alias(tx, account, region, name, str(qualifier)) if is_alias(qualifier) else None
    if revision_id and revision_id != (fn.revision_id if alias is None else alias.get("RevisionId")):
        raise revision_mismatch()
    others = [s for s in fn.policy or [] if s not in mine]
    result = change(fn, mine)
    if alias is None:
        store.update_function(tx, fn.touched(policy=others + mine or None))
    else:
        store.update_function(tx, replace(fn, policy=others + mine or None))
        store.put_alias(tx, account, region, name, {**alias, "RevisionId": str(uuid.uuid4())}, create=False)
    return result


def add(tx: Tx, account: str, region: str, name: str, qualifier: str | None, permission: Permission,
        revision_id: str | None) -> dict[str, Any]:  # fmt: skip
    """AddPermission: the statement added."""

    def add_one(fn: Function, mine: list[dict[str, Any]]) -> dict[str, Any]:
        if any(s["Sid"] == permission.statement_id for s in mine):
            raise conflict(
                f"The statement id ({permission.statement_id}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement."
            )
        added = statement(fn, qualifier, permission)
        mine.append(added)
        return added

    return edit(tx, account, region, name, qualifier, revision_id, add_one)


def remove(tx: Tx, account: str, region: str, name: str, qualifier: str | None, statement_id: str,
           revision_id: str | None) -> None:  # fmt: skip
    def remove_one(fn: Function, mine: list[dict[str, Any]]) -> None:
        keep = [s for s in mine if s["Sid"] != statement_id]
        if len(keep) == len(mine):
            raise ResourceNotFoundException(
                f"Statement {statement_id} is not found in resource policy.", fields={"Type": "User"}
            )
        mine[:] = keep

    edit(tx, account, region, name, qualifier, revision_id, remove_one)


def document(tx: Tx, account: str, region: str, name: str, qualifier: str | None) -> dict[str, Any]:
    """GetPolicy's answer: the policy as JSON text and the RevisionId of the row holding it."""
    found = statements(tx, account, region, name, qualifier)
    if found is None:
        raise function_not_found(function_arn(region, account, name, qualifier))
    fn, mine = found
    if not mine:
        raise resource_not_found()
    policy = {"Version": "2012-10-17", "Id": "default", "Statement": mine}
    alias = store.get_alias(tx, account, region, name, str(qualifier)) if is_alias(qualifier) else None
    revision = fn.revision_id if alias is None else alias.get("RevisionId")
    return {"Policy": json.dumps(policy), "RevisionId": revision or str(uuid.uuid4())}
