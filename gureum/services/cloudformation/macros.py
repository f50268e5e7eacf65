"""Macros: AWS::CloudFormation::Macro registrations (a name → the Lambda function that processes fragments naming
it), the AWS::Include transform (a template snippet read from S3), and running macros as CloudFormation does —
every Fn::Transform of the template first, the most deeply nested first (its object's other members are the
fragment, the result replaces the object), then the template-level Transform list in order (the template is the
fragment). A macro's function gets AWS's event (region, accountId, fragment, transformId, params, requestId,
templateParameterValues) and answers {requestId, status, fragment, errorMessage}."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ...clock import Clock
from ...store.base import Store
from . import store, template
from .caller import AwsCaller
from .errors import ResourceFailure, TemplateError

INCLUDE = "AWS::Include"
_MAX_DEPTH = 64
_MAX_RUNS = 100  # macros a template may run (AWS's own limit of macros per template)


class MacroRegistry:
    """The macros of one account and region that one stack registers (the provider's side)."""

    def __init__(self, db: Store, clock: Clock, account: str, region: str, stack_id: str) -> None:
        self.db, self.clock = db, clock
        self.account, self.region, self.stack_id = account, region, stack_id

    async def register(self, name: str, function: str) -> None:
        def write(tx: Any) -> bool:
            return store.put_macro(tx, self.account, self.region, name, function, self.stack_id, self.clock.now())

        if not await self.db.write(write):
            raise ResourceFailure(
                f"Resource of type 'AWS::CloudFormation::Macro' with identifier '{name}' already exists."
            )

    async def forget(self, name: str) -> None:
        await self.db.write(lambda tx: store.drop_macro(tx, self.account, self.region, name, self.stack_id))


def has_snippets(value: Any, depth: int = 0) -> bool:
    """Whether a template holds any Fn::Transform."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return "Fn::Transform" in value or any(has_snippets(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(has_snippets(v, depth + 1) for v in value)
    return False


class Expansion:
    """One template's macros run for one stack operation."""

    def __init__(
        self,
        db: Store,
        caller: AwsCaller,
        fetch: Callable[[str], Awaitable[str]],
        values: dict[str, Any],
    ) -> None:
        self.db, self.caller, self.fetch, self.values = db, caller, fetch, values
        self.runs = 0

    async def snippets(self, value: Any, depth: int = 0) -> Any:
        """``value`` with every Fn::Transform in it expanded, the innermost first."""
        if depth > _MAX_DEPTH:
            raise TemplateError("Template format error: Fn::Transform nested too deeply")
        if isinstance(value, list):
            return [await self.snippets(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: (v if k == "Fn::Transform" else await self.snippets(v, depth + 1)) for k, v in value.items()}
        if "Fn::Transform" not in out:
            return out
        spec = out.pop("Fn::Transform")
        if not isinstance(spec, dict) or not isinstance(spec.get("Name"), str):
            raise TemplateError("Template format error: Fn::Transform must be an object with a Name")
        params = spec.get("Parameters") or {}
        if spec["Name"] == INCLUDE:
            snippet = await self.include(params)
            return {**out, **snippet} if out and isinstance(snippet, dict) else snippet
        return await self.run(spec["Name"], out, params)

    async def include(self, params: Any) -> Any:
        location = params.get("Location") if isinstance(params, dict) else None
        if not isinstance(location, str) or not location:
            raise TemplateError(f"Transform {INCLUDE} failed with: Location is a required parameter")
        if location.startswith("s3://"):
            bucket, _, key = location[5:].partition("/")
            location = f"https://{bucket}.s3.amazonaws.com/{key}"
        text = await self.fetch(location)
        try:
            return await asyncio.to_thread(template.parse, text)
        except TemplateError as error:
            raise TemplateError(f"Transform {INCLUDE} failed with: {error.message}") from None

    async def run(self, name: str, fragment: Any, params: Any) -> Any:
        """The fragment a macro's Lambda function returns for ``fragment``."""
        account, region = self.caller.account, self.caller.region
        transform_id = f"{account}::{name}"
        function = await self.db.read(lambda tx: store.macro_function(tx, account, region, name))
        if function is None:
            raise TemplateError(f"No transform named {transform_id} found.")
        self.runs += 1
        if self.runs > _MAX_RUNS:
            raise TemplateError(f"Template format error: more than {_MAX_RUNS} macros in one template")
        request_id = str(uuid.uuid4())
        event = {
            "region": region,
            "accountId": account,
            "fragment": fragment,
            "transformId": transform_id,
            "params": params if isinstance(params, dict) else {},
            "requestId": request_id,
            "templateParameterValues": self.values,
        }
        failed = f"Transform {transform_id} failed with"
        try:
            answer = await self.caller("lambda", "Invoke", {"FunctionName": function, "Payload": json.dumps(event)})
        except ResourceFailure as error:
            raise TemplateError(f"{failed}: {error.message}") from None
        payload = answer.get("Payload") or b""
        if answer.get("FunctionError"):
            raise TemplateError(f"{failed}: Failed to execute transform function: {bytes(payload).decode()[:500]}")
        try:
            response = json.loads(payload or b"null")
        except ValueError:
            response = None
        if not isinstance(response, dict):
            raise TemplateError(f"{failed}: the macro's response is not a JSON object")
        if str(response.get("status", "")).lower() != "success":
            raise TemplateError(f"{failed}: {response.get('errorMessage') or 'the macro reported a failure'}")
        if response.get("requestId") != request_id:
            raise TemplateError(f"{failed}: the response's requestId is not the request's")
        if "fragment" not in response:
            raise TemplateError(f"{failed}: the macro's response has no fragment")
        return response["fragment"]

    async def template_level(self, doc: dict[str, Any], entry: Any) -> dict[str, Any]:
        """The template after one entry of its Transform section (AWS::Include or a macro)."""
        name = entry if isinstance(entry, str) else entry.get("Name") if isinstance(entry, dict) else None
        params = entry.get("Parameters") if isinstance(entry, dict) else {}
        if not isinstance(name, str):
            raise TemplateError("Template format error: every Transform must name a transform")
        if name == INCLUDE:
            snippet = await self.include(params)
            if not isinstance(snippet, dict):
                raise TemplateError(f"Transform {INCLUDE} failed with: the snippet is not an object")
            out = dict(doc)
            for section, content in snippet.items():
                if isinstance(out.get(section), dict) and isinstance(content, dict):
                    out[section] = {**out[section], **content}
                else:
                    out[section] = content
            return out
        result = await self.run(name, {k: v for k, v in doc.items() if k != "Transform"}, params)
        if not isinstance(result, dict):
            raise TemplateError(f"Transform {self.caller.account}::{name} failed with: the fragment is not a template")
        return {**result, "Transform": doc.get("Transform")}
