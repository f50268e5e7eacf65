"""AWS::CloudFormation::Macro: a macro name registered in the stack's account and region, processed by a Lambda
function (FunctionName) when a template's Transform or Fn::Transform names it (macros.py runs it)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required


class Macro(Provider):
    type = "AWS::CloudFormation::Macro"
    replace = frozenset({"Name"})
    name_property = "Name"
    system_tags = False

    async def _register(self, ctx: Context, name: str, props: dict[str, Any]) -> None:
        if ctx.macros is None:
            raise ResourceFailure("Macros are not available here")
        function = str(required(props, "FunctionName"))
        # the function must exist (CloudFormation checks it when the macro is made)
        await ctx.aws("lambda", "GetFunctionConfiguration", {"FunctionName": function})
        await ctx.macros.register(name, function)

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        name = str(required(props, "Name"))
        await self._register(ctx, name, props)
        return Created(name, {})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        await self._register(ctx, physical_id, new)
        return {}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        if ctx.macros is not None:
            await ctx.macros.forget(physical_id)


PROVIDERS = [Macro()]
