"""Amazon Cognito identity pools (cognito-identity, JSON protocol): GetId, GetCredentialsForIdentity and
GetOpenIdToken for user-pool logins (verified through the CognitoTokens port) and unauthenticated identities, with
role mappings; credentials are sessions of IAM roles as gureum's STS issues them.

The package face: SERVICE (operations registered by ops.py) and the start hook keeping IdentityBackend."""

from __future__ import annotations

from pathlib import Path

from ...aws.validate import Rules
from ...runtime import Runtime
from .. import Service
from .backend import IdentityBackend

SERVICE: Service = Service(
    "cognito-identity",
    validation=Rules(code="InvalidParameterException"),
    migrations=Path(__file__).parent / "migrations",
)


@SERVICE.on_start
async def _start(runtime: Runtime) -> None:
    runtime.keep(IdentityBackend(runtime))


from . import ops  # noqa: E402,F401  (register)
