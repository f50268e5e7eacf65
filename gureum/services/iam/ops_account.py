"""Account-wide IAM: the account alias (unique across accounts) and GetAccountSummary's usage and quotas."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import EntityAlreadyExists, NoSuchEntity
from .model import (
    ACCESS_KEYS_PER_USER,
    INLINE_POLICY_CHARS,
    MANAGED_POLICIES_PER_ENTITY,
    MANAGED_POLICY_CHARS,
    POLICY_VERSIONS,
    TRUST_POLICY_CHARS,
)
from .resources import create

_ALIAS = "account-alias"

# GetAccountSummary's quotas: IAM's defaults (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)
_QUOTAS = {
    "UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20, "PolicyVersionsInUseQuota": 10000, "GroupsPerUserQuota": 10, "SigningCertificatesPerUserQuota": 2,
    "AccessKeysPerUserQuota": ACCESS_KEYS_PER_USER, "AttachedPoliciesPerRoleQuota": MANAGED_POLICIES_PER_ENTITY,
    "AttachedPoliciesPerUserQuota": MANAGED_POLICIES_PER_ENTITY, "AttachedPoliciesPerGroupQuota": MANAGED_POLICIES_PER_ENTITY,
    "UserPolicySizeQuota": INLINE_POLICY_CHARS["user"], "GroupPolicySizeQuota": INLINE_POLICY_CHARS["group"],
    "RolePolicySizeQuota": INLINE_POLICY_CHARS["role"], "PolicySizeQuota": MANAGED_POLICY_CHARS, "VersionsPerPolicyQuota": POLICY_VERSIONS,
    "AssumeRolePolicySizeQuota": TRUST_POLICY_CHARS, "MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0,
    "AccountSigningCertificatesPresent": 0, "AccountPasswordPresent": 0, "ServerCertificates": 0, "GlobalEndpointTokenVersion": 1,
}  # fmt: skip


@SERVICE.op("CreateAccountAlias")
async def create_account_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    alias = req["AccountAlias"]

    def write(tx: Tx) -> None:
        if [account for account in store.named_anywhere(tx, _ALIAS, alias) if account != ctx.account]:
            raise EntityAlreadyExists(f"The account alias {alias} already exists.")
        for old in store.all_of(tx, ctx.account, _ALIAS):  # an account has one alias: a new one replaces it
            if old.name != alias:
                store.delete(tx, old)
        if store.get(tx, ctx.account, _ALIAS, alias) is None:
            create(tx, ctx, _ALIAS, alias, "/", {})

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("DeleteAccountAlias")
async def delete_account_alias(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def write(tx: Tx) -> None:
        alias = store.get(tx, ctx.account, _ALIAS, req["AccountAlias"])
        if alias is None:
            raise NoSuchEntity(f"The account alias {req['AccountAlias']} cannot be found.")
        store.delete(tx, alias)

    await ctx.runtime.store.write(write)
    return {}


@SERVICE.op("ListAccountAliases")
async def list_account_aliases(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    aliases = await ctx.runtime.store.read(lambda tx: store.all_of(tx, ctx.account, _ALIAS))
    return {"AccountAliases": [a.name for a in aliases], "IsTruncated": False}


@SERVICE.op("GetAccountSummary")
async def get_account_summary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def read(tx: Tx) -> dict[str, int]:
        counts = store.counts(tx, ctx.account)
        versions = tx.one(
            "SELECT COUNT(*) FROM iam_policy_versions v JOIN iam_entities e ON e.id = v.policy_id WHERE e.account = ?",
            (ctx.account,),
        )
        return {
            "Users": counts.get("user", 0), "Groups": counts.get("group", 0), "Roles": counts.get("role", 0), "Policies": counts.get("policy", 0),
            "InstanceProfiles": counts.get("instance-profile", 0), "Providers": counts.get("oidc-provider", 0),
            # AccountAccessKeysPresent counts the root user's own keys: gureum keeps none
            "PolicyVersionsInUse": int(versions[0]) if versions else 0, "AccountAccessKeysPresent": 0,
        }  # fmt: skip

    return {"SummaryMap": {**_QUOTAS, **await ctx.runtime.store.read(read)}}
