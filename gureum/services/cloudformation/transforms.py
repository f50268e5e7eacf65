"""Template transforms: AWS::Serverless-2016-10-31 (SAM) expanded by AWS's own open-source SAM translator (the
aws-sam-translator package, run in a worker thread), with the AWS managed policies it names resolved through IAM's
ListPolicies; AWS::LanguageExtensions (Fn::Length, Fn::ToJsonString: evaluated by intrinsics); AWS::Include and
macros (macros.py)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

from ...runtime import Runtime
from . import macros
from .caller import AwsCaller
from .errors import ResourceFailure, TemplateError

SAM = "AWS::Serverless-2016-10-31"
LANGUAGE = "AWS::LanguageExtensions"


class _Policies:
    """samtranslator's ManagedPolicyLoader interface over a name → ARN map read beforehand."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    def load(self) -> dict[str, str]:
        return self._names


async def _managed_policies(runtime: Runtime, account: str, region: str) -> dict[str, str]:
    caller = AwsCaller(runtime, account, region, "localhost", None)
    names: dict[str, str] = {}
    marker: str | None = None
    for _ in range(50):
        params: dict[str, Any] = {"Scope": "AWS", "MaxItems": 1000}
        if marker:
            params["Marker"] = marker
        try:
            page = await caller("iam", "ListPolicies", params)
        except ResourceFailure:
            break
        names.update({p["PolicyName"]: p["Arn"] for p in page.get("Policies") or []})
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            break
    return names


class SamTranslations:
    """One SAM translation at a time per process: the translator keeps the region in a class attribute
    (ArnGenerator.BOTO_SESSION_REGION_NAME), so translations for two regions must not overlap."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()


def _sam(doc: dict[str, Any], values: dict[str, Any], policies: dict[str, str], region: str) -> dict[str, Any]:
    """samtranslator's transform() with the stack's region given to it (a session-like object carrying only the
    region: the translator reads nothing else from it) instead of the process's boto3 default session."""
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # its metrics warn "unpublished metrics" per call
    try:
        to_py27_compatible_template(doc, values)
        translator = Translator(None, Parser(), boto_session=SimpleNamespace(region_name=region))
        out = translator.translate(doc, parameter_values=values, get_managed_policy_map=lambda: policies)
        return dict(undo_mark_unicode_str_in_template(out))
    except InvalidDocumentException as error:
        causes = " ".join(str(getattr(c, "message", c)) for c in getattr(error, "causes", []))
        raise TemplateError(f"Transform {SAM} failed with: {error.message} {causes}".strip()) from None
    except Exception as error:
        raise TemplateError(f"Transform {SAM} failed with: {error}") from None


async def apply(
    runtime: Runtime,
    account: str,
    region: str,
    doc: dict[str, Any],
    given: list[dict[str, Any]],
    expansion: macros.Expansion,
) -> dict[str, Any]:
    """The template after its Fn::Transform snippets (innermost first) and then its Transform section in order."""
    out = dict(doc)
    if macros.has_snippets(out):
        out = await expansion.snippets(out)
    found = out.get("Transform")
    entries = found if isinstance(found, list) else [] if found is None else [found]
    for entry in entries:
        name = entry.get("Name") if isinstance(entry, dict) else entry
        if name == LANGUAGE:
            continue  # its functions are evaluated with the other intrinsics
        if name != SAM:
            out = await expansion.template_level(out, entry)
            continue
        values = {str(p.get("ParameterKey")): p.get("ParameterValue") for p in given if "ParameterValue" in p}
        values.update({"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"})
        policies = await _managed_policies(runtime, account, region)
        translations = runtime.state_or_none(SamTranslations) or runtime.keep(SamTranslations())
        async with translations.lock:
            out = await asyncio.to_thread(_sam, {**out, "Transform": SAM}, values, policies, region)
    out.pop("Transform", None)
    return out
