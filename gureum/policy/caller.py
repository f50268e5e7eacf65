"""Who makes a direct call (Caller) and the global condition keys of that call, as AWS sets them for a request
that no service makes on behalf of a resource (so aws:SourceAccount and aws:SourceArn are absent)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .conditions import ContextValue


@dataclass(frozen=True, slots=True)
class Caller:
    """The account an access key acts in, the key, the client's address, and whether it came over HTTPS."""

    account: str
    access_key: str = ""
    source_ip: str = ""
    secure: bool = False


def call_context(
    who: Caller, principal_arn: str, now: float, extra: Mapping[str, ContextValue] | None = None
) -> dict[str, ContextValue]:
    """The condition keys of a direct call (aws:PrincipalArn and aws:PrincipalAccount come from the principal).
    aws:SecureTransport is "true" over HTTPS and absent over plain HTTP, so a "deny unless TLS" statement written
    for AWS does not lock out a local client that cannot use TLS."""
    context: dict[str, ContextValue] = {
        "aws:CurrentTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now)),
        **(extra or {}),
    }
    if who.source_ip:
        context["aws:SourceIp"] = who.source_ip
    if who.secure:
        context["aws:SecureTransport"] = "true"
    resource = principal_arn.split(":", 5)[-1]
    if resource.startswith("user/"):
        context["aws:username"] = resource.rsplit("/", 1)[-1]
    return context
