"""Pure IAM rules: unique ids, ARNs, name/path patterns, policy-document checks, limits and list paging.

No HTTP, no SQL.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from ... import safejson
from .errors import InvalidInput, LimitExceeded, MalformedPolicyDocument

# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), defaults
MANAGED_POLICIES_PER_ENTITY = 10
POLICY_VERSIONS = 5
TAGS_PER_RESOURCE = 50
ROLES_PER_INSTANCE_PROFILE = 1
ACCESS_KEYS_PER_USER = 2
OIDC_THUMBPRINTS = 5
OIDC_CLIENT_IDS = 100
INLINE_POLICY_CHARS = {"role": 10_240, "user": 2_048, "group": 5_120}  # aggregate, whitespace excluded
MANAGED_POLICY_CHARS = 6_144
TRUST_POLICY_CHARS = 2_048

# unique-id prefixes (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes)
ID_PREFIX = {
    "role": "AROA",
    "user": "AIDA",
    "group": "AGPA",
    "policy": "ANPA",
    "instance-profile": "AIPA",
    "oidc-provider": "AOPA",
    "saml-provider": "",  # its SAMLProviderUUID is its own (saml.py)
    "server-certificate": "ASCA",
    "ssh-public-key": "",  # named by their own ids (user_keys.py)
    "signing-certificate": "",
    "sts-preferences": "",  # the account's SetSecurityTokenServicePreferences (account.py)
    "account-alias": "",
    "organization": "",  # the organisation an account belongs to (organizations.py; aws:PrincipalOrgID)
    "password-policy": "",  # the account's password policy (passwords.py)
}
ARN_WORD = {kind: kind for kind in ID_PREFIX}
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def unique_id(kind: str) -> str:
    return ID_PREFIX[kind] + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{ARN_WORD[kind]}{path}{name}"


def encode_document(document: str) -> str:
    """IAM returns policy documents URL-encoded (RFC 3986), as in GetRole, GetRolePolicy and GetPolicyVersion."""
    return quote(document, safe="-_.~")


# --- policy documents ------------------------------------------------------------------------------------

_VERSIONS = ("2012-10-17", "2008-10-17")
_EFFECTS = ("Allow", "Deny")


def check_document(document: str, *, trust: bool = False, limit: int | None = None) -> dict[str, Any]:
    """AWS's grammar checks on a policy document (identity policy, or a role's trust policy when ``trust``)."""
    try:
        policy = safejson.loads(document)
    except ValueError:
        raise MalformedPolicyDocument("Syntax errors in policy.") from None
    if not isinstance(policy, dict):
        raise MalformedPolicyDocument("Syntax errors in policy.")
    if limit is not None and len(re.sub(r"\s", "", document)) > limit:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {limit}")
    known = {"Version", "Id", "Statement"}
    unknown = sorted(set(policy) - known)
    if unknown:
        raise MalformedPolicyDocument(f"Syntax errors in policy. Unknown field {unknown[0]}")
    if "Version" in policy and policy["Version"] not in _VERSIONS:
        raise MalformedPolicyDocument("The policy failed legacy parsing")
    if "Statement" not in policy:
        raise MalformedPolicyDocument("Missing required field Statement")
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocument("Syntax errors in policy.")
    for statement in statements:
        _check_statement(statement, trust)
    return policy


def _check_statement(statement: Any, trust: bool) -> None:
    if not isinstance(statement, dict):
        raise MalformedPolicyDocument("Syntax errors in policy.")
    if statement.get("Effect") not in _EFFECTS:
        raise MalformedPolicyDocument(
            "Missing required field Effect"
            if "Effect" not in statement
            else "Invalid effect: " + str(statement["Effect"])
        )
    if "Action" not in statement and "NotAction" not in statement:
        raise MalformedPolicyDocument("Policy statement must contain actions.")
    if trust:
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicyDocument(
                "AssumeRolepolicy contained an invalid principal: Missing required field Principal"
            )
        if "Resource" in statement or "NotResource" in statement:
            raise MalformedPolicyDocument("Has prohibited field Resource")
    else:
        if "Principal" in statement or "NotPrincipal" in statement:
            raise MalformedPolicyDocument("Policy document should not specify a principal.")
        if "Resource" not in statement and "NotResource" not in statement:
            raise MalformedPolicyDocument("Policy statement must contain resources.")


# --- tags ----------------------------------------------------------------------------------------------------


def merge_tags(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    keys = [tag["Key"] for tag in new]
    if len(set(k.lower() for k in keys)) != len(keys):
        raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    merged = {tag["Key"]: tag.get("Value", "") for tag in current}
    for tag in new:
        merged[tag["Key"]] = tag.get("Value", "")
    if len(merged) > TAGS_PER_RESOURCE:
        raise LimitExceeded(f"The number of tags has reached the maximum limit of {TAGS_PER_RESOURCE}.")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def drop_tags(current: list[dict[str, str]], keys: list[str]) -> list[dict[str, str]]:
    gone = set(keys)
    return [tag for tag in current if tag["Key"] not in gone]


# --- paging ----------------------------------------------------------------------------------------------------


def page(
    items: Sequence[Any],
    out_name: str,
    marker: str | None,
    max_items: int | None,
    key: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of ``items`` (already in AWS's order) after ``marker``: {out_name, IsTruncated, Marker}."""
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except ValueError:
            raise InvalidInput("Invalid Marker.") from None
    limit = max_items or 100
    chunk = items[start : start + limit]
    shown = list(chunk) if key is None else [key(item) for item in chunk]
    out: dict[str, Any] = {out_name: shown, "IsTruncated": start + limit < len(items)}
    if out["IsTruncated"]:
        out["Marker"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return out
