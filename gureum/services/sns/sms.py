"""SMS: account SMS attributes, opt-outs (OptInPhoneNumber once per 30 days), the SMS sandbox (new accounts are
in it; destination numbers are verified with a one-time password that is captured in the inspectable outbox
instead of texted) and what only AWS Support or a phone's owner can do (leave the sandbox, opt a number out,
offered as admin routes).  The Sms part of SnsBackend."""

from __future__ import annotations

import re
import secrets

from ...ids import unique_id
from ...store.base import Tx
from . import limits, store, store_mobile
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
from .node import SnsNode
from .paging import Page, page
from .store_mobile import SandboxNumber

_NO_RESOURCE = "Can't perform the action on the specified resource. Make sure that the resource exists."
_DAY_MS = 86_400_000
_SANDBOX_NUMBER = re.compile(r"^(\+[0-9]{8,}|[0-9]{0,9})$")  # PhoneNumberString
_OTP = re.compile(r"^[0-9]+$")  # OTPCode
_MAX_OTP_SENDS = 5  # "You can send the OTP to the same destination phone number up to five times every 24 hours."


def _check_sms_attribute(name: str, value: str) -> None:
    """An empty value resets the attribute to its default (SNS takes it for every attribute; Terraform's
    aws_sns_sms_preferences resets them all so when destroyed)."""
    if name not in limits.SMS_ATTRIBUTES:
        raise InvalidParameter(f"{name} is not a valid attribute")
    if not value:
        return
    if name == "MonthlySpendLimit" and not value.isdigit():
        raise invalid("MonthlySpendLimit")
    if name == "DefaultSenderID" and value and not limits.SENDER_ID.match(value):
        raise InvalidParameter("DefaultSenderID is not a valid attribute")
    if name == "DefaultSMSType" and value not in limits.SMS_TYPES:
        raise InvalidParameter("DefaultSMSType is invalid")
    if name == "DeliveryStatusSuccessSamplingRate" and value and not (value.isdigit() and int(value) <= 100):
        raise invalid("DeliveryStatusSuccessSamplingRate")


def phone(number: str | None) -> str:
    """An E.164 number as SNS keeps it (with its "+")."""
    if not limits.E164.match(number or ""):
        raise invalid("PhoneNumber", "input incorrectly formatted")
    assert number is not None
    return number if number.startswith("+") else f"+{number}"


def _pattern(value: str, member: str, pattern: re.Pattern[str]) -> None:
    """The model's pattern constraint, which the engine does not check; the value is sensitive, so not shown."""
    if not pattern.match(value):
        raise ValidationError(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern.pattern}"
        )


def _sandbox_phone(number: str) -> str:
    _pattern(number, "phoneNumber", _SANDBOX_NUMBER)
    if not number.startswith("+") or not limits.E164.match(number):
        raise invalid("PhoneNumber", "input incorrectly formatted")
    return number


class Sms(SnsNode):
    async def set_sms_attributes(self, account: str, region: str, attributes: dict[str, str | None] | None) -> None:
        changes = {k: "" if v is None else str(v) for k, v in (attributes or {}).items()}
        for name, value in changes.items():
            _check_sms_attribute(name, value)

        def run(tx: Tx) -> None:
            tx.lock("sns sms", account, region)  # the account's SMS settings and sandbox: writers take turns
            kept, in_sandbox = store_mobile.sms_settings(tx, account, region)
            kept.update(changes)
            kept = {k: v for k, v in kept.items() if v}  # emptied: back to the default
            store_mobile.save_sms_settings(tx, account, region, kept, in_sandbox)

        await self.store.write(run)

    async def get_sms_attributes(self, account: str, region: str, names: list[str] | None) -> dict[str, str]:
        """The attributes named (all when none are)."""
        attributes, _ = await self.store.read(lambda tx: store_mobile.sms_settings(tx, account, region))
        merged = {"MonthlySpendLimit": limits.DEFAULT_MONTHLY_SPEND_LIMIT, **attributes}
        return {k: v for k, v in merged.items() if not names or k in names}

    async def check_if_phone_number_is_opted_out(self, account: str, region: str, phone_number: str) -> bool:
        number = phone(phone_number)
        opted_out, _ = await self.store.read(lambda tx: store_mobile.opt_out_state(tx, account, region, number))
        return opted_out

    async def list_phone_numbers_opted_out(self, account: str, region: str, next_token: str | None) -> Page[str]:
        after = next_token or ""
        numbers = await self.store.read(
            lambda tx: store_mobile.opted_out_numbers(tx, account, region, after, limits.PAGE_SIZE + 1)
        )
        return page(numbers, lambda number: number)

    async def opt_in_phone_number(self, account: str, region: str, phone_number: str) -> None:
        number = phone(phone_number)
        now_ms = self.now_ms()

        def run(tx: Tx) -> None:
            opted_out, opted_in_at = store_mobile.opt_out_state(tx, account, region, number)
            if not opted_out:
                return
            if opted_in_at is not None and now_ms - opted_in_at < limits.OPT_IN_INTERVAL_SECONDS * 1000:
                raise invalid("PhoneNumber", "A phone number can be opted in only once every 30 days")
            store_mobile.set_opt_out(tx, account, region, number, False, now_ms)

        await self.store.write(run)

    async def opt_out(self, account: str, region: str, number: str) -> None:
        """The recipient replied STOP (an admin route: AWS learns it from the carrier)."""

        def run(tx: Tx) -> None:
            _, opted_in_at = store_mobile.opt_out_state(tx, account, region, number)
            store_mobile.set_opt_out(tx, account, region, number, True, opted_in_at)

        await self.store.write(run)

    # --- the SMS sandbox ------------------------------------------------------------------------------------

    async def get_sms_sandbox_account_status(self, account: str, region: str) -> bool:
        _, in_sandbox = await self.store.read(lambda tx: store_mobile.sms_settings(tx, account, region))
        return in_sandbox

    async def set_sms_sandbox(self, account: str, region: str, in_sandbox: bool) -> None:
        """Leave (or re-enter) the SMS sandbox, as AWS Support does on request (an admin route)."""

        def run(tx: Tx) -> None:
            tx.lock("sns sms", account, region)
            attributes, _ = store_mobile.sms_settings(tx, account, region)
            store_mobile.save_sms_settings(tx, account, region, attributes, in_sandbox)

        await self.store.write(run)

    async def create_sms_sandbox_phone_number(
        self, account: str, region: str, phone_number: str, language: str | None
    ) -> None:
        """Send a one-time password (captured, not texted) to a destination number of the sandbox."""
        number = _sandbox_phone(phone_number)
        language = language or "en-US"
        now_ms = self.now_ms()

        def run(tx: Tx) -> None:
            tx.lock("sns sms", account, region)  # the sandbox's size limit and the number's entry
            if store_mobile.opt_out_state(tx, account, region, number)[0]:
                raise OptedOut("Phone number is opted out")
            entry = store_mobile.sandbox_number(tx, account, region, number)
            if entry is not None and entry.status == "Verified":
                raise UserError(f"Phone number {number} is already verified")
            if entry is None:
                if store_mobile.count_sandbox_numbers(tx, account, region) >= limits.SANDBOX_MAX_NUMBERS:
                    raise UserError(
                        f"You can have up to {limits.SANDBOX_MAX_NUMBERS} destination phone numbers in the SMS sandbox"
                    )
                entry = SandboxNumber(number, "Pending", "", language, 0, now_ms, now_ms)
            if now_ms - entry.first_sent_at >= _DAY_MS:
                entry.sends, entry.first_sent_at = 0, now_ms
            if entry.sends >= _MAX_OTP_SENDS:
                raise Throttled("Throttled request.")
            entry.otp, entry.language, entry.sends = f"{secrets.randbelow(1_000_000):06d}", language, entry.sends + 1
            store_mobile.save_sandbox_number(tx, account, region, entry)
            store.capture(
                tx, account, region, "sms", number, "Verification", unique_id(),
                f"Your verification code is {entry.otp}", now_ms, extra={"otp": entry.otp, "languageCode": language},
            )  # fmt: skip

        await self.store.write(run)

    async def verify_sms_sandbox_phone_number(
        self, account: str, region: str, phone_number: str, one_time_password: str
    ) -> None:
        number, otp = phone_number, one_time_password
        _pattern(number, "phoneNumber", _SANDBOX_NUMBER)
        _pattern(otp, "oneTimePassword", _OTP)

        def run(tx: Tx) -> None:
            tx.lock("sns sms", account, region)
            entry = store_mobile.sandbox_number(tx, account, region, number)
            if entry is None:
                raise ResourceNotFound(_NO_RESOURCE)
            if entry.status == "Verified":
                return
            if not secrets.compare_digest(entry.otp, otp):
                raise VerificationException("Invalid one-time password.", fields={"Status": entry.status})
            entry.status = "Verified"
            store_mobile.save_sandbox_number(tx, account, region, entry)

        await self.store.write(run)

    async def delete_sms_sandbox_phone_number(self, account: str, region: str, phone_number: str) -> None:
        if not await self.store.write(lambda tx: store_mobile.delete_sandbox_number(tx, account, region, phone_number)):
            raise ResourceNotFound(_NO_RESOURCE)

    async def list_sms_sandbox_phone_numbers(
        self, account: str, region: str, max_results: int | None, next_token: str | None
    ) -> Page[SandboxNumber]:
        limit = max_results or limits.PAGE_SIZE
        after = next_token or ""
        rows = await self.store.read(lambda tx: store_mobile.sandbox_numbers(tx, account, region, after, limit + 1))
        return page(rows, lambda row: row.phone_number, size=limit)
