"""Lambda layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayerVersions, ListLayers, DeleteLayerVersion,
and resolving a function's Layers to the zips unpacked, in order, into the folder AWS calls /opt.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import ResourceNotFoundException, ServiceError, invalid
from .functions import code_sha256, timestamp

_LAYER_NAME = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:)?(?P<name>[a-zA-Z0-9-_]{1,140})$"
)
_LAYER_VERSION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)$"
)
MAX_LAYERS = 5


def _where(ctx: RequestContext, layer_name: str) -> tuple[str, str, str]:
    match = _LAYER_NAME.match(layer_name)
    if match is None:
        raise invalid(
            f"1 validation error detected: Value '{layer_name}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern"
        )
    return match.group("account") or ctx.account, match.group("region") or ctx.region, match.group("name")


def _not_found() -> ServiceError:
    return ResourceNotFoundException("The resource you requested does not exist.", fields={"Type": "User"})


def _out(ctx: RequestContext, account: str, region: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    location = f"{ctx.request.base_url}/_gureum/lambda/code?account={account}&sha={quote(config['sha'], safe='')}"
    out = {k: v for k, v in config.items() if k not in ("sha", "CodeSize")}
    return {
        **out,
        "LayerArn": arn,
        "LayerVersionArn": f"{arn}:{config['Version']}",
        "Content": {"Location": location, "CodeSha256": config["sha"], "CodeSize": config["CodeSize"]},
    }


def resolve_layers(tx: Tx, arns: list[str]) -> tuple[dict[str, Any], ...]:
    """A function's Layers parameter → its stored layer entries (InvalidParameterValueException for unknown ones)."""
    if len(arns) > MAX_LAYERS:
        raise invalid(f"Cannot reference more than {MAX_LAYERS} layers.")
    out = []
    for arn in arns:
        match = _LAYER_VERSION_ARN.match(arn)
        config = (
            None
            if match is None
            else store.get_layer_version(
                tx, match.group("account"), match.group("region"), match.group("name"), int(match.group("version"))
            )
        )
        if config is None:
            raise invalid(f"Layer version {arn} does not exist.")
        out.append({"Arn": arn, "CodeSize": config["CodeSize"], "sha": config["sha"]})
    return tuple(out)


@SERVICE.op("PublishLayerVersion")
async def publish_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    from .ops_functions import _read_zip  # the same package checks as function code

    account, region, name = _where(ctx, req["LayerName"])
    content = req.get("Content") or {}
    if content.get("S3Bucket") or not content.get("ZipFile"):
        raise invalid("Please provide the layer's content as ZipFile (gureum has no S3 to fetch it from yet).")
    zip_bytes = bytes(content["ZipFile"])
    _read_zip(zip_bytes)
    sha = code_sha256(zip_bytes)
    config: dict[str, Any] = {
        "LayerName": name,
        "Description": req.get("Description") or "",
        "CreatedDate": timestamp(ctx.runtime.clock.now()),
        "sha": sha,
        "CodeSize": len(zip_bytes),
    }
    for member in ("CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures"):
        if req.get(member):
            config[member] = req[member]

    def publish(tx: Tx) -> int:
        store.put_code(tx, account, sha, zip_bytes)
        return store.insert_layer_version(tx, account, region, name, config)

    config["Version"] = await ctx.runtime.store.write(publish)
    return _out(ctx, account, region, name, config)


async def _get(ctx: RequestContext, account: str, region: str, name: str, version: int) -> dict[str, Any]:
    config = await ctx.runtime.store.read(lambda tx: store.get_layer_version(tx, account, region, name, version))
    if config is None:
        raise _not_found()
    return _out(ctx, account, region, name, config)


@SERVICE.op("GetLayerVersion")
async def get_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _where(ctx, req["LayerName"])
    return await _get(ctx, account, region, name, req["VersionNumber"])


@SERVICE.op("GetLayerVersionByArn")
async def get_layer_version_by_arn(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    match = _LAYER_VERSION_ARN.match(req["Arn"])
    if match is None:
        raise invalid(
            f"1 validation error detected: Value '{req['Arn']}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern"
        )
    return await _get(
        ctx, match.group("account"), match.group("region"), match.group("name"), int(match.group("version"))
    )


def _matches(config: dict[str, Any], req: dict[str, Any]) -> bool:
    runtime, arch = req.get("CompatibleRuntime"), req.get("CompatibleArchitecture")
    return (not runtime or runtime in (config.get("CompatibleRuntimes") or [])) and (
        not arch or arch in (config.get("CompatibleArchitectures") or [])
    )


def _item(ctx: RequestContext, account: str, region: str, name: str, config: dict[str, Any]) -> dict[str, Any]:
    out = _out(ctx, account, region, name, config)
    return {k: v for k, v in out.items() if k not in ("Content", "LayerArn")}


@SERVICE.op("ListLayerVersions")
async def list_layer_versions(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _where(ctx, req["LayerName"])
    versions = await ctx.runtime.store.read(lambda tx: store.list_layer_versions(tx, account, region, name))
    return {"LayerVersions": [_item(ctx, account, region, name, c) for c in versions if _matches(c, req)]}


@SERVICE.op("ListLayers")
async def list_layers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    versions = await ctx.runtime.store.read(lambda tx: store.list_layer_versions(tx, ctx.account, ctx.region, None))
    latest: dict[str, dict[str, Any]] = {}
    for config, name in ((c, c["LayerName"]) for c in versions if _matches(c, req)):
        latest.setdefault(name, config)  # newest first per name
    layers = [{"LayerName": name, "LayerArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:layer:{name}", "LatestMatchingVersion": _item(ctx, ctx.account, ctx.region, name, config)}
              for name, config in sorted(latest.items())]  # fmt: skip
    return {"Layers": layers}


@SERVICE.op("DeleteLayerVersion")
async def delete_layer_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    account, region, name = _where(ctx, req["LayerName"])
    await ctx.runtime.store.write(
        lambda tx: store.delete_layer_version(tx, account, region, name, req["VersionNumber"])
    )
    return {}
