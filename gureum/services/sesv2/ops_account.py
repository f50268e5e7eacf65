"""SES v2 account operations (GetAccount, PutAccountDetails, PutAccountSendingAttributes,
PutAccountSuppressionAttributes, PutAccountVdmAttributes): each calls one SesMail method."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, translated


@SERVICE.op("GetAccount")
@translated
async def get_account(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    state = await mail(ctx).account(ctx.account, ctx.region)
    details = {"Details": state["details"]} if state.get("details") else {}
    vdm = {"VdmAttributes": state["vdm"]} if state.get("vdm") else {}
    return {
        **details,
        **vdm,
        "DedicatedIpAutoWarmupEnabled": False,
        "EnforcementStatus": "HEALTHY",
        "ProductionAccessEnabled": state["production"],
        "SendQuota": {
            "Max24HourSend": state["max_24_hour_send"],
            "MaxSendRate": state["max_send_rate"],
            "SentLast24Hours": float(state["sent_last_24_hours"]),
        },
        "SendingEnabled": state["sending_enabled"],
        "SuppressionAttributes": {"SuppressedReasons": list(state["suppressed_reasons"])},
    }


@SERVICE.op("PutAccountDetails")
@translated
async def put_account_details(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    keys = ("MailType", "WebsiteURL", "ContactLanguage", "UseCaseDescription", "AdditionalContactEmailAddresses")
    details = {k: req[k] for k in keys if req.get(k) is not None}
    details["ProductionAccessEnabled"] = bool(req.get("ProductionAccessEnabled", False))
    await mail(ctx).put_setting(ctx.account, ctx.region, None, "details", details)
    return {}


@SERVICE.op("PutAccountSendingAttributes")
@translated
async def put_account_sending_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).set_sending_enabled(ctx.account, ctx.region, bool(req.get("SendingEnabled", False)))
    return {}


@SERVICE.op("PutAccountSuppressionAttributes")
@translated
async def put_account_suppression_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    reasons = sorted(set(req.get("SuppressedReasons") or []))
    await mail(ctx).put_setting(ctx.account, ctx.region, None, "suppression", reasons)
    return {}


@SERVICE.op("PutAccountVdmAttributes")
@translated
async def put_account_vdm_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """Virtual Deliverability Manager's settings, kept and shown by GetAccount (gureum has no VDM dashboard)."""
    given = req["VdmAttributes"]
    keys = ("VdmEnabled", "DashboardAttributes", "GuardianAttributes")
    await mail(ctx).put_setting(ctx.account, ctx.region, None, "vdm", {k: given[k] for k in keys if k in given})
    return {}
