"""Evaluating a resource policy for one request, as AWS does (IAM User Guide, "Policy evaluation logic"): a
statement applies when its principal, action, resource and every condition match; an applying Deny wins, else an
applying Allow allows, else the request is implicitly denied. Also the principal matching of the Principal
element, and AWS's words for a refusal. Imports nothing from gureum outside this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from .conditions import ContextValue, all_hold
from .document import VERSION_2012, Policy, Statement, load
from .wildcard import Resolve, like

# A bound on the work of "?" wildcards in conditions (policy characters × request value length): a policy and a
# request past it are refused rather than evaluated (fail closed). Real policies stay far below it: 1,000 such
# characters against a 100 KB value is 10^8.
MAX_WILDCARD_WORK = 200_000_000


class Decision(Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"  # a Deny statement applies
    IMPLICIT_DENY = "implicit deny"  # no statement allows

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: an account's principal (``arn``: its root, an IAM user, an assumed-role session), or an AWS
    service (``service``: "sns.amazonaws.com"); neither for an anonymous caller."""

    account: str | None = None
    arn: str | None = None
    service: str | None = None

    @classmethod
    def root(cls, account: str) -> Principal:
        return cls(account, f"arn:aws:iam::{account}:root")


@dataclass(frozen=True, slots=True)
class Request:
    principal: Principal
    action: str  # "sns:Publish", "sqs:SendMessage", "lambda:InvokeFunction" (matched without regard to case)
    resource: str  # the resource's ARN
    context: Mapping[str, ContextValue] = field(default_factory=dict)  # condition keys (any case) -> value(s)


def _arn_parts(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _aws_principal_matches(name: str, principal: Principal) -> bool:
    """One value of Principal {"AWS": ...}: "*", an account id or its root ARN (any principal of that account),
    a role ARN (the role's sessions too), or any other principal ARN exactly. Wildcards other than a lone "*" are
    not wildcards in Principal."""
    if name == "*":
        return True
    if principal.account is None:
        return False
    if name.isdigit() and len(name) == 12:
        return name == principal.account
    parts = _arn_parts(name)
    if parts is None:
        return False
    if parts[2] == "iam" and parts[5] == "root":
        return parts[4] == principal.account
    if principal.arn is None:
        return False
    if name == principal.arn:
        return True
    if parts[2] == "iam" and parts[5].startswith("role/"):
        # a session of the role: arn:aws:sts::<account>:assumed-role/<role name, without its path>/<session>
        role = parts[5].rsplit("/", 1)[-1]
        return principal.arn.startswith(f"arn:{parts[1]}:sts::{parts[4]}:assumed-role/{role}/")
    return False


def principal_matches(principals: tuple[tuple[str, str], ...], principal: Principal) -> bool:
    for kind, name in principals:
        if kind == "aws" and _aws_principal_matches(name, principal):
            return True
        if kind == "service" and principal.service is not None and (name == "*" or name == principal.service):
            return True
        if kind in ("federated", "canonicaluser") and (name == "*" or name == principal.arn):
            return True
    return False


def _statement_applies(
    statement: Statement, request: Request, context: Mapping[str, ContextValue], resolve: Resolve | None
) -> bool:
    if statement.principals is None:
        return False  # a resource policy names its principals; a statement without any applies to no one
    if principal_matches(statement.principals, request.principal) == statement.not_principal:
        return False
    action_hit = any(like(pattern, request.action, ignore_case=True) for pattern in statement.actions)
    if action_hit == statement.not_action:
        return False
    if statement.resources is not None:
        resource_hit = any(like(pattern, request.resource, resolve=resolve) for pattern in statement.resources)
        if resource_hit == statement.not_resource:
            return False
    return all_hold(statement.conditions, context, resolve)


def _context(request: Request) -> dict[str, ContextValue]:
    """The request's condition keys by lower-case name, with the principal's own keys added."""
    context = {key.lower(): value for key, value in request.context.items()}
    principal = request.principal
    if principal.account is not None:
        context.setdefault("aws:principalaccount", principal.account)
    if principal.arn is not None:
        context.setdefault("aws:principalarn", principal.arn)
    if principal.service is not None:
        context.setdefault("aws:principalservicename", principal.service)
    return context


def _too_costly(policy: Policy, context: Mapping[str, ContextValue]) -> bool:
    cost = policy.single_wildcard_cost
    if not cost:
        return False
    longest = max(
        (len(v) for value in context.values() for v in ([value] if isinstance(value, str) else value)), default=0
    )
    return cost * longest > MAX_WILDCARD_WORK


def _resolver(context: Mapping[str, ContextValue]) -> Resolve:
    def resolve(key: str) -> str | None:
        value = context.get(key.lower())
        return value if isinstance(value, str) else None

    return resolve


def evaluate(policy: Policy | str | None, request: Request) -> Decision:
    """The resource policy's decision for ``request`` (a policy given as text is read with ``document.load``)."""
    if not isinstance(policy, Policy):
        policy = load(policy)
    if not policy.statements:
        return Decision.IMPLICIT_DENY
    context = _context(request)
    if _too_costly(policy, context):
        return Decision.IMPLICIT_DENY
    resolve = _resolver(context) if policy.version == VERSION_2012 else None  # variables came with 2012-10-17
    allowed = False
    for statement in policy.statements:
        if _statement_applies(statement, request, context, resolve):
            if not statement.allow:
                return Decision.EXPLICIT_DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def not_authorized(principal_arn: str, action: str, resource: str, decision: Decision) -> str:
    """AWS's message for a request a resource policy refuses, e.g. "User: arn:aws:iam::222222222222:root is not
    authorized to perform: SNS:Publish on resource: arn:aws:sns:... because no resource-based policy allows the
    SNS:Publish action" (the form AWS's services share; ``action`` spelt as the service spells it)."""
    head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
    if decision is Decision.EXPLICIT_DENY:
        return f"{head} with an explicit deny in a resource-based policy"
    return f"{head} because no resource-based policy allows the {action} action"
