"""Queues as values: names, ARNs, URLs, attribute rules, tags, permission statements and list pages
(no SQL, no HTTP).

Queue URLs name their Region as AWS's do (https://sqs.<region>.amazonaws.com/<account>/<name>), in a form that needs
no DNS: {base}/queue/<region>/<account>/<name>, where {base} is the host the client called. A us-east-1 queue keeps
{base}/<account>/<name>, the form every queue had before, and so does a queue under a host that names its Region
(sqs.<region>.localhost…). A URL that names no Region names the queue in the Region the request is signed for.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ... import safejson
from ...aws.auth import DEFAULT_REGION
from . import limits
from .errors import InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue, invalid_value

_FIFO_NAME_RULE = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
    "must end with .fifo suffix and be 1 to 80 in length."
)
_NAME_RULE = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
_URL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://(?P<host>[^/?#]+))?"  # scheme://host, when the URL is whole
    r"(?:/queue/(?P<region>[a-z0-9-]+))?"  # the Region, when the path names it
    r"/(?P<account>\d{12})/(?P<name>[^/?#]+)/?$"
)
# hosts that name a Region: sqs.<region>.… (AWS's form) and <region>.queue.… (the legacy one)
_HOST_REGION = re.compile(r"^(?:sqs\.(?P<sqs>[a-z]{2}(?:-[a-z]+)+-\d+)\.|(?P<queue>[a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.)")
_ARN = re.compile(r"^arn:aws[\w-]*:sqs:([\w-]+):(\d{12}):([\w.-]+)$")


@dataclass(slots=True)
class Queue:
    id: int
    account: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    modified_at: float = 0.0
    purged_at: float | None = None

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account, self.name)

    def url(self, base_url: str) -> str:
        return queue_url(base_url, self.region, self.account, self.name)

    def int_attr(self, name: str) -> int:
        value = self.attributes.get(name)
        return int(value) if value is not None else limits.INTEGER_ATTRIBUTES[name][0]

    def flag(self, name: str) -> bool:
        return self.attributes.get(name) == "true"

    @property
    def redrive(self) -> dict[str, Any] | None:
        text = self.attributes.get("RedrivePolicy")
        return json.loads(text) if text else None


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of an SQS queue ARN."""
    match = _ARN.match(arn or "")
    return (match.group(1), match.group(2), match.group(3)) if match else None


def host_region(host: str) -> str | None:
    """The Region a host names (sqs.eu-west-1.localhost:4566 → eu-west-1), if it names one."""
    match = _HOST_REGION.match(host.lower())
    return (match.group("sqs") or match.group("queue")) if match else None


def queue_url(base_url: str, region: str, account: str, name: str) -> str:
    """The URL of a queue as a client that called `base_url` (scheme://host) sees it."""
    named = host_region(base_url.partition("://")[2])
    if region == (named or DEFAULT_REGION):
        return f"{base_url}/{account}/{name}"
    return f"{base_url}/queue/{region}/{account}/{name}"


@lru_cache(maxsize=4096)  # a pure function of the URL, asked once per message operation: clients reuse few URLs
def parse_queue_url(url: str) -> tuple[str | None, str, str] | None:
    """(region, account, name) from a queue URL (any host) or its path; the region is None when the URL names
    none (the request's Region is meant)."""
    match = _URL.match(url.strip())
    if match is None:
        return None
    region = match.group("region") or (host_region(match.group("host")) if match.group("host") else None)
    return region, match.group("account"), match.group("name")


def check_queue_name(name: str, fifo_attr: bool) -> bool:
    """Validate a name for CreateQueue; True when it is a FIFO queue."""
    if name.endswith(".fifo"):
        if not fifo_attr or not limits.FIFO_QUEUE_NAME.match(name):
            raise InvalidParameterValue(_FIFO_NAME_RULE if fifo_attr else _NAME_RULE)
        return True
    if fifo_attr:
        raise InvalidParameterValue(_FIFO_NAME_RULE)
    if not limits.QUEUE_NAME.match(name):
        raise InvalidParameterValue(_NAME_RULE)
    return False


def default_attributes(fifo: bool) -> dict[str, str]:
    attrs = {
        name: str(spec[0]) for name, spec in limits.INTEGER_ATTRIBUTES.items() if name != "KmsDataKeyReusePeriodSeconds"
    }
    attrs["SqsManagedSseEnabled"] = "true"
    if fifo:
        attrs.update(
            FifoQueue="true",
            ContentBasedDeduplication="false",
            DeduplicationScope="queue",
            FifoThroughputLimit="perQueue",
        )
    return attrs


def given_attributes(attributes: dict[str, Any] | None) -> dict[str, str]:
    """Attributes as a request gives them (a value may be missing or not a string) as strings."""
    return {k: ("" if v is None else str(v)) for k, v in (attributes or {}).items()}


def merge_attributes(queue_attrs: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """A queue's attributes after checked changes: an empty value removes an optional attribute, and the two
    kinds of server-side encryption exclude each other."""
    merged = {**queue_attrs, **changes}
    for key in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"):
        if merged.get(key) == "":
            merged.pop(key)
    if changes.get("KmsMasterKeyId"):
        if "SqsManagedSseEnabled" not in changes:
            merged["SqsManagedSseEnabled"] = "false"
        merged.setdefault(
            "KmsDataKeyReusePeriodSeconds", str(limits.INTEGER_ATTRIBUTES["KmsDataKeyReusePeriodSeconds"][0])
        )
    elif changes.get("SqsManagedSseEnabled") == "true":
        merged.pop("KmsMasterKeyId", None)
    if "KmsMasterKeyId" not in merged:
        merged.pop("KmsDataKeyReusePeriodSeconds", None)  # AWS shows the reuse period only while a KMS key is set
    return merged


def new_queue_attributes(fifo: bool, changes: dict[str, str]) -> dict[str, str]:
    """A new queue's attributes: the defaults with the checked attributes CreateQueue gave."""
    attributes = merge_attributes(default_attributes(fifo), changes)
    if not fifo:
        attributes.pop("FifoQueue", None)
    return attributes


def check_attribute_names(names: list[str]) -> set[str]:
    """GetQueueAttributes' AttributeNames → the attribute names wanted ("All" stands for every one)."""
    for name in names:
        if name not in limits.QUEUE_ATTRIBUTE_NAMES:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    return set(limits.QUEUE_ATTRIBUTE_NAMES) if "All" in names else set(names)


def queue_attributes(queue: Queue, wanted: set[str], counts: tuple[int, int, int] | None) -> dict[str, str]:
    """GetQueueAttributes' answer: the wanted attributes, with the message counts (visible, in flight, delayed)
    when they were counted."""
    attrs = {k: canonical_attribute(k, v) for k, v in queue.attributes.items() if v != ""}
    attrs["QueueArn"] = queue.arn
    attrs["CreatedTimestamp"] = str(int(queue.created_at))
    attrs["LastModifiedTimestamp"] = str(int(queue.modified_at))
    if counts is not None:
        attrs["ApproximateNumberOfMessages"] = str(counts[0])
        attrs["ApproximateNumberOfMessagesNotVisible"] = str(counts[1])
        attrs["ApproximateNumberOfMessagesDelayed"] = str(counts[2])
    return {k: v for k, v in attrs.items() if k in wanted}


def check_tags(tags: dict[str, str], queue_name: str) -> None:
    """A queue's tags after a change (at most 50)."""
    if len(tags) > limits.MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue {queue_name}.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value or "") > 256:
            raise InvalidParameterValue(
                f"Tag key must be 1 to 128 characters and tag value at most 256 characters: {key}"
            )


# --- list pages -----------------------------------------------------------------------------------------------


def page_start(limit: int | None, token: str | None) -> str:
    """ListQueues / ListDeadLetterSourceQueues: check MaxResults; the queue name the page starts after."""
    if limit is not None and not 1 <= limit <= limits.MAX_LIST_QUEUES:
        raise invalid_value("MaxResults", limit, "MaxResults must be an integer between 1 and 1000.")
    if not token:
        return ""
    try:
        return str(safejson.loads(base64.b64decode(token))["after"])
    except (ValueError, KeyError, TypeError):
        raise InvalidParameterValue("Invalid NextToken value.") from None


def page_fetch(limit: int | None) -> int:
    """How many queues to read for a page: one more than asked tells whether another page follows."""
    return limit + 1 if limit else limits.MAX_LIST_QUEUES


def page(queues: list[Queue], limit: int | None) -> tuple[list[Queue], str | None]:
    """The page and the NextToken of the next one (None: this is the last)."""
    if limit is not None and len(queues) > limit:
        queues = queues[:limit]
        token = base64.b64encode(json.dumps({"after": queues[-1].name}).encode()).decode()
        return queues, token
    return queues, None


LookupArn = Callable[[str], "Queue | None"]


def normalise_attributes(given: dict[str, str], fifo: bool, *, source_arn: str, lookup: LookupArn) -> dict[str, str]:
    """Check attributes for CreateQueue / SetQueueAttributes of the queue `source_arn`; return them in stored form."""
    out: dict[str, str] = {}
    for name, raw in given.items():
        value = "" if raw is None else str(raw)
        if name in limits.INTEGER_ATTRIBUTES:
            _, low, high = limits.INTEGER_ATTRIBUTES[name]
            try:
                number = int(value)
            except ValueError:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
            if not low <= number <= high:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            out[name] = str(number)
        elif name == "FifoQueue":
            if not fifo:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
            if value.lower() != "true":  # CreateQueue already refused a .fifo name without FifoQueue=true
                raise InvalidAttributeValue(
                    f"Invalid value for the parameter {name}. Reason: Modifying queue type is not supported."
                )
            out[name] = "true"
        elif name in limits.BOOLEAN_ATTRIBUTES:
            if name in limits.FIFO_ONLY_ATTRIBUTES and not fifo:
                raise InvalidAttributeName(f"Unknown Attribute {name}.")
            if value.lower() not in ("true", "false"):
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            out[name] = value.lower()
        elif name in limits.ENUM_ATTRIBUTES:
            if not fifo:
                raise InvalidAttributeName(f"You can specify the {name} only when FifoQueue is set to true.")
            if value not in limits.ENUM_ATTRIBUTES[name]:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            out[name] = value
        elif name == "Policy":
            out[name] = _json_attribute(name, value) if value else ""
        elif name == "RedrivePolicy":
            out[name] = _redrive_policy(value, fifo, source_arn, lookup) if value else ""
        elif name == "RedriveAllowPolicy":
            out[name] = _redrive_allow_policy(value) if value else ""
        elif name == "KmsMasterKeyId":
            out[name] = value
        else:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    if out.get("KmsMasterKeyId") and out.get("SqsManagedSseEnabled") == "true":
        raise InvalidAttributeName(
            "You can use one type of server-side encryption (SSE) at one time. "
            "You can either enable KMS SSE or SQS SSE."
        )
    return out


def _json_attribute(name: str, value: str) -> str:
    try:
        doc = safejson.loads(value)
    except ValueError:
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.") from None
    if not isinstance(doc, dict):
        raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return value


def _redrive_policy(value: str, fifo: bool, source_arn: str, lookup: LookupArn) -> str:
    try:
        doc = safejson.loads(value)
    except ValueError:
        raise invalid_value("RedrivePolicy", value, "Redrive policy is not a valid JSON map.") from None
    if not isinstance(doc, dict):
        raise invalid_value("RedrivePolicy", value, "Redrive policy is not a valid JSON map.")
    unknown = set(doc) - {"deadLetterTargetArn", "maxReceiveCount"}
    if unknown:
        raise invalid_value(
            "RedrivePolicy", value, "Only following keys are allowed: deadLetterTargetArn, maxReceiveCount."
        )
    if "deadLetterTargetArn" not in doc or "maxReceiveCount" not in doc:
        raise invalid_value(
            "RedrivePolicy",
            value,
            "Redrive policy does not contain mandatory attribute: "
            + ("deadLetterTargetArn." if "deadLetterTargetArn" not in doc else "maxReceiveCount."),
        )
    try:
        count = int(doc["maxReceiveCount"])
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise invalid_value(
            "RedrivePolicy",
            value,
            f"Invalid value for maxReceiveCount: {doc['maxReceiveCount']}, "
            "valid values are from 1 to 1000 both inclusive.",
        )
    if parse_arn(str(doc["deadLetterTargetArn"])) is None:
        raise invalid_value("RedrivePolicy", value, "Invalid value for deadLetterTargetArn.")
    target = lookup(str(doc["deadLetterTargetArn"]))
    source = parse_arn(source_arn)
    if target is not None and source is not None and (target.region, target.account) != source[:2]:
        target = None  # a dead-letter queue lives in the source queue's account and Region
    if target is None:
        raise invalid_value("RedrivePolicy", value, "Dead letter target does not exist.")
    if target.fifo != fifo:
        raise invalid_value(
            "RedrivePolicy",
            value,
            "Dead-letter target queue must be of the same type (FIFO or standard) as the source queue.",
        )
    if not redrive_allowed(target, source_arn):
        # the dead-letter queue's RedriveAllowPolicy (denyAll, or byQueue without this queue) refuses this source
        raise invalid_value(
            "RedrivePolicy", value, f"Queue {source_arn} is not allowed to use {target.arn} as its dead-letter queue."
        )
    return _redrive_text(doc)


def _redrive_allow_policy(value: str) -> str:
    try:
        doc = safejson.loads(value)
    except ValueError:
        raise invalid_value(
            "RedriveAllowPolicy",
            value,
            "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.",
        ) from None
    permission = doc.get("redrivePermission") if isinstance(doc, dict) else None
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_value(
            "RedriveAllowPolicy",
            value,
            "Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.",
        )
    sources = doc.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= limits.MAX_REDRIVE_SOURCE_ARNS:
            raise invalid_value(
                "RedriveAllowPolicy",
                value,
                "Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission type, "
                "you must also specify one or more sourceQueueArns values (up to 10).",
            )
    elif sources:
        raise invalid_value(
            "RedriveAllowPolicy",
            value,
            "Amazon SQS can't create the redrive allow policy. To specify one or more source queues, "
            "you must set redrivePermission to byQueue.",
        )
    return _redrive_allow_text(doc)


# AWS answers a redrive policy in its own form, whatever the sender's spacing, key order or quoting: compact JSON,
# its keys in this order, maxReceiveCount a number
def _redrive_text(doc: dict[str, Any]) -> str:
    policy = {"deadLetterTargetArn": doc["deadLetterTargetArn"], "maxReceiveCount": int(doc["maxReceiveCount"])}
    return json.dumps(policy, separators=(",", ":"))


def _redrive_allow_text(doc: dict[str, Any]) -> str:
    policy: dict[str, Any] = {"redrivePermission": doc["redrivePermission"]}
    if doc.get("sourceQueueArns"):
        policy["sourceQueueArns"] = doc["sourceQueueArns"]
    return json.dumps(policy, separators=(",", ":"))


_CANONICAL = {"RedrivePolicy": _redrive_text, "RedriveAllowPolicy": _redrive_allow_text}


def canonical_attribute(name: str, value: str) -> str:
    """A stored attribute value as AWS answers it (values stored before they were kept in AWS's form too)."""
    form = _CANONICAL.get(name)
    if form is None or not value:
        return value
    try:
        return form(json.loads(value))
    except (ValueError, KeyError, TypeError, AttributeError):
        return value


def redrive_allowed(dlq: Queue, source_arn: str) -> bool:
    text = dlq.attributes.get("RedriveAllowPolicy")
    if not text:
        return True
    doc = json.loads(text)
    permission = doc.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in doc.get("sourceQueueArns", [])
    return True
