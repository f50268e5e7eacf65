"""SES v2 email identities (addresses and domains): each calls one SesMail method and shapes SES v2's answer."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, translated

_KINDS = {"EmailAddress": "EMAIL_ADDRESS", "Domain": "DOMAIN"}
_STATUS = {"Pending": "PENDING", "Success": "SUCCESS", "NotStarted": "NOT_STARTED"}
_BEHAVIOR_OUT = {"UseDefaultValue": "USE_DEFAULT_VALUE", "RejectMessage": "REJECT_MESSAGE"}
_BEHAVIOR_IN = {v: k for k, v in _BEHAVIOR_OUT.items()}


def _dkim(identity: dict[str, Any]) -> dict[str, Any]:
    doc = identity.get("dkim") or {}
    tokens = identity["dkim_tokens"]
    origin = doc.get("origin", "AWS_SES")
    out: dict[str, Any] = {
        "SigningEnabled": bool(doc.get("enabled", bool(tokens))),
        "Status": _STATUS.get(identity["dkim_status"], "NOT_STARTED"),
        "Tokens": tokens,
        "SigningAttributesOrigin": origin,
    }
    if tokens and origin != "EXTERNAL":  # Easy DKIM: the key lengths SES uses, and when it made the key
        out["CurrentSigningKeyLength"] = doc.get("key_length", "RSA_2048_BIT")
        out["NextSigningKeyLength"] = doc.get("next_key_length", "RSA_2048_BIT")
    if doc.get("generated_at") is not None and origin != "EXTERNAL":
        out["LastKeyGenerationTimestamp"] = doc["generated_at"]
    return out


@SERVICE.op("CreateEmailIdentity")
@translated
async def create_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if req.get("Tags"):
        options["tags"] = {t["Key"]: t["Value"] for t in req["Tags"]}
    if req.get("ConfigurationSetName"):
        options["configuration_set"] = req["ConfigurationSetName"]
    if req.get("DkimSigningAttributes") is not None:
        options["dkim_signing"] = dict(req["DkimSigningAttributes"])
    port = mail(ctx)
    await port.create_identity(ctx.account, ctx.region, req["EmailIdentity"], ctx.request.base_url, options)
    identity = await port.get_identity(ctx.account, ctx.region, req["EmailIdentity"])
    return {
        "IdentityType": _KINDS[identity["kind"]],
        "VerifiedForSendingStatus": identity["status"] == "Success",
        "DkimAttributes": _dkim(identity),
    }


@SERVICE.op("GetEmailIdentity")
@translated
async def get_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    identity = await mail(ctx).get_identity(ctx.account, ctx.region, req["EmailIdentity"])
    out = {
        "IdentityType": _KINDS[identity["kind"]],
        "FeedbackForwardingStatus": identity["forwarding"],
        "VerifiedForSendingStatus": identity["status"] == "Success",
        "VerificationStatus": _STATUS.get(identity["status"], "PENDING"),
        "DkimAttributes": _dkim(identity),
        "Policies": identity["policies"],
        "Tags": [{"Key": k, "Value": v} for k, v in identity["tags"].items()],
    }
    if identity["configuration_set"]:
        out["ConfigurationSetName"] = identity["configuration_set"]
    if identity["mail_from"]:
        domain, behavior, status = identity["mail_from"]
        out["MailFromAttributes"] = {
            "MailFromDomain": domain,
            "MailFromDomainStatus": _STATUS.get(status, "PENDING"),
            "BehaviorOnMxFailure": _BEHAVIOR_OUT.get(behavior, "USE_DEFAULT_VALUE"),
        }
    return out


@SERVICE.op("PutEmailIdentityConfigurationSetAttributes")
@translated
async def put_email_identity_configuration_set_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_identity_setting(
        ctx.account, ctx.region, req["EmailIdentity"], "configuration_set", req.get("ConfigurationSetName") or None
    )
    return {}


@SERVICE.op("PutEmailIdentityDkimAttributes")
@translated
async def put_email_identity_dkim_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_identity_setting(
        ctx.account, ctx.region, req["EmailIdentity"], "dkim_enabled", bool(req.get("SigningEnabled"))
    )
    return {}


@SERVICE.op("PutEmailIdentityDkimSigningAttributes")
@translated
async def put_email_identity_dkim_signing_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    status, tokens = await mail(ctx).put_dkim_signing(
        ctx.account, ctx.region, req["EmailIdentity"], req["SigningAttributesOrigin"], req.get("SigningAttributes")
    )
    return {"DkimStatus": _STATUS.get(status, "PENDING"), "DkimTokens": tokens}


@SERVICE.op("ListEmailIdentities")
@translated
async def list_email_identities(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).list_identities(ctx.account, ctx.region)
    identities = [
        {
            "IdentityType": _KINDS[i["kind"]],
            "IdentityName": i["name"],
            "SendingEnabled": i["status"] == "Success",
            "VerificationStatus": _STATUS.get(i["status"], "PENDING"),
        }
        for i in found
    ]
    return paged(identities, req, "EmailIdentities")


@SERVICE.op("DeleteEmailIdentity")
@translated
async def delete_email_identity(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_identity(ctx.account, ctx.region, req["EmailIdentity"])
    return {}


@SERVICE.op("CreateEmailIdentityPolicy")
@translated
async def create_email_identity_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_policy(
        ctx.account, ctx.region, req["EmailIdentity"], req["PolicyName"], req["Policy"], "create"
    )
    return {}


@SERVICE.op("UpdateEmailIdentityPolicy")
@translated
async def update_email_identity_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_policy(
        ctx.account, ctx.region, req["EmailIdentity"], req["PolicyName"], req["Policy"], "update"
    )
    return {}


@SERVICE.op("GetEmailIdentityPolicies")
@translated
async def get_email_identity_policies(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"Policies": await mail(ctx).policies(ctx.account, ctx.region, req["EmailIdentity"])}


@SERVICE.op("DeleteEmailIdentityPolicy")
@translated
async def delete_email_identity_policy(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_policy(ctx.account, ctx.region, req["EmailIdentity"], req["PolicyName"])
    return {}


@SERVICE.op("PutEmailIdentityMailFromAttributes")
@translated
async def put_email_identity_mail_from_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    behavior = req.get("BehaviorOnMxFailure")
    await mail(ctx).set_mail_from(
        ctx.account, ctx.region, req["EmailIdentity"], req.get("MailFromDomain"),
        _BEHAVIOR_IN.get(behavior, behavior) if behavior else None,
    )  # fmt: skip
    return {}


@SERVICE.op("PutEmailIdentityFeedbackAttributes")
@translated
async def put_email_identity_feedback_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).set_feedback_forwarding(
        ctx.account, ctx.region, req["EmailIdentity"], bool(req.get("EmailForwardingEnabled"))
    )
    return {}
