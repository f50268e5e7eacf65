"""SMS operations: account SMS attributes, opt-outs (OptInPhoneNumber once per 30 days), the SMS sandbox
(new accounts are in it; destination numbers are verified with a one-time password that is captured in the
inspectable outbox instead of texted) and origination numbers."""

from __future__ import annotations

import re
import secrets
from typing import Any

from ...aws.context import RequestContext
from ...ids import unique_id
from ...store.base import Tx
from . import SERVICE, limits, store, store_mobile
from .backend import backend
from .errors import (
    InvalidParameter,
    OptedOut,
    ResourceNotFound,
    Throttled,
    UserError,
    ValidationError,
    VerificationException,
    invalid,
)
from .store_mobile import SandboxNumber

_NO_RESOURCE = "Can't perform the action on the specified resource. Make sure that the resource exists."
_DAY_MS = 86_400_000
_SANDBOX_NUMBER = re.compile(r"^(\+[0-9]{8,}|[0-9]{0,9})$")  # PhoneNumberString
_OTP = re.compile(r"^[0-9]+$")  # OTPCode
_MAX_OTP_SENDS = 5  # "You can send the OTP to the same destination phone number up to five times every 24 hours."


def _check_sms_attribute(name: str, value: str) -> None:
    if name not in limits.SMS_ATTRIBUTES:
        raise InvalidParameter(f"{name} is not a valid attribute")
    if name == "MonthlySpendLimit" and not value.isdigit():
        raise invalid("MonthlySpendLimit")
    if name == "DefaultSenderID" and value and not limits.SENDER_ID.match(value):
        raise InvalidParameter("DefaultSenderID is not a valid attribute")
    if name == "DefaultSMSType" and value not in limits.SMS_TYPES:
        raise InvalidParameter("DefaultSMSType is invalid")
    if name == "DeliveryStatusSuccessSamplingRate" and value and not (value.isdigit() and int(value) <= 100):
        raise invalid("DeliveryStatusSuccessSamplingRate")


@SERVICE.op("SetSMSAttributes")
async def set_sms_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    changes = {k: "" if v is None else str(v) for k, v in (req.get("attributes") or {}).items()}
    for name, value in changes.items():
        _check_sms_attribute(name, value)

    def run(tx: Tx) -> None:
        attributes, in_sandbox = store_mobile.sms_settings(tx, ctx.account, ctx.region)
        attributes.update(changes)
        store_mobile.save_sms_settings(tx, ctx.account, ctx.region, attributes, in_sandbox)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("GetSMSAttributes")
async def get_sms_attributes(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    wanted = req.get("attributes") or []
    attributes, _ = await ctx.runtime.store.read(lambda tx: store_mobile.sms_settings(tx, ctx.account, ctx.region))
    merged = {"MonthlySpendLimit": limits.DEFAULT_MONTHLY_SPEND_LIMIT, **attributes}
    return {"attributes": {k: v for k, v in merged.items() if not wanted or k in wanted}}


def _phone(number: str) -> str:
    if not limits.E164.match(number or ""):
        raise invalid("PhoneNumber", "input incorrectly formatted")
    return number if number.startswith("+") else f"+{number}"


@SERVICE.op("CheckIfPhoneNumberIsOptedOut")
async def check_if_phone_number_is_opted_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    number = _phone(req["phoneNumber"])
    opted_out, _ = await ctx.runtime.store.read(
        lambda tx: store_mobile.opt_out_state(tx, ctx.account, ctx.region, number)
    )
    return {"isOptedOut": opted_out}


@SERVICE.op("ListPhoneNumbersOptedOut")
async def list_phone_numbers_opted_out(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    after = req.get("nextToken") or ""
    numbers = await ctx.runtime.store.read(
        lambda tx: store_mobile.opted_out_numbers(tx, ctx.account, ctx.region, after, limits.PAGE_SIZE + 1)
    )
    out: dict[str, Any] = {"phoneNumbers": numbers[: limits.PAGE_SIZE]}
    if len(numbers) > limits.PAGE_SIZE:
        out["nextToken"] = numbers[limits.PAGE_SIZE - 1]
    return out


@SERVICE.op("OptInPhoneNumber")
async def opt_in_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    number = _phone(req["phoneNumber"])
    now_ms = backend(ctx).now_ms()

    def run(tx: Tx) -> None:
        opted_out, opted_in_at = store_mobile.opt_out_state(tx, ctx.account, ctx.region, number)
        if not opted_out:
            return
        if opted_in_at is not None and now_ms - opted_in_at < limits.OPT_IN_INTERVAL_SECONDS * 1000:
            raise invalid("PhoneNumber", "A phone number can be opted in only once every 30 days")
        store_mobile.set_opt_out(tx, ctx.account, ctx.region, number, False, now_ms)

    await ctx.runtime.store.write(run)
    return {}


# --- the SMS sandbox ----------------------------------------------------------------------------------------


@SERVICE.op("GetSMSSandboxAccountStatus")
async def get_sms_sandbox_account_status(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    _, in_sandbox = await ctx.runtime.store.read(lambda tx: store_mobile.sms_settings(tx, ctx.account, ctx.region))
    return {"IsInSandbox": in_sandbox}


def _pattern(value: str, member: str, pattern: re.Pattern[str]) -> None:
    """The model's pattern constraint, which the engine does not check; the value is sensitive, so not shown."""
    if not pattern.match(value):
        raise ValidationError(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern.pattern}"
        )


def _sandbox_phone(number: str) -> str:
    _pattern(number, "phoneNumber", _SANDBOX_NUMBER)
    if not number.startswith("+") or not limits.E164.match(number):
        raise invalid("PhoneNumber", "input incorrectly formatted")
    return number


@SERVICE.op("CreateSMSSandboxPhoneNumber")
async def create_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    number = _sandbox_phone(req["PhoneNumber"])
    language = req.get("LanguageCode") or "en-US"
    now_ms = backend(ctx).now_ms()

    def run(tx: Tx) -> None:
        if store_mobile.opt_out_state(tx, ctx.account, ctx.region, number)[0]:
            raise OptedOut("Phone number is opted out")
        entry = store_mobile.sandbox_number(tx, ctx.account, ctx.region, number)
        if entry is not None and entry.status == "Verified":
            raise UserError(f"Phone number {number} is already verified")
        if entry is None:
            if store_mobile.count_sandbox_numbers(tx, ctx.account, ctx.region) >= limits.SANDBOX_MAX_NUMBERS:
                raise UserError(
                    f"You can have up to {limits.SANDBOX_MAX_NUMBERS} destination phone numbers in the SMS sandbox"
                )
            entry = SandboxNumber(number, "Pending", "", language, 0, now_ms, now_ms)
        if now_ms - entry.first_sent_at >= _DAY_MS:
            entry.sends, entry.first_sent_at = 0, now_ms
        if entry.sends >= _MAX_OTP_SENDS:
            raise Throttled("Throttled request.")
        entry.otp, entry.language, entry.sends = f"{secrets.randbelow(1_000_000):06d}", language, entry.sends + 1
        store_mobile.save_sandbox_number(tx, ctx.account, ctx.region, entry)
        store.capture(
            tx, ctx.account, ctx.region, "sms", number, "Verification", unique_id(), f"Your verification code is {entry.otp}", now_ms,
            extra={"otp": entry.otp, "languageCode": language},
        )  # fmt: skip

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("VerifySMSSandboxPhoneNumber")
async def verify_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    number, otp = req["PhoneNumber"], req["OneTimePassword"]
    _pattern(number, "phoneNumber", _SANDBOX_NUMBER)
    _pattern(otp, "oneTimePassword", _OTP)

    def run(tx: Tx) -> None:
        entry = store_mobile.sandbox_number(tx, ctx.account, ctx.region, number)
        if entry is None:
            raise ResourceNotFound(_NO_RESOURCE)
        if entry.status == "Verified":
            return
        if not secrets.compare_digest(entry.otp, otp):
            raise VerificationException("Invalid one-time password.", fields={"Status": entry.status})
        entry.status = "Verified"
        store_mobile.save_sandbox_number(tx, ctx.account, ctx.region, entry)

    await ctx.runtime.store.write(run)
    return {}


@SERVICE.op("DeleteSMSSandboxPhoneNumber")
async def delete_sms_sandbox_phone_number(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    number = req["PhoneNumber"]
    if not await ctx.runtime.store.write(
        lambda tx: store_mobile.delete_sandbox_number(tx, ctx.account, ctx.region, number)
    ):
        raise ResourceNotFound(_NO_RESOURCE)
    return {}


@SERVICE.op("ListSMSSandboxPhoneNumbers")
async def list_sms_sandbox_phone_numbers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    limit = req.get("MaxResults") or limits.PAGE_SIZE
    after = req.get("NextToken") or ""
    rows = await ctx.runtime.store.read(
        lambda tx: store_mobile.sandbox_numbers(tx, ctx.account, ctx.region, after, limit + 1)
    )
    out: dict[str, Any] = {"PhoneNumbers": [{"PhoneNumber": r.phone_number, "Status": r.status} for r in rows[:limit]]}
    if len(rows) > limit:
        out["NextToken"] = rows[limit - 1].phone_number
    return out


@SERVICE.op("ListOriginationNumbers")
async def list_origination_numbers(ctx: RequestContext, req: dict[str, Any]) -> dict[str, Any]:
    """A new account owns no origination numbers (they are bought through AWS End User Messaging)."""
    return {"PhoneNumbers": []}
