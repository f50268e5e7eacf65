"""VPC links, custom domain names and API mappings of HTTP and WebSocket APIs: new documents with the fields and
statuses AWS gives them, the checks AWS makes, and which mapping serves a request to a custom domain name.
There is no VPC and no certificate here: links and names are usable at once. Pure: no HTTP, no SQL."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from .errors import ConflictException, bad_request
from .model import new_id

LINK_READY = "VPC link is ready to route traffic"
_KEY = re.compile(r"^[A-Za-z0-9_.~-]+(/[A-Za-z0-9_.~-]+)*$")
_CONFIGURATION_MEMBERS = ("CertificateArn", "CertificateName", "EndpointType", "SecurityPolicy", "IpAddressType")

# --- VPC links --------------------------------------------------------------------------------------------------


def new_vpc_link(members: Mapping[str, Any], now: float) -> dict[str, Any]:
    if not members.get("Name"):
        raise bad_request("Name cannot be empty")
    return {
        "VpcLinkId": new_id(6),
        "Name": members["Name"],
        "SubnetIds": list(members.get("SubnetIds") or []),
        "SecurityGroupIds": list(members.get("SecurityGroupIds") or []),
        "Tags": dict(members.get("Tags") or {}),
        "CreatedDate": now,
        "VpcLinkVersion": "V2",
    }


def vpc_link_view(doc: dict[str, Any], created: bool = False) -> dict[str, Any]:
    """CreateVpcLink answers while AWS provisions the link (PENDING); afterwards it is AVAILABLE."""
    status, message = ("PENDING", "VPC link is provisioning ENIs") if created else ("AVAILABLE", LINK_READY)
    return {**doc, "VpcLinkStatus": status, "VpcLinkStatusMessage": message}


# --- custom domain names ------------------------------------------------------------------------------------------


def _configurations(name: str, region: str, given: list[dict[str, Any]] | None, now: float) -> list[dict[str, Any]]:
    """DomainNameConfigurations with what AWS fills in: the regional target name, hosted zone and status."""
    token = hashlib.sha256(name.encode()).hexdigest()[:10]
    out = []
    for config in given or [{}]:
        item = {k: config[k] for k in _CONFIGURATION_MEMBERS if k in config}
        item.setdefault("EndpointType", "REGIONAL")
        item.setdefault("SecurityPolicy", "TLS_1_2")
        item.setdefault("IpAddressType", "ipv4")
        item.update(
            ApiGatewayDomainName=f"d-{token}.execute-api.{region}.amazonaws.com",
            DomainNameStatus="AVAILABLE",
            HostedZoneId="Z1UJRXOUMOOFQ8",
            CertificateUploadDate=now,
        )
        out.append(item)
    return out


def new_domain_name(name: str, region: str, members: Mapping[str, Any], now: float) -> dict[str, Any]:
    name = name.lower()
    doc: dict[str, Any] = {
        "DomainName": name,
        "DomainNameArn": f"arn:aws:apigateway:{region}::/domainnames/{name}",
        "ApiMappingSelectionExpression": "$request.basepath",
        "DomainNameConfigurations": _configurations(name, region, members.get("DomainNameConfigurations"), now),
        "RoutingMode": members.get("RoutingMode") or "API_MAPPING_ONLY",
        "Tags": dict(members.get("Tags") or {}),
    }
    if members.get("MutualTlsAuthentication"):
        doc["MutualTlsAuthentication"] = dict(members["MutualTlsAuthentication"])
    return doc


def update_domain_name(doc: dict[str, Any], region: str, members: Mapping[str, Any], now: float) -> None:
    if "DomainNameConfigurations" in members:
        doc["DomainNameConfigurations"] = _configurations(
            doc["DomainName"], region, members["DomainNameConfigurations"], now
        )
    if "MutualTlsAuthentication" in members:
        doc["MutualTlsAuthentication"] = dict(members["MutualTlsAuthentication"] or {})
    if members.get("RoutingMode"):
        doc["RoutingMode"] = members["RoutingMode"]


# --- API mappings -------------------------------------------------------------------------------------------------


def check_mapping_key(key: str) -> str:
    """An API mapping key: empty (the domain's root) or path segments without leading or trailing slashes."""
    if key and not _KEY.match(key):
        raise bad_request(f"Invalid ApiMappingKey specified: {key}")
    return key


def new_mapping(members: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ApiMappingId": new_id(6),
        "ApiId": members["ApiId"],
        "Stage": members["Stage"],
        "ApiMappingKey": check_mapping_key(members.get("ApiMappingKey") or ""),
    }


def check_key_free(mappings: list[dict[str, Any]], key: str, own_id: str | None = None) -> None:
    if any(m["ApiMappingKey"] == key and m["ApiMappingId"] != own_id for m in mappings):
        raise ConflictException(f"ApiMapping key {key or '(none)'} already exists for this domain name")


def select_mapping(mappings: list[dict[str, Any]], path: str) -> tuple[dict[str, Any], str] | None:
    """The mapping that serves ``path`` on the domain (the longest key matching whole leading segments, else the
    empty key), and the path left for the API's stage."""
    best: tuple[dict[str, Any], str] | None = None
    for mapping in mappings:
        key = mapping["ApiMappingKey"]
        if not key:
            if best is None:
                best = (mapping, path or "/")
            continue
        prefix = "/" + key
        if path == prefix or path.startswith(prefix + "/"):
            if best is None or len(key) > len(best[0]["ApiMappingKey"]):
                best = (mapping, path[len(prefix) :] or "/")
    return best
