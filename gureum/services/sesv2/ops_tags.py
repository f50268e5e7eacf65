"""SES v2 tags (TagResource, UntagResource, ListTagsForResource) of configuration sets, email identities, contact
lists and email templates, named by ARN: each calls one SesMail method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, tag_list, translated


@SERVICE.op("TagResource")
@translated
async def tag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = {t["Key"]: t["Value"] for t in req["Tags"]}
    await mail(ctx).tag_resource(ctx.account, ctx.region, req["ResourceArn"], tags)
    return {}


@SERVICE.op("UntagResource")
@translated
async def untag_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).tag_resource(ctx.account, ctx.region, req["ResourceArn"], {}, list(req["TagKeys"]))
    return {}


@SERVICE.op("ListTagsForResource")
@translated
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tag_list(await mail(ctx).tags(ctx.account, ctx.region, req["ResourceArn"]))}
