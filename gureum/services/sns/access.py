"""Who calls SNS (Caller: the account its access key acts in, the key, the client address) and what another
account may do: a call on a topic, platform application or endpoint of another account is allowed only when the
topic's access Policy allows that principal the action (sns-access-policy-language-api-permissions-reference)
and no statement denies it; platform applications and endpoints have no policy. Calls within an account are not
checked (identity policies are not evaluated), nor are deliveries inside gureum (they are no caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...aws.context import RequestContext
from ...policy import Caller, ContextValue, Principal, Request, call_context, evaluate, not_authorized
from .errors import AuthorizationError

# the actions a topic policy can grant; any other action on another account's topic is refused
TOPIC_ACTIONS = frozenset(
    {
        "AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes", "ListSubscriptionsByTopic",
        "ListTagsForResource", "Publish", "PutDataProtectionPolicy", "RemovePermission", "SetTopicAttributes",
        "Subscribe",
    }
)  # fmt: skip
SUBSCRIPTION_DENIED = "Not authorized to access this subscription"  # GetSubscriptionAttributes, as AWS words it


def caller(ctx: RequestContext) -> Caller:
    return Caller(ctx.account, ctx.access_key, ctx.request.peer, ctx.request.scheme == "https")


def account_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else None


@dataclass(frozen=True, slots=True)
class Access:
    """One cross-account call to check: the caller as a principal, the SNS action, and the request's keys."""

    principal: Principal
    action: str  # "Publish", "Subscribe", ... (SNS spells it "SNS:Publish" in its messages)
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def check(self, resource_arn: str, policy: str | None) -> None:
        """Raise AWS's AuthorizationError unless ``policy`` (the topic's; None for resources without one) allows
        the call."""
        if self.action not in TOPIC_ACTIONS:
            policy = None  # TagResource, UntagResource, platform applications, ...: no topic policy grants them
        decision = evaluate(policy, Request(self.principal, f"sns:{self.action}", resource_arn, self.context))
        if not decision.allowed:
            assert self.principal.arn is not None
            raise AuthorizationError(not_authorized(self.principal.arn, f"SNS:{self.action}", resource_arn, decision))


def request_context(
    who: Caller, principal_arn: str, now: float, extra: Mapping[str, str] | None = None
) -> dict[str, ContextValue]:
    """The condition keys of a direct call; aws:SourceOwner is the caller's account (SNS's default policy grants the
    owner's account through it)."""
    return call_context(who, principal_arn, now, {"aws:SourceOwner": who.account, **(extra or {})})
