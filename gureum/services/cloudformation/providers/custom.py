"""Custom resources (AWS::CloudFormation::CustomResource, Custom::*): the request goes to the ServiceToken's Lambda
function (an asynchronous invocation) or SNS topic, with a ResponseURL gureum serves; the response's Status,
PhysicalResourceId and Data are the resource's outcome, physical id and attributes."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return dict(props)


class Custom(Provider):
    type = "Custom::"
    replace = frozenset({"ServiceToken"})

    async def _send(
        self,
        ctx: Context,
        kind: str,
        props: dict[str, Any],
        physical: str | None,
        old: dict[str, Any] | None,
        resource_type: str,
    ) -> dict[str, Any]:
        if ctx.custom is None:
            raise ResourceFailure("custom resources are not available here")
        request: dict[str, Any] = {
            "RequestType": kind,
            "ResourceType": resource_type,
            "LogicalResourceId": ctx.logical_id,
            "ResourceProperties": _props(props),
        }
        if physical is not None:
            request["PhysicalResourceId"] = physical
        if old is not None:
            request["OldResourceProperties"] = _props(old)
        response = await ctx.custom(str(required(props, "ServiceToken")), request)
        if response.get("Status") != "SUCCESS":
            reason = response.get("Reason") or "See the details in CloudWatch Log Stream"
            raise ResourceFailure(f"Received response status [FAILED] from custom resource. Message returned: {reason}")
        return response

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        response = await self._send(ctx, "Create", props, None, None, ctx.resource_type)
        physical = str(response.get("PhysicalResourceId") or ctx.name())
        data = response.get("Data") if isinstance(response.get("Data"), dict) else {}
        return Created(physical, {str(k): v for k, v in (data or {}).items()})

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        response = await self._send(ctx, "Update", new, physical_id, old, ctx.resource_type)
        data = response.get("Data") if isinstance(response.get("Data"), dict) else {}
        return {str(k): v for k, v in (data or {}).items()}

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await self._send(ctx, "Delete", props, physical_id, None, ctx.resource_type)


PROVIDERS = [Custom()]
