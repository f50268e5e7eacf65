"""SES sending authorization: identity ARNs, the policies an identity owner writes for delegate senders
(gureum.policy evaluates them as AWS does, with SES's condition keys), MAIL FROM domains and the rules for them,
and suppression-list and contact-list decisions about recipients. No HTTP, no SQL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...policy import ContextValue, Decision, PolicyError, Principal, Request, evaluate, parse
from .errors import AccessDenied, InvalidParameterValue, InvalidPolicy, MailFromDomainNotVerified

MAX_POLICIES = 20  # per identity
MAX_POLICY_BYTES = 4 * 1024
BEHAVIORS = ("UseDefaultValue", "RejectMessage")


def identity_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:ses:{region}:{account}:identity/{name}"


@dataclass(frozen=True, slots=True)
class IdentityRef:
    region: str
    account: str
    name: str


def parse_identity_arn(arn: str) -> IdentityRef:
    """arn:aws:ses:<region>:<account>:identity/<name>; InvalidParameterValue otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "ses" or not parts[5].startswith("identity/"):
        raise InvalidParameterValue(f"Illegal ARN: {arn}")
    name = parts[5][len("identity/") :]
    if not name or not parts[3] or not parts[4]:
        raise InvalidParameterValue(f"Illegal ARN: {arn}")
    return IdentityRef(parts[3], parts[4], name)


def identity_named(identity: str, account: str, region: str) -> str:
    """An identity as SES v1's policy calls take it, by name or by ARN (the PutIdentityPolicy reference) → its name.
    An ARN of another account or Region is left as given: it names no identity of this caller's."""
    if not identity.startswith("arn:"):
        return identity
    ref = parse_identity_arn(identity)
    return ref.name if (ref.account, ref.region) == (account, region) else identity


def check_policy(text: str) -> str:
    """A sending-authorization policy as PutIdentityPolicy takes it: JSON, a policy document, at most 4 KB."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise InvalidPolicy(f"Policy exceeds the maximum size of {MAX_POLICY_BYTES} bytes.")
    try:
        parse(text)
    except (PolicyError, ValueError, TypeError) as error:
        raise InvalidPolicy(f"Policy is invalid: {error}") from None
    return text


def authorize(
    policies: Mapping[str, str],
    principal: Principal,
    action: str,
    resource: str,
    context: Mapping[str, ContextValue],
) -> None:
    """A delegate sender's send: AccessDenied unless one of the identity's policies allows ``action`` for the
    principal and none denies it."""
    allowed = False
    for text in policies.values():
        decision = evaluate(text, Request(principal, action, resource, context))
        if decision is Decision.EXPLICIT_DENY:
            allowed = False
            break
        allowed = allowed or decision.allowed
    if not allowed:
        raise AccessDenied(f"User `{principal.arn}' is not authorized to perform `{action}' on resource `{resource}'")


def sending_context(source: str, recipients: list[str], display_name: str, api: str) -> dict[str, ContextValue]:
    """SES's condition keys for a send (ses:FromAddress, ses:Recipients, ses:FromDisplayName, ses:ApiVersion)."""
    return {
        "ses:FromAddress": source,
        "ses:Recipients": list(recipients),
        "ses:FromDisplayName": display_name,
        "ses:ApiVersion": api,
    }


def check_mail_from(identity: str, kind: str, domain: str, behavior: str) -> None:
    """A MAIL FROM domain: a subdomain of the identity's domain (of its address's domain for an address), not a
    domain SES uses itself."""
    if behavior not in BEHAVIORS:
        raise InvalidParameterValue(f"Invalid BehaviorOnMXFailure: {behavior}")
    parent = identity.rpartition("@")[2].lower() if kind == "EmailAddress" else identity.lower()
    if not domain.lower().endswith("." + parent) or domain.lower() == parent:
        raise InvalidParameterValue(
            f"Provided MAIL-FROM domain '{domain}' is not subdomain of the domain of the identity '{identity}'."
        )
    if domain.lower().endswith(".amazonses.com"):
        raise InvalidParameterValue(f"Provided MAIL-FROM domain '{domain}' is not allowed.")


def mail_from_check(found: tuple[str, str, str] | None) -> str | None:
    """The Return-Path domain a send uses (None: SES's own), or MailFromDomainNotVerified when the identity's MAIL
    FROM is not verified and its behavior is RejectMessage."""
    if found is None:
        return None
    domain, behavior, status = found
    if status == "Success":
        return domain
    if behavior == "RejectMessage":
        raise MailFromDomainNotVerified(f"The MAIL FROM domain {domain} is not verified.")
    return None


def topic_defaults(topics: list[dict[str, Any]]) -> dict[str, str]:
    return {t["TopicName"]: t.get("DefaultSubscriptionStatus") or "OPT_OUT" for t in topics}


def opted_out(contact: dict[str, Any] | None, topic: str | None, topics: list[dict[str, Any]]) -> bool:
    """ListManagementOptions: whether a recipient must not get mail sent to the contact list (and topic). A
    recipient who is no contact of the list gets it; a contact who unsubscribed from everything does not; for a
    topic, the contact's preference, else the topic's default."""
    if contact is None:
        return False
    if contact["unsubscribe_all"]:
        return True
    if not topic:
        return False
    preference = {p["TopicName"]: p["SubscriptionStatus"] for p in contact["preferences"]}.get(topic)
    return (preference or topic_defaults(topics).get(topic, "OPT_OUT")) == "OPT_OUT"


def dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))
