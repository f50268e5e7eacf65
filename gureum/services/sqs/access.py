"""Who calls SQS (Caller: the account its access key acts in, the key, the client address) and what another
account may do with a queue: only what the queue's Policy allows that principal (gureum.policy) with no statement
denying it, and only the actions a queue policy can grant across accounts (limits.CROSS_ACCOUNT_ACTIONS). Calls
within an account are not checked (identity policies are not evaluated), nor are deliveries inside gureum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...aws.context import RequestContext
from ...policy import Caller, ContextValue, Principal, Request, evaluate, not_authorized
from . import limits
from .errors import access_denied


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
