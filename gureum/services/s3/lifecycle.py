"""Lifecycle configuration rules and what they expire (the S3 user guide's "Lifecycle configuration elements"):
which objects a rule's filter takes (prefix, tags, object size), when a current version expires (Days: at the first
midnight UTC after the object's age reaches them; Date), when a noncurrent version does (NoncurrentDays after it
became noncurrent, beyond NewerNoncurrentVersions), expired-object delete markers, and incomplete multipart uploads
(DaysAfterInitiation). Pure: the sweep (backend_lifecycle.py) reads and deletes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...aws.protocols.base import to_epoch
from .errors import InvalidArgument, MalformedXML
from .objects import Version

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Clock:
    """Day length (GUREUM_S3_DAY_SECONDS shortens it for tests; then no rounding to midnight)."""

    day: float = DAY

    def after_days(self, start: float, days: int) -> float:
        if self.day != DAY:
            return start + days * self.day
        return math.ceil((start + days * DAY) / DAY) * DAY  # the next midnight UTC, as S3 rounds


# how long a restore takes, relative to a Standard retrieval from GLACIER (GUREUM_S3_RESTORE_SECONDS), as AWS's
# documented times go: GLACIER Expedited 1-5 minutes, Standard 3-5 hours, Bulk 5-12 hours; DEEP_ARCHIVE Standard
# within 12 hours, Bulk within 48 (it offers no Expedited retrieval: taken as Standard)
_RESTORE_FACTORS = {
    ("GLACIER", "Expedited"): 1 / 60, ("GLACIER", "Standard"): 1.0, ("GLACIER", "Bulk"): 2.5,
    ("DEEP_ARCHIVE", "Expedited"): 3.0, ("DEEP_ARCHIVE", "Standard"): 3.0, ("DEEP_ARCHIVE", "Bulk"): 12.0,
}  # fmt: skip


def restore_factor(storage_class: str, tier: str) -> float:
    """How many GUREUM_S3_RESTORE_SECONDS a restore of ``storage_class`` at ``tier`` takes (an unknown tier: as
    Standard)."""
    return _RESTORE_FACTORS.get((storage_class, tier)) or _RESTORE_FACTORS.get((storage_class, "Standard"), 1.0)


DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"  # a new configuration's TransitionDefaultMinimumObjectSize


def check_rules(config: dict[str, Any]) -> dict[str, Any]:
    """A PutBucketLifecycleConfiguration document as S3 accepts it (at most 1,000 rules, each with an action)."""
    rules = config.get("Rules") or []
    if not rules or len(rules) > 1000:
        raise MalformedXML("The XML you provided was not well-formed or did not validate against our published schema")
    ids = set()
    for rule in rules:
        if rule.get("Status") not in ("Enabled", "Disabled"):
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        if not any(
            rule.get(k)
            for k in (
                "Expiration",
                "NoncurrentVersionExpiration",
                "AbortIncompleteMultipartUpload",
                "Transitions",
                "NoncurrentVersionTransitions",
            )
        ):
            raise InvalidArgument("At least one action needs to be specified in a rule")
        expiration = rule.get("Expiration") or {}
        if expiration.get("Days") is not None and int(expiration["Days"]) <= 0:
            raise InvalidArgument("'Days' for Expiration action must be a positive integer")
        if rule.get("ID"):
            if rule["ID"] in ids:
                raise InvalidArgument("Rule ID must be unique. Found same ID for more than one rule")
            ids.add(rule["ID"])
    return {"Rules": rules}


def _filter(rule: dict[str, Any]) -> tuple[str, dict[str, str], int | None, int | None]:
    """(prefix, tags, size greater than, size less than) of a rule."""
    raw = rule.get("Filter") or {}
    both = raw.get("And") or {}
    prefix = raw.get("Prefix", both.get("Prefix", rule.get("Prefix", ""))) or ""
    tags = {t["Key"]: t.get("Value", "") for t in both.get("Tags") or []}
    if raw.get("Tag"):
        tags[raw["Tag"]["Key"]] = raw["Tag"].get("Value", "")
    greater = raw.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan"))
    less = raw.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))
    return prefix, tags, greater, less


def takes(rule: dict[str, Any], key: str, tags: dict[str, str], size: int | None) -> bool:
    if rule.get("Status") != "Enabled":
        return False
    prefix, wanted, greater, less = _filter(rule)
    if not key.startswith(prefix):
        return False
    if any(tags.get(k) != v for k, v in wanted.items()):
        return False
    if size is not None and greater is not None and size <= int(greater):
        return False
    return not (size is not None and less is not None and size >= int(less))


def current_expired(rules: list[dict[str, Any]], version: Version, now: float, clock: Clock) -> bool:
    """Whether a current (non-marker) version has expired under any rule."""
    for rule in rules:
        expiration = rule.get("Expiration") or {}
        if not takes(rule, version.key, version.tags, version.size):
            continue
        if expiration.get("Days") is not None and clock.after_days(version.modified, int(expiration["Days"])) <= now:
            return True
        if expiration.get("Date") is not None and to_epoch(expiration["Date"]) <= now:
            return True
    return False


def marker_expired(rules: list[dict[str, Any]], key: str) -> bool:
    """A current delete marker with no older versions left, under ExpiredObjectDeleteMarker."""
    return any(
        takes(rule, key, {}, None) and (rule.get("Expiration") or {}).get("ExpiredObjectDeleteMarker") for rule in rules
    )


def noncurrent_expired(
    rules: list[dict[str, Any]], version: Version, noncurrent_since: float, newer: int, now: float, clock: Clock
) -> bool:
    """Whether a noncurrent version (``newer`` noncurrent versions are newer than it) has expired."""
    for rule in rules:
        action = rule.get("NoncurrentVersionExpiration") or {}
        if not action or not takes(rule, version.key, version.tags, version.size):
            continue
        keep = int(action.get("NewerNoncurrentVersions") or 0)
        days = action.get("NoncurrentDays")
        if newer >= keep and days is not None and clock.after_days(noncurrent_since, int(days)) <= now:
            return True
    return False


def upload_expired(rules: list[dict[str, Any]], key: str, initiated: float, now: float, clock: Clock) -> bool:
    for rule in rules:
        action = rule.get("AbortIncompleteMultipartUpload") or {}
        days = action.get("DaysAfterInitiation")
        if days is not None and takes(rule, key, {}, None) and clock.after_days(initiated, int(days)) <= now:
            return True
    return False
