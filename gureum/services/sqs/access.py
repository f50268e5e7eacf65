"""Who calls SQS (Caller: the account its access key acts in, the key, the client address) and what another
account may do with a queue: only what the queue's Policy allows that principal (gureum.policy) with no statement
denying it, and only the actions a queue policy can grant across accounts (limits.CROSS_ACCOUNT_ACTIONS). Calls
within an account are not checked (identity policies are not evaluated); a delivery from another account's
resource (Origin: an SNS topic, an EventBridge rule) is, as the service principal with aws:SourceArn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...aws.authorize import delivery_allowed
from ...aws.context import RequestContext
from ...policy import Caller, ContextValue, Principal, Request, evaluate, not_authorized
from . import limits
from .errors import access_denied

if TYPE_CHECKING:
    from ...runtime import Runtime


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


@dataclass(frozen=True, slots=True)
class Origin:
    """The resource another service delivers for (an SNS topic, an EventBridge rule) and that service's principal."""

    service: str  # "sns.amazonaws.com"
    arn: str

    @property
    def account(self) -> str:
        parts = self.arn.split(":", 5)
        return parts[4] if len(parts) == 6 else ""

    @classmethod
    def of(cls, value: object) -> Origin | None:
        """From a delivery payload's "origin" ({"service", "arn"}), when it has one."""
        if isinstance(value, dict) and isinstance(value.get("service"), str) and isinstance(value.get("arn"), str):
            return cls(value["service"], value["arn"])
        return None

    def check(self, queue_arn: str, policy: str | None) -> None:
        """Raise AWS's AccessDenied unless the queue's ``policy`` allows this service to send for this resource."""
        context = {"aws:SourceArn": self.arn, "aws:SourceAccount": self.account}
        decision = evaluate(policy, Request(Principal(service=self.service), "sqs:SendMessage", queue_arn, context))
        if not decision.allowed:
            raise access_denied(not_authorized(self.service, "sqs:sendmessage", queue_arn, decision))


def same_account(runtime: Runtime) -> Callable[[Origin, str, str | None], None] | None:
    """Under IAM enforcement a delivery within an account is checked as across accounts (AWS checks the queue's
    Policy for sns.amazonaws.com / events.amazonaws.com either way); in learn mode a refusal is only recorded."""
    if not (runtime.config.enforce_iam or runtime.config.learn_iam):
        return None

    def check(origin: Origin, queue_arn: str, policy: str | None) -> None:
        verdict = delivery_allowed(runtime, origin.service, "sqs:SendMessage", queue_arn, policy, origin.arn)
        if not verdict.allowed and runtime.config.enforce_iam:
            raise access_denied(verdict.message(origin.service, "sqs:sendmessage", queue_arn))

    return check
