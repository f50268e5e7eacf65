"""The policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy) on the evaluator IAM enforcement uses
(gureum.policy): each action against each resource with the given identity policies, permissions boundary,
resource policy and context entries; and the "learn" listing of what enforcement would refuse."""

from __future__ import annotations

import json
from typing import Any

from ...aws.authorize import authorizer
from ...aws.http import Request, Response
from ...policy import Ask, Decision, Identity, decide
from ...policy.engine import ROLE_SESSION, USER
from ...runtime import Runtime
from ...store.base import Tx
from . import store
from .errors import InvalidInput, NoSuchEntity
from .identities import _documents, by_arn
from .model import check_document

_DECISIONS = {Decision.ALLOW: "allowed", Decision.EXPLICIT_DENY: "explicitDeny", Decision.IMPLICIT_DENY: "implicitDeny"}


def _context(entries: list[dict[str, Any]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries or []:
        values = [str(v) for v in entry.get("ContextKeyValues") or []]
        kind = str(entry.get("ContextKeyType") or "string")
        out[str(entry.get("ContextKeyName"))] = values if kind.endswith("List") or len(values) != 1 else values[0]
    return out


def _checked(documents: list[str] | None) -> list[str]:
    for document in documents or []:
        check_document(document)
    return list(documents or [])


def simulate(
    identity: Identity,
    actions: list[str],
    resources: list[str] | None,
    resource_policy: str | None,
    resource_owner: str | None,
    entries: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    context = _context(entries)
    results = []
    for action in actions:
        for resource in resources or ["*"]:
            parts = resource.split(":", 5)
            owner = resource_owner.split(":")[4] if resource_owner and resource_owner.count(":") >= 4 else None
            owner = owner or (parts[4] if len(parts) == 6 and parts[4].isdigit() else None)
            verdict = decide(Ask(identity, action, resource, context, resource_policy, owner))
            results.append(
                {
                    "EvalActionName": action,
                    "EvalResourceName": resource,
                    "EvalDecision": _DECISIONS[verdict.decision],
                    "MatchedStatements": [],
                    "MissingContextValues": [],
                    "EvalDecisionDetails": {verdict.policy_type or "IAM Policy": _DECISIONS[verdict.decision]}
                    if not verdict.allowed
                    else {},
                }
            )
    return {"EvaluationResults": results, "IsTruncated": False}


class Simulator:
    """A part of IamBackend."""

    store: Any

    async def simulate_principal_policy(
        self,
        account: str,
        source_arn: str,
        extra: list[str] | None,
        boundaries: list[str] | None,
        actions: list[str],
        resources: list[str] | None,
        resource_policy: str | None,
        resource_owner: str | None,
        caller_arn: str | None,
        entries: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        def read(tx: Tx) -> tuple[str, list[str], str | None, dict[str, Any]]:
            if ":group/" in source_arn:
                group = store.by_arn(tx, account, "group", source_arn)
                if group is None:
                    raise NoSuchEntity(f"The group with ARN {source_arn} cannot be found.")
                return "user", _documents(tx, group), None, {}
            found = by_arn(tx, source_arn)
            if found is None:
                raise NoSuchEntity(f"Principal {source_arn} cannot be found.")
            keys = {f"aws:PrincipalTag/{k}": v for k, v in found.tags.items()}
            if found.kind == "user":
                keys.update({"aws:username": found.name, "aws:userid": found.entity_id})
            return found.kind, list(found.policies), found.boundary, keys

        kind, documents, boundary, keys = await self.store.read(read)
        documents += _checked(extra)
        if boundaries:
            boundary = _checked(boundaries)[0]
        caller = caller_arn or source_arn
        identity = Identity.make(
            ROLE_SESSION if kind == "role" else USER,
            account,
            caller,
            documents,
            boundary,
            None,
            source_arn if kind == "role" else None,
            keys,
        )
        return simulate(identity, actions, resources, resource_policy, resource_owner, entries)

    async def simulate_custom_policy(
        self,
        account: str,
        documents: list[str],
        boundaries: list[str] | None,
        actions: list[str],
        resources: list[str] | None,
        resource_policy: str | None,
        resource_owner: str | None,
        caller_arn: str | None,
        entries: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        if resource_policy and not caller_arn:
            raise InvalidInput("CallerArn must be specified when a ResourcePolicy is given.")
        boundary = _checked(boundaries)[0] if boundaries else None
        identity = Identity.make(USER, account, caller_arn, _checked(documents), boundary)
        return simulate(identity, actions, resources, resource_policy, resource_owner, entries)


async def would_deny(runtime: Runtime, request: Request) -> Response:
    """GET /_gureum/iam/would-deny: what enforcement refused or, in learn mode, would refuse (newest last);
    DELETE empties the list."""
    iam = authorizer(runtime)
    if request.method == "DELETE":
        iam.would_deny.clear()
    body = {
        "enforcing": runtime.config.enforce_iam,
        "learning": runtime.config.learn_iam,
        "wouldDeny": list(iam.would_deny),
    }
    return Response(200, [("Content-Type", "application/json")], json.dumps(body).encode())
