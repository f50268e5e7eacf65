"""App clients as documents (DescribeUserPoolClient's UserPoolClientType): ids and secrets, auth flows, token
validity and its units, OAuth settings, read/write attributes; SECRET_HASH. Pure: no SQL, no HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
from typing import Any

from .errors import InvalidParameterException, NotAuthorizedException

_ALNUM = string.ascii_lowercase + string.digits
_LEGACY = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
# without ExplicitAuthFlows a client allows these (API reference, CreateUserPoolClient)
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
_DEFAULT_VALIDITY = {"AccessToken": 1, "IdToken": 1, "RefreshToken": 30}
# (min, max) seconds each token may be valid
_BOUNDS = {"AccessToken": (300, 86400), "IdToken": (300, 86400), "RefreshToken": (3600, 315_360_000)}
_SETTINGS = (
    "ReadAttributes",
    "WriteAttributes",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "RefreshTokenRotation",
)


def new_client_id() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(26))


def new_secret() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(51))


def _flows(given: list[str] | None) -> list[str] | None:
    if given is None:
        return None
    legacy = [f for f in given if f in _LEGACY]
    if legacy and len(legacy) != len(given):
        raise InvalidParameterException("Cannot mix ALLOW_ and non-ALLOW_ explicit auth flows.")
    return [_LEGACY.get(f, f) for f in given] if legacy else list(given)


def _apply(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    for key in _SETTINGS:
        if req.get(key) is not None:
            doc[key] = req[key]
        else:
            doc.pop(key, None)
    flows = _flows(req.get("ExplicitAuthFlows"))
    if flows is not None:
        doc["ExplicitAuthFlows"] = req["ExplicitAuthFlows"]
        doc["_flows"] = flows
    else:
        doc.pop("ExplicitAuthFlows", None)
        doc["_flows"] = DEFAULT_FLOWS
    units = {**_DEFAULT_UNITS, **(req.get("TokenValidityUnits") or {})}
    for kind in ("AccessToken", "IdToken", "RefreshToken"):
        value = req.get(f"{kind}Validity")
        value = _DEFAULT_VALIDITY[kind] if value is None else int(value)
        seconds = value * _UNIT_SECONDS[units[kind]]
        low, high = _BOUNDS[kind]
        if not low <= seconds <= high:
            raise InvalidParameterException(f"{kind}Validity must be between {low} and {high} seconds ({seconds}).")
        doc[f"{kind}Validity"] = value
        doc[f"_{kind}_seconds"] = seconds
    if req.get("TokenValidityUnits"):  # answered only when given, as AWS does (Terraform reads it back as set)
        doc["TokenValidityUnits"] = units
    else:
        doc.pop("TokenValidityUnits", None)
    doc["AllowedOAuthFlowsUserPoolClient"] = bool(req.get("AllowedOAuthFlowsUserPoolClient", False))
    doc["PreventUserExistenceErrors"] = req.get("PreventUserExistenceErrors") or "LEGACY"
    doc["EnableTokenRevocation"] = bool(req.get("EnableTokenRevocation", True))
    doc["AuthSessionValidity"] = int(req.get("AuthSessionValidity") or 3)
    if doc["AllowedOAuthFlowsUserPoolClient"]:
        if not doc.get("AllowedOAuthFlows"):
            raise InvalidParameterException("AllowedOAuthFlows are required when the client allows OAuth flows.")
        if "code" in doc["AllowedOAuthFlows"] or "implicit" in doc["AllowedOAuthFlows"]:
            if not doc.get("CallbackURLs"):
                raise InvalidParameterException("CallbackURLs can not be empty with the code and implicit flows.")
    if "client_credentials" in (doc.get("AllowedOAuthFlows") or []) and not doc.get("ClientSecret"):
        raise InvalidParameterException("client_credentials flow can not be selected if client does not have a secret.")
    return doc


def new_client(pool_id: str, client_id: str, req: dict[str, Any], now: float) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "UserPoolId": pool_id,
        "ClientName": req["ClientName"],
        "ClientId": client_id,
        "LastModifiedDate": now,
        "CreationDate": now,
    }
    if req.get("GenerateSecret"):
        doc["ClientSecret"] = new_secret()
    return _apply(doc, req)


def update_client(doc: dict[str, Any], req: dict[str, Any], now: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: doc[k] for k in ("UserPoolId", "ClientName", "ClientId", "CreationDate", "ClientSecret") if k in doc
    }
    if req.get("ClientName"):
        out["ClientName"] = req["ClientName"]
    out["LastModifiedDate"] = now
    return _apply(out, req)


def describe(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {"ClientId": doc["ClientId"], "UserPoolId": doc["UserPoolId"], "ClientName": doc["ClientName"]}


def allows(doc: dict[str, Any], flow: str) -> bool:
    return flow in (doc.get("_flows") or DEFAULT_FLOWS)


def seconds(doc: dict[str, Any], kind: str) -> int:
    return int(doc.get(f"_{kind}_seconds") or _DEFAULT_VALIDITY[kind] * _UNIT_SECONDS[_DEFAULT_UNITS[kind]])


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(doc: dict[str, Any], usernames: list[str], given: str | None) -> None:
    """A client with a secret needs SECRET_HASH = HMAC(secret, username ‖ client id) of one of the user's names."""
    secret = doc.get("ClientSecret")
    if not secret:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {doc['ClientId']} is configured with secret but SECRET_HASH was not received"
        )
    for name in usernames:
        if name and hmac.compare_digest(secret_hash(secret, name, doc["ClientId"]), given):
            return
    raise NotAuthorizedException(f"Unable to verify secret hash for client {doc['ClientId']}")


def prevents_existence_errors(doc: dict[str, Any]) -> bool:
    return doc.get("PreventUserExistenceErrors") == "ENABLED"


def readable(doc: dict[str, Any]) -> list[str] | None:
    return list(doc["ReadAttributes"]) if doc.get("ReadAttributes") else None


def writable(doc: dict[str, Any]) -> list[str] | None:
    return list(doc["WriteAttributes"]) if doc.get("WriteAttributes") else None
