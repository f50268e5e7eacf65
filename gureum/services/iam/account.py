"""Account-wide IAM (a part of IamBackend): the account alias (unique across accounts), the STS preferences (the
version of the global endpoint's session tokens) and GetAccountSummary's usage and quotas."""

from __future__ import annotations

from ...store.base import Tx
from . import store
from .errors import EntityAlreadyExists, NoSuchEntity
from .model import (
    ACCESS_KEYS_PER_USER,
    INLINE_POLICY_CHARS,
    MANAGED_POLICIES_PER_ENTITY,
    MANAGED_POLICY_CHARS,
    POLICY_VERSIONS,
    TRUST_POLICY_CHARS,
)
from .resources import Parts, create

_ALIAS = "account-alias"
_STS_PREFERENCES = "sts-preferences"
# SetSecurityTokenServicePreferences' versions as GetAccountSummary's GlobalEndpointTokenVersion counts them. Both
# behave alike in gureum: every session token is valid in every Region it serves (what v2Token adds on AWS)
TOKEN_VERSIONS = {"v1Token": 1, "v2Token": 2}

# GetAccountSummary's quotas: IAM's defaults (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)
QUOTAS: dict[str, int] = {
    "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20, "PolicyVersionsInUseQuota": 10000, "GroupsPerUserQuota": 10,
    "SigningCertificatesPerUserQuota": 2, "AccessKeysPerUserQuota": ACCESS_KEYS_PER_USER,
    "AttachedPoliciesPerRoleQuota": MANAGED_POLICIES_PER_ENTITY,
    "AttachedPoliciesPerUserQuota": MANAGED_POLICIES_PER_ENTITY,
    "AttachedPoliciesPerGroupQuota": MANAGED_POLICIES_PER_ENTITY,
    "UserPolicySizeQuota": INLINE_POLICY_CHARS["user"], "GroupPolicySizeQuota": INLINE_POLICY_CHARS["group"],
    "RolePolicySizeQuota": INLINE_POLICY_CHARS["role"], "PolicySizeQuota": MANAGED_POLICY_CHARS,
    "VersionsPerPolicyQuota": POLICY_VERSIONS, "AssumeRolePolicySizeQuota": TRUST_POLICY_CHARS,
    "MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0, "AccountSigningCertificatesPresent": 0,
    "AccountPasswordPresent": 0,
}  # fmt: skip


class Account(Parts):
    async def create_account_alias(self, account: str, alias: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            if [other for other in store.named_anywhere(tx, _ALIAS, alias) if other != account]:
                raise EntityAlreadyExists(f"The account alias {alias} already exists.")
            for old in store.all_of(tx, account, _ALIAS):  # an account has one alias: a new one replaces it
                if old.name != alias:
                    store.delete(tx, old)
            if store.get(tx, account, _ALIAS, alias) is None:
                create(tx, account, _ALIAS, alias, "/", {}, now)

        await self.store.write(write)

    async def delete_account_alias(self, account: str, alias: str) -> None:
        def write(tx: Tx) -> None:
            found = store.get(tx, account, _ALIAS, alias)
            if found is None:
                raise NoSuchEntity(f"The account alias {alias} cannot be found.")
            store.delete(tx, found)

        await self.store.write(write)

    async def list_account_aliases(self, account: str) -> list[str]:
        aliases = await self.store.read(lambda tx: store.all_of(tx, account, _ALIAS))
        return [alias.name for alias in aliases]

    async def set_sts_preferences(self, account: str, version: str) -> None:
        now = self.clock.now()

        def write(tx: Tx) -> None:
            found = store.claim(tx, account, _STS_PREFERENCES, "account")
            if found is None:
                create(tx, account, _STS_PREFERENCES, "account", "/", {"GlobalEndpointTokenVersion": version}, now)
            else:
                found.data["GlobalEndpointTokenVersion"] = version
                store.save(tx, found)

        await self.store.write(write)

    async def account_summary(self, account: str) -> dict[str, int]:
        """GetAccountSummary's SummaryMap: IAM's quotas and this account's usage."""

        def read(tx: Tx) -> dict[str, int]:
            counts = store.counts(tx, account)
            preferences = store.get(tx, account, _STS_PREFERENCES, "account")
            return {
                "Users": counts.get("user", 0), "Groups": counts.get("group", 0), "Roles": counts.get("role", 0),
                "Policies": counts.get("policy", 0), "InstanceProfiles": counts.get("instance-profile", 0),
                "Providers": counts.get("oidc-provider", 0) + counts.get("saml-provider", 0),
                "PolicyVersionsInUse": store.policy_versions(tx, account),
                "ServerCertificates": counts.get("server-certificate", 0),
                "GlobalEndpointTokenVersion": TOKEN_VERSIONS[preferences.data["GlobalEndpointTokenVersion"]]
                if preferences else 1,
                # AccountAccessKeysPresent counts the root user's own keys: gureum keeps none
                "AccountAccessKeysPresent": 0,
            }  # fmt: skip

        return {**QUOTAS, **await self.store.read(read)}
