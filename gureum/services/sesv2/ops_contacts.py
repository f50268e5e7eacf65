"""SES v2 contact lists (one per account, with topics) and their contacts: each calls one SesMail method and shapes
SES v2's answer. SendEmail's ListManagementOptions honours them (a contact who opted out is not mailed)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .mail import mail, paged, translated


def _contact_out(contact: dict[str, Any], contact_list: dict[str, Any]) -> dict[str, Any]:
    chosen = {p["TopicName"] for p in contact["preferences"]}
    defaults = [
        {"TopicName": t["TopicName"], "SubscriptionStatus": t["DefaultSubscriptionStatus"]}
        for t in contact_list["topics"]
        if t["TopicName"] not in chosen
    ]
    return {
        "EmailAddress": contact["address"],
        "TopicPreferences": contact["preferences"],
        "TopicDefaultPreferences": defaults,
        "UnsubscribeAll": contact["unsubscribe_all"],
        "LastUpdatedTimestamp": contact["updated_at"],
    }


@SERVICE.op("CreateContactList")
@translated
async def create_contact_list(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).create_contact_list(
        ctx.account, ctx.region, req["ContactListName"], req.get("Description"), list(req.get("Topics") or []),
        {t["Key"]: t["Value"] for t in req.get("Tags") or []},
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateContactList")
@translated
async def update_contact_list(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).update_contact_list(
        ctx.account, ctx.region, req["ContactListName"], req.get("Description"), list(req.get("Topics") or [])
    )
    return {}


@SERVICE.op("GetContactList")
@translated
async def get_contact_list(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).contact_list(ctx.account, ctx.region, req["ContactListName"])
    out: dict[str, Any] = {
        "ContactListName": found["name"],
        "Topics": found["topics"],
        "CreatedTimestamp": found["created_at"],
        "LastUpdatedTimestamp": found["updated_at"],
        "Tags": [{"Key": k, "Value": v} for k, v in found["tags"].items()],
    }
    if found["description"] is not None:
        out["Description"] = found["description"]
    return out


@SERVICE.op("ListContactLists")
@translated
async def list_contact_lists(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found = await mail(ctx).contact_lists(ctx.account, ctx.region)
    lists = [{"ContactListName": n, "LastUpdatedTimestamp": at} for n, at in found]
    return paged(lists, req, "ContactLists")


@SERVICE.op("DeleteContactList")
@translated
async def delete_contact_list(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_contact_list(ctx.account, ctx.region, req["ContactListName"])
    return {}


@SERVICE.op("CreateContact")
@translated
async def create_contact(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_contact(
        ctx.account, ctx.region, req["ContactListName"], req["EmailAddress"], list(req.get("TopicPreferences") or []),
        bool(req.get("UnsubscribeAll", False)), req.get("AttributesData"), create=True,
    )  # fmt: skip
    return {}


@SERVICE.op("UpdateContact")
@translated
async def update_contact(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).put_contact(
        ctx.account, ctx.region, req["ContactListName"], req["EmailAddress"], list(req.get("TopicPreferences") or []),
        bool(req.get("UnsubscribeAll", False)), req.get("AttributesData"), create=False,
    )  # fmt: skip
    return {}


@SERVICE.op("GetContact")
@translated
async def get_contact(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    [found], found_list = await mail(ctx).contacts(ctx.account, ctx.region, req["ContactListName"], req["EmailAddress"])
    out = {
        "ContactListName": req["ContactListName"],
        **_contact_out(found, found_list),
        "CreatedTimestamp": found["created_at"],
    }
    if found["attributes"] is not None:
        out["AttributesData"] = found["attributes"]
    return out


@SERVICE.op("ListContacts")
@translated
async def list_contacts(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    found, found_list = await mail(ctx).contacts(ctx.account, ctx.region, req["ContactListName"], None)
    wanted = req.get("Filter") or {}
    status, topic = wanted.get("FilteredStatus"), (wanted.get("TopicFilter") or {}).get("TopicName")
    out = []
    for contact in found:
        shaped = _contact_out(contact, found_list)
        if status:
            prefs = [*shaped["TopicPreferences"], *shaped["TopicDefaultPreferences"]]
            statuses = [p["SubscriptionStatus"] for p in prefs if topic is None or p["TopicName"] == topic]
            if contact["unsubscribe_all"]:
                statuses = ["OPT_OUT"]
            if status not in statuses:
                continue
        out.append(shaped)
    return paged(out, req, "Contacts")


@SERVICE.op("DeleteContact")
@translated
async def delete_contact(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await mail(ctx).delete_contact(ctx.account, ctx.region, req["ContactListName"], req["EmailAddress"])
    return {}
