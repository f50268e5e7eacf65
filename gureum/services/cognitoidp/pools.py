"""User pools as documents: what CreateUserPool / UpdateUserPool keep (DescribeUserPool's UserPoolType shape), the
standard attribute schema and custom attributes, and the checks a user's attributes must pass against the schema.
Pure: no SQL, no HTTP."""

from __future__ import annotations

import secrets
import string
from typing import Any

from .errors import InvalidParameterException

STANDARD = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
]
_BOOLEAN = {"email_verified", "phone_number_verified"}
_NUMBER = {"updated_at"}
MAX_CUSTOM = 50
DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
# a PasswordPolicy given with members left out: those are off (as AWS reads them; Terraform sends only what is set)
_GIVEN_POLICY_BASE = {
    "MinimumLength": 8,
    "RequireUppercase": False,
    "RequireLowercase": False,
    "RequireNumbers": False,
    "RequireSymbols": False,
    "TemporaryPasswordValidityDays": 7,
}
# the settings CreateUserPool keeps as given (their shapes are DescribeUserPool's)
_KEPT = (
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "UserPoolTier",
)


def new_pool_id(region: str) -> str:
    return f"{region}_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(9))


def _standard_schema(name: str) -> dict[str, Any]:
    kind = "Boolean" if name in _BOOLEAN else "Number" if name in _NUMBER else "String"
    entry: dict[str, Any] = {
        "Name": name,
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": False,
        "Mutable": name != "sub",
        "Required": name == "sub",
    }
    if name == "birthdate":  # YYYY-MM-DD: exactly ten characters, as AWS describes it
        entry["StringAttributeConstraints"] = {"MinLength": "10", "MaxLength": "10"}
    elif kind == "String":
        entry["StringAttributeConstraints"] = {"MinLength": "1" if name == "sub" else "0", "MaxLength": "2048"}
    elif kind == "Number":
        entry["NumberAttributeConstraints"] = {"MinValue": "0"}
    return entry


def _custom_schema(item: dict[str, Any]) -> dict[str, Any]:
    name = item.get("Name") or ""
    if not name or len(name) > 20:
        raise InvalidParameterException(f"Invalid custom attribute name {name!r}.")
    kind = item.get("AttributeDataType") or "String"
    entry: dict[str, Any] = {
        "Name": f"custom:{name}",
        "AttributeDataType": kind,
        "DeveloperOnlyAttribute": bool(item.get("DeveloperOnlyAttribute", False)),
        "Mutable": bool(item.get("Mutable", True)),
        "Required": False,
    }
    if item.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    if kind == "String":
        entry["StringAttributeConstraints"] = item.get("StringAttributeConstraints") or {}
    elif kind == "Number":
        entry["NumberAttributeConstraints"] = item.get("NumberAttributeConstraints") or {}
    return entry


def merge_schema(schema: list[dict[str, Any]], items: list[dict[str, Any]], adding: bool) -> list[dict[str, Any]]:
    """The pool's schema with ``items`` applied: standard ones change Required/Mutable/constraints (at creation),
    others become custom:… attributes."""
    out = [dict(entry) for entry in schema]
    names = {entry["Name"] for entry in out}
    for item in items:
        name = item.get("Name") or ""
        if name in STANDARD and not adding:
            entry = next(e for e in out if e["Name"] == name)
            entry["Required"] = bool(item.get("Required", entry["Required"]))
            entry["Mutable"] = bool(item.get("Mutable", entry["Mutable"]))
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if item.get(key):
                    entry[key] = item[key]
            continue
        custom = _custom_schema(item)
        if custom["Name"] in names:
            raise InvalidParameterException(f"{custom['Name']}: Existing attribute already has name {name}.")
        names.add(custom["Name"])
        out.append(custom)
    if sum(1 for e in out if e["Name"].startswith("custom:")) > MAX_CUSTOM:
        raise InvalidParameterException(f"A user pool can have at most {MAX_CUSTOM} custom attributes.")
    return out


def requested_policy(req: dict[str, Any]) -> dict[str, Any]:
    """The password policy a CreateUserPool / UpdateUserPool request sets: AWS's default policy when it gives none,
    else the one given, its missing requirements off."""
    given = (req.get("Policies") or {}).get("PasswordPolicy")
    return dict(DEFAULT_PASSWORD_POLICY) if not given else {**_GIVEN_POLICY_BASE, **given}


def new_pool(pool_id: str, account: str, region: str, req: dict[str, Any], now: float) -> dict[str, Any]:
    if req.get("AliasAttributes") and req.get("UsernameAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    schema = merge_schema([_standard_schema(n) for n in STANDARD], list(req.get("Schema") or []), adding=False)
    policy = requested_policy(req)
    doc: dict[str, Any] = {
        "Id": pool_id,
        "Name": req["PoolName"],
        "Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}",
        "Policies": {"PasswordPolicy": policy, "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        "DeletionProtection": req.get("DeletionProtection") or "INACTIVE",
        "LambdaConfig": {},
        "SchemaAttributes": schema,
        "MfaConfiguration": req.get("MfaConfiguration") or "OFF",
        "UserPoolTags": dict(req.get("UserPoolTags") or {}),
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "CreationDate": now,
        "LastModifiedDate": now,
        "_account": account,
        "_region": region,
    }
    for key in _KEPT:
        if req.get(key) is not None:
            doc[key] = req[key]
    doc.setdefault("VerificationMessageTemplate", {"DefaultEmailOption": "CONFIRM_WITH_CODE"})
    return doc


def update_pool(doc: dict[str, Any], req: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateUserPool: settings not given return to their defaults, as AWS documents."""
    out = dict(doc)
    for key in _KEPT:
        if key in ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration"):
            continue  # fixed at creation
        if req.get(key) is not None:
            out[key] = req[key]
        elif key == "LambdaConfig":
            out[key] = {}
        else:
            out.pop(key, None)
    if req.get("Policies"):
        out["Policies"] = {
            **out["Policies"],
            "PasswordPolicy": requested_policy(req),
        }
    out["MfaConfiguration"] = req.get("MfaConfiguration") or out.get("MfaConfiguration", "OFF")
    if req.get("DeletionProtection"):
        out["DeletionProtection"] = req["DeletionProtection"]
    if req.get("UserPoolTags") is not None:
        out["UserPoolTags"] = dict(req["UserPoolTags"])
    if req.get("PoolName"):
        out["Name"] = req["PoolName"]
    out.setdefault("AdminCreateUserConfig", {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7})
    out.setdefault("EmailConfiguration", {"EmailSendingAccount": "COGNITO_DEFAULT"})
    out["LastModifiedDate"] = now
    return out


def describe(doc: dict[str, Any], users: int, domain: str | None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    out["EstimatedNumberOfUsers"] = users
    if domain:
        out["Domain"] = domain
    return out


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "Id": doc["Id"],
        "Name": doc["Name"],
        "LambdaConfig": doc.get("LambdaConfig") or {},
        "LastModifiedDate": doc["LastModifiedDate"],
        "CreationDate": doc["CreationDate"],
    }


def password_policy(doc: dict[str, Any]) -> dict[str, Any]:
    return dict((doc.get("Policies") or {}).get("PasswordPolicy") or DEFAULT_PASSWORD_POLICY)


def username_attributes(doc: dict[str, Any]) -> list[str]:
    return list(doc.get("UsernameAttributes") or [])


def case_sensitive(doc: dict[str, Any]) -> bool:
    return bool((doc.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def _schema(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["Name"]: entry for entry in doc.get("SchemaAttributes") or []}


def check_attributes(
    doc: dict[str, Any], attributes: dict[str, str], *, creating: bool, existing: dict[str, str] | None = None
) -> None:
    """InvalidParameterException as AWS words it: "Attributes did not conform to the schema: …"."""
    schema = _schema(doc)
    problems = []
    for name, value in attributes.items():
        entry = schema.get(name)
        if entry is None:
            problems.append(f"{name}: Attribute does not exist in the schema.")
            continue
        if name == "sub":
            problems.append("sub: cannot modify an immutable attribute")
            continue
        if not creating and not entry.get("Mutable", True) and existing is not None and name in existing:
            problems.append(f"{name}: cannot modify an immutable attribute")
            continue
        kind = entry.get("AttributeDataType")
        if kind == "Boolean" and value not in ("true", "false"):
            problems.append(f"{name}: Attribute value must be true or false.")
        elif kind == "Number":
            try:
                float(value)
            except ValueError:
                problems.append(f"{name}: Number must be a valid number.")
        elif kind == "String":
            limits = entry.get("StringAttributeConstraints") or {}
            if limits.get("MaxLength") and len(value) > int(limits["MaxLength"]):
                problems.append(f"{name}: String must be no longer than {limits['MaxLength']} characters")
            if limits.get("MinLength") and len(value) < int(limits["MinLength"]):
                problems.append(f"{name}: String must be no shorter than {limits['MinLength']} characters")
    if creating:
        for name, entry in schema.items():
            if entry.get("Required") and name != "sub" and not attributes.get(name):
                problems.append(f"{name}: The attribute {name} is required")
    if problems:
        raise InvalidParameterException("Attributes did not conform to the schema: " + "; ".join(problems))


def tag_keys_check(tags: dict[str, str]) -> None:
    if len(tags) > 50:
        raise InvalidParameterException("A user pool can have at most 50 tags.")
