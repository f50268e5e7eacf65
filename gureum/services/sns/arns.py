"""ARNs the way SNS reads them: topic, subscription, platform application and endpoint ARNs, each with the
InvalidParameter message AWS gives for a malformed one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from . import limits
from .errors import invalid


@dataclass(slots=True, frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str  # everything after the account (may contain ':' and '/')

    @property
    def text(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def split(text: str | None) -> Arn | None:
    parts = (text or "").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def _count(text: str | None) -> int:
    return len((text or "").split(":"))


def topic(text: str | None, region: str | None = None, *, member: str = "TopicArn") -> Arn:
    """A topic ARN of the caller's region ("Invalid parameter: TopicArn" otherwise, as AWS answers)."""
    arn = split(text)
    if arn is None:
        raise invalid(member, f"An ARN must have at least 6 elements, not {_count(text)}")
    if arn.service != "sns" or ":" in arn.resource or not arn.resource or (region is not None and arn.region != region):
        raise invalid(member)
    return arn


def subscription(text: str | None) -> Arn:
    """topic ARN + ':' + a UUID; a topic ARN alone (or any other id) is "Invalid parameter: SubscriptionId"."""
    arn = split(text)
    if arn is None:
        raise invalid("SubscriptionArn", f"An ARN must have at least 6 elements, not {_count(text)}")
    name, _, sub_id = arn.resource.partition(":")
    if arn.service != "sns" or not name or not limits.UUID.match(sub_id):
        raise invalid("SubscriptionId")
    return arn


def new_subscription(topic_arn: str) -> str:
    return f"{topic_arn}:{uuid.uuid4()}"


def root(account: str) -> str:
    """The account's root principal (a SubscriptionPrincipal when no IAM user subscribed)."""
    return f"arn:aws:iam::{account}:root"


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def application_arn(region: str, account: str, platform: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:app/{platform}/{name}"


def endpoint_arn(application: str) -> str:
    return application.replace(":app/", ":endpoint/", 1) + f"/{uuid.uuid4()}"


def is_endpoint(text: str) -> bool:
    arn = split(text)
    return arn is not None and arn.service == "sns" and arn.resource.startswith("endpoint/")


def application(text: str | None, member: str = "PlatformApplicationArn") -> Arn:
    arn = split(text)
    if arn is None or arn.service != "sns" or not arn.resource.startswith("app/") or arn.resource.count("/") != 2:
        raise invalid(member, "Wrong number of slashes in relative portion of the ARN." if arn is not None else None)
    return arn


def queue(text: str | None) -> Arn | None:
    """An SQS queue ARN (subscription endpoint or dead-letter target), or None."""
    arn = split(text)
    if arn is None or arn.service != "sqs" or not arn.resource or ":" in arn.resource:
        return None
    return arn
