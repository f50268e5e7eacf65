"""ListUsers' Filter: `attribute = "value"` (exact) or `attribute ^= "value"` (prefix), read by a single left-to-
right scan (no regex on user input) over AWS's searchable attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameterException, ServiceError

SEARCHABLE = {
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
}


@dataclass(frozen=True, slots=True)
class Filter:
    attribute: str
    prefix: bool
    value: str

    def holds(self, user: dict[str, Any]) -> bool:
        if self.attribute == "username":
            actual: str | None = user["username"]
        elif self.attribute == "cognito:user_status":
            actual = user["status"]
        elif self.attribute == "status":
            actual = "Enabled" if user.get("enabled", True) else "Disabled"
        else:
            actual = user["attributes"].get(self.attribute)
        if actual is None:
            return False
        if self.attribute in ("status", "cognito:user_status"):
            actual, wanted = actual.lower(), self.value.lower()
        else:
            wanted = self.value
        return actual.startswith(wanted) if self.prefix else actual == wanted


def _invalid(text: str) -> ServiceError:
    return InvalidParameterException(f"Error while parsing filter: {text}")


def parse(text: str | None) -> Filter | None:
    if not text or not text.strip():
        return None
    i, end = 0, len(text)
    while i < end and text[i] == " ":
        i += 1
    start = i
    while i < end and text[i] not in " =^":
        i += 1
    attribute = text[start:i]
    while i < end and text[i] == " ":
        i += 1
    if text.startswith("^=", i):
        prefix, i = True, i + 2
    elif text.startswith("=", i):
        prefix, i = False, i + 1
    else:
        raise _invalid("expected = or ^=")
    while i < end and text[i] == " ":
        i += 1
    if i >= end or text[i] != '"':
        raise _invalid("the value must be in double quotes")
    i += 1
    value = []
    while i < end and text[i] != '"':
        if text[i] == "\\" and i + 1 < end:
            i += 1
        value.append(text[i])
        i += 1
    if i >= end:
        raise _invalid("unterminated value")
    if text[i + 1 :].strip():
        raise _invalid("unexpected text after the value")
    if attribute not in SEARCHABLE:
        raise InvalidParameterException(f"Invalid search attribute: {attribute}")
    return Filter(attribute, prefix, "".join(value))
