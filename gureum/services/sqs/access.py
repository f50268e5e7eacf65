"""Who calls SQS (Caller: the account its access key acts in, the key, the client address) and what another
account may do with a queue: only what the queue's Policy allows that principal (gureum.policy) with no statement
denying it, and only the actions a queue policy can grant across accounts (limits.CROSS_ACCOUNT_ACTIONS). Calls
within an account are not checked (identity policies are not evaluated), nor are deliveries inside gureum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...aws.context import RequestContext
from ...policy import ContextValue, Principal, Request, evaluate, not_authorized
from . import limits
from .errors import access_denied


@dataclass(frozen=True, slots=True)
class Caller:
    account: str
    access_key: str = ""
    source_ip: str = ""
    secure: bool = False  # the request came over HTTPS


def caller(ctx: RequestContext) -> Caller:
    return Caller(ctx.account, ctx.access_key, ctx.request.peer, ctx.request.scheme == "https")


@dataclass(frozen=True, slots=True)
class Access:
    """One call of another account to check: the caller as a principal, the SQS action, and the request's keys."""

    principal: Principal
    action: str  # "SendMessage", "ReceiveMessage", ... (the operation's name; batches name their single action)
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def check(self, queue_arn: str, policy: str | None) -> None:
        """Raise AWS's AccessDenied unless ``policy`` (the queue's; None for a queue that does not exist) allows
        the call. The owner-only actions (AddPermission, SetQueueAttributes, TagQueue, ...) are never granted."""
        if self.action not in limits.CROSS_ACCOUNT_ACTIONS:
            policy = None
        decision = evaluate(policy, Request(self.principal, f"sqs:{self.action}", queue_arn, self.context))
        if not decision.allowed:
            assert self.principal.arn is not None
            # SQS names the action in lower case: "... not authorized to perform: sqs:sendmessage on resource: ..."
            raise access_denied(not_authorized(self.principal.arn, f"sqs:{self.action.lower()}", queue_arn, decision))


def request_context(who: Caller, principal_arn: str, now: float) -> dict[str, ContextValue]:
    """The condition keys of a direct call (aws:PrincipalArn and aws:PrincipalAccount come from the principal).
    aws:SourceAccount and aws:SourceArn are absent: AWS sets them only when a service calls on behalf of a resource.
    aws:SecureTransport is "true" over HTTPS and absent over plain HTTP, so a "deny unless TLS" statement written
    for AWS does not lock out a local client that cannot use TLS."""
    context: dict[str, ContextValue] = {
        "aws:CurrentTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now)),
    }
    if who.source_ip:
        context["aws:SourceIp"] = who.source_ip
    if who.secure:
        context["aws:SecureTransport"] = "true"
    resource = principal_arn.split(":", 5)[-1]
    if resource.startswith("user/"):
        context["aws:username"] = resource.rsplit("/", 1)[-1]
    return context
