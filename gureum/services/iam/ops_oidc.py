"""OpenID Connect identity providers (GitHub Actions, EKS, …): the URL, its audiences (client ids), thumbprints, tags.

ARN: arn:aws:iam::{account}:oidc-provider/{url without https://}.
"""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from ...store.base import Tx
from . import SERVICE, store
from .errors import InvalidInput, LimitExceeded, NoSuchEntity
from .model import OIDC_CLIENT_IDS, OIDC_THUMBPRINTS, drop_tags, merge_tags, page
from .resources import create
from .store import Entity

_KIND = "oidc-provider"


def _host_path(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise InvalidInput("Invalid Url: must be an https:// URL.")
    return url[len("https://") :].rstrip("/")


def _check(thumbprints: list[str], client_ids: list[str]) -> None:
    if len(thumbprints) > OIDC_THUMBPRINTS:
        raise LimitExceeded(f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {OIDC_THUMBPRINTS}")
    if len(client_ids) > OIDC_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {OIDC_CLIENT_IDS}")
    for thumbprint in thumbprints:
        if len(thumbprint) != 40:
            raise InvalidInput(f"Thumbprint {thumbprint} is invalid: a thumbprint is 40 hexadecimal characters.")


def _claim(tx: Tx, account: str, arn: str) -> Entity:
    provider = store.claim_arn(tx, account, _KIND, arn)
    if provider is None:
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return provider


async def _change(ctx: RequestContext, arn: str, change: Any) -> None:
    def write(tx: Tx) -> None:
        provider = _claim(tx, ctx.account, arn)
        change(provider.data)
        store.save(tx, provider)

    await ctx.runtime.store.write(write)


@SERVICE.op("CreateOpenIDConnectProvider")
async def create_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    name = _host_path(req["Url"])
    client_ids = list(dict.fromkeys(req.get("ClientIDList") or []))
    thumbprints = list(dict.fromkeys(t.lower() for t in req.get("ThumbprintList") or []))
    _check(thumbprints, client_ids)
    data = {"ClientIDList": client_ids, "ThumbprintList": thumbprints, "Tags": merge_tags([], req.get("Tags") or [])}

    provider = await ctx.runtime.store.write(lambda tx: create(tx, ctx, _KIND, name, "/", data))
    return {"OpenIDConnectProviderArn": provider.arn, "Tags": data["Tags"] or None}


@SERVICE.op("GetOpenIDConnectProvider")
async def get_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = req["OpenIDConnectProviderArn"]
    provider = await ctx.runtime.store.read(lambda tx: store.by_arn(tx, ctx.account, _KIND, arn))
    if provider is None:
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    data = provider.data
    return {
        "Url": provider.name,
        "ClientIDList": data["ClientIDList"],
        "ThumbprintList": data["ThumbprintList"],
        "CreateDate": provider.created_at,
        "Tags": data["Tags"] or None,
    }


@SERVICE.op("ListOpenIDConnectProviders")
async def list_open_id_connect_providers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    providers = await ctx.runtime.store.read(lambda tx: store.all_of(tx, ctx.account, _KIND))
    return {"OpenIDConnectProviderList": [{"Arn": p.arn} for p in providers]}


@SERVICE.op("DeleteOpenIDConnectProvider")
async def delete_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await ctx.runtime.store.write(lambda tx: store.delete(tx, _claim(tx, ctx.account, req["OpenIDConnectProviderArn"])))
    return {}


@SERVICE.op("AddClientIDToOpenIDConnectProvider")
async def add_client_id(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def change(data: dict[str, Any]) -> None:
        if req["ClientID"] not in data["ClientIDList"]:
            data["ClientIDList"].append(req["ClientID"])
        _check(data["ThumbprintList"], data["ClientIDList"])

    await _change(ctx, req["OpenIDConnectProviderArn"], change)
    return {}


@SERVICE.op("RemoveClientIDFromOpenIDConnectProvider")
async def remove_client_id(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    def change(data: dict[str, Any]) -> None:
        data["ClientIDList"] = [c for c in data["ClientIDList"] if c != req["ClientID"]]

    await _change(ctx, req["OpenIDConnectProviderArn"], change)
    return {}


@SERVICE.op("UpdateOpenIDConnectProviderThumbprint")
async def update_thumbprint(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    thumbprints = list(dict.fromkeys(t.lower() for t in req["ThumbprintList"]))

    def change(data: dict[str, Any]) -> None:
        _check(thumbprints, data["ClientIDList"])
        data["ThumbprintList"] = thumbprints

    await _change(ctx, req["OpenIDConnectProviderArn"], change)
    return {}


@SERVICE.op("TagOpenIDConnectProvider")
async def tag_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _change(
        ctx,
        req["OpenIDConnectProviderArn"],
        lambda data: data.__setitem__("Tags", merge_tags(data["Tags"], req["Tags"])),
    )
    return {}


@SERVICE.op("UntagOpenIDConnectProvider")
async def untag_open_id_connect_provider(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await _change(
        ctx,
        req["OpenIDConnectProviderArn"],
        lambda data: data.__setitem__("Tags", drop_tags(data["Tags"], req["TagKeys"])),
    )
    return {}


@SERVICE.op("ListOpenIDConnectProviderTags")
async def list_open_id_connect_provider_tags(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    arn = req["OpenIDConnectProviderArn"]
    provider = await ctx.runtime.store.read(lambda tx: store.by_arn(tx, ctx.account, _KIND, arn))
    if provider is None:
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return page(provider.data["Tags"], req, lambda t: t, "Tags")
