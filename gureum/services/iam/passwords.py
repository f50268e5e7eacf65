"""Console passwords (a part of IamBackend): the account's password policy and users' login profiles. gureum has
no console: a password is checked against the policy and then forgotten; the profile keeps when it was made and
whether the user must reset it. Also the user credentials gureum cannot issue (SSH public keys, signing
certificates, service-specific credentials, MFA devices), listed as the none there are."""

from __future__ import annotations

import string
from typing import Any

from ...aws.errors import ServiceError
from ...store.base import Tx
from . import store
from .errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity, PasswordPolicyViolation
from .resources import Parts, claim, create, require
from .store import Entity

_POLICY_KIND, _POLICY_NAME = "password-policy", "policy"

# UpdateAccountPasswordPolicy's members and the values AWS takes for those a request leaves out
_POLICY_DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
}
_POLICY_OPTIONAL = ("MaxPasswordAge", "PasswordReusePrevention", "HardExpiry")
_SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
_VIOLATION = "Password does not conform to the account password policy."


def _no_policy(account: str) -> ServiceError:
    return NoSuchEntity(f"The Password Policy with domain name {account} cannot be found.")


def _no_profile(user: str) -> ServiceError:
    return NoSuchEntity(f"Login Profile for User {user} cannot be found.")


def policy_shape(members: dict[str, Any]) -> dict[str, Any]:
    """GetAccountPasswordPolicy's PasswordPolicy: ExpirePasswords follows MaxPasswordAge."""
    out = {**_POLICY_DEFAULTS, **{k: v for k, v in members.items() if k in _POLICY_DEFAULTS}}
    out["ExpirePasswords"] = bool(members.get("MaxPasswordAge"))
    out.update({k: members[k] for k in _POLICY_OPTIONAL if members.get(k) is not None})
    return out


def check_password(password: str, policy: dict[str, Any] | None) -> None:
    """PasswordPolicyViolation unless the password meets the account's policy, or without one AWS's default policy
    (at least 8 characters, of at least three of: upper case, lower case, digits, symbols)."""
    classes = {
        "RequireUppercaseCharacters": any(c in string.ascii_uppercase for c in password),
        "RequireLowercaseCharacters": any(c in string.ascii_lowercase for c in password),
        "RequireNumbers": any(c in string.digits for c in password),
        "RequireSymbols": any(c in _SYMBOLS for c in password),
    }
    if policy is None:
        if len(password) < 8 or sum(classes.values()) < 3:
            raise PasswordPolicyViolation(_VIOLATION)
        return
    if len(password) < int(policy.get("MinimumPasswordLength") or 6):
        raise PasswordPolicyViolation(_VIOLATION)
    if any(policy.get(rule) and not present for rule, present in classes.items()):
        raise PasswordPolicyViolation(_VIOLATION)


def _policy(tx: Tx, account: str) -> dict[str, Any] | None:
    found = store.get(tx, account, _POLICY_KIND, _POLICY_NAME)
    return None if found is None else dict(found.data)


def profile_shape(user: Entity) -> dict[str, Any]:
    profile = user.data["LoginProfile"]
    return {
        "UserName": user.name,
        "CreateDate": profile["CreateDate"],
        "PasswordResetRequired": profile["PasswordResetRequired"],
    }


def check_no_login_profile(user: Entity) -> None:
    """DeleteUser's check: a user with a console password keeps it until DeleteLoginProfile."""
    if "LoginProfile" in user.data:
        raise DeleteConflict("Cannot delete entity, must delete login profile first.")


class Passwords(Parts):
    # --- the account's password policy ---------------------------------------------------------------

    async def update_account_password_policy(self, account: str, members: dict[str, Any]) -> None:
        """UpdateAccountPasswordPolicy: the members given; those left out take AWS's defaults (not the old values)."""
        given = {k: v for k, v in members.items() if v is not None and (k in _POLICY_DEFAULTS or k in _POLICY_OPTIONAL)}
        now = self.clock.now()

        def write(tx: Tx) -> None:
            found = store.claim(tx, account, _POLICY_KIND, _POLICY_NAME)
            if found is None:
                create(tx, account, _POLICY_KIND, _POLICY_NAME, "/", given, now)
            else:
                found.data = given
                store.save(tx, found)

        await self.store.write(write)

    async def get_account_password_policy(self, account: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: _policy(tx, account))
        if found is None:
            raise _no_policy(account)
        return policy_shape(found)

    async def delete_account_password_policy(self, account: str) -> None:
        def write(tx: Tx) -> None:
            found = store.claim(tx, account, _POLICY_KIND, _POLICY_NAME)
            if found is None:
                raise _no_policy(account)
            store.delete(tx, found)

        await self.store.write(write)

    # --- login profiles --------------------------------------------------------------------------------

    async def create_login_profile(
        self, account: str, user_name: str, password: str | None, reset_required: bool | None
    ) -> dict[str, Any]:
        now = self.clock.now()

        def write(tx: Tx) -> dict[str, Any]:
            user = claim(tx, account, "user", user_name)
            if "LoginProfile" in user.data:
                raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
            if password is not None:
                check_password(password, _policy(tx, account))
            user.data["LoginProfile"] = {"CreateDate": now, "PasswordResetRequired": bool(reset_required)}
            store.save(tx, user)
            return profile_shape(user)

        return await self.store.write(write)

    async def get_login_profile(self, account: str, user_name: str) -> dict[str, Any]:
        user = await self.store.read(lambda tx: require(tx, account, "user", user_name))
        if "LoginProfile" not in user.data:
            raise _no_profile(user.name)
        return profile_shape(user)

    async def update_login_profile(
        self, account: str, user_name: str, password: str | None, reset_required: bool | None
    ) -> None:
        def write(tx: Tx) -> None:
            user = claim(tx, account, "user", user_name)
            profile = user.data.get("LoginProfile")
            if profile is None:
                raise _no_profile(user.name)
            if password is not None:
                check_password(password, _policy(tx, account))
            if reset_required is not None:
                profile["PasswordResetRequired"] = reset_required
            store.save(tx, user)

        await self.store.write(write)

    async def delete_login_profile(self, account: str, user_name: str) -> None:
        def write(tx: Tx) -> None:
            user = claim(tx, account, "user", user_name)
            if user.data.pop("LoginProfile", None) is None:
                raise _no_profile(user.name)
            store.save(tx, user)

        await self.store.write(write)

    async def require_user(self, account: str, user_name: str | None) -> None:
        """NoSuchEntity for a user named that does not exist (the listings of credentials gureum cannot issue)."""
        if user_name:
            await self.store.read(lambda tx: require(tx, account, "user", user_name))
