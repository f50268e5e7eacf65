"""AWS::SSM::Parameter through Parameter Store's operations (String and StringList: CloudFormation does not
create SecureString parameters)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tags_map, text_map

_SETTINGS = ("Description", "AllowedPattern", "Tier", "Policies", "DataType")


class Parameter(Provider):
    type = "AWS::SSM::Parameter"
    replace = frozenset({"Name"})
    name_property = "Name"
    tags_in_place = True
    drift = frozenset({"Type", "Value", "Description", "AllowedPattern", "DataType"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = props.get("Name") or ctx.name(1011)
        await self._put(ctx, name, props, overwrite=False)
        return Created(name, await self._attributes(ctx, name))

    async def read(self, ctx: Context, physical_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
        found = (await ctx.aws("ssm", "GetParameter", {"Name": physical_id}))["Parameter"]
        described = await ctx.aws(
            "ssm", "DescribeParameters", {"ParameterFilters": [{"Key": "Name", "Values": [physical_id]}]}
        )
        meta = (described.get("Parameters") or [{}])[0]
        out = {"Type": found["Type"], "Value": found["Value"], "DataType": found.get("DataType", "text")}
        out.update({k: meta[k] for k in ("Description", "AllowedPattern") if k in meta})
        return out

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        if any(old.get(k) != new.get(k) for k in ("Type", "Value", *_SETTINGS)):
            await self._put(ctx, physical_id, new, overwrite=True)
        before, after = tags_map(old, ctx.old_tags), tags_map(new, ctx.tags)
        gone = [k for k in before if k not in after]
        if gone:
            await ctx.aws("ssm", "RemoveTagsFromResource", {"ResourceType": "Parameter", "ResourceId": physical_id,
                                                              "TagKeys": gone})  # fmt: skip
        changed = [{"Key": k, "Value": v} for k, v in after.items() if before.get(k) != v]
        if changed:
            await ctx.aws("ssm", "AddTagsToResource", {"ResourceType": "Parameter", "ResourceId": physical_id,
                                                         "Tags": changed})  # fmt: skip
        return await self._attributes(ctx, physical_id)

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("ssm", "DeleteParameter", {"Name": physical_id})

    @staticmethod
    async def _put(ctx: Context, name: str, props: dict[str, Any], overwrite: bool) -> None:
        kind = required(props, "Type")
        if kind not in ("String", "StringList"):
            raise ResourceFailure(
                f"Properties validation failed for resource {ctx.logical_id} with message: #/Type: {kind} is not a "
                "valid enum value (String, StringList; CloudFormation does not create SecureString parameters)"
            )
        value = required(props, "Value")
        params: dict[str, Any] = {
            "Name": name, "Type": kind, "Value": ",".join(value) if isinstance(value, list) else str(value),
            "Overwrite": overwrite,
        }  # fmt: skip
        params.update(text_map({k: props[k] for k in _SETTINGS if k in props}))
        tags = tags_map(props, ctx.tags)
        if tags and not overwrite:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        await ctx.aws("ssm", "PutParameter", params)

    @staticmethod
    async def _attributes(ctx: Context, name: str) -> dict[str, Any]:
        found = (await ctx.aws("ssm", "GetParameter", {"Name": name}))["Parameter"]
        return {"Type": found["Type"], "Value": found["Value"]}


PROVIDERS = [Parameter()]
