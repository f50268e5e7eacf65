"""SES v1 sending operations (SendEmail, SendRawEmail, SendTemplatedEmail, SendBulkTemplatedEmail, SendBounce):
each calls one SesBackend method with the message's plain parts."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import BulkEntry, Outgoing, backend


def _tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Name"]: t["Value"] for t in tags or []}


def _outgoing(
    ctx: RequestContext, req: dict[str, Any], subject: str = "", text: str | None = None, html: str | None = None
) -> Outgoing:
    """The message's parts; its events name this operation (ses:operation) and the caller's address."""
    dest = req.get("Destination") or {}
    return Outgoing(
        req["Source"],
        list(dest.get("ToAddresses") or []),
        list(dest.get("CcAddresses") or []),
        list(dest.get("BccAddresses") or []),
        list(req.get("ReplyToAddresses") or []),
        subject,
        text,
        html,
        source_arn=req.get("SourceArn"),
        access_key=ctx.access_key,
        base_url=ctx.request.base_url,
        return_path=req.get("ReturnPath"),
        operation=ctx.operation,
        source_ip=ctx.request.peer,
    )


@SERVICE.op("SendEmail")
async def send_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    message = req["Message"]
    body = message.get("Body") or {}
    text, html = (body.get("Text") or {}).get("Data"), (body.get("Html") or {}).get("Data")
    outgoing = _outgoing(ctx, req, message["Subject"]["Data"], text, html)
    ses_id = await backend(ctx).send(
        ctx.account, ctx.region, outgoing, req.get("ConfigurationSetName"), _tags(req.get("Tags"))
    )
    return {"MessageId": ses_id}


@SERVICE.op("SendRawEmail")
async def send_raw_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    data = req["RawMessage"]["Data"]
    raw = data if isinstance(data, bytes) else str(data).encode()
    outgoing = Outgoing(
        req.get("Source") or "", list(req.get("Destinations") or []), [], [], [], raw=raw,
        source_arn=req.get("SourceArn") or req.get("FromArn"), access_key=ctx.access_key,
        base_url=ctx.request.base_url, operation=ctx.operation, source_ip=ctx.request.peer,
    )  # fmt: skip
    ses_id = await backend(ctx).send(
        ctx.account, ctx.region, outgoing, req.get("ConfigurationSetName"), _tags(req.get("Tags"))
    )
    return {"MessageId": ses_id}


@SERVICE.op("SendTemplatedEmail")
async def send_templated_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ses_id = await backend(ctx).send_templated(
        ctx.account, ctx.region, _outgoing(ctx, req), req["Template"], req["TemplateData"],
        req.get("ConfigurationSetName"), _tags(req.get("Tags")),
    )  # fmt: skip
    return {"MessageId": ses_id}


@SERVICE.op("SendBulkTemplatedEmail")
async def send_bulk_templated_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    entries = [
        BulkEntry(
            list((d.get("Destination") or {}).get("ToAddresses") or []),
            list((d.get("Destination") or {}).get("CcAddresses") or []),
            list((d.get("Destination") or {}).get("BccAddresses") or []),
            d.get("ReplacementTemplateData"),
            _tags(d.get("ReplacementTags")),
        )
        for d in req["Destinations"]
    ]
    results = await backend(ctx).send_bulk(
        ctx.account, ctx.region, _outgoing(ctx, {**req, "Destination": {}}), req["Template"],
        req.get("DefaultTemplateData"), entries, req.get("ConfigurationSetName"), _tags(req.get("DefaultTags")),
    )  # fmt: skip
    status = []
    for code, error, ses_id in results:
        daily = code == "Throttling" and "Daily" in (error or "")
        item: dict[str, Any] = {"Status": "AccountDailyQuotaExceeded" if daily else _BULK_STATUS.get(code, "Failed")}
        if error:
            item["Error"] = error
        if ses_id:
            item["MessageId"] = ses_id
        status.append(item)
    return {"Status": status}


@SERVICE.op("SendBounce")
async def send_bounce(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    ses_id = await backend(ctx).send_bounce(
        ctx.account, ctx.region, req["OriginalMessageId"], req["BounceSender"],
        list(req.get("BouncedRecipientInfoList") or []), req.get("Explanation"), req.get("MessageDsn"),
        req.get("BounceSenderArn"), ctx.access_key,
    )  # fmt: skip
    return {"MessageId": ses_id}


# an error code → SES v1's BulkEmailStatus
_BULK_STATUS = {
    "Success": "Success",
    "MessageRejected": "MessageRejected",
    "ConfigurationSetDoesNotExist": "ConfigurationSetDoesNotExist",
    "TemplateDoesNotExist": "TemplateDoesNotExist",
    "Throttling": "AccountThrottled",
    "AccountSendingPausedException": "AccountSendingPaused",
    "ConfigurationSetSendingPausedException": "ConfigurationSetSendingPaused",
    "InvalidParameterValue": "InvalidParameterValue",
    "MissingRenderingAttribute": "InvalidParameterValue",
    "InvalidRenderingParameter": "InvalidParameterValue",
}
