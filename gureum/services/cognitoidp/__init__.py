"""Amazon Cognito user pools (cognito-idp, JSON protocol): pools, app clients, groups, users and their sign-in
flows (password, SRP, refresh, custom, MFA) ending in RS256 tokens, with Lambda triggers.

The package face: SERVICE (operations registered by ops_*.py), the start hook keeping CognitoBackend
(backend.py) and providing the CognitoTokens port (port.py), the /<pool-id>/.well-known/ edge route (edge.py), the
pool domains' OAuth 2.0 endpoints and managed login page (hosted.py) and the /_gureum/cognito/ admin routes
(admin.py: captured codes, key rotation).
"""

from __future__ import annotations

from pathlib import Path

from ...aws.validate import Rules
from ...ports import CognitoTokens
from ...runtime import Runtime
from .. import Service
from .admin import ROUTES
from .backend import CognitoBackend
from .edge import ROUTE
from .hosted import ROUTES as DOMAIN_ROUTES
from .port import TokensPort

# Cognito answers constraint failures with InvalidParameterException ("1 validation error detected: …")
SERVICE: Service = Service(
    "cognito-idp",
    validation=Rules(code="InvalidParameterException"),
    migrations=Path(__file__).parent / "migrations",
)
SERVICE.admin_routes.update(ROUTES)
SERVICE.edge_routes.append(ROUTE)
SERVICE.edge_routes.extend(DOMAIN_ROUTES)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    be = runtime.keep(CognitoBackend(runtime))
    runtime.provide(CognitoTokens, TokensPort(be))


@SERVICE.on_reset
async def _reset(runtime: Runtime) -> None:
    runtime.state(CognitoBackend).forget()


from . import ops_auth, ops_groups, ops_pools, ops_providers, ops_users  # noqa: E402,F401  (register)
