"""AWS's whole evaluation logic for one request (IAM User Guide, "Policy evaluation logic", "Policy evaluation for
requests within a single account", "Cross-account policy evaluation logic"): an explicit Deny in any policy wins;
then, within an account, a resource policy's Allow and the identity side's Allow are a union (a grant to a user or
session ARN stands on its own, one to a role ARN is still limited by the permissions boundary and the session
policies, one to the account delegates to the identity policies); across accounts both sides must allow. The
identity side is the identity policies ∩ the permissions boundary ∩ the session policies. Never raises: a shape it
cannot read denies and is logged. Imports nothing from gureum outside this package.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .conditions import ContextValue, all_hold
from .document import VERSION_2012, Policy, Statement, load
from .evaluate import MAX_WILDCARD_WORK, Decision, Principal, principal_matches
from .wildcard import Resolve, like

log = logging.getLogger("gureum.policy")

IDENTITY = "identity-based policy"
RESOURCE = "resource-based policy"
BOUNDARY = "permissions boundary"
SESSION = "session policy"
_ARTICLE = {IDENTITY: "an", RESOURCE: "a", BOUNDARY: "a", SESSION: "a"}

ROOT, USER, ROLE_SESSION, FEDERATED, SERVICE, ANONYMOUS = "root", "user", "role", "federated", "service", "anonymous"
_PRINCIPAL_TYPE = {ROOT: "Account", USER: "User", ROLE_SESSION: "AssumedRole", FEDERATED: "FederatedUser"}


def _policies(items: Iterable[Policy | str | None]) -> tuple[Policy, ...]:
    return tuple(item if isinstance(item, Policy) else load(item) for item in items if item is not None)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who calls and the policies that speak for them: ``policies`` the identity-based ones (a user's inline,
    attached and group policies; a session's role's), ``boundary`` the permissions boundary, ``session`` the
    session policies (None: the session was made without any, which limits nothing), ``keys`` the principal's own
    condition keys (aws:PrincipalTag/…, aws:userid, aws:SourceIdentity, …)."""

    kind: str
    principal: Principal
    policies: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    session: tuple[Policy, ...] | None = None
    role_arn: str | None = None  # an assumed-role session's role
    keys: Mapping[str, ContextValue] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        kind: str,
        account: str | None,
        arn: str | None,
        policies: Iterable[Policy | str | None] = (),
        boundary: Policy | str | None = None,
        session: Iterable[Policy | str | None] | None = None,
        role_arn: str | None = None,
        keys: Mapping[str, ContextValue] | None = None,
    ) -> Identity:
        return cls(
            kind,
            Principal(account, arn),
            _policies(policies),
            None if boundary is None else _policies([boundary])[0],
            None if session is None else _policies(session),
            role_arn,
            dict(keys or {}),
        )

    @classmethod
    def root(cls, account: str) -> Identity:
        return cls(ROOT, Principal.root(account))

    @classmethod
    def service(cls, name: str) -> Identity:
        return cls(SERVICE, Principal(service=name))

    @property
    def arn(self) -> str:
        return self.principal.arn or self.principal.service or "anonymous"

    @property
    def account(self) -> str | None:
        return self.principal.account


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision and, for a refusal, the policy type that decided it (AWS names it in its message)."""

    decision: Decision
    policy_type: str | None = None
    statement: str | None = None  # the Sid of the deciding statement, when one decided

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    def message(self, principal_arn: str, action: str, resource: str) -> str:
        """AWS's current wording: "User: arn:… is not authorized to perform: sqs:SendMessage on resource: arn:…
        because no identity-based policy allows the sqs:SendMessage action" (or "with an explicit deny in a
        resource-based policy")."""
        head = f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource}"
        kind = self.policy_type or IDENTITY
        if self.decision is Decision.EXPLICIT_DENY:
            return f"{head} with an explicit deny in {_ARTICLE.get(kind, 'a')} {kind}"
        return f"{head} because no {kind} allows the {action} action"


ALLOW = Verdict(Decision.ALLOW)


@dataclass(frozen=True, slots=True)
class Ask:
    """One authorisation question: ``resource_policy`` is the policy attached to the resource (None: it has none)
    and ``resource_account`` the account owning the resource (None: the caller's own)."""

    identity: Identity
    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    resource_policy: Policy | str | None = None
    resource_account: str | None = None


def _context(identity: Identity, request: Mapping[str, ContextValue]) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {key.lower(): value for key, value in identity.keys.items()}
    context.update((key.lower(), value) for key, value in request.items())
    principal = identity.principal
    if principal.account is not None:
        context.setdefault("aws:principalaccount", principal.account)
    if principal.arn is not None:
        context.setdefault("aws:principalarn", identity.role_arn or principal.arn)
    if principal.service is not None:
        context.setdefault("aws:principalservicename", principal.service)
    kind = _PRINCIPAL_TYPE.get(identity.kind)
    if kind is not None:
        context.setdefault("aws:principaltype", kind)
    context.setdefault("aws:viaawsservice", "false")
    return context


def _resolver(context: Mapping[str, ContextValue]) -> Resolve:
    def resolve(key: str) -> str | None:
        value = context.get(key.lower())
        return value if isinstance(value, str) else None

    return resolve


def _too_costly(policy: Policy, longest: int) -> bool:
    return policy.single_wildcard_cost * longest > MAX_WILDCARD_WORK


class _Eval:
    """One request's facts, shared by every policy it is checked against."""

    __slots__ = ("action", "resource", "context", "resolve", "_longest", "principal")

    def __init__(self, ask: Ask) -> None:
        self.action = ask.action
        self.resource = ask.resource
        self.context = _context(ask.identity, ask.context)
        self.resolve = _resolver(self.context)
        self.principal = ask.identity.principal
        self._longest = -1

    @property
    def longest(self) -> int:
        """The longest value of the request (measured only when a policy with '?' wildcards asks)."""
        if self._longest < 0:
            self._longest = max(
                (len(v) for value in self.context.values() for v in ([value] if isinstance(value, str) else value)),
                default=0,
            )
        return self._longest

    def applies(self, statement: Statement, policy: Policy, attached: bool) -> bool:
        """Does ``statement`` apply? ``attached``: a resource policy (its Principal must match; no Resource element
        means the resource it is attached to); otherwise a policy of an identity (no Principal element; a
        statement without Resource grants nothing)."""
        resolve = self.resolve if policy.version == VERSION_2012 else None  # variables came with 2012-10-17
        if attached:
            if statement.principals is None:
                return False
            if principal_matches(statement.principals, self.principal) == statement.not_principal:
                return False
        elif statement.principals is not None:
            return False
        if any(like(p, self.action, ignore_case=True) for p in statement.actions) == statement.not_action:
            return False
        if statement.resources is None:
            if not attached:
                return False
        elif any(like(p, self.resource, resolve=resolve) for p in statement.resources) == statement.not_resource:
            return False
        return all_hold(statement.conditions, self.context, resolve)

    def scan(self, policies: Sequence[Policy], attached: bool) -> tuple[Statement | None, list[Statement]]:
        """(the first applying Deny, the applying Allows) over ``policies``; a policy too costly to evaluate
        against this request counts as a Deny (fail closed)."""
        allows: list[Statement] = []
        for policy in policies:
            if policy.single_wildcard_cost and _too_costly(policy, self.longest):
                return _COSTLY, allows
            for statement in policy.statements:
                if self.applies(statement, policy, attached):
                    if not statement.allow:
                        return statement, allows
                    allows.append(statement)
        return None, allows


_COSTLY = Statement("too costly to evaluate", False, None, False, (), False, None, False, ())

# How a resource policy's Allow names the caller, strongest first (IAM User Guide, "Policy evaluation for requests
# within a single account"): DIRECT (the user's or session's own ARN, "*", a service) stands on its own; ROLE (the
# role of an assumed-role session) is still limited by the boundary and the session policies; ACCOUNT (the
# account or its root) delegates to the identity policies.
DIRECT, ROLE, ACCOUNT = 3, 2, 1


def _grant(statement: Statement, identity: Identity) -> int:
    if statement.not_principal or statement.principals is None:
        return DIRECT
    best = 0
    principal = identity.principal
    for kind, name in statement.principals:
        if not principal_matches(((kind, name),), principal):
            continue
        if kind != "aws" or name == "*" or name == principal.arn:
            return DIRECT
        if identity.role_arn is not None and name == identity.role_arn:
            best = max(best, ROLE)
        elif ":role/" in name:
            best = max(best, ROLE)
        else:
            best = max(best, ACCOUNT)
    return best


def _deny(statement: Statement, policy_type: str) -> Verdict:
    return Verdict(Decision.EXPLICIT_DENY, policy_type, statement.sid)


def decide(ask: Ask) -> Verdict:
    """The decision for ``ask``; never raises (an unexpected shape denies, and is logged)."""
    try:
        return _decide(ask)
    except Exception:
        log.exception("policy evaluation failed for %s on %s; denied", ask.action, ask.resource)
        return Verdict(Decision.IMPLICIT_DENY, IDENTITY)


def _decide(ask: Ask) -> Verdict:
    identity = ask.identity
    facts = _Eval(ask)
    resource_policy = ask.resource_policy
    attached = () if resource_policy is None else _policies([resource_policy])
    same_account = ask.resource_account is None or ask.resource_account == identity.account
    root = identity.kind == ROOT

    # 1. an explicit Deny anywhere decides
    denied, resource_allows = facts.scan(attached, True)
    if denied is not None:
        return _deny(denied, RESOURCE)
    identity_allows: list[Statement] = []
    if not root and identity.kind not in (SERVICE, ANONYMOUS):
        denied, identity_allows = facts.scan(identity.policies, False)
        if denied is not None:
            return _deny(denied, IDENTITY)
    boundary_ok = True
    if identity.boundary is not None and not root:
        denied, allows = facts.scan((identity.boundary,), False)
        if denied is not None:
            return _deny(denied, BOUNDARY)
        boundary_ok = bool(allows)
    session_ok = True
    if identity.session is not None and not root:
        denied, allows = facts.scan(identity.session, False)
        if denied is not None:
            return _deny(denied, SESSION)
        session_ok = bool(allows)

    # 2. a service or an anonymous caller has only the resource policy
    if identity.kind in (SERVICE, ANONYMOUS):
        return ALLOW if resource_allows else Verdict(Decision.IMPLICIT_DENY, RESOURCE)

    identity_side = root or bool(identity_allows)
    if not identity_side:
        missing: str | None = IDENTITY
    elif not boundary_ok:
        missing = BOUNDARY
    elif not session_ok:
        missing = SESSION
    else:
        missing = None

    # 3. across accounts both sides must allow
    if not same_account:
        if not resource_allows:
            return Verdict(Decision.IMPLICIT_DENY, RESOURCE)
        return ALLOW if missing is None else Verdict(Decision.IMPLICIT_DENY, missing)

    # 4. within an account: the resource policy's grant, or the identity side
    if root or missing is None:
        return ALLOW
    grant = max((_grant(statement, identity) for statement in resource_allows), default=0)
    if grant == DIRECT:
        return ALLOW
    if grant == ROLE and boundary_ok and session_ok:
        return ALLOW
    return Verdict(Decision.IMPLICIT_DENY, missing)


_MEMO_LIMIT = 8192


class Decisions:
    """Verdicts remembered for repeated questions (one per node, on one thread): a decision is a function of the
    identity, the action, the resource, the resource policy, the resource's account and only those request keys
    that the policies involved read (Policy.reads), so an identical question is answered from memory. Keyed by the
    Identity object (callers keep one per identity and make a new one when IAM changes; ``clear`` then frees the
    old answers); a policy whose '?' wildcards make the request's longest value matter is never remembered."""

    __slots__ = ("_memo", "_reads", "limit")

    def __init__(self, limit: int = _MEMO_LIMIT) -> None:
        self._memo: dict[tuple[object, ...], tuple[Identity, object, Verdict]] = {}
        self._reads: dict[int, tuple[Identity, frozenset[str] | None]] = {}
        self.limit = limit

    def clear(self) -> None:
        self._memo.clear()
        self._reads.clear()

    def __len__(self) -> int:
        return len(self._memo)

    def _identity_reads(self, identity: Identity) -> frozenset[str] | None:
        """The keys the identity's own policies read (None: one of them may not be remembered)."""
        found = self._reads.get(id(identity))
        if found is not None and found[0] is identity:
            return found[1]
        policies = [*identity.policies, *(identity.session or ())]
        if identity.boundary is not None:
            policies.append(identity.boundary)
        reads: frozenset[str] | None = frozenset()
        if any(policy.single_wildcard_cost for policy in policies):
            reads = None
        else:
            reads = frozenset().union(*(policy.reads for policy in policies))
        if len(self._reads) >= self.limit:
            self._reads.clear()
        self._reads[id(identity)] = (identity, reads)
        return reads

    def decide(self, ask: Ask) -> Verdict:
        """``decide(ask)``, remembered."""
        identity, policy = ask.identity, ask.resource_policy
        reads = self._identity_reads(identity)
        attached = load(policy) if isinstance(policy, str) else policy
        if reads is None or (attached is not None and attached.single_wildcard_cost):
            return decide(ask)
        if attached is not None and attached.reads:
            reads = reads | attached.reads
        # the policy text (a str hashes once) or the Policy object itself (by identity, kept alive below)
        key: tuple[object, ...] = (
            id(identity),
            ask.action,
            ask.resource,
            policy if policy is None or isinstance(policy, str) else id(policy),
            ask.resource_account,
        )
        if reads:
            given = {name.lower(): value for name, value in ask.context.items()}
            key += tuple(_hashable(given.get(name)) for name in sorted(reads))
        try:
            found = self._memo.get(key)
        except TypeError:  # a context value of a shape no policy key has: not remembered
            return decide(ask)
        if found is not None and found[0] is identity and (found[1] is policy or isinstance(policy, str)):
            return found[2]
        verdict = decide(ask)
        if len(self._memo) >= self.limit:
            self._memo.clear()
        self._memo[key] = (identity, policy, verdict)
        return verdict


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value
