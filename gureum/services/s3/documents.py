"""The few S3 answers that are no model-shaped document: GetBucketLocation's bare <LocationConstraint>."""

from __future__ import annotations

from ...aws.protocols.base import xml_escape

_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def location_document(region: str) -> str:
    """us-east-1 answers an empty element (the model's "null" location)."""
    if not region:
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="{_NAMESPACE}"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="{_NAMESPACE}">'
        f"{xml_escape(region)}</LocationConstraint>"
    )
