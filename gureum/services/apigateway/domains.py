"""Custom domain names and their base path mappings (kept in the domain's item under "_mappings", keyed by base
path, "(none)" for the empty one), and which stage serves a request to a custom domain. Pure: no HTTP, no SQL."""

from __future__ import annotations

import hashlib
from typing import Any

from . import patches
from .apis import given
from .errors import ConflictException, NotFoundException
from .model import apply_patch

NONE = "(none)"  # the key of the empty base path


def domain_view(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def new_domain(
    name: str,
    region: str,
    now: int,
    *,
    endpoint_configuration: dict[str, Any] | None = None,
    security_policy: str | None = None,
    certificate_arn: str | None = None,
    certificate_name: str | None = None,
    regional_certificate_arn: str | None = None,
    regional_certificate_name: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A new custom domain name (lower case), with the CloudFront or regional names AWS would give it."""
    name = name.lower()
    types = (endpoint_configuration or {}).get("types") or ["EDGE"]
    token = hashlib.sha256(name.encode()).hexdigest()
    item: dict[str, Any] = {
        "id": name,
        "domainName": name,
        "domainNameStatus": "AVAILABLE",
        "endpointConfiguration": {"types": types},
        "securityPolicy": security_policy or "TLS_1_2",
        "tags": tags or {},
        "_mappings": {},
    }
    if "REGIONAL" in types:
        item.update(
            regionalDomainName=f"d-{token[:10]}.execute-api.{region}.amazonaws.com",
            regionalHostedZoneId="Z1UJRXOUMOOFQ8",
            **given(regionalCertificateArn=regional_certificate_arn, regionalCertificateName=regional_certificate_name),
        )
    else:
        item.update(
            distributionDomainName=f"d{token[:13]}.cloudfront.net",
            distributionHostedZoneId="Z2FDTNDATAQYW2",
            **given(certificateArn=certificate_arn, certificateName=certificate_name),
            certificateUploadDate=now,
        )
    return item


def update_domain(item: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    return apply_patch(item, operations, patches.DOMAIN_NAME)


def target(item: dict[str, Any], path: str) -> tuple[str, str, str] | None:
    """(api id, stage, path inside the stage) for a request to a custom domain, by its matching base path."""
    mappings = item.get("_mappings") or {}
    first, _, rest = path.lstrip("/").partition("/")
    if first and first in mappings:
        mapping = mappings[first]
        return mapping["restApiId"], mapping["stage"], "/" + rest
    if NONE in mappings:
        mapping = mappings[NONE]
        return mapping["restApiId"], mapping["stage"], path or "/"
    return None


# --- base path mappings -----------------------------------------------------------------------------------------------


def base_path_key(base_path: str | None) -> str:
    """The key a base path is kept under ("" and "/" are the empty one)."""
    return (base_path or "").strip("/") or NONE


def mapping_view(base_path: str, mapping: dict[str, Any]) -> dict[str, Any]:
    return {"basePath": base_path, "restApiId": mapping["restApiId"], "stage": mapping.get("stage")}


def mapping(item: dict[str, Any], base_path: str) -> dict[str, Any]:
    found: dict[str, Any] | None = item.get("_mappings", {}).get(base_path or NONE)
    if found is None:
        raise NotFoundException("Invalid base path mapping identifier specified")
    return found


def add_mapping(item: dict[str, Any], key: str, new: dict[str, Any]) -> None:
    if key in item["_mappings"]:
        raise ConflictException("Base path already exists for this domain name")
    item["_mappings"][key] = new


def patched_mapping(item: dict[str, Any], base_path: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    """The mapping UpdateBasePathMapping makes (its target still to be checked), with its new "basePath"."""
    return apply_patch({"basePath": base_path, **mapping(item, base_path)}, operations, patches.BASE_PATH_MAPPING)


def move_mapping(item: dict[str, Any], base_path: str, changed: dict[str, Any]) -> dict[str, Any]:
    """Put a patched mapping in place of the one under ``base_path``; its view."""
    del item["_mappings"][base_path or NONE]
    new_key = base_path_key(changed.pop("basePath"))
    add_mapping(item, new_key, changed)
    return mapping_view(new_key, changed)


def delete_mapping(item: dict[str, Any], base_path: str) -> None:
    mapping(item, base_path)
    del item["_mappings"][base_path or NONE]
