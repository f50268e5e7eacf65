"""IAM enforcement (``--enforce-iam``): every signed AWS request is authorised, after its signature is verified, as
AWS authorises it: the caller's identity (the account's root, an IAM user with its groups, an assumed-role or
federated session with its session policies), the operation's action and resources (gureum.policy.actions), the
resource's policy where its service offers one, and gureum.policy's evaluation. A refusal is AWS's AccessDenied
in the service's shape. With ``--learn-iam`` and enforcement off, what enforcement would refuse is logged and kept
for GET /_gureum/iam/would-deny instead. The engine imports no service: IAM offers identities (IdentitySource),
services their resource policies (``register``); both through the runtime.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..policy import Ask, Decision, Identity, Verdict, decide, evaluate
from ..policy import Request as PolicyRequest
from ..policy.actions import Requirement, required
from ..policy.engine import FEDERATED, ROLE_SESSION, ROOT, USER
from .auth import Caller, is_issued
from .errors import ServiceError
from .http import Request

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .routing import Route

log = logging.getLogger("gureum.iam")

IAM_CHANNEL = "iam-identity"  # IAM notifies it on every write: each node drops the identities it cached
# a service whose resources' policies changed notifies it (payload: the ARN's service): each node drops the policies
# it cached for that service
RESOURCE_POLICY_CHANNEL = "resource-policy"
_TOKEN_PREFIX = "GUREUMv1"
_MAX_IDENTITIES = 4096
_WOULD_DENY = 1000


# --- session tokens ---------------------------------------------------------------------------------------------


def issue_session_token(deployment_secret: str, access_key: str, claims: Mapping[str, Any]) -> str:
    """A session token carrying who a temporary key acts as (its session's principal, role, session policies,
    source identity, tags, expiry), signed with the deployment's secret and bound to the key: any node reads it
    without a lookup."""
    body = base64.urlsafe_b64encode(json.dumps({**claims, "k": access_key}, separators=(",", ":")).encode()).decode()
    mac = hmac.new(deployment_secret.encode(), f"{access_key}.{body}".encode(), hashlib.sha256).digest()[:18]
    return f"{_TOKEN_PREFIX}.{body}.{base64.urlsafe_b64encode(mac).decode()}"


def read_session_token(deployment_secret: str, access_key: str, token: str) -> dict[str, Any] | None:
    """The claims of a token gureum issued for ``access_key``; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_PREFIX:
        return None
    mac = hmac.new(deployment_secret.encode(), f"{access_key}.{parts[1]}".encode(), hashlib.sha256).digest()[:18]
    try:
        if not hmac.compare_digest(base64.urlsafe_b64decode(parts[2]), mac):
            return None
        claims = json.loads(base64.urlsafe_b64decode(parts[1]))
    except (ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) and claims.get("k") == access_key else None


def session_token_of(request: Request) -> str:
    return request.headers.get("x-amz-security-token") or request.query.get("X-Amz-Security-Token") or ""


# --- what IAM and the services offer ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """What IAM knows of a user or a role: its policy documents (inline, attached, its groups'), its permissions
    boundary's document, its tags, its trust policy (a role), and whether the access key asked about is active."""

    kind: str  # "user" | "role"
    arn: str
    account: str
    entity_id: str
    name: str
    policies: tuple[str, ...] = ()
    boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    trust_policy: str | None = None
    active: bool = True


class IdentitySource(Protocol):
    """Offered by IAM (runtime.provide(IdentitySource, …))."""

    async def by_key(self, account: str, access_key: str) -> IdentityRecord | None:
        """The IAM user an access key belongs to (``active`` says whether the key is)."""
        ...

    async def by_arn(self, arn: str) -> IdentityRecord | None:
        """A user or role by its ARN."""
        ...

    async def managed_documents(self, account: str, policy_arns: list[str]) -> list[str]:
        """The default versions of managed policies (session PolicyArns)."""
        ...


ResourcePolicy = Callable[[str], Awaitable[str | None]]  # resource ARN -> its policy document (None: none)


# --- errors -----------------------------------------------------------------------------------------------------

_TOKEN_ERRORS = {  # (json-family code, query/xml code, message)
    "invalid": (
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    ),
    "expired": ("ExpiredTokenException", "ExpiredToken", "The security token included in the request is expired"),
}


def token_error(protocol: str, kind: str) -> ServiceError:
    json_code, query_code, message = _TOKEN_ERRORS[kind]
    code = query_code if protocol in ("query", "rest-xml") else json_code
    return ServiceError(message, code=code, status=403, type_name=json_code)


def access_denied(requirement: Requirement, protocol: str, message: str) -> ServiceError:
    code = requirement.code
    if protocol in ("json", "rest-json") and code == "AccessDenied" and requirement.type_name is None:
        code = "AccessDeniedException"
    fields: dict[str, object] | None = (
        {"__type": requirement.type_name} if requirement.type_name and "#" in requirement.type_name else None
    )
    type_name = requirement.type_name if requirement.type_name and "#" not in requirement.type_name else None
    return ServiceError(message, code=code, status=403, type_name=type_name, fields=fields)


# --- the request's condition keys -------------------------------------------------------------------------------


def _tags(params: Mapping[str, Any]) -> dict[str, str]:
    """A request's tags, in any of the shapes AWS's APIs take them ({"k": "v"} or [{"Key", "Value"}])."""
    for name in ("Tags", "tags"):
        value = params.get(name)
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        if isinstance(value, list):
            return {
                str(t.get("Key", t.get("key"))): str(t.get("Value", t.get("value", "")))
                for t in value
                if isinstance(t, dict) and (t.get("Key") or t.get("key"))
            }
    return {}


def request_context(
    request: Request, region: str, now: float, params: Mapping[str, Any], requirement: Requirement
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:CurrentTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now)),
        "aws:RequestedRegion": region,
        "aws:ViaAWSService": "false",
        **requirement.keys,
    }
    if request.peer:
        context["aws:SourceIp"] = request.peer
    if (
        request.scheme == "https"
    ):  # absent over plain HTTP: a "deny unless TLS" statement does not lock out a local client
        context["aws:SecureTransport"] = "true"
    tags = _tags(params)
    if tags:
        context["aws:TagKeys"] = list(tags)
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    return context


# --- the authorizer ---------------------------------------------------------------------------------------------


class Authorizer:
    """One per node: caches identities (dropped on every IAM write, on every node, through IAM_CHANNEL), holds the
    services' resource-policy readers and the would-deny record."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.enforce = runtime.config.enforce_iam
        self._identities: dict[tuple[str, str, str], Identity] = {}
        self._generation = 0
        self._sources: dict[str, tuple[ResourcePolicy, bool]] = {}
        self._policies: dict[str, str | None] = {}  # resource ARN -> its policy, for sources that notify changes
        self._policy_generation = 0
        self.would_deny: deque[dict[str, Any]] = deque(maxlen=_WOULD_DENY)
        runtime.store.subscribe(IAM_CHANNEL, self.invalidate)
        runtime.store.subscribe(RESOURCE_POLICY_CHANNEL, self._policies_changed)

    def register(self, arn_service: str, source: ResourcePolicy, notifies: bool = False) -> None:
        """Offer the resource policies of one service's resources (``arn_service``: the ARN's service, "sqs");
        ``notifies``: the service notifies RESOURCE_POLICY_CHANNEL on every change, so they may be cached."""
        self._sources[arn_service] = (source, notifies)

    def _policies_changed(self, _payload: str = "") -> None:
        self._policy_generation += 1
        self._policies.clear()

    async def resource_policy(self, arn_service: str, arn: str) -> str | None:
        found = self._sources.get(arn_service)
        if found is None:
            return None
        reader, notifies = found
        if notifies and arn in self._policies:
            return self._policies[arn]
        generation = self._policy_generation
        try:
            policy = await reader(arn)
        except Exception:
            log.exception("reading the policy of %s failed; evaluated without it", arn)
            return None
        if notifies and generation == self._policy_generation:
            if len(self._policies) >= _MAX_IDENTITIES:
                self._policies.clear()
            self._policies[arn] = policy
        return policy

    def invalidate(self, _payload: str = "") -> None:
        self._generation += 1
        self._identities.clear()
        self._policies_changed()

    # identities

    async def identity(self, account: str, access_key: str, token: str, protocol: str = "json") -> Identity:
        """Who a key acts as; AWS's InvalidClientTokenId / ExpiredToken for a key or token that cannot act."""
        cache_key = (account, access_key, token)
        found = self._identities.get(cache_key)
        if found is None and (not access_key or not is_issued(access_key)):
            return Identity.root(account)  # a configured static key, or any key without strict mode
        if found is not None:
            expires = found.keys.get("gureum:expires")
            if isinstance(expires, str) and float(expires) <= self.runtime.clock.now():
                raise token_error(protocol, "expired")
            return found
        generation = self._generation
        identity = await self._resolve(account, access_key, token, protocol)
        if generation == self._generation:  # no IAM write since the lookup started
            if len(self._identities) >= _MAX_IDENTITIES:
                self._identities.clear()
            self._identities[cache_key] = identity
        return identity

    async def _resolve(self, account: str, access_key: str, token: str, protocol: str) -> Identity:
        source = self.runtime.optional_port(IdentitySource)
        user = await source.by_key(account, access_key) if source is not None else None
        if user is not None:
            if not user.active:
                raise token_error(protocol, "invalid")
            return _user_identity(user)
        claims = read_session_token(self.runtime.deployment_secret, access_key, token) if token else None
        if claims is None:
            if token.startswith(_TOKEN_PREFIX):  # a session token of gureum's that is not this key's, or altered
                raise token_error(protocol, "invalid")
            # an issued key without a session of gureum's STS (Lambda's and API Gateway's own keys): the account's
            # root, as before enforcement (they are to carry their role's session: see the README)
            return Identity.root(account)
        if float(claims.get("x", 0)) <= self.runtime.clock.now():
            raise token_error(protocol, "expired")
        return await self._session_identity(account, claims, source)

    async def _session_identity(
        self, account: str, claims: Mapping[str, Any], source: IdentitySource | None
    ) -> Identity:
        kind = claims.get("t")
        arn = str(claims.get("a", f"arn:aws:iam::{account}:root"))
        session: list[str] = [str(p) for p in claims.get("p", []) if p]
        arns = [str(p) for p in claims.get("m", []) if p]
        if arns and source is not None:
            session += await source.managed_documents(account, arns)
        keys: dict[str, Any] = {"gureum:expires": str(claims.get("x", 0)), "aws:TokenIssueTime": _iso(claims.get("n"))}
        if claims.get("i"):
            keys["aws:SourceIdentity"] = claims["i"]
        if kind == "role":
            role = await source.by_arn(str(claims.get("r", ""))) if source is not None else None
            tags = {**(role.tags if role else {}), **claims.get("g", {})}
            keys.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
            keys["aws:userid"] = f"{role.entity_id if role else 'AROA'}:{arn.rsplit('/', 1)[-1]}"
            return Identity.make(
                ROLE_SESSION,
                account,
                arn,
                role.policies if role else (),
                role.boundary if role else None,
                session if (session or claims.get("p") is not None or arns) else None,
                str(claims.get("r")),
                keys,
            )
        base = await source.by_arn(str(claims.get("u", ""))) if source is not None and claims.get("u") else None
        if kind == "federated":
            keys["aws:userid"] = f"{account}:{arn.rsplit('/', 1)[-1]}"
            return Identity.make(
                FEDERATED,
                account,
                arn,
                base.policies if base else (),
                base.boundary if base else None,
                session,  # a federated user without a session policy has no permissions
                None,
                keys,
            )
        if base is not None:  # GetSessionToken of an IAM user: the user
            return _user_identity(base, keys)
        return Identity.root(account)

    # decisions

    async def decide(self, identity: Identity, action: str, resource: str, context: Mapping[str, Any]) -> Verdict:
        """The decision for one permission, with the resource's policy when its service offers one."""
        parts = resource.split(":", 5)
        resource_account = parts[4] if len(parts) == 6 and parts[4].isdigit() else None
        policy: str | None = None
        if action.lower().startswith("sts:assumerole"):
            source = self.runtime.optional_port(IdentitySource)
            role = await source.by_arn(resource) if source is not None else None
            trust = role.trust_policy if role is not None else None
            # the role's trust policy must always let the caller in (IAM User Guide, "Granting a user permissions
            # to switch roles"); then the usual rules, the trust policy as the resource policy
            if not evaluate(trust, PolicyRequest(identity.principal, action, resource, dict(context))).allowed:
                return Verdict(Decision.IMPLICIT_DENY, "resource-based policy")
            policy = trust
        elif len(parts) == 6:
            policy = await self.resource_policy(parts[2], resource)
        return decide(Ask(identity, action, resource, context, policy, resource_account))

    async def check(self, request: Request, route: Route, params: Mapping[str, Any], caller: Caller) -> None:
        """Authorise one request (the dispatcher's hook): raise AWS's AccessDenied when enforcing, record what
        would be refused when learning."""
        service, operation, protocol = route.spec.name, route.name, route.protocol
        account, region, access_key = caller.account, caller.region, caller.access_key
        requirement = required(service, operation, params, region, account, method=request.method, path=request.path)
        if requirement is None or requirement.skip:
            return
        identity = await self.identity(account, access_key, session_token_of(request), protocol)
        if identity.kind == ROOT and not requirement.needs:
            return
        context = request_context(request, region, self.runtime.clock.now(), params, requirement)
        for need in requirement.needs:
            verdict = await self.decide(identity, need.action, need.resource, context)
            if not verdict.allowed:
                self.note(identity.arn, need.action, need.resource, verdict, f"{service} {operation}")
                if self.enforce:
                    message = verdict.message(identity.arn, need.action, need.resource)
                    raise access_denied(requirement, protocol, message)
                return

    def note(self, principal: str, action: str, resource: str, verdict: Verdict, what: str) -> None:
        """Remember (and log) a request or delivery enforcement refused, or would refuse in learn mode."""
        message = verdict.message(principal, action, resource)
        if self.enforce:
            log.info("IAM enforcement denied %s: %s", what, message)
        else:
            log.warning("IAM enforcement would deny %s: %s", what, message)
        self.would_deny.append(
            {
                "time": datetime.fromtimestamp(self.runtime.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "call": what,
                "principal": principal,
                "action": action,
                "resource": resource,
                "decision": verdict.decision.value,
                "policyType": verdict.policy_type,
                "message": message,
            }
        )

    async def principal_may(
        self, principal_arn: str, action: str, resource: str, context: Mapping[str, Any] | None = None
    ) -> Verdict:
        """May a user or role (by ARN: a Lambda function's execution role, an event source mapping's) do
        ``action`` on ``resource``? Its identity policies, boundary, and the resource's policy."""
        source = self.runtime.optional_port(IdentitySource)
        record = await source.by_arn(principal_arn) if source is not None else None
        account = principal_arn.split(":")[4] if principal_arn.count(":") >= 5 else ""
        if record is None:
            identity = Identity.make(USER, account, principal_arn)
        elif record.kind == "role":
            identity = Identity.make(
                ROLE_SESSION,
                account,
                principal_arn,
                record.policies,
                record.boundary,
                None,
                record.arn,
                _tag_keys(record),
            )
        else:
            identity = _user_identity(record)
        keys = {"aws:CurrentTime": _iso(self.runtime.clock.now()), "aws:EpochTime": str(int(self.runtime.clock.now()))}
        return await self.decide(identity, action, resource, {**keys, **(context or {})})


def _iso(when: Any) -> str:
    try:
        return datetime.fromtimestamp(float(when), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return ""


def _tag_keys(record: IdentityRecord) -> dict[str, Any]:
    return {f"aws:PrincipalTag/{k}": v for k, v in record.tags.items()}


def _user_identity(user: IdentityRecord, extra: Mapping[str, Any] | None = None) -> Identity:
    keys = {"aws:username": user.name, "aws:userid": user.entity_id, **_tag_keys(user), **(extra or {})}
    return Identity.make(USER, user.account, user.arn, user.policies, user.boundary, None, None, keys)


def authorizer(runtime: Runtime) -> Authorizer:
    """The node's Authorizer (made on first use, kept by the runtime)."""
    found = runtime.state_or_none(Authorizer)
    return found if found is not None else runtime.keep(Authorizer(runtime))


def enforcing(runtime: Runtime) -> bool:
    return runtime.config.enforce_iam


def delivery_allowed(
    runtime: Runtime, service_principal: str, action: str, resource: str, policy: str | None, source_arn: str
) -> Verdict:
    """A service's delivery for ``source_arn`` (an SNS topic, an EventBridge rule) to a resource whose policy is
    ``policy``: the service principal with aws:SourceArn and aws:SourceAccount, as AWS checks it. A refusal is
    logged and recorded; the caller refuses only when enforcing."""
    parts = source_arn.split(":", 5)
    context = {"aws:SourceArn": source_arn, "aws:SourceAccount": parts[4] if len(parts) == 6 else ""}
    verdict = decide(Ask(Identity.service(service_principal), action, resource, context, policy))
    if not verdict.allowed:  # visible: the log, and /_gureum/iam/would-deny
        authorizer(runtime).note(service_principal, action, resource, verdict, f"delivery for {source_arn}")
    return verdict
