"""The SesMail port as SES v2's operations reach it, and SES v1's error codes answered in SES v2's."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ...aws.context import RequestContext
from ...aws.errors import ServiceError
from ...aws.paging import offset_page
from ...ports import SesMail

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

# SES v1 code → (SES v2 code, HTTP status)
_CODES = {
    "TemplateDoesNotExist": ("NotFoundException", 404),
    "ConfigurationSetDoesNotExist": ("NotFoundException", 404),
    "EventDestinationDoesNotExist": ("NotFoundException", 404),
    "NotFoundException": ("NotFoundException", 404),
    "AlreadyExists": ("AlreadyExistsException", 400),
    "ConfigurationSetAlreadyExists": ("AlreadyExistsException", 400),
    "EventDestinationAlreadyExists": ("AlreadyExistsException", 400),
    "InvalidParameterValue": ("BadRequestException", 400),
    "InvalidPolicy": ("BadRequestException", 400),
    "AccessDenied": ("AccessDeniedException", 403),
    "MailFromDomainNotVerifiedException": ("MailFromDomainNotVerifiedException", 400),
    "InvalidTemplate": ("BadRequestException", 400),
    "MissingRenderingAttribute": ("BadRequestException", 400),
    "InvalidRenderingParameter": ("BadRequestException", 400),
    "MessageRejected": ("MessageRejected", 400),
    "Throttling": ("TooManyRequestsException", 429),
    "AccountSendingPausedException": ("SendingPausedException", 400),
    "ConfigurationSetSendingPausedException": ("SendingPausedException", 400),
    "LimitExceeded": ("LimitExceededException", 400),
}


def mail(ctx: RequestContext) -> SesMail:
    return ctx.runtime.port(SesMail)


def v2_error(error: ServiceError) -> ServiceError:
    """The error SES v2 answers for one the shared backend raised in SES v1's terms."""
    code, status = _CODES.get(error.code, (error.code, error.status))
    if error.code == "Throttling" and error.message.startswith("Daily"):
        code, status = "LimitExceededException", 400
    return ServiceError(error.message, code=code, status=status, type_name=code)


def translated(fn: F) -> F:
    """Wrap an operation so the backend's SES v1 errors reach the client in SES v2's codes."""

    @functools.wraps(fn)
    async def wrapper(ctx: RequestContext, req: dict[str, Any]) -> Any:
        try:
            return await fn(ctx, req)
        except ServiceError as error:
            raise v2_error(error) from None

    return wrapper  # type: ignore[return-value]


def tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """Tags in SES v2's [{"Key", "Value"}] shape."""
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def paged(items: list[Any], req: dict[str, Any], member: str, most: int = 1000) -> dict[str, Any]:
    """A List operation's answer: ``items`` from the request's NextToken on, PageSize of them (at most ``most``,
    the operation's limit, which is also the page when none is asked for), under ``member``, with the NextToken
    of the rest."""
    page, token = offset_page(items, req.get("NextToken"), min(int(req.get("PageSize") or most), most))
    return {member: page, "NextToken": token} if token is not None else {member: page}
