"""StsBackend: STS's behaviour, one method per operation with plain arguments; kept by the start hook and reached
with backend(ctx). STS keeps no state: credentials carry their account, and an IAM user's key is recognised
through IAM's optional KeyOwner port."""

from __future__ import annotations

from typing import Any

from ...aws.auth import DEFAULT_ACCOUNT, account_for_key
from ...aws.authorize import read_session_token
from ...aws.context import RequestContext
from ...ports import KeyOwner
from ...runtime import Runtime
from .sessions import (
    DEFAULT_TOKEN_SECONDS,
    credentials,
    parse_role_arn,
    role_duration,
    session_token_duration,
    unique_id,
)


def backend(ctx: RequestContext) -> StsBackend:
    """The backend of the running server (kept by the service's start hook)."""
    return ctx.runtime.state(StsBackend)


class StsBackend:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime  # its clock, its deployment secret, and the KeyOwner port once IAM has started

    def _credentials(self, account: str, seconds: int, claims: dict[str, Any]) -> dict[str, Any]:
        now = self.runtime.clock.now()
        return credentials(account, now + seconds, self.runtime.deployment_secret, {**claims, "n": now})

    async def get_caller_identity(self, account: str, access_key: str, token: str = "") -> dict[str, Any]:
        key_owner = self.runtime.optional_port(KeyOwner)  # without IAM, no key belongs to a user
        owner = await key_owner.owner(account, access_key) if access_key and key_owner is not None else None
        if owner is not None:  # an IAM user's access key (CreateAccessKey)
            return {"UserId": owner["UserId"], "Account": account, "Arn": owner["Arn"]}
        claims = read_session_token(self.runtime.deployment_secret, access_key, token) if token else None
        if claims is not None and claims.get("t") in ("role", "federated", "user"):  # a session this STS made
            arn = str(claims["a"])
            return {"UserId": f"{unique_id(access_key)}:{arn.rsplit('/', 1)[-1]}", "Account": account, "Arn": arn}
        if access_key.startswith("ASIA") and account_for_key(access_key) != DEFAULT_ACCOUNT:
            return {
                "UserId": f"{unique_id(access_key)}:session",
                "Account": account,
                "Arn": f"arn:aws:sts::{account}:assumed-role/gureum/session",
            }
        return {"UserId": access_key or account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}

    def _assumed(
        self,
        role_arn: str,
        session_name: str | None,
        seconds: int | None,
        policy: str | None,
        policy_arns: list[str] | None = None,
        source_identity: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """What every AssumeRole* call answers: credentials that act in the role's account, as a session of the
        role with its session policies (inline and managed), source identity and session tags."""
        account, role = parse_role_arn(role_arn)
        seconds = role_duration(seconds)
        session = session_name or "session"
        claims: dict[str, Any] = {
            "t": "role",
            "a": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "r": role_arn,
        }
        if policy:
            claims["p"] = [policy]
        if policy_arns:
            claims["m"] = policy_arns
        if source_identity:
            claims["i"] = source_identity
        if tags:
            claims["g"] = {t["Key"]: t["Value"] for t in tags}
        return {
            "Credentials": self._credentials(account, seconds, claims),
            "AssumedRoleUser": {
                "AssumedRoleId": f"{unique_id(f'{account}{role}')}:{session}",
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            },
            "PackedPolicySize": 6 if policy else None,
        }

    def assume_role(
        self,
        role_arn: str,
        session_name: str | None,
        seconds: int | None,
        policy: str | None,
        source_identity: str | None,
        policy_arns: list[str] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        out = self._assumed(role_arn, session_name, seconds, policy, policy_arns, source_identity, tags)
        if source_identity:
            out["SourceIdentity"] = source_identity
        return out

    def assume_role_with_web_identity(
        self,
        role_arn: str,
        session_name: str | None,
        seconds: int | None,
        policy: str | None,
        provider_id: str | None,
    ) -> dict[str, Any]:
        """The web identity token is not verified: every token is the same subject's."""
        out = self._assumed(role_arn, session_name, seconds, policy)
        out.update(
            SubjectFromWebIdentityToken="gureum-subject",
            Audience=provider_id or "sts.amazonaws.com",
            Provider=provider_id or "gureum",
        )
        return out

    def assume_role_with_saml(
        self, role_arn: str, session_name: str | None, seconds: int | None, policy: str | None
    ) -> dict[str, Any]:
        """The SAML assertion is not verified: every assertion is the same subject's."""
        out = self._assumed(role_arn, session_name, seconds, policy)
        out.update(
            Subject="gureum-subject",
            SubjectType="persistent",
            Issuer="gureum",
            Audience="https://signin.aws.amazon.com/saml",
            NameQualifier="gureum",
        )
        return out

    async def get_session_token(self, account: str, access_key: str, seconds: int | None) -> dict[str, Any]:
        """Credentials acting as the caller (an IAM user stays that user, with its policies)."""
        caller = await self.runtime.principal_arn(account, access_key)
        claims = {"t": "user", "a": caller, "u": caller} if ":user/" in caller else {"t": "root"}
        return {"Credentials": self._credentials(account, session_token_duration(seconds), claims)}

    async def get_federation_token(
        self,
        account: str,
        access_key: str,
        name: str,
        seconds: int | None,
        policy: str | None = None,
        policy_arns: list[str] | None = None,
    ) -> dict[str, Any]:
        """A federated user's credentials: the calling user's permissions, limited by the session policies."""
        caller = await self.runtime.principal_arn(account, access_key)
        claims: dict[str, Any] = {"t": "federated", "a": f"arn:aws:sts::{account}:federated-user/{name}"}
        if ":user/" in caller:
            claims["u"] = caller
        claims["p"] = [policy] if policy else []
        if policy_arns:
            claims["m"] = policy_arns
        return {
            "Credentials": self._credentials(account, seconds or DEFAULT_TOKEN_SECONDS, claims),
            "FederatedUser": {
                "FederatedUserId": f"{account}:{name}",
                "Arn": f"arn:aws:sts::{account}:federated-user/{name}",
            },
        }

    @staticmethod
    def get_access_key_info(access_key: str) -> str:
        """The account an access key belongs to."""
        return account_for_key(access_key)
