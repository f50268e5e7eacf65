"""SES v2's resource tags: AWS's limits on them (AWS API reference: Tag, TagResource). No HTTP, no SQL."""

from __future__ import annotations

from .errors import InvalidParameterValue

MAX_TAGS, MAX_KEY, MAX_VALUE = 50, 128, 256
TAGS = "tags"  # the setting (ses_settings) a resource's tags are kept under, {key: value}


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags: a resource can have at most {MAX_TAGS}.")
    for key, value in tags.items():
        if not 1 <= len(key) <= MAX_KEY:
            raise InvalidParameterValue(f"Tag key must be between 1 and {MAX_KEY} characters: {key}")
        if key.lower().startswith("aws:"):
            raise InvalidParameterValue(f"Tag keys starting with 'aws:' are reserved: {key}")
        if len(value) > MAX_VALUE:
            raise InvalidParameterValue(f"Tag value must be at most {MAX_VALUE} characters: {value}")
