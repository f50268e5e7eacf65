"""SES v2 email identities (addresses and domains): each calls one SesMail method and shapes SES v2's answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, translated

_KINDS = {"EmailAddress": "EMAIL_ADDRESS", "Domain": "DOMAIN"}
_STATUS = {"Pending": "PENDING", "Success": "SUCCESS", "NotStarted": "NOT_STARTED"}


def _dkim(identity: dict[str, Any]) -> dict[str, Any]:
    return {
        "SigningEnabled": bool(identity["dkim_tokens"]),
        "Status": _STATUS.get(identity["dkim_status"], "NOT_STARTED"),
        "Tokens": identity["dkim_tokens"],
        "SigningAttributesOrigin": "AWS_SES",
    }


@SERVICE.op("CreateEmailIdentity")
@translated
async def create_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    identity = await mail(ctx).create_identity(ctx.account, ctx.region, req["EmailIdentity"], ctx.request.base_url)
    return {
        "IdentityType": _KINDS[identity["kind"]],
        "VerifiedForSendingStatus": identity["status"] == "Success",
        "DkimAttributes": _dkim(identity),
    }


@SERVICE.op("GetEmailIdentity")
@translated
async def get_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    identity = await mail(ctx).get_identity(ctx.account, ctx.region, req["EmailIdentity"])
    return {
        "IdentityType": _KINDS[identity["kind"]],
        "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": identity["status"] == "Success",
        "VerificationStatus": _STATUS.get(identity["status"], "PENDING"),
        "DkimAttributes": _dkim(identity),
        "Policies": {},
        "Tags": [],
    }


@SERVICE.op("ListEmailIdentities")
@translated
async def list_email_identities(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).list_identities(ctx.account, ctx.region)
    return {
        "EmailIdentities": [
            {
                "IdentityType": _KINDS[i["kind"]],
                "IdentityName": i["name"],
                "SendingEnabled": i["status"] == "Success",
                "VerificationStatus": _STATUS.get(i["status"], "PENDING"),
            }
            for i in found
        ]
    }


@SERVICE.op("DeleteEmailIdentity")
@translated
async def delete_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_identity(ctx.account, ctx.region, req["EmailIdentity"])
    return {}
