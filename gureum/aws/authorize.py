"""IAM enforcement (``--enforce-iam``): every signed AWS request is authorised, after its signature is verified, as
AWS authorises it: the caller's identity (the account's root, an IAM user with its groups, an assumed-role or
federated session with its session policies), the operation's action and resources (gureum.policy.actions), the
resource's policy where its service offers one, and gureum.policy's evaluation. A refusal is AWS's AccessDenied
in the service's shape. With ``--learn-iam`` and enforcement off, what enforcement would refuse is logged and kept
for GET /_gureum/iam/would-deny instead. The engine imports no service: IAM offers identities (IdentitySource),
services their resource policies and tags (``register``); both through the runtime. Also here: the credentials
gureum issues to act for someone (a role's session for Lambda and API Gateway, a service for its resource, the
account's own machinery), each carrying its session token, and the checks of one service's delivery or invocation
to another's resource (``delivery_refusal``, ``invocation_refusal``).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..policy import Ask, Decision, Decisions, Identity, Principal, Verdict, decide, evaluate
from ..policy import Request as PolicyRequest
from ..policy.actions import Needed, Requirement, required
from ..policy.engine import FEDERATED, ROLE_SESSION, ROOT, SERVICE, USER
from .auth import Caller, is_issued, issue_access_key, issued_secret
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
_UNSET: Any = object()
_WOULD_DENY = 1000
_INTERNAL_SECONDS = 3600  # internal sessions (a service for its resource, gureum for an account) last an hour
_RENEW_BEFORE = 600  # and are renewed ten minutes before they expire


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
    found = request.headers.get("x-amz-security-token")
    return found or (request.query.get("X-Amz-Security-Token") or "" if request.query_string else "")


SERVICE_CLAIM, ACCOUNT_CLAIM = "service", "account"  # session kinds only gureum's own machinery is given


@dataclass(frozen=True, slots=True)
class Credentials:
    """An issued access key, its secret and the session token it must present (what a client sends)."""

    access_key: str
    secret: str
    token: str
    expires: float


def issue_credentials(runtime: Runtime, account: str, claims: Mapping[str, Any], seconds: float) -> Credentials:
    """Temporary credentials acting in ``account`` as the session ``claims`` describe, valid ``seconds``."""
    now = runtime.clock.now()
    key = issue_access_key(account)
    token = issue_session_token(runtime.deployment_secret, key, {**claims, "n": now, "x": now + seconds})
    return Credentials(key, issued_secret(runtime.deployment_secret, key), token, now + seconds)


def role_session_claims(role_arn: str, session_name: str) -> dict[str, Any]:
    """The claims of an assumed-role session (arn:aws:sts::<account>:assumed-role/<role name>/<session name>)."""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    role_name = role_arn.rsplit("/", 1)[-1]
    return {"t": "role", "a": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}", "r": role_arn}


def role_credentials(runtime: Runtime, role_arn: str, session_name: str, seconds: float = 3600) -> Credentials:
    """A session of ``role_arn`` (what a Lambda function or an API Gateway integration acts with: its role)."""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    return issue_credentials(runtime, account, role_session_claims(role_arn, session_name), seconds)


def service_credentials(runtime: Runtime, account: str, service: str, source_arn: str) -> Credentials:
    """``service`` (a service principal, "apigateway.amazonaws.com") acting for its resource ``source_arn`` of
    ``account``: under enforcement only resource policies let it in, as on AWS."""
    return cached_credentials(runtime, (SERVICE_CLAIM, account, service, source_arn))


def account_credentials(runtime: Runtime, account: str) -> Credentials:
    """gureum's own machinery acting for ``account`` where AWS makes no IAM check (an internal read)."""
    return cached_credentials(runtime, (ACCOUNT_CLAIM, account, "", ""))


def cached_role_credentials(runtime: Runtime, role_arn: str, session_name: str) -> Credentials:
    """A session of ``role_arn`` kept per node (an API Gateway integration's credentials role, per request)."""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    return cached_credentials(runtime, ("role", account, role_arn, session_name))


def cached_credentials(runtime: Runtime, what: tuple[str, str, str, str]) -> Credentials:
    """Credentials of one internal session kind, kept per node and renewed before they expire (so that the
    identities they resolve to stay cached too)."""
    return authorizer(runtime).internal_credentials(what)


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

    async def organization(self, account: str) -> str | None:
        """The organisation the account belongs to (aws:PrincipalOrgID; set at /_gureum/iam/organization)."""
        ...


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """What a service tells of one of its resources: its policy document (None: none) and its tags (the
    aws:ResourceTag/… keys)."""

    policy: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    account: str | None = None  # the owner, for ARNs that do not name it (S3's)


NO_FACTS = ResourceFacts()
# resource ARN -> its policy document (None: none), or its ResourceFacts (policy and tags)
ResourcePolicy = Callable[[str], Awaitable["str | None | ResourceFacts"]]


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
    request: Request,
    region: str,
    now: float,
    params: Mapping[str, Any],
    requirement: Requirement,
    current_time: Callable[[float], str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:CurrentTime": current_time(now) if current_time else _iso(now),
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
        self._policies: dict[str, ResourceFacts] = {}  # resource ARN -> its facts, for sources that notify changes
        self._policy_generation = 0
        self.would_deny: deque[dict[str, Any]] = deque(maxlen=_WOULD_DENY)
        self._credentials: dict[tuple[str, str, str, str], Credentials] = {}
        self._organizations: dict[str, str | None] = {}  # account -> its organisation (aws:PrincipalOrgID)
        # verdicts for repeated questions: a request's (by its cached Identity object; dropped with the identities
        # and on every resource-policy change) and a delivery's (a pure function of its arguments)
        self.decisions = Decisions()
        self.deliveries: dict[tuple[str, str, str, str | None, str, str], Verdict] = {}
        self._clock: tuple[int, str] = (-1, "")  # the last second's aws:CurrentTime
        runtime.store.subscribe(IAM_CHANNEL, self.invalidate)
        runtime.store.subscribe(RESOURCE_POLICY_CHANNEL, self._policies_changed)

    def internal_credentials(self, what: tuple[str, str, str, str]) -> Credentials:
        found = self._credentials.get(what)
        if found is not None and found.expires - self.runtime.clock.now() > _RENEW_BEFORE:
            return found
        kind, account, name, detail = what
        claims: dict[str, Any] = {"t": kind}
        if kind == SERVICE_CLAIM:
            claims.update(s=name, o=detail)
        elif kind == "role":
            claims = role_session_claims(name, detail)
        if len(self._credentials) >= _MAX_IDENTITIES:
            self._credentials.clear()
        made = self._credentials[what] = issue_credentials(self.runtime, account, claims, _INTERNAL_SECONDS)
        return made

    def register(self, arn_service: str, source: ResourcePolicy, notifies: bool = False) -> None:
        """Offer the resource policies of one service's resources (``arn_service``: the ARN's service, "sqs");
        ``notifies``: the service notifies RESOURCE_POLICY_CHANNEL on every change, so they may be cached."""
        self._sources[arn_service] = (source, notifies)

    def _policies_changed(self, _payload: str = "") -> None:
        self._policy_generation += 1
        self._policies.clear()
        self.decisions.clear()

    async def resource_policy(self, arn_service: str, arn: str) -> str | None:
        return (await self.resource_facts(arn_service, arn)).policy

    async def resource_facts(self, arn_service: str, arn: str) -> ResourceFacts:
        """The policy and tags of the resource ``arn`` when its service offers them (cached for services that
        notify their changes)."""
        found = self._sources.get(arn_service)
        if found is None:
            return NO_FACTS
        reader, notifies = found
        if notifies:
            cached = self._policies.get(arn)
            if cached is not None:
                return cached
        generation = self._policy_generation
        try:
            read = await reader(arn)
        except Exception:
            log.exception("reading the policy of %s failed; evaluated without it", arn)
            return NO_FACTS
        facts = read if isinstance(read, ResourceFacts) else ResourceFacts(read) if read is not None else NO_FACTS
        if notifies and generation == self._policy_generation:
            if len(self._policies) >= _MAX_IDENTITIES:
                self._policies.clear()
            self._policies[arn] = facts
        return facts

    def invalidate(self, _payload: str = "") -> None:
        self._generation += 1
        self._identities.clear()
        self._organizations.clear()
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
            # an issued key is an IAM user's (above) or a session's, which must present its own session token: a
            # key without it, with another key's or with an altered one is refused as AWS refuses it (never the
            # account's root: anyone holding a session's key could drop its token)
            raise token_error(protocol, "invalid")
        if float(claims.get("x", 0)) <= self.runtime.clock.now():
            raise token_error(protocol, "expired")
        return await self._session_identity(account, claims, source)

    async def _session_identity(
        self, account: str, claims: Mapping[str, Any], source: IdentitySource | None
    ) -> Identity:
        kind = claims.get("t")
        if kind == SERVICE_CLAIM:  # a service acting for one of its resources (API Gateway for an API's method)
            return _service_identity(str(claims.get("s", "")), str(claims.get("o", "")))
        if kind == ACCOUNT_CLAIM:  # gureum's own machinery acting for the account, where AWS checks nothing
            return Identity.root(account)
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

    async def organization(self, account: str | None) -> str | None:
        """The organisation ``account`` belongs to (cached per node, dropped on every IAM write)."""
        if not account:
            return None
        if account in self._organizations:
            return self._organizations[account]
        source = self.runtime.optional_port(IdentitySource)
        generation = self._generation
        try:
            found = await source.organization(account) if source is not None else None
        except Exception:
            log.exception("reading the organisation of %s failed", account)
            return None
        if generation == self._generation:
            if len(self._organizations) >= _MAX_IDENTITIES:
                self._organizations.clear()
            self._organizations[account] = found
        return found

    async def decide(
        self,
        identity: Identity,
        action: str,
        resource: str,
        context: Mapping[str, Any],
        cross_account: frozenset[str] | None = None,
        owner_only: frozenset[str] = frozenset(),
    ) -> Verdict:
        """The decision for one permission, with the resource's policy when its service offers one (across
        accounts only for the actions in ``cross_account``, when given, and never for those in ``owner_only``:
        no resource policy grants those)."""
        if identity.kind != SERVICE:
            known = self._organizations.get(identity.account or "", _UNSET)  # the cached answer without awaiting
            organization = await self.organization(identity.account) if known is _UNSET else known
            if organization is not None:
                context = {"aws:PrincipalOrgID": organization, **context}
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
            cached = self._policies.get(resource)  # only ever holds the facts of services that notify changes
            facts = await self.resource_facts(parts[2], resource) if cached is None else cached
            policy = facts.policy
            resource_account = resource_account or facts.account
            foreign = resource_account is not None and resource_account != identity.account
            name = action.split(":", 1)[-1]
            if foreign and ((cross_account is not None and name not in cross_account) or name in owner_only):
                policy = None
            if facts.tags:  # aws:ResourceTag/<key> (a key the request names itself wins)
                context = {**{f"aws:ResourceTag/{k}": v for k, v in facts.tags.items()}, **context}
        return self.decisions.decide(Ask(identity, action, resource, context, policy, resource_account))

    def current_time(self, now: float) -> str:
        """aws:CurrentTime of ``now`` (made once a second)."""
        second = int(now)
        if self._clock[0] != second:
            self._clock = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        return self._clock[1]

    def delivery_verdict(
        self, service_principal: str, action: str, resource: str, policy: str | None, source_arn: str, account: str
    ) -> Verdict:
        """A service's delivery decision: a pure function of these arguments (the service principal has no
        policies of its own and the context is aws:SourceArn and aws:SourceAccount), so remembered. Runs on the
        store's threads too: one dict read or write at a time."""
        key = (service_principal, action, resource, policy, source_arn, account)
        found = self.deliveries.get(key)
        if found is not None:
            return found
        context = {"aws:SourceArn": source_arn, "aws:SourceAccount": account}
        verdict = decide(Ask(Identity.service(service_principal), action, resource, context, policy))
        if len(self.deliveries) >= _MAX_IDENTITIES:
            self.deliveries.clear()
        self.deliveries[key] = verdict
        return verdict

    async def check(self, request: Request, route: Route, params: Mapping[str, Any], caller: Caller) -> None:
        """Authorise one request (the dispatcher's hook): raise AWS's AccessDenied when enforcing, record what
        would be refused when learning."""
        service, operation, protocol = route.spec.name, route.name, route.protocol
        account, region = caller.account, caller.region
        requirement = required(service, operation, params, region, account, method=request.method, path=request.path)
        if requirement is None or requirement.skip or requirement.per_entry:
            return  # nothing needed; or the service authorises the call itself (entry by entry: refused_entries)
        await self.authorise(request, protocol, caller, requirement, params, f"{service} {operation}")

    async def refused_entries(
        self, request: Request, protocol: str, caller: Caller, requirement: Requirement, params: Mapping[str, Any]
    ) -> set[Needed]:
        """A call answered entry by entry (``requirement.per_entry``): the needs its signer is refused, each decided
        on its own as ``authorise`` decides a call (in learn mode recorded, and none refused)."""
        refused: set[Needed] = set()
        denial = access_denied(requirement, protocol, "").code
        for need in requirement.needs:
            one = dataclasses.replace(requirement, needs=(need,), per_entry=False)
            try:
                await self.authorise(request, protocol, caller, one, params, f"{caller.service} {need.action}")
            except ServiceError as error:
                if error.code != denial:
                    raise  # the signer itself was refused (an unknown or inactive key): the whole call
                refused.add(need)
        return refused

    async def authorise(
        self,
        request: Request,
        protocol: str,
        caller: Caller,
        requirement: Requirement,
        params: Mapping[str, Any],
        what: str,
        session_token: str | None = None,
    ) -> None:
        """Authorise ``requirement`` for the request's signer: the dispatcher's check, and a service's own for a
        resource only it can find (the API a WebSocket connection belongs to). ``session_token``: the signer's
        session token where the request carries it elsewhere than AWS's header and query (an S3 POST form's
        field)."""
        account, region, access_key = caller.account, caller.region, caller.access_key
        token = session_token if session_token is not None else session_token_of(request)
        try:
            identity = await self.identity(account, access_key, token, protocol)
        except ServiceError as error:
            if self.enforce:
                raise
            self.record(access_key, what, error.message, error.code)  # learn mode: noted only
            return
        if identity.kind == ROOT and not requirement.needs:
            return
        context = request_context(request, region, self.runtime.clock.now(), params, requirement, self.current_time)
        for need in requirement.needs:
            verdict = await self.decide(
                identity, need.action, need.resource, context, requirement.cross_account, requirement.owner_only
            )
            if not verdict.allowed:
                self.note(identity.arn, need.action, need.resource, verdict, what)
                if self.enforce:
                    message = verdict.message(identity.arn, need.action, need.resource)
                    raise access_denied(requirement, protocol, message)
                return

    def note(self, principal: str, action: str, resource: str, verdict: Verdict, what: str) -> None:
        """Remember (and log) a request or delivery enforcement refused, or would refuse in learn mode."""
        message = verdict.message(principal, action, resource)
        self.record(principal, what, message, verdict.decision.value, action, resource, verdict.policy_type)

    def record(
        self,
        principal: str,
        what: str,
        message: str,
        decision: str,
        action: str = "",
        resource: str = "",
        policy_type: str | None = None,
    ) -> None:
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
                "decision": decision,
                "policyType": policy_type,
                "message": message,
            }
        )

    async def principal_may(
        self, principal_arn: str, action: str, resource: str, context: Mapping[str, Any] | None = None
    ) -> Verdict:
        """May a user or role (by ARN: a Lambda function's execution role, an event source mapping's, an API
        Gateway integration's credentials role) do ``action`` on ``resource``? Its identity policies, boundary, and
        the resource's policy. The identity is kept per node like a key's (dropped on every IAM write)."""
        cache_key = ("", principal_arn, "")
        identity = self._identities.get(cache_key)
        if identity is None:
            generation = self._generation
            identity = await self._principal_identity(principal_arn)
            if generation == self._generation:
                if len(self._identities) >= _MAX_IDENTITIES:
                    self._identities.clear()
                self._identities[cache_key] = identity
        now = self.runtime.clock.now()
        keys = {"aws:CurrentTime": self.current_time(now), "aws:EpochTime": str(int(now))}
        return await self.decide(identity, action, resource, {**keys, **(context or {})})

    async def _principal_identity(self, principal_arn: str) -> Identity:
        source = self.runtime.optional_port(IdentitySource)
        record = await source.by_arn(principal_arn) if source is not None else None
        account = principal_arn.split(":")[4] if principal_arn.count(":") >= 5 else ""
        if record is None:
            return Identity.make(USER, account, principal_arn)
        if record.kind == "role":
            return Identity.make(
                ROLE_SESSION,
                account,
                principal_arn,
                record.policies,
                record.boundary,
                None,
                record.arn,
                _tag_keys(record),
            )
        return _user_identity(record)

    def service_verdict(self, service: str, action: str, resource: str, policy: str | None, source_arn: str) -> Verdict:
        """``service`` acting for its resource ``source_arn`` (API Gateway invoking a function): only the resource's
        policy speaks, so the verdict is a pure function of these arguments, remembered like a delivery's."""
        key = (service, action, resource, policy, source_arn, "\x00invoke")
        found = self.deliveries.get(key)
        if found is not None:
            return found
        verdict = decide(Ask(_service_identity(service, source_arn), action, resource, {}, policy))
        if len(self.deliveries) >= _MAX_IDENTITIES:
            self.deliveries.clear()
        self.deliveries[key] = verdict
        return verdict


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


def _service_identity(service: str, source_arn: str) -> Identity:
    """A service principal acting for ``source_arn``: only resource policies can let it in, with aws:SourceArn and
    aws:SourceAccount."""
    parts = source_arn.split(":", 5)
    keys: dict[str, Any] = {"aws:ViaAWSService": "true"}
    if source_arn:
        keys.update({"aws:SourceArn": source_arn, "aws:SourceAccount": parts[4] if len(parts) == 6 else ""})
    return Identity(SERVICE, Principal(service=service or "unknown.amazonaws.com"), keys=keys)


def authorizer(runtime: Runtime) -> Authorizer:
    """The node's Authorizer (made on first use, kept by the runtime)."""
    found = runtime.state_or_none(Authorizer)
    return found if found is not None else runtime.keep(Authorizer(runtime))


def enforcing(runtime: Runtime) -> bool:
    return runtime.config.enforce_iam


def delivery_allowed(
    runtime: Runtime,
    service_principal: str,
    action: str,
    resource: str,
    policy: str | None,
    source_arn: str,
    source_account: str | None = None,
) -> Verdict:
    """A service's delivery for ``source_arn`` (an SNS topic, an EventBridge rule) to a resource whose policy is
    ``policy``: the service principal with aws:SourceArn and aws:SourceAccount (``source_account``, else the
    ARN's: an S3 bucket's ARN has none), as AWS checks it. A refusal is logged and recorded; the caller refuses
    only when enforcing."""
    parts = source_arn.split(":", 5)
    account = source_account or (parts[4] if len(parts) == 6 else "")
    iam = authorizer(runtime)
    verdict = iam.delivery_verdict(service_principal, action, resource, policy, source_arn, account)
    if not verdict.allowed:  # visible: the log, and /_gureum/iam/would-deny
        iam.note(service_principal, action, resource, verdict, f"delivery for {source_arn}")
    return verdict


# --- deliveries from one service to another's resource ----------------------------------------------------------

ORIGIN = "gureum:origin"  # the key a delivery's payload carries its origin under, where the payload is the event


@dataclass(frozen=True, slots=True)
class Origin:
    """The resource a service delivers for (an SNS topic, an EventBridge rule, an S3 bucket) and its principal."""

    service: str  # "sns.amazonaws.com"
    arn: str
    account: str = ""  # aws:SourceAccount when the ARN has none (S3 buckets)

    def payload(self) -> dict[str, str]:
        out = {"service": self.service, "arn": self.arn}
        return {**out, "account": self.account} if self.account else out

    @classmethod
    def of(cls, value: object) -> Origin | None:
        if isinstance(value, dict) and isinstance(value.get("service"), str) and isinstance(value.get("arn"), str):
            return cls(value["service"], value["arn"], str(value.get("account") or ""))
        return None


def checks_deliveries(runtime: Runtime) -> bool:
    """Are deliveries authorised (enforcement), or their refusals recorded (learn mode)?"""
    return runtime.config.enforce_iam or runtime.config.learn_iam


def delivery_refusal(runtime: Runtime, origin: Origin, action: str, resource: str, policy: str | None) -> str | None:
    """AWS's reason when ``origin``'s service may not do ``action`` on ``resource`` (whose resource policy is
    ``policy``) and enforcement is on; None when it may, or when only learning (the refusal is recorded either
    way: the log and /_gureum/iam/would-deny)."""
    verdict = delivery_allowed(runtime, origin.service, action, resource, policy, origin.arn, origin.account)
    if verdict.allowed or not runtime.config.enforce_iam:
        return None
    return verdict.message(origin.service, action, resource)


async def invocation_refusal(
    runtime: Runtime, service: str, function_arn: str, source_arn: str, role_arn: str | None = None
) -> str | None:
    """May ``service`` (API Gateway) invoke ``function_arn`` for its resource ``source_arn``: with ``role_arn`` (the
    integration's credentials) when the role's policies allow lambda:InvokeFunction, else when the function's policy
    lets the service in (aws:SourceArn, aws:SourceAccount)? AWS's reason when enforcement refuses; None otherwise
    (a refusal in learn mode is only recorded)."""
    if not checks_deliveries(runtime):
        return None
    iam = authorizer(runtime)
    action = "lambda:InvokeFunction"
    if role_arn:
        verdict = await iam.principal_may(role_arn, action, function_arn)
        who = role_arn
    else:
        facts = await iam.resource_facts("lambda", function_arn)
        verdict = iam.service_verdict(service, action, function_arn, facts.policy, source_arn)
        who = service
    if verdict.allowed:
        return None
    iam.note(who, action, function_arn, verdict, f"invocation for {source_arn}")
    return verdict.message(who, action, function_arn) if runtime.config.enforce_iam else None
