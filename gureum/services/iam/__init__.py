"""AWS IAM: roles, users, groups, instance profiles, inline and managed policies (with versions), access keys,
OpenID Connect providers, service-linked roles, the account's password policy and users' login profiles.

IAM is global: one namespace per account, the region is ignored.  Policies are enforced under --enforce-iam
(gureum.aws.authorize); the simulator evaluates them on the same evaluator.
"""

from __future__ import annotations

from pathlib import Path

from ...aws.validate import Rules
from .. import Service

# IAM answers a missing or malformed member like the other Coral services: ValidationError,
# "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"
SERVICE = Service("iam", migrations=Path(__file__).parent / "migrations", validation=Rules(patterns=True))

from . import (  # noqa: E402,F401  (registers)
    ops_account,
    ops_oidc,
    ops_passwords,
    ops_policies,
    ops_principals,
    ops_profiles,
    ops_roles,
    ops_saml,
    ops_server_certificates,
    ops_simulate,
    ops_user_keys,
    ops_users,
)
