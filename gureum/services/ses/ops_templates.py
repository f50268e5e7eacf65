"""SES v1 template operations: each calls one SesBackend method and shapes its answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend
from .paging import paged


def _parts(template: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    return template.get("SubjectPart"), template.get("TextPart"), template.get("HtmlPart")


@SERVICE.op("CreateTemplate")
async def create_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    template = req["Template"]
    await backend(ctx).create_template(ctx.account, ctx.region, template["TemplateName"], _parts(template))
    return {}


@SERVICE.op("UpdateTemplate")
async def update_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    template = req["Template"]
    await backend(ctx).update_template(ctx.account, ctx.region, template["TemplateName"], _parts(template))
    return {}


@SERVICE.op("GetTemplate")
async def get_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    subject, text, html = await backend(ctx).get_template(ctx.account, ctx.region, req["TemplateName"])
    template: dict[str, Any] = {"TemplateName": req["TemplateName"], "SubjectPart": subject}
    if text is not None:
        template["TextPart"] = text
    if html is not None:
        template["HtmlPart"] = html
    return {"Template": template}


@SERVICE.op("ListTemplates")
async def list_templates(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).list_templates(ctx.account, ctx.region)
    return paged([{"Name": name, "CreatedTimestamp": at} for name, at in found], req, "TemplatesMetadata", 100, 10)


@SERVICE.op("DeleteTemplate")
async def delete_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_template(ctx.account, ctx.region, req["TemplateName"], must_exist=False)
    return {}


@SERVICE.op("TestRenderTemplate")
async def test_render_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    rendered = await backend(ctx).render_template(ctx.account, ctx.region, req["TemplateName"], req["TemplateData"])
    return {"RenderedTemplate": rendered}
