"""IAM's backend: one object (IamBackend) whose methods take plain arguments, made of the parts in the domain
modules (roles, users, access keys, policies, …); kept at start, reached through ``backend``.  Also the KeyOwner
port IAM provides to STS."""

from __future__ import annotations

from ...aws.authorize import IAM_CHANNEL, IdentitySource, authorizer
from ...aws.context import RequestContext
from ...ports import KeyOwner
from ...runtime import Runtime
from . import SERVICE
from .access_keys import AccessKeys
from .account import Account
from .identities import IdentitiesPort, NotifyingStore
from .oidc import OidcProviders
from .organizations import organization_route
from .passwords import Passwords
from .policies import Policies
from .principal_policies import PrincipalPolicies
from .profiles import InstanceProfiles
from .roles import Roles
from .saml import SamlProviders
from .server_certificates import ServerCertificates
from .simulate import Simulator, would_deny
from .user_keys import UserKeys
from .users import Users


class IamBackend(
    Roles,
    Users,
    UserKeys,
    AccessKeys,
    InstanceProfiles,
    Policies,
    PrincipalPolicies,
    OidcProviders,
    SamlProviders,
    ServerCertificates,
    Account,
    Passwords,
    Simulator,
):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.store = NotifyingStore(runtime.store)  # each write drops the identities IAM enforcement cached
        self.clock = runtime.clock


class KeyOwnerPort:
    """The KeyOwner port: STS answers GetCallerIdentity with the IAM user an access key belongs to, and services
    name the principal of a call by it (SES's caller identity, resource policies) — on every call, so the answers
    are cached per node and dropped on every IAM write (IAM_CHANNEL, on every node)."""

    _MAX_CACHED = 10_000

    def __init__(self, iam: IamBackend) -> None:
        self.iam = iam
        self._owners: dict[tuple[str, str], dict[str, str] | None] = {}
        self._generation = 0  # a read that an IAM write overtook is not cached
        iam.store.subscribe(IAM_CHANNEL, self._forget)

    def _forget(self, _payload: str) -> None:
        self._generation += 1
        self._owners.clear()

    async def owner(self, account: str, access_key: str) -> dict[str, str] | None:
        """{"UserId", "Arn"} of the IAM user an access key belongs to, None when it is no user's key."""
        cache_key = (account, access_key)
        if cache_key in self._owners:
            return self._owners[cache_key]
        generation = self._generation
        user = await self.iam.key_user(account, access_key)
        found = None if user is None else {"UserId": user.entity_id, "Arn": user.arn}
        if generation == self._generation and len(self._owners) < self._MAX_CACHED:
            self._owners[cache_key] = found
        return found


def backend(ctx: RequestContext) -> IamBackend:
    return ctx.runtime.state(IamBackend)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    iam = runtime.keep(IamBackend(runtime))
    runtime.provide(KeyOwner, KeyOwnerPort(iam))
    runtime.provide(IdentitySource, IdentitiesPort(runtime.store))


SERVICE.admin_routes[("GET", "/_gureum/iam/would-deny")] = would_deny
SERVICE.admin_routes[("DELETE", "/_gureum/iam/would-deny")] = would_deny
for _method in ("GET", "PUT", "DELETE"):  # the organisation of each account (aws:PrincipalOrgID)
    SERVICE.admin_routes[(_method, "/_gureum/iam/organization")] = organization_route


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    authorizer(runtime).invalidate()
