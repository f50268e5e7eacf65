"""AWS::CloudFormation::Stack (nested stacks: a stack made from a TemplateURL through CloudFormation's own
CreateStack / UpdateStack / DeleteStack, its outputs the parent's Outputs.<Name> attributes) and
AWS::CloudFormation::WaitConditionHandle / WaitCondition (a URL gureum serves that signals are PUT to)."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceFailure
from .base import Context, Created, Provider, required, tags_list

_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
_WAIT_SECONDS = 3600.0


def _parameters(props: dict[str, Any]) -> list[dict[str, str]]:
    values = props.get("Parameters") or {}
    return [
        {"ParameterKey": str(k), "ParameterValue": ",".join(map(str, v)) if isinstance(v, list) else str(v)}
        for k, v in values.items()
    ]


async def _settle(ctx: Context, stack_id: str) -> dict[str, Any]:
    delay, waited = 0.01, 0.0
    while True:
        stack = (await ctx.aws("cloudformation", "DescribeStacks", {"StackName": stack_id}))["Stacks"][0]
        if not str(stack["StackStatus"]).endswith("_IN_PROGRESS"):
            return dict(stack)
        if waited > _WAIT_SECONDS:
            raise ResourceFailure(f"Embedded stack {stack_id} did not finish in time")
        await ctx.pause(delay)
        waited += delay
        delay = min(delay * 2, 1.0)


def _outputs(stack: dict[str, Any]) -> dict[str, Any]:
    return {f"Outputs.{o['OutputKey']}": o["OutputValue"] for o in stack.get("Outputs") or []}


class NestedStack(Provider):
    type = "AWS::CloudFormation::Stack"
    system_tags = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        params: dict[str, Any] = {
            "StackName": ctx.name(128),
            "TemplateURL": required(props, "TemplateURL"),
            "Parameters": _parameters(props),
            "Capabilities": _CAPABILITIES,
        }
        tags = tags_list(props, ctx.tags)
        if tags:
            params["Tags"] = tags
        for key in ("NotificationARNs", "TimeoutInMinutes"):
            if props.get(key) is not None:
                params[key] = int(props[key]) if key == "TimeoutInMinutes" else props[key]
        stack_id = (await ctx.aws("cloudformation", "CreateStack", params))["StackId"]
        stack = await _settle(ctx, stack_id)
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise ResourceFailure(
                f"Embedded stack {stack_id} was not successfully created: "
                f"{stack.get('StackStatusReason', stack['StackStatus'])}"
            )
        return Created(stack_id, _outputs(stack))

    async def update(
        self, ctx: Context, physical_id: str, old: dict[str, Any], new: dict[str, Any], attributes: dict[str, Any]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {
            "StackName": physical_id,
            "TemplateURL": required(new, "TemplateURL"),
            "Parameters": _parameters(new),
            "Capabilities": _CAPABILITIES,
        }
        try:
            await ctx.aws("cloudformation", "UpdateStack", params)
        except ResourceFailure as error:
            if "No updates are to be performed" not in error.message:
                raise
        stack = await _settle(ctx, physical_id)
        if stack["StackStatus"] not in ("UPDATE_COMPLETE", "CREATE_COMPLETE"):
            raise ResourceFailure(
                f"Embedded stack {physical_id} was not successfully updated: "
                f"{stack.get('StackStatusReason', stack['StackStatus'])}"
            )
        return _outputs(stack)

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        await ctx.aws("cloudformation", "DeleteStack", {"StackName": physical_id})
        stack = await _settle(ctx, physical_id)
        if stack["StackStatus"] != "DELETE_COMPLETE":
            raise ResourceFailure(
                f"Embedded stack {physical_id} was not successfully deleted: "
                f"{stack.get('StackStatusReason', stack['StackStatus'])}"
            )


class WaitConditionHandle(Provider):
    """Its physical id (and Ref) is the URL signals are PUT to."""

    type = "AWS::CloudFormation::WaitConditionHandle"
    system_tags = False
    updatable = False

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        if ctx.signals is None:
            raise ResourceFailure("wait conditions are not available here")
        return Created(ctx.signals.url(), {})

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        if ctx.signals is not None:
            await ctx.signals.forget(physical_id)


class WaitCondition(Provider):
    """Waits for Count SUCCESS signals (a FAILURE signal fails it) within Timeout seconds; the Data attribute is the
    signals' data by UniqueId, as JSON."""

    type = "AWS::CloudFormation::WaitCondition"
    system_tags = False
    replace = frozenset({"Handle", "Timeout", "Count"})

    async def create(self, ctx: Context, props: dict[str, Any]) -> Created:
        import json

        if ctx.signals is None:
            raise ResourceFailure("wait conditions are not available here")
        if "Handle" not in props:  # a CreationPolicy form (signals from EC2's cfn-signal): nothing here sends them
            raise ResourceFailure("AWS::CloudFormation::WaitCondition without a Handle is not supported by gureum")
        handle, count = str(props["Handle"]), int(props.get("Count", 1))
        timeout = min(float(props.get("Timeout", 43200)), 43200.0)
        waited, delay = 0.0, 0.01
        while True:
            signals = await ctx.signals.read(handle)
            failed = [s for s in signals if s.get("Status") == "FAILURE"]
            if failed:
                raise ResourceFailure(
                    f"WaitCondition received failed message: '{failed[0].get('Reason', '')}' for "
                    f"uniqueId: {failed[0].get('UniqueId', '')}"
                )
            done = [s for s in signals if s.get("Status") == "SUCCESS"]
            if len(done) >= count:
                data = {str(s.get("UniqueId", "")): s.get("Data") for s in done}
                return Created(ctx.name(), {"Data": json.dumps(data)})
            if waited >= timeout:
                raise ResourceFailure(
                    f"WaitCondition timed out. Received {len(done)} conditions when expecting {count}"
                )
            await ctx.pause(delay)
            waited += delay
            delay = min(delay * 2, 1.0)

    async def delete(self, ctx: Context, physical_id: str, props: dict[str, Any], attributes: dict[str, Any]) -> None:
        return None  # a wait condition is a record of signals received: nothing outside the stack to delete


PROVIDERS = [NestedStack(), WaitConditionHandle(), WaitCondition()]
