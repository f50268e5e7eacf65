"""SES v1 identity operations (email addresses and domains, their verification and DKIM tokens): each calls one
SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .identities import DOMAIN, EMAIL, SUCCESS
from .paging import paged


@SERVICE.op("VerifyEmailIdentity")
async def verify_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).verify_email(ctx.account, ctx.region, req["EmailAddress"], ctx.request.base_url)
    return {}


@SERVICE.op("VerifyEmailAddress")
async def verify_email_address(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).verify_email(ctx.account, ctx.region, req["EmailAddress"], ctx.request.base_url)


@SERVICE.op("VerifyDomainIdentity")
async def verify_domain_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    identity = await backend(ctx).verify_domain(ctx.account, ctx.region, req["Domain"])
    return {"VerificationToken": identity.token}


@SERVICE.op("VerifyDomainDkim")
async def verify_domain_dkim(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    identity = await backend(ctx).verify_domain(ctx.account, ctx.region, req["Domain"])
    return {"DkimTokens": list(identity.dkim_tokens)}


@SERVICE.op("ListIdentities")
async def list_identities(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).list_identities(ctx.account, ctx.region, req.get("IdentityType"))
    return paged([i.name for i in found], req, "Identities", 1000)


@SERVICE.op("ListVerifiedEmailAddresses")
async def list_verified_email_addresses(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).list_identities(ctx.account, ctx.region, EMAIL)
    return {"VerifiedEmailAddresses": [i.name for i in found if i.status == SUCCESS]}


@SERVICE.op("GetIdentityVerificationAttributes")
async def get_identity_verification_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).identities(ctx.account, ctx.region, req["Identities"])
    attributes: dict[str, Any] = {}
    for name, identity in found.items():
        attributes[name] = {"VerificationStatus": identity.status}
        if identity.kind == DOMAIN:
            attributes[name]["VerificationToken"] = identity.token
    return {"VerificationAttributes": attributes}


@SERVICE.op("GetIdentityDkimAttributes")
async def get_identity_dkim_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).identities(ctx.account, ctx.region, req["Identities"])
    enabled = await backend(ctx).dkim_enabled(ctx.account, ctx.region, list(found))
    attributes: dict[str, Any] = {}
    for name, identity in found.items():
        attributes[name] = {
            "DkimEnabled": enabled.get(name, bool(identity.dkim_tokens)),
            "DkimVerificationStatus": identity.dkim_status,
        }
        if identity.dkim_tokens:
            attributes[name]["DkimTokens"] = list(identity.dkim_tokens)
    return {"DkimAttributes": attributes}


@SERVICE.op("DeleteIdentity")
async def delete_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_identity(ctx.account, ctx.region, req["Identity"], must_exist=False)
    return {}


@SERVICE.op("DeleteVerifiedEmailAddress")
async def delete_verified_email_address(ctx: RequestContext, req: dict[str, Any]) -> None:
    await backend(ctx).delete_identity(ctx.account, ctx.region, req["EmailAddress"], must_exist=False)


@SERVICE.op("SetIdentityDkimEnabled")
async def set_identity_dkim_enabled(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_dkim_enabled(ctx.account, ctx.region, req["Identity"], bool(req["DkimEnabled"]), v1=True)
    return {}
