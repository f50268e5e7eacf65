"""Template operations (ValidateTemplate, GetTemplate, GetTemplateSummary): each calls one backend method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("ValidateTemplate")
async def validate_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).validate_template(
        ctx.account, ctx.region, ctx.request.host, req.get("TemplateBody"), req.get("TemplateURL")
    )


@SERVICE.op("GetTemplate")
async def get_template(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_template(
        ctx.account, ctx.region, req.get("StackName"), req.get("ChangeSetName"), req.get("TemplateStage")
    )


@SERVICE.op("GetTemplateSummary")
async def get_template_summary(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_template_summary(
        ctx.account,
        ctx.region,
        ctx.request.host,
        req.get("TemplateBody"),
        req.get("TemplateURL"),
        req.get("StackName"),
    )
