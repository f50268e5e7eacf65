"""AccessAnalyzerBackend: ValidatePolicy with plain arguments (findings paged by maxResults / nextToken). Keeps no
state: a policy is validated wherever the call lands."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import validation
from .errors import invalid

DEFAULT_RESULTS = 100  # findings per page when maxResults is not given


def backend(ctx: RequestContext) -> AccessAnalyzerBackend:
    return ctx.runtime.state(AccessAnalyzerBackend)


class AccessAnalyzerBackend:
    def validate_policy(
        self,
        document: str,
        policy_type: str,
        resource_type: str | None,
        locale: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> dict[str, Any]:
        if locale not in (None, "EN"):
            raise invalid(f"gureum words findings in English only: locale {locale} is not supported.", field="locale")
        if max_results is not None and max_results < 1:
            raise invalid("maxResults must be at least 1.", field="maxResults")
        start = 0
        if next_token:
            if not next_token.isdigit():
                raise invalid("The nextToken is not valid.", field="nextToken")
            start = int(next_token)
        found = validation.findings(document, policy_type, resource_type)
        end = start + (max_results or DEFAULT_RESULTS)
        out: dict[str, Any] = {"findings": found[start:end]}
        if end < len(found):
            out["nextToken"] = str(end)
        return out
