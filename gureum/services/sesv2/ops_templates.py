"""SES v2 email templates: each calls one SesMail method and shapes SES v2's answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, translated


@SERVICE.op("CreateEmailTemplate")
@translated
async def create_email_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    content = req["TemplateContent"]
    await mail(ctx).create_template(
        ctx.account, ctx.region, req["TemplateName"], content.get("Subject"), content.get("Text"), content.get("Html"),
        {t["Key"]: t["Value"] for t in req.get("Tags") or []},
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateEmailTemplate")
@translated
async def update_email_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    content = req["TemplateContent"]
    await mail(ctx).update_template(
        ctx.account, ctx.region, req["TemplateName"], content.get("Subject"), content.get("Text"), content.get("Html")
    )
    return {}


@SERVICE.op("GetEmailTemplate")
@translated
async def get_email_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    subject, text, html = await mail(ctx).get_template(ctx.account, ctx.region, req["TemplateName"])
    content = {k: v for k, v in (("Subject", subject), ("Text", text), ("Html", html)) if v is not None}
    return {"TemplateName": req["TemplateName"], "TemplateContent": content}


@SERVICE.op("ListEmailTemplates")
@translated
async def list_email_templates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).list_templates(ctx.account, ctx.region)
    templates = [{"TemplateName": name, "CreatedTimestamp": at} for name, at in found]
    return paged(templates, req, "TemplatesMetadata", 100)


@SERVICE.op("DeleteEmailTemplate")
@translated
async def delete_email_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_template(ctx.account, ctx.region, req["TemplateName"])
    return {}


@SERVICE.op("TestRenderEmailTemplate")
@translated
async def test_render_email_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rendered = await mail(ctx).render_template(ctx.account, ctx.region, req["TemplateName"], req["TemplateData"])
    return {"RenderedTemplate": rendered}
