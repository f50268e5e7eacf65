"""SES's event publishing: what each recipient's fate is (the mailbox simulator's addresses bounce, complain or
answer out of the office; every other address is delivered), and the event JSON AWS publishes to a
configuration set's SNS and EventBridge destinations. No HTTP, no SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .identities import SIMULATOR_DOMAIN

# configuration-set event types (SES v2's names; SES v1's are their camelCase forms, see v1_type / v2_type)
SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, RENDERING_FAILURE = (
    "SEND",
    "REJECT",
    "BOUNCE",
    "COMPLAINT",
    "DELIVERY",
    "RENDERING_FAILURE",
)
_V1 = {
    "SEND": "send",
    "REJECT": "reject",
    "BOUNCE": "bounce",
    "COMPLAINT": "complaint",
    "DELIVERY": "delivery",
    "OPEN": "open",
    "CLICK": "click",
    "RENDERING_FAILURE": "renderingFailure",
    "DELIVERY_DELAY": "deliveryDelay",
    "SUBSCRIPTION": "subscription",
}
_FROM_V1 = {v.lower(): k for k, v in _V1.items()}
# eventType in the JSON, and EventBridge's detail-type
_NAMES = {
    SEND: ("Send", "Email Sent"),
    REJECT: ("Reject", "Email Rejected"),
    BOUNCE: ("Bounce", "Email Bounced"),
    COMPLAINT: ("Complaint", "Email Complaint Received"),
    DELIVERY: ("Delivery", "Email Delivered"),
    RENDERING_FAILURE: ("Rendering Failure", "Email Rendering Failed"),
}
OPEN, CLICK, SUBSCRIPTION = "OPEN", "CLICK", "SUBSCRIPTION"
_NAMES[OPEN] = ("Open", "Email Opened")
_NAMES[CLICK] = ("Click", "Email Clicked")
_NAMES[SUBSCRIPTION] = ("Subscription", "Email Subscribed")
# the "source" of a Subscription event: the List-Unsubscribe header's link (followed, or posted in one click)
UNSUBSCRIBE_HEADER = "UnsubscribeHeader"
REPORTING_MTA = "a8-70.smtp-out.amazonses.com"


def event_name(kind: str) -> str:
    """eventType in the JSON ("Send", "Open", …)."""
    return _NAMES[kind][0]


def v1_type(name: str) -> str:
    return _V1.get(name, name)


def v2_type(name: str) -> str:
    """A v1 (camelCase) or v2 (upper case) event type name in SES v2's spelling."""
    return _FROM_V1.get(name.lower(), name.upper())


@dataclass(slots=True)
class Fates:
    """Recipients of one message by what happens to them."""

    delivered: list[str] = field(default_factory=list)
    bounced: list[tuple[str, str]] = field(default_factory=list)  # (address, bounce sub-type)
    complained: list[str] = field(default_factory=list)
    out_of_office: list[str] = field(default_factory=list)  # delivered; each answers the sender with an auto-reply


def fates(recipients: list[str], suppressed: set[str] | None = None) -> Fates:
    """The mailbox simulator's outcomes (success@, bounce@, ooto@, complaint@, suppressionlist@), addresses on the
    account's suppression list (``suppressed``, lower case) bounced as SES bounces them; others deliver."""
    out = Fates()
    for address in recipients:
        local, _, domain = address.rpartition("@")
        if suppressed and address.lower() in suppressed:
            out.bounced.append((address, "OnAccountSuppressionList"))
            continue
        local = local.split("+", 1)[0].lower()  # simulator addresses take labels: success+label@…
        if domain.lower() != SIMULATOR_DOMAIN:
            out.delivered.append(address)
        elif local == "bounce":
            out.bounced.append((address, "General"))
        elif local == "suppressionlist":
            out.bounced.append((address, "OnAccountSuppressionList"))
        elif local == "complaint":
            out.delivered.append(address)
            out.complained.append(address)
        elif local == "ooto":  # delivered; its out-of-the-office auto-reply goes to the sender, not an event
            out.delivered.append(address)
            out.out_of_office.append(address)
        else:  # success@ and any other
            out.delivered.append(address)
    return out


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(at * 1000) % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Sent:
    """What the event's "mail" object describes."""

    account: str
    region: str
    message_id: str
    source: str
    source_arn: str
    destinations: list[str]
    headers: list[tuple[str, str]]
    subject: str
    to: list[str]
    from_: list[str]
    configuration_set: str | None
    tags: dict[str, list[str]]
    at: float
    operation: str = "SendEmail"  # the auto-tag ses:operation: the API operation (SMTP: "SendSmtpEmail")
    caller: str = "root"  # ses:caller-identity: the IAM user or role name of the caller
    source_ip: str = "127.0.0.1"  # ses:source-ip: the caller's address as the connection shows it


def mail_object(sent: Sent) -> dict[str, Any]:
    """The "mail" object with SES's auto-tags (ses:operation, ses:source-ip, ses:from-domain,
    ses:caller-identity, ses:configuration-set) before the message's own tags."""
    tags = {"ses:operation": [sent.operation], "ses:source-ip": [sent.source_ip]}
    tags["ses:from-domain"] = [sent.source.rpartition("@")[2].rstrip(">")]
    tags["ses:caller-identity"] = [sent.caller]
    if sent.configuration_set:
        tags["ses:configuration-set"] = [sent.configuration_set]
    tags.update(sent.tags)
    common: dict[str, Any] = {"from": sent.from_, "to": sent.to, "messageId": sent.message_id}
    if sent.subject:
        common["subject"] = sent.subject
    return {
        "timestamp": iso(sent.at),
        "source": sent.source,
        "sourceArn": sent.source_arn,
        "sendingAccountId": sent.account,
        "messageId": sent.message_id,
        "destination": sent.destinations,
        "headersTruncated": False,
        "headers": [{"name": k, "value": v} for k, v in sent.headers],
        "commonHeaders": common,
        "tags": tags,
    }


def event_json(kind: str, sent: Sent, detail: dict[str, Any]) -> dict[str, Any]:
    """AWS's event publishing record: {"eventType", "mail", "<kind>": detail}."""
    key = {RENDERING_FAILURE: "failure"}.get(kind, kind.lower())
    return {"eventType": _NAMES[kind][0], "mail": mail_object(sent), key: detail}


def rendering_failure(sent: Sent, template: str, error: str) -> dict[str, Any]:
    """The Rendering Failure record of a templated send SES accepted but could not render (the message is never
    made, so its "mail" object has no headers)."""
    record = event_json(RENDERING_FAILURE, sent, {"errorMessage": error, "templateName": template})
    del record["mail"]["headers"], record["mail"]["commonHeaders"]
    return record


def topic_preferences(contact: dict[str, Any] | None, topics: list[dict[str, Any]]) -> dict[str, Any]:
    """A contact's preferences as a Subscription event carries them: unsubscribeAll, and each topic of the list
    with the contact's status (its own preference, else the topic's default) in the event's OptIn/OptOut."""
    chosen = {p["TopicName"]: p["SubscriptionStatus"] for p in (contact or {}).get("preferences", [])}
    statuses = [
        {
            "topicName": t["TopicName"],
            "subscriptionStatus": _OPT[chosen.get(t["TopicName"]) or t.get("DefaultSubscriptionStatus") or "OPT_OUT"],
        }
        for t in topics
    ]
    return {"unsubscribeAll": bool((contact or {}).get("unsubscribe_all")), "topicSubscriptionStatus": statuses}


_OPT = {"OPT_IN": "OptIn", "OPT_OUT": "OptOut"}


def subscription(
    mail: dict[str, Any], contact_list: str, at: float, old: dict[str, Any], new: dict[str, Any]
) -> dict[str, Any]:
    """The Subscription record of a recipient changing their preferences through the message's List-Unsubscribe
    link: {"eventType", "mail" (the message's), "subscription": {contactList, timestamp, source,
    newTopicPreferences, oldTopicPreferences}}."""
    detail = {
        "contactList": contact_list,
        "timestamp": iso(at),
        "source": UNSUBSCRIBE_HEADER,
        "newTopicPreferences": new,
        "oldTopicPreferences": old,
    }
    return {"eventType": _NAMES[SUBSCRIPTION][0], "mail": mail, "subscription": detail}


def details(at_: float, outcome: Fates) -> list[tuple[str, dict[str, Any]]]:
    """(type, detail object) of each Delivery, Bounce and Complaint one accepted message produces: what both the
    configuration set's events and the identity's notifications carry."""
    at = iso(at_)
    out: list[tuple[str, dict[str, Any]]] = []
    if outcome.delivered:
        detail = {
            "timestamp": at,
            "processingTimeMillis": 0,
            "recipients": outcome.delivered,
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": REPORTING_MTA,
        }
        out.append((DELIVERY, detail))
    for address, sub_type in outcome.bounced:
        suppressed = sub_type == "OnAccountSuppressionList"
        recipient = {"emailAddress": address, "action": "failed", "status": "5.1.1"}
        recipient["diagnosticCode"] = (
            "Amazon SES did not send the message to this address because it is on the suppression list for your "
            "account."
            if suppressed
            else "smtp; 550 5.1.1 user unknown"
        )
        detail = {
            "feedbackId": f"{uuid.uuid4().hex}-000000",
            "bounceType": "Permanent",
            "bounceSubType": sub_type,
            "bouncedRecipients": [recipient],
            "timestamp": at,
            "reportingMTA": f"dns; {REPORTING_MTA}",
        }
        out.append((BOUNCE, detail))
    if outcome.complained:
        detail = {
            "feedbackId": f"{uuid.uuid4().hex}-000000",
            "complainedRecipients": [{"emailAddress": a} for a in outcome.complained],
            "timestamp": at,
            "userAgent": "Amazon SES Mailbox Simulator",
            "complaintFeedbackType": "abuse",
            "arrivalDate": at,
        }
        out.append((COMPLAINT, detail))
    return out


def events_for(sent: Sent, found: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """(type, event JSON) of every event one accepted message produces: Send, then each of ``found`` (details)."""
    return [(SEND, event_json(SEND, sent, {})), *((kind, event_json(kind, sent, d)) for kind, d in found)]


def eventbridge_event(kind: str, record: dict[str, Any], account: str, region: str, at: float) -> dict[str, Any]:
    """The record as EventBridge carries it (source aws.ses, detail-type "Email Sent" and so on)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": _NAMES[kind][1],
        "source": "aws.ses",
        "account": account,
        "time": iso(at)[:19] + "Z",
        "region": region,
        "resources": [],
        "detail": record,
    }
