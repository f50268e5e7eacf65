"""Users as documents: their attributes and status, how AWS renders them (UserType, AdminGetUser, GetUser), the
aliases they sign in with, codes they were sent, and the failed-attempt lockout. Pure: no SQL, no HTTP."""

from __future__ import annotations

from typing import Any

from .errors import CodeMismatchException, ExpiredCodeException, LimitExceededException, NotAuthorizedException

UNCONFIRMED = "UNCONFIRMED"
CONFIRMED = "CONFIRMED"
FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
RESET_REQUIRED = "RESET_REQUIRED"
CODE_SECONDS = 24 * 3600  # confirmation and reset codes are valid for 24 hours
MAX_CODE_FAILURES = 5
LOCKOUT_AFTER = 5  # failed sign-ins before the first lockout
LOCKOUT_SECONDS = 900


def new_user(username: str, sub: str, attributes: dict[str, str], status: str, now: float) -> dict[str, Any]:
    return {
        "username": username,
        "sub": sub,
        "attributes": {"sub": sub, **attributes},
        "status": status,
        "enabled": True,
        "created": now,
        "modified": now,
        "password": None,
        "mfa": {},
        "codes": {},
        "failures": 0,
        "locked_until": 0.0,
    }


def attribute_list(user: dict[str, Any], readable: list[str] | None = None) -> list[dict[str, str]]:
    return [
        {"Name": name, "Value": value}
        for name, value in user["attributes"].items()
        if readable is None or name in readable or name == "sub"
    ]


def mfa_settings(user: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(PreferredMfaSetting, UserMFASettingList)."""
    mfa = user.get("mfa") or {}
    enabled = [kind for kind in ("SMS_MFA", "SOFTWARE_TOKEN_MFA") if mfa.get(kind)]
    preferred = mfa.get("preferred") if mfa.get("preferred") in enabled else None
    return preferred, enabled


def user_type(user: dict[str, Any], attributes_to_get: list[str] | None = None) -> dict[str, Any]:
    """ListUsers' / AdminCreateUser's UserType."""
    attrs = attribute_list(user)
    if attributes_to_get is not None:
        attrs = [a for a in attrs if a["Name"] in attributes_to_get]
    return {
        "Username": user["username"],
        "Attributes": attrs,
        "UserCreateDate": user["created"],
        "UserLastModifiedDate": user["modified"],
        "Enabled": user["enabled"],
        "UserStatus": user["status"],
    }


def admin_view(user: dict[str, Any]) -> dict[str, Any]:
    preferred, enabled = mfa_settings(user)
    out: dict[str, Any] = {
        "Username": user["username"],
        "UserAttributes": attribute_list(user),
        "UserCreateDate": user["created"],
        "UserLastModifiedDate": user["modified"],
        "Enabled": user["enabled"],
        "UserStatus": user["status"],
    }
    if preferred:
        out["PreferredMfaSetting"] = preferred
    if enabled:
        out["UserMFASettingList"] = enabled
    return out


def self_view(user: dict[str, Any], readable: list[str] | None) -> dict[str, Any]:
    preferred, enabled = mfa_settings(user)
    out: dict[str, Any] = {"Username": user["username"], "UserAttributes": attribute_list(user, readable)}
    if preferred:
        out["PreferredMfaSetting"] = preferred
    if enabled:
        out["UserMFASettingList"] = enabled
    return out


def aliases(user: dict[str, Any], pool: dict[str, Any]) -> dict[str, str]:
    """kind → value of what the user signs in with besides the username: with UsernameAttributes their e-mail
    address / phone number; with AliasAttributes only verified ones (and preferred_username)."""
    attrs = user["attributes"]
    out: dict[str, str] = {}
    for kind in pool.get("UsernameAttributes") or []:
        if attrs.get(kind):
            out[kind] = normal(kind, attrs[kind])
    for kind in pool.get("AliasAttributes") or []:
        if not attrs.get(kind):
            continue
        if kind == "preferred_username" or attrs.get(f"{kind}_verified") == "true":
            out[kind] = normal(kind, attrs[kind])
    return out


def normal(kind: str, value: str) -> str:
    return value.lower() if kind in ("email", "preferred_username") else value


def put_code(user: dict[str, Any], purpose: str, code: str, now: float, extra: dict[str, Any] | None = None) -> None:
    user.setdefault("codes", {})[purpose] = {"code": code, "expires": now + CODE_SECONDS, "tries": 0, **(extra or {})}


def take_code(user: dict[str, Any], purpose: str, code: str, now: float) -> dict[str, Any]:
    """The pending code entry when ``code`` matches; CodeMismatch / ExpiredCode / LimitExceeded as AWS answers
    (the caller commits the user document either way, so failed tries count)."""
    entry = (user.get("codes") or {}).get(purpose)
    if entry is None:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    if entry["tries"] >= MAX_CODE_FAILURES:
        raise LimitExceededException("Attempt limit exceeded, please try after some time.")
    if now > entry["expires"]:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    if entry["code"] != code:
        entry["tries"] += 1
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    del user["codes"][purpose]
    return dict(entry)


def check_lockout(user: dict[str, Any], now: float) -> None:
    if user.get("locked_until", 0) > now:
        raise NotAuthorizedException("Password attempts exceeded")


def failed(user: dict[str, Any], now: float) -> None:
    """One more failed password: the fifth and every one after it locks the user out for a while."""
    user["failures"] = int(user.get("failures", 0)) + 1
    if user["failures"] >= LOCKOUT_AFTER:
        user["locked_until"] = now + min(LOCKOUT_SECONDS, 2 ** (user["failures"] - LOCKOUT_AFTER))


def succeeded(user: dict[str, Any]) -> None:
    user["failures"] = 0
    user["locked_until"] = 0.0


def masked(medium: str, destination: str) -> str:
    """CodeDeliveryDetails' Destination: a@***.com, +*******1234."""
    if medium == "EMAIL" and "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***{domain[domain.rfind('.') :] if '.' in domain else ''}"
    return "+" + "*" * max(0, len(destination) - 5) + destination[-4:]
