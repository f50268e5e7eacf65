"""Lambda layers as values: layer names and version ARNs, the layer version documents the API answers with, and
resolving a function's Layers to the stored zips unpacked, in order, into the folder AWS calls /opt. No HTTP."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from ...store.base import Tx
from . import store
from .errors import AccessDeniedException, invalid

_LAYER_NAME = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:)?(?P<name>[a-zA-Z0-9-_]{1,140})$"
)
_LAYER_VERSION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9-_]+)"
    r":(?P<version>[0-9]+)$"
)
MAX_LAYERS = 5
# PublishLayerVersion's members kept as given when set
_KEPT = ("CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures")


def _pattern_error(value: str, member: str) -> Exception:
    return invalid(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern"
    )


def where(layer_name: str, account: str, region: str) -> tuple[str, str, str]:
    """(account, region, name) of a LayerName (a name or a layer ARN); ``account`` and ``region`` for a name."""
    match = _LAYER_NAME.match(layer_name)
    if match is None:
        raise _pattern_error(layer_name, "layerName")
    return match.group("account") or account, match.group("region") or region, match.group("name")


def version_arn_parts(arn: str) -> tuple[str, str, str, int]:
    """(account, region, name, version) of a layer version ARN."""
    match = _LAYER_VERSION_ARN.match(arn)
    if match is None:
        raise _pattern_error(arn, "arn")
    return match.group("account"), match.group("region"), match.group("name"), int(match.group("version"))


def new_config(
    name: str, description: str | None, settings: dict[str, Any], sha: str, size: int, created: str
) -> dict[str, Any]:
    """What is stored of a layer version (its number is added when stored)."""
    config: dict[str, Any] = {"LayerName": name, "Description": description or "", "CreatedDate": created, "sha": sha,
                              "CodeSize": size}  # fmt: skip
    config.update({member: settings[member] for member in _KEPT if settings.get(member)})
    return config


def doc(base_url: str, account: str, region: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    """GetLayerVersion's answer: the stored config with its ARNs and Content (a download link on gureum)."""
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    location = f"{base_url}/_gureum/lambda/code?account={account}&sha={quote(config['sha'], safe='')}"
    out = {k: v for k, v in config.items() if k not in ("sha", "CodeSize", "policy", "policy_revision")}
    return {
        **out,
        "LayerArn": arn,
        "LayerVersionArn": f"{arn}:{config['Version']}",
        "Content": {"Location": location, "CodeSha256": config["sha"], "CodeSize": config["CodeSize"]},
    }


def item(base_url: str, account: str, region: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A LayerVersionsListItem."""
    out = doc(base_url, account, region, name, config)
    return {k: v for k, v in out.items() if k not in ("Content", "LayerArn")}


def matches(config: dict[str, Any], runtime: str | None, architecture: str | None) -> bool:
    """Whether a layer version suits a CompatibleRuntime and CompatibleArchitecture filter (None: any)."""
    return (not runtime or runtime in (config.get("CompatibleRuntimes") or [])) and (
        not architecture or architecture in (config.get("CompatibleArchitectures") or [])
    )


def latest_per_layer(base_url: str, account: str, region: str, versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ListLayers' entries: each layer with its newest version (``versions`` newest first per name)."""
    latest: dict[str, dict[str, Any]] = {}
    for config in versions:
        latest.setdefault(config["LayerName"], config)
    return [
        {
            "LayerName": name,
            "LayerArn": f"arn:aws:lambda:{region}:{account}:layer:{name}",
            "LatestMatchingVersion": item(base_url, account, region, name, config),
        }
        for name, config in sorted(latest.items())
    ]


def resolve_layers(tx: Tx, arns: list[str], account: str) -> tuple[dict[str, Any], ...]:
    """A function's Layers parameter → its stored layer entries (InvalidParameterValueException for unknown ones);
    ``account``, the function's, may use another account's layer version only where its permissions allow."""
    if len(arns) > MAX_LAYERS:
        raise invalid(f"Cannot reference more than {MAX_LAYERS} layers.")
    out = []
    for arn in arns:
        match = _LAYER_VERSION_ARN.match(arn)
        config = None
        if match is not None:
            owner, region, name = match.group("account"), match.group("region"), match.group("name")
            config = store.get_layer_version(tx, owner, region, name, int(match.group("version")))
            if config is not None:
                check_use(config, owner, account, arn)
        if config is None:
            raise invalid(f"Layer version {arn} does not exist.")
        out.append({"Arn": arn, "CodeSize": config["CodeSize"], "sha": config["sha"]})
    return tuple(out)


# --- a layer version's permissions (AddLayerVersionPermission, RemoveLayerVersionPermission) ------------------------


def check_use(config: dict[str, Any], owner: str, account: str, arn: str) -> None:
    """A layer version is its own account's; another account uses or reads it only where a statement of its policy
    grants lambda:GetLayerVersion to that account or to * (an OrganizationId condition never matches: gureum has no
    Organizations)."""
    if account == owner:
        return
    root = f"arn:aws:iam::{account}:root"
    for statement in config.get("policy") or []:
        principal = statement.get("Principal")
        granted = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") in (root, account))
        if granted and not statement.get("Condition"):
            return
    raise AccessDeniedException(
        f"User: {root} is not authorized to perform: lambda:GetLayerVersion on resource: {arn} because no "
        "resource-based policy allows the lambda:GetLayerVersion action"
    )


def permission_statement(
    arn: str, statement_id: str, action: str, principal: str, organization: str | None
) -> dict[str, Any]:
    if action != "lambda:GetLayerVersion":
        raise invalid("Action must be lambda:GetLayerVersion.")
    if principal != "*" and not re.fullmatch(r"\d{12}|arn:aws[\w-]*:iam::\d{12}:root", principal):
        raise invalid(f"The principal {principal} is not valid: an account id, an account's root ARN or *.")
    if organization and principal != "*":
        raise invalid("An OrganizationId can be given only with the principal *.")
    who: Any = "*" if principal == "*" else {"AWS": principal if principal.startswith("arn:") else
                                                    f"arn:aws:iam::{principal}:root"}  # fmt: skip
    statement: dict[str, Any] = {"Sid": statement_id, "Effect": "Allow", "Principal": who, "Action": action,
                                 "Resource": arn}  # fmt: skip
    if organization:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization}}
    return statement


def policy_document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements}, separators=(",", ":"))
