"""Documentation parts and versions, kept in the API document ("documentationParts" by id,
"documentationVersions" by version); a version freezes the parts as they are. Pure: no HTTP, no SQL."""

from __future__ import annotations

import copy
import json
from typing import Any

from ... import safejson
from . import patches
from .apis import add_item, given
from .errors import BadRequestException, ConflictException, not_found
from .model import apply_patch

SECTION = "documentationParts"
LOCATION_TYPES = {
    "API",
    "AUTHORIZER",
    "MODEL",
    "RESOURCE",
    "METHOD",
    "PATH_PARAMETER",
    "QUERY_PARAMETER",
    "REQUEST_HEADER",
    "REQUEST_BODY",
    "RESPONSE",
    "RESPONSE_HEADER",
    "RESPONSE_BODY",
}


def check_part(item: dict[str, Any]) -> None:
    location = item.get("location") or {}
    if location.get("type") not in LOCATION_TYPES:
        raise BadRequestException(f"Invalid documentation location type: {location.get('type')}")
    try:
        safejson.loads(item.get("properties") or "")
    except ValueError:
        raise BadRequestException("Documentation part properties must be a valid JSON object") from None


def parse_parts(body: bytes) -> list[dict[str, Any]]:
    """ImportDocumentationParts: an OpenAPI document's x-amazon-apigateway-documentation.documentationParts."""
    try:
        spec = safejson.loads(body)
        parts = spec["x-amazon-apigateway-documentation"]["documentationParts"]
    except (ValueError, KeyError, TypeError):
        raise BadRequestException(
            "Invalid documentation input: x-amazon-apigateway-documentation.documentationParts is required"
        ) from None
    return parts  # type: ignore[no-any-return]


def import_parts(doc: dict[str, Any], parts: list[dict[str, Any]], overwrite: bool) -> dict[str, Any]:
    """Add (or, overwriting, replace every part with) the imported parts: {"ids", "warnings"}."""
    section = doc.setdefault(SECTION, {})
    if overwrite:
        section.clear()
    ids = []
    for part in parts:
        properties = part.get("properties")
        item = add_item(
            doc,
            SECTION,
            {
                "location": part.get("location") or {},
                "properties": properties if isinstance(properties, str) else json.dumps(properties),
            },
            check=check_part,
        )
        ids.append(item["id"])
    return {"ids": ids, "warnings": []}


# --- versions ---------------------------------------------------------------------------------------------------------


def version_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "parts"}


def version(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] | None = doc.get("documentationVersions", {}).get(name)
    if found is None:
        raise not_found("documentationversion")
    return found


def create_version(doc: dict[str, Any], name: str, created: int, description: str | None) -> dict[str, Any]:
    """Freeze the parts as they are under a new version name."""
    versions = doc.setdefault("documentationVersions", {})
    if name in versions:
        raise ConflictException("Documentation version already exists")
    item = {
        "version": name,
        "createdDate": created,
        "parts": copy.deepcopy(doc.get(SECTION, {})),
        **given(description=description),
    }
    versions[name] = item
    return item


def update_version(doc: dict[str, Any], name: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    item = apply_patch(version(doc, name), operations, patches.DOCUMENTATION_VERSION)
    doc["documentationVersions"][name] = item
    return version_view(item)


def delete_version(doc: dict[str, Any], name: str) -> None:
    version(doc, name)
    del doc["documentationVersions"][name]
