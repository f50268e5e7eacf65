"""STS's values: role ARNs, session durations, unique ids and temporary credentials (no SQL, no HTTP).
Issued access keys encode their account (gureum.aws.auth), so they work on any node."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

from ...aws.auth import issue_access_key, issued_secret
from ...aws.authorize import issue_session_token
from ...aws.errors import ServiceError

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
DEFAULT_ROLE_SECONDS = 3600
MAX_ROLE_SECONDS = 43_200
DEFAULT_TOKEN_SECONDS = 43_200  # GetSessionToken, GetFederationToken
MIN_SECONDS = 900
MAX_SESSION_TOKEN_SECONDS = 129_600


def _validation_error(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationError")


def parse_role_arn(role_arn: str) -> tuple[str, str]:
    """(account, role name) of an IAM role ARN."""
    match = _ROLE_ARN.match(role_arn)
    if not match:
        raise _validation_error(f"{role_arn} is invalid")
    return match.group(1), match.group(2)


def role_duration(seconds: int | None, maximum: int = MAX_ROLE_SECONDS) -> int:
    """The DurationSeconds of an AssumeRole* call (default one hour)."""
    seconds = seconds or DEFAULT_ROLE_SECONDS
    if not MIN_SECONDS <= seconds <= maximum:
        bound = (
            f"greater than or equal to {MIN_SECONDS}" if seconds < MIN_SECONDS else f"less than or equal to {maximum}"
        )
        raise _validation_error(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )
    return seconds


def session_token_duration(seconds: int | None) -> int:
    """The DurationSeconds of GetSessionToken (default twelve hours)."""
    seconds = seconds or DEFAULT_TOKEN_SECONDS
    if not MIN_SECONDS <= seconds <= MAX_SESSION_TOKEN_SECONDS:
        raise _validation_error(
            f"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: "
            f"Member must have value between {MIN_SECONDS} and {MAX_SESSION_TOKEN_SECONDS}"
        )
    return seconds


def unique_id(seed: str) -> str:
    """A stable role-style unique id (AROA…) for a seed."""
    return "AROA" + base64.b32encode(seed.encode()[:10].ljust(10, b"\0")).decode()[:17]


def credentials(
    account: str, expires: float, deployment_secret: str, claims: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Temporary credentials acting in `account` until `expires` (seconds since the epoch). The session token
    carries ``claims`` (who the session is: gureum.aws.authorize reads them under IAM enforcement), signed and
    bound to the key."""
    key = issue_access_key(account)
    if claims is None:
        token = "FQoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(96)).decode()
    else:
        token = issue_session_token(deployment_secret, key, {**claims, "x": expires})
    return {
        "AccessKeyId": key,
        "SecretAccessKey": issued_secret(deployment_secret, key),
        "SessionToken": token,
        "Expiration": expires,
    }
