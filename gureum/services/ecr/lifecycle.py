"""Lifecycle policies: their text checked as ECR checks it, and which images a policy expires. Rules are taken in
rulePriority order; an image is claimed by the first rule whose tag selection it matches, and only that rule may
expire it (a higher-priority rule's images are never expired by a lower one). Tag patterns use only ``*``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ... import safejson

MAX_TEXT = 30720  # LifecyclePolicyText's limit
_TAG_STATUS = ("tagged", "untagged", "any")
_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")


class InvalidPolicy(ValueError):
    """The text is no valid lifecycle policy; the message is what ECR says after 'Lifecycle policy validation
    failure: '."""


@dataclass(frozen=True, slots=True)
class Rule:
    priority: int
    description: str
    tag_status: str
    prefixes: tuple[str, ...]
    patterns: tuple[str, ...]
    count_type: str
    count: int

    def selects(self, tags: list[str]) -> bool:
        if self.tag_status == "untagged":
            return not tags
        if self.tag_status == "any":
            return True
        if not tags:
            return False
        if self.prefixes:
            return any(tag.startswith(prefix) for tag in tags for prefix in self.prefixes)
        if self.patterns:  # every pattern of the list must match one of the image's tags
            return all(any(wildcard(pattern, tag) for tag in tags) for pattern in self.patterns)
        return True

    def doc(self) -> dict[str, Any]:
        """The rule as GetLifecyclePolicyPreview's appliedRulePriority refers to it."""
        return {"rulePriority": self.priority, "description": self.description}


@dataclass(frozen=True, slots=True)
class Candidate:
    digest: str
    tags: list[str]
    pushed_at: float


def parse(text: str) -> list[Rule]:
    """The policy's rules in priority order, or InvalidPolicy."""
    try:
        doc = safejson.loads(text, max_size=MAX_TEXT)
    except ValueError:
        raise InvalidPolicy("Could not map policyString into LifecyclePolicy.") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc["rules"]:
        raise InvalidPolicy("Lifecycle policy must have at least one rule.")
    rules: list[Rule] = []
    for raw in doc["rules"]:
        rules.append(_rule(raw))
    priorities = [rule.priority for rule in rules]
    if len(set(priorities)) != len(priorities):
        raise InvalidPolicy("The rulePriority of each rule must be unique.")
    rules.sort(key=lambda rule: rule.priority)
    for rule in rules[:-1]:
        if rule.tag_status == "any":
            raise InvalidPolicy("A rule with tagStatus 'any' must have the highest rulePriority value.")
    return rules


def _rule(raw: object) -> Rule:
    if not isinstance(raw, dict):
        raise InvalidPolicy("Could not map policyString into LifecyclePolicy.")
    priority = raw.get("rulePriority")
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        raise InvalidPolicy("rulePriority must be a positive integer.")
    action = raw.get("action")
    if not isinstance(action, dict) or action.get("type") != "expire":
        raise InvalidPolicy("The action type must be 'expire'.")
    selection = raw.get("selection")
    if not isinstance(selection, dict):
        raise InvalidPolicy("Each rule must have a selection.")
    status = selection.get("tagStatus")
    if status not in _TAG_STATUS:
        raise InvalidPolicy("tagStatus must be one of tagged, untagged or any.")
    prefixes = _strings(selection.get("tagPrefixList"), "tagPrefixList")
    patterns = _strings(selection.get("tagPatternList"), "tagPatternList")
    if status == "tagged" and not prefixes and not patterns:
        raise InvalidPolicy("tagPrefixList or tagPatternList must be specified when tagStatus is tagged.")
    if status != "tagged" and (prefixes or patterns):
        raise InvalidPolicy("tagPrefixList and tagPatternList can only be used when tagStatus is tagged.")
    if prefixes and patterns:
        raise InvalidPolicy("tagPrefixList and tagPatternList cannot both be specified in a rule.")
    if any(pattern.count("*") > 4 for pattern in patterns):
        raise InvalidPolicy("A tag pattern may contain at most 4 wildcards.")
    count_type = selection.get("countType")
    if count_type not in _COUNT_TYPES:
        raise InvalidPolicy("countType must be imageCountMoreThan or sinceImagePushed.")
    count = selection.get("countNumber")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise InvalidPolicy("countNumber must be a positive integer.")
    unit = selection.get("countUnit")
    if count_type == "sinceImagePushed" and unit != "days":
        raise InvalidPolicy("countUnit must be 'days' when countType is sinceImagePushed.")
    if count_type == "imageCountMoreThan" and unit is not None:
        raise InvalidPolicy("countUnit cannot be specified when countType is imageCountMoreThan.")
    description = raw.get("description", "")
    return Rule(priority, str(description), status, prefixes, patterns, count_type, count)


def _strings(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise InvalidPolicy(f"{field} must be a list of non-empty strings.")
    return tuple(value)


def wildcard(pattern: str, text: str) -> bool:
    """``*`` matches any run of characters; everything else itself (linear, no regular expression)."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern == text
    if not text.startswith(parts[0]):
        return False
    position = len(parts[0])
    for middle in parts[1:-1]:
        found = text.find(middle, position)
        if found < 0:
            return False
        position = found + len(middle)
    last = parts[-1]
    return len(text) - position >= len(last) and text.endswith(last)


def expired(rules: list[Rule], images: list[Candidate], now: float, day_seconds: float) -> list[tuple[Candidate, Rule]]:
    """The images the rules expire now, each with the rule that expires it."""
    claimed: dict[int, list[Candidate]] = {rule.priority: [] for rule in rules}
    for image in images:
        for rule in rules:
            if rule.selects(image.tags):
                claimed[rule.priority].append(image)
                break
    out: list[tuple[Candidate, Rule]] = []
    for rule in rules:
        chosen = claimed[rule.priority]
        if rule.count_type == "imageCountMoreThan":
            newest_first = sorted(chosen, key=lambda image: (-image.pushed_at, image.digest))
            out += [(image, rule) for image in newest_first[rule.count :]]
        else:
            cutoff = now - rule.count * day_seconds
            out += [(image, rule) for image in chosen if image.pushed_at < cutoff]
    return out
