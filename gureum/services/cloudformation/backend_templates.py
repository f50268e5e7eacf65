"""The template side of CloudFormationBackend: reading TemplateBody / TemplateURL (an S3 object, through S3's
GetObject), parsing off the event loop, transforms, the checks before an operation (structure, dependencies,
parameters, rules, capabilities), ValidateTemplate, GetTemplateSummary, stack policy documents."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from ...clock import Clock
from ...runtime import Runtime
from ...store.base import Store
from . import intrinsics, macros, parameters, policy, rules, template, transforms
from .caller import AwsCaller
from .errors import InsufficientCapabilitiesException, ResourceFailure, ServiceError, TemplateError, ValidationError
from .store import Stack

# what checking a malformed template raises besides TemplateError (a member of the wrong JSON type)
MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError)


def invalid(error: Exception) -> ServiceError:
    """The ValidationError a template problem is answered with."""
    if isinstance(error, TemplateError):
        return ValidationError(error.message)
    return ValidationError(
        f"Template format error: a template member has the wrong type or value "
        f"({type(error).__name__}: {str(error)[:200]})"
    )


class Templates:
    """Mixed into CloudFormationBackend."""

    runtime: Runtime
    store: Store
    clock: Clock

    async def _stack(self, account: str, region: str, name: str) -> Stack:
        raise NotImplementedError

    # --- templates ----------------------------------------------------------------------------------------------

    async def load_template(
        self, account: str, region: str, host: str, body: str | None, url: str | None, limit_body: bool = True
    ) -> tuple[str, dict[str, Any]]:
        """(text, document) of TemplateBody or TemplateURL (an S3 object, read through S3's GetObject)."""
        if (body is None) == (url is None):
            raise ValidationError("Exactly one of TemplateBody or TemplateUrl must be specified.")
        if body is None:
            body = await self._fetch(account, region, host, str(url))
        elif limit_body and len(body.encode()) > template.MAX_BODY:
            raise ValidationError(
                f"1 validation error detected: Value '{body[:20]}…' at 'templateBody' failed to "
                f"satisfy constraint: Member must have length less than or equal to "
                f"{template.MAX_BODY}"
            )
        return body, await self.parse(body)

    async def parse(self, text: str) -> dict[str, Any]:
        """The document of a template's text (parsed in a worker thread: a template may be 1 MB)."""
        try:
            return await asyncio.to_thread(template.parse, text)
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None

    async def _fetch(self, account: str, region: str, host: str, url: str) -> str:
        parts = urlsplit(url)
        where = parts.hostname or ""
        path = parts.path.lstrip("/")
        if ".s3." in f".{where}" and not where.startswith(("s3.", "s3-")) and where.split(".")[0] != "s3":
            bucket, key = where.split(".s3", 1)[0], path
        else:
            bucket, _, key = path.partition("/")
        if parts.scheme not in ("http", "https") or not bucket or not key:
            raise ValidationError("TemplateURL must be a supported URL.")
        caller = AwsCaller(self.runtime, account, region, host, None)
        try:
            out = await caller("s3", "GetObject", {"Bucket": bucket, "Key": key})
        except ResourceFailure:
            raise ValidationError(f"S3 error: Access Denied or the object does not exist: {url}") from None
        data = out.get("Body") or b""
        if len(data) > template.MAX_URL_BODY:
            raise ValidationError("Template may not exceed 1000000 bytes in size.")
        if isinstance(data, str):
            return data
        try:
            return bytes(data).decode()
        except UnicodeDecodeError:
            raise ValidationError("Template format error: the template is not UTF-8 text") from None

    async def processed(
        self, account: str, region: str, doc: dict[str, Any], values: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The template after its transforms (SAM), checked; ValidationError otherwise."""
        snippets = macros.has_snippets(doc)
        try:
            if not snippets:  # a template with Fn::Transform is checked once they are expanded
                template.check(doc)
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None
        if template.transforms(doc) or snippets:
            caller = AwsCaller(self.runtime, account, region, "localhost", None)
            given = {str(p.get("ParameterKey")): p.get("ParameterValue") for p in values if "ParameterValue" in p}
            declared = doc.get("Parameters")
            defaults = {
                k: v.get("Default")
                for k, v in (declared.items() if isinstance(declared, dict) else [])
                if isinstance(v, dict) and "Default" in v
            }
            expansion = macros.Expansion(
                self.store,
                caller,
                lambda url: self._fetch(account, region, "localhost", url),
                {**defaults, **given},
            )
            try:
                doc = await transforms.apply(self.runtime, account, region, doc, values, expansion)
            except (TemplateError, *MALFORMED) as error:
                raise invalid(error) from None
            try:
                template.check(doc)
            except TemplateError as error:
                raise ValidationError(error.message) from None
        try:
            from . import graph

            graph.dependencies(doc)
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None
        return doc

    async def validate_template(
        self, account: str, region: str, host: str, body: str | None, url: str | None
    ) -> dict[str, Any]:
        _, doc = await self.load_template(account, region, host, body, url)
        try:
            snippets = macros.has_snippets(doc)  # checked once expanded, when a stack is made of it
            if not snippets:
                template.check(doc)
            if not template.transforms(doc) and not snippets:
                from . import graph

                graph.dependencies(doc)
            out: dict[str, Any] = {
                "Parameters": template.parameter_declarations(doc),
                "Capabilities": template.capabilities(doc),
                "DeclaredTransforms": template.transforms(doc),
            }
            if out["Capabilities"]:
                out["CapabilitiesReason"] = template.summary(doc).get("CapabilitiesReason", "")
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None
        if "Description" in doc:
            out["Description"] = doc["Description"]
        return out

    async def get_template_summary(
        self, account: str, region: str, host: str, body: str | None, url: str | None, stack_name: str | None
    ) -> dict[str, Any]:
        if stack_name is not None:
            stack = await self._stack(account, region, stack_name)
            doc = await self.parse(stack.doc.get("original") or "{}")
        else:
            _, doc = await self.load_template(account, region, host, body, url)
        try:
            if not macros.has_snippets(doc):  # checked once expanded
                template.check(doc)
            return template.summary(doc)
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None

    def _check_capabilities(self, doc: dict[str, Any], given: list[str], original: dict[str, Any]) -> None:
        needed = template.capabilities(doc)
        if needed == ["CAPABILITY_NAMED_IAM"] and "CAPABILITY_NAMED_IAM" not in given:
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_NAMED_IAM]")
        if needed == ["CAPABILITY_IAM"] and not {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(given):
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_IAM]")

    async def prepare(
        self,
        account: str,
        region: str,
        host: str,
        body: str | None,
        url: str | None,
        given: list[dict[str, Any]],
        previous: dict[str, str] | None,
        use_previous: str | None = None,
        capabilities: list[str] | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(original text, processed template, parameter values) of a stack operation; ValidationError otherwise.
        ``capabilities``: a CreateStack's or UpdateStack's, which must acknowledge macros before any runs (a change
        set's are not asked: its changes are reviewed before they are made)."""
        if use_previous is not None:
            text = use_previous
            doc = await self.parse(text)
        else:
            text, doc = await self.load_template(account, region, host, body, url)
        expands = template.transforms(doc) or macros.has_snippets(doc)
        if capabilities is not None and expands and "CAPABILITY_AUTO_EXPAND" not in capabilities:
            raise InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_AUTO_EXPAND]")
        processed = await self.processed(account, region, doc, given)
        try:
            values = parameters.resolve(processed.get("Parameters") or {}, given, previous)
            values = await self._resolve_ssm(account, region, host, processed.get("Parameters") or {}, values)
            scope = intrinsics.Scope(
                account, region, "", "", parameters=parameters.typed(processed.get("Parameters") or {}, values)
            )
            rules.check(processed, scope)
            intrinsics.evaluate_conditions(processed.get("Conditions") or {}, scope)  # their errors are the caller's
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None
        return text, processed, values

    async def _resolve_ssm(
        self, account: str, region: str, host: str, declared: dict[str, Any], values: dict[str, str]
    ) -> dict[str, str]:
        """The AWS::SSM::Parameter-typed parameters resolved through Parameter Store's GetParameters."""
        names = sorted(set(parameters.ssm_names(declared, values).values()))
        if not names:
            return values
        caller = AwsCaller(self.runtime, account, region, host, None)
        found: dict[str, str] = {}
        for start in range(0, len(names), 10):
            out = await caller("ssm", "GetParameters", {"Names": names[start : start + 10], "WithDecryption": True})
            found.update({p["Name"]: p["Value"] for p in out.get("Parameters") or []})
        return parameters.with_resolved(declared, values, found)

    async def policy_text(self, account: str, region: str, host: str, body: str | None, url: str | None) -> str | None:
        """A stack policy given as a body or an S3 URL, checked; None when neither is given."""
        if body is not None and url is not None:
            raise ValidationError("You cannot specify both StackPolicyURL and StackPolicyBody")
        text = body if body is not None else (await self._fetch(account, region, host, url) if url else None)
        if text is None:
            return None
        try:
            policy.parse(text)
        except (TemplateError, *MALFORMED) as error:
            raise invalid(error) from None
        return text
