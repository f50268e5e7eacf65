"""SES v2 sending (SendEmail with Simple, Raw or Template content; SendBulkEmail): each calls one SesMail method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, translated

# an SES v1 error code → SES v2's BulkEmailStatus
_BULK_STATUS = {
    "Success": "SUCCESS",
    "MessageRejected": "MESSAGE_REJECTED",
    "ConfigurationSetDoesNotExist": "CONFIGURATION_SET_NOT_FOUND",
    "TemplateDoesNotExist": "TEMPLATE_NOT_FOUND",
    "Throttling": "ACCOUNT_THROTTLED",
    "AccountSendingPausedException": "ACCOUNT_SENDING_PAUSED",
    "ConfigurationSetSendingPausedException": "CONFIGURATION_SET_SENDING_PAUSED",
    "InvalidParameterValue": "INVALID_PARAMETER",
    "MissingRenderingAttribute": "INVALID_PARAMETER",
    "InvalidRenderingParameter": "INVALID_PARAMETER",
}


def _tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Name"]: t["Value"] for t in tags or []}


def _destination(dest: dict[str, Any] | None) -> dict[str, list[str]]:
    dest = dest or {}
    return {
        "to": list(dest.get("ToAddresses") or []),
        "cc": list(dest.get("CcAddresses") or []),
        "bcc": list(dest.get("BccAddresses") or []),
    }


@SERVICE.op("SendEmail")
@translated
async def send_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    content = req["Content"]
    listing = req.get("ListManagementOptions") or {}
    message: dict[str, Any] = {
        "source": req.get("FromEmailAddress") or "",
        "reply_to": list(req.get("ReplyToAddresses") or []),
        **_destination(req.get("Destination")),
        "source_arn": req.get("FromEmailAddressIdentityArn"),
        "access_key": ctx.access_key,
        "base_url": ctx.request.base_url,
        "contact_list": listing.get("ContactListName"),
        "topic": listing.get("TopicName"),
        "return_path": req.get("FeedbackForwardingEmailAddress"),
        "source_ip": ctx.request.peer,
    }
    if "Raw" in content:
        message["raw"] = content["Raw"]["Data"]
    elif "Template" in content:
        message["template"] = content["Template"].get("TemplateName") or ""
        message["template_data"] = content["Template"].get("TemplateData")
    else:
        simple = content.get("Simple") or {}
        body = simple.get("Body") or {}
        message["subject"] = (simple.get("Subject") or {}).get("Data", "")
        message["text"] = (body.get("Text") or {}).get("Data")
        message["html"] = (body.get("Html") or {}).get("Data")
    ses_id = await mail(ctx).send(
        ctx.account, ctx.region, message, req.get("ConfigurationSetName"), _tags(req.get("EmailTags"))
    )
    return {"MessageId": ses_id}


@SERVICE.op("SendBulkEmail")
@translated
async def send_bulk_email(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    template = (req.get("DefaultContent") or {}).get("Template") or {}
    entries = [
        {
            **_destination(e.get("Destination")),
            "data": ((e.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}).get(
                "ReplacementTemplateData"
            ),
            "tags": _tags(e.get("ReplacementTags")),
        }
        for e in req["BulkEmailEntries"]
    ]
    results = await mail(ctx).send_bulk(
        ctx.account, ctx.region, req.get("FromEmailAddress") or "", list(req.get("ReplyToAddresses") or []),
        template.get("TemplateName") or "", template.get("TemplateData"), entries, req.get("ConfigurationSetName"),
        _tags(req.get("DefaultEmailTags")),
        {
            "source_arn": req.get("FromEmailAddressIdentityArn"), "access_key": ctx.access_key,
            "return_path": req.get("FeedbackForwardingEmailAddress"), "base_url": ctx.request.base_url,
            "source_ip": ctx.request.peer,
        },
    )  # fmt: skip
    out = []
    for code, error, ses_id in results:
        daily = code == "Throttling" and (error or "").startswith("Daily")
        item: dict[str, Any] = {"Status": "ACCOUNT_DAILY_QUOTA_EXCEEDED" if daily else _BULK_STATUS.get(code, "FAILED")}
        if error:
            item["Error"] = error
        if ses_id:
            item["MessageId"] = ses_id
        out.append(item)
    return {"BulkEmailEntryResults": out}
