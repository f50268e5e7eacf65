"""SMS operations: account SMS attributes, opt-outs, the SMS sandbox and origination numbers (SnsBackend's Sms
part, sms.py)."""

from __future__ import annotations

from typing import Any

from ...aws.context import RequestContext
from . import SERVICE
from .backend import backend


@SERVICE.op("SetSMSAttributes")
async def set_sms_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).set_sms_attributes(ctx.account, ctx.region, req.get("attributes"))
    return {}


@SERVICE.op("GetSMSAttributes")
async def get_sms_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"attributes": await backend(ctx).get_sms_attributes(ctx.account, ctx.region, req.get("attributes"))}


@SERVICE.op("CheckIfPhoneNumberIsOptedOut")
async def check_if_phone_number_is_opted_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    opted_out = await backend(ctx).check_if_phone_number_is_opted_out(ctx.account, ctx.region, req["phoneNumber"])
    return {"isOptedOut": opted_out}


@SERVICE.op("ListPhoneNumbersOptedOut")
async def list_phone_numbers_opted_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_phone_numbers_opted_out(ctx.account, ctx.region, req.get("nextToken"))
    return page.shape("phoneNumbers", page.items, token_member="nextToken")


@SERVICE.op("OptInPhoneNumber")
async def opt_in_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).opt_in_phone_number(ctx.account, ctx.region, req["phoneNumber"])
    return {}


@SERVICE.op("GetSMSSandboxAccountStatus")
async def get_sms_sandbox_account_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    return {"IsInSandbox": await backend(ctx).get_sms_sandbox_account_status(ctx.account, ctx.region)}


@SERVICE.op("CreateSMSSandboxPhoneNumber")
async def create_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).create_sms_sandbox_phone_number(
        ctx.account, ctx.region, req["PhoneNumber"], req.get("LanguageCode")
    )
    return {}


@SERVICE.op("VerifySMSSandboxPhoneNumber")
async def verify_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).verify_sms_sandbox_phone_number(
        ctx.account, ctx.region, req["PhoneNumber"], req["OneTimePassword"]
    )
    return {}


@SERVICE.op("DeleteSMSSandboxPhoneNumber")
async def delete_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    await backend(ctx).delete_sms_sandbox_phone_number(ctx.account, ctx.region, req["PhoneNumber"])
    return {}


@SERVICE.op("ListSMSSandboxPhoneNumbers")
async def list_sms_sandbox_phone_numbers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    page = await backend(ctx).list_sms_sandbox_phone_numbers(
        ctx.account, ctx.region, req.get("MaxResults"), req.get("NextToken")
    )
    numbers = [{"PhoneNumber": row.phone_number, "Status": row.status} for row in page.items]
    return page.shape("PhoneNumbers", numbers)


@SERVICE.op("ListOriginationNumbers")
async def list_origination_numbers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """A new account owns no origination numbers (they are bought through AWS End User Messaging)."""
    return {"PhoneNumbers": []}
