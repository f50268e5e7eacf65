"""Which role an identity's credentials act as: the pool's authenticated / unauthenticated roles, and role mappings
per provider (Token: the ID token's cognito:preferred_role, or CustomRoleArn among its cognito:roles; Rules: the
first rule whose claim matches), with AmbiguousRoleResolution. Pure: no SQL, no HTTP."""

from __future__ import annotations

from typing import Any

from .errors import InvalidIdentityPoolConfigurationException, NotAuthorizedException


def _rule_holds(rule: dict[str, Any], claims: dict[str, Any]) -> bool:
    value = claims.get(rule.get("Claim", ""))
    wanted = str(rule.get("Value", ""))
    kind = rule.get("MatchType")
    values = [str(v) for v in value] if isinstance(value, list) else [] if value is None else [str(value)]
    if kind == "Equals":
        return wanted in values
    if kind == "NotEqual":
        return wanted not in values
    if kind == "Contains":
        return any(wanted in v for v in values)
    if kind == "StartsWith":
        return any(v.startswith(wanted) for v in values)
    return False


def choose(pool: dict[str, Any], provider: str | None, claims: dict[str, Any] | None, custom_role: str | None) -> str:
    """The role ARN; InvalidIdentityPoolConfigurationException when the pool has none for this identity."""
    roles = pool.get("_roles") or {}
    if provider is None:
        role = roles.get("unauthenticated")
        if not role:
            raise InvalidIdentityPoolConfigurationException(
                "Invalid identity pool configuration. Check assigned IAM roles for this pool."
            )
        return str(role)
    mapping = (pool.get("_role_mappings") or {}).get(provider)
    if mapping and claims is not None:
        chosen: str | None = None
        if mapping.get("Type") == "Token":
            candidates = claims.get("cognito:roles") or []
            if custom_role:
                if custom_role not in candidates:
                    raise NotAuthorizedException(
                        "The ambiguous role mapping rules for this identity pool are not configured correctly."
                    )
                chosen = custom_role
            else:
                chosen = claims.get("cognito:preferred_role") or (candidates[0] if len(candidates) == 1 else None)
        elif mapping.get("Type") == "Rules":
            for rule in (mapping.get("RulesConfiguration") or {}).get("Rules") or []:
                if _rule_holds(rule, claims):
                    chosen = rule.get("RoleARN")
                    break
        if chosen:
            return str(chosen)
        if mapping.get("AmbiguousRoleResolution") == "Deny":
            raise NotAuthorizedException(
                "Role mapping rules for this identity pool gave no role and resolution is Deny."
            )
    role = custom_role or roles.get("authenticated")
    if not role:
        raise InvalidIdentityPoolConfigurationException(
            "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        )
    return str(role)
