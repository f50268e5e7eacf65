"""SES v1 sending authorization and MAIL FROM: identity policies (Put/Get/List/Delete) and custom MAIL FROM
domains. Each calls one SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .authorization import identity_named
from .backend import backend


def _identity(ctx: RequestContext, req: dict[str, Any]) -> str:
    """The policy calls name the identity or give its ARN."""
    return identity_named(req["Identity"], ctx.account, ctx.region)


@SERVICE.op("PutIdentityPolicy")
async def put_identity_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).put_policy(ctx.account, ctx.region, _identity(ctx, req), req["PolicyName"], req["Policy"])
    return {}


@SERVICE.op("GetIdentityPolicies")
async def get_identity_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).policies(ctx.account, ctx.region, _identity(ctx, req), must_exist=False)
    return {"Policies": {name: found[name] for name in req["PolicyNames"] if name in found}}


@SERVICE.op("ListIdentityPolicies")
async def list_identity_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).policies(ctx.account, ctx.region, _identity(ctx, req), must_exist=False)
    return {"PolicyNames": list(found)}


@SERVICE.op("DeleteIdentityPolicy")
async def delete_identity_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_policy(ctx.account, ctx.region, _identity(ctx, req), req["PolicyName"], must_exist=False)
    return {}


@SERVICE.op("SetIdentityMailFromDomain")
async def set_identity_mail_from_domain(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_mail_from(
        ctx.account, ctx.region, req["Identity"], req.get("MailFromDomain"), req.get("BehaviorOnMXFailure"),
        must_exist=False,
    )  # fmt: skip
    return {}


@SERVICE.op("GetIdentityMailFromDomainAttributes")
async def get_identity_mail_from_domain_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).mail_from(ctx.account, ctx.region, list(req["Identities"]))
    attributes: dict[str, Any] = {}
    for name, (domain, behavior, status) in found.items():
        attributes[name] = {"BehaviorOnMXFailure": behavior}
        if domain:
            attributes[name].update({"MailFromDomain": domain, "MailFromDomainStatus": status})
    return {"MailFromDomainAttributes": attributes}
