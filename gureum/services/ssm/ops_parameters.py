"""Parameter Store's operations. Thin: each calls one SsmBackend method with plain arguments."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("PutParameter")
async def put_parameter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).put_parameter(
        ctx.account, ctx.region, ctx.access_key, req["Name"], req["Value"],
        type_=req.get("Type"), description=req.get("Description"), key_id=req.get("KeyId"),
        overwrite=bool(req.get("Overwrite")), allowed_pattern=req.get("AllowedPattern"), tags=req.get("Tags"),
        tier=req.get("Tier"), policies=req.get("Policies"), data_type=req.get("DataType"),
    )  # fmt: skip


@SERVICE.op("GetParameter")
async def get_parameter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await backend(ctx).get_parameter(ctx.account, ctx.region, req["Name"], bool(req.get("WithDecryption")))
    return {"Parameter": found}


@SERVICE.op("GetParameters")
async def get_parameters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_parameters(ctx.account, ctx.region, req["Names"], bool(req.get("WithDecryption")))


@SERVICE.op("GetParametersByPath")
async def get_parameters_by_path(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_parameters_by_path(
        ctx.account, ctx.region, req["Path"], bool(req.get("Recursive")), req.get("ParameterFilters") or [],
        bool(req.get("WithDecryption")), req.get("MaxResults"), req.get("NextToken"),
    )  # fmt: skip


@SERVICE.op("DescribeParameters")
async def describe_parameters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).describe_parameters(
        ctx.account, ctx.region, req.get("Filters") or [], req.get("ParameterFilters") or [], req.get("MaxResults"),
        req.get("NextToken"),
    )  # fmt: skip


@SERVICE.op("GetParameterHistory")
async def get_parameter_history(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).get_parameter_history(
        ctx.account, ctx.region, req["Name"], bool(req.get("WithDecryption")), req.get("MaxResults"),
        req.get("NextToken"),
    )  # fmt: skip


@SERVICE.op("DeleteParameter")
async def delete_parameter(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_parameter(ctx.account, ctx.region, req["Name"])
    return {}


@SERVICE.op("DeleteParameters")
async def delete_parameters(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).delete_parameters(ctx.account, ctx.region, req["Names"])


@SERVICE.op("LabelParameterVersion")
async def label_parameter_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).label_parameter_version(
        ctx.account, ctx.region, req["Name"], req.get("ParameterVersion"), req["Labels"]
    )


@SERVICE.op("UnlabelParameterVersion")
async def unlabel_parameter_version(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return await backend(ctx).unlabel_parameter_version(
        ctx.account, ctx.region, req["Name"], req["ParameterVersion"], req["Labels"]
    )


@SERVICE.op("AddTagsToResource")
async def add_tags_to_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).add_tags(ctx.account, ctx.region, req["ResourceType"], req["ResourceId"], req["Tags"])
    return {}


@SERVICE.op("RemoveTagsFromResource")
async def remove_tags_from_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).remove_tags(ctx.account, ctx.region, req["ResourceType"], req["ResourceId"], req["TagKeys"])
    return {}


@SERVICE.op("ListTagsForResource")
async def list_tags_for_resource(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    tags = await backend(ctx).list_tags(ctx.account, ctx.region, req["ResourceType"], req["ResourceId"])
    return {"TagList": tags}
